"""The Bolt app and everything one `chatbot serve slack` process runs beside it.

`SlackBot` wires the core to Slack: one store, one `SlackPort`, the workflow and the reminder
scheduler (a thread of this process; both built by `chatbot.chat.build_core`), the policy
loaded once, the intake (requests stored
before their acknowledgement) and a worker pool for the slow part of each request.
`build_app` makes the Bolt `App` itself.

Bolt runs with `process_before_response=True`: each listener's `ack_…` function runs in the
request thread (HTTP) or the Socket Mode client's thread, stores the request and answers, so
Slack's acknowledgement never waits in a queue behind checks, and the envelope or response
leaves only after the request is in the database; the work goes to our own pool, sized for
checks that wait on an LLM. Opening a modal cannot wait behind them (its trigger expires 3 s
after the click), so it has a small pool of its own. Bolt verifies every HTTP request's
signature and refuses timestamps more than 5 minutes old before any listener sees it.

At start-up, `start()` hands back to the pool whatever the last process acknowledged and did
not finish, and runs the jobs it left (messages not yet sent).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from chatbot.adapters.slack.client import make_client
from chatbot.adapters.slack.listeners import Listeners
from chatbot.adapters.slack.port import SlackPort
from chatbot.chat import build_core, checker
from chatbot.config import Settings, policy_path
from chatbot.intake import Intake
from chatbot.policy.loader import load_policy
from chatbot.policy.rules import Policy
from chatbot.store import Store
from chatbot.workflow.clock import Clock

log = logging.getLogger(__name__)

#: Checks in flight at once; most of their time is spent waiting on the LLM endpoint or Slack.
WORKERS = 16
#: Modal openings in flight at once: one quick Web API call each, due within 3 s of the click.
URGENT_WORKERS = 4


class SlackBot:
    """The Slack side of checkpost in one process. `start()` the reminders, `close()` all."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: WebClient | None = None,
        clock: Clock | None = None,
        policy: Policy | None = None,
        workers: int = WORKERS,
    ) -> None:
        """`client`, `clock` and `policy` default to what the settings say (tests share one
        loaded policy between bots, since compiling it takes most of a second)."""
        self.settings = settings
        self.policy = policy or load_policy(policy_path(settings))
        self.client = client or make_client(settings)
        self.store = Store(settings.db_path)
        try:
            self.port = SlackPort(self.client, settings.slack_comms_channel,
                                  approvals_required=settings.approvals_required,
                                  comms_users=settings.slack_comms_users)
            core = build_core(settings, self.store, self.port, clock=clock)
            self.workflow, self.scheduler = core.workflow, core.scheduler
            self.check = checker(settings, self.policy)
            self.executor = WorkPool(max_workers=workers, thread_name_prefix="checkpost-work")
            self.urgent = WorkPool(max_workers=URGENT_WORKERS,
                                   thread_name_prefix="checkpost-urgent")
            self.listeners = Listeners(self.workflow, self.port, self.check, self.urgent)
            self.intake = Intake(self.store, self.listeners.handle, self.executor)
            self.listeners.intake = self.intake
            self.app = build_app(settings, self.client, self.listeners)
        except BaseException:
            self.store.close()
            raise

    def start(self) -> None:
        self.scheduler.start()
        # what the last process acknowledged and did not finish, and the messages it did not
        # send (a post comms never saw, a poster never told), on the pool, so start-up does
        # not wait on the Web API
        self.intake.resume()
        self.executor.submit(self.workflow.resume)

    def close(self) -> None:
        """Stop the reminders, let running work finish, close the database."""
        self.scheduler.stop()
        self.urgent.shutdown(wait=True)
        self.executor.shutdown(wait=True)
        self.store.close()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no acknowledged request is still being worked on (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        return (self.urgent.wait_idle(timeout)
                and self.executor.wait_idle(max(0.0, deadline - time.monotonic())))

    def healthy(self) -> bool:
        """For GET /healthz: the database answers."""
        try:
            self.store.ping()
        except Exception:
            log.exception("health check: the database does not answer")
            return False
        return True


class WorkPool(ThreadPoolExecutor):
    """The pool the intake's work runs on, which knows when it has nothing left to do."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done()
            raise
        future.add_done_callback(lambda _: self._done())
        return future

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()


def build_app(settings: Settings, client: WebClient, listeners: Listeners) -> App:
    """The Bolt app: signature checks, our listeners, and acks before the work.

    Bolt calls `auth.test` here, so a wrong `SLACK_BOT_TOKEN` fails at start-up, not on the
    first command.
    """
    bolt_log = logging.getLogger("checkpost.bolt")
    bolt_log.addFilter(_not_the_token_warning)
    app = App(
        name="checkpost",
        logger=bolt_log,
        client=client,
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )
    listeners.register(app)
    app.error(_log_error)
    return app


def _not_the_token_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins; it is the
    same token, so the warning would only puzzle whoever reads the log."""
    return not record.getMessage().startswith("As you gave `client` as well")


def _log_error(error: Exception, body: dict[str, Any]) -> None:
    """An exception in an acknowledgement: logged for the operator; Slack gets a bare 500."""
    kind = body.get("type") or body.get("command") or "request"
    log.error("Slack %s failed: %s", kind, error, exc_info=error)
