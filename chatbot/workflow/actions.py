"""How every workflow action runs, so its guarantees hold everywhere.

1. If the event's idempotency key was seen, return the earlier `Outcome` marked `duplicate`;
   nothing changes and nobody is told again.
2. In one transaction: the action's `change` (load, apply the rules, write the change and its
   audit entry), the key with the outcome (which also marks the adapter's inbox entry of that
   key done), and the jobs of what people must be told (`jobs`). A refusal is stored under
   the key too.
3. After the commit, run those jobs: talk to people through the port. A port failure is
   logged and listed in `Outcome.delivery_errors`; it never undoes the change, and the job is
   tried again later. Jobs a crash left undone are run by `JobQueue.resume()` at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from chatbot import pause
from chatbot.store import Store
from chatbot.workflow import incident_rows, post_rows
from chatbot.workflow.clock import Clock
from chatbot.workflow.jobs import Job, JobQueue
from chatbot.workflow.outcome import Code, Outcome
from chatbot.workflow.people import Person

log = logging.getLogger(__name__)

#: What a change leaves to do after its commit: a durable job, or a local call (a wake-up).
Effect = Job | tuple[str, Callable[[], None]]
#: An action's change, run inside the transaction at time `now`: its outcome and effects.
Change = Callable[[Database, float], tuple[Outcome, list[Effect]]]


class ActionRunner:
    """Runs actions by the pattern above, on one store and its job queue."""

    def __init__(self, store: Store, jobs: JobQueue, clock: Clock) -> None:
        self.store = store
        self.jobs = jobs
        self.clock = clock

    def run(self, action: str, key: str | None, change: Change) -> Outcome:
        if (earlier := self.replay(key)) is not None:
            return earlier
        with self.store.transaction() as db:
            if (earlier := self.replay(key)) is not None:  # another thread was first
                return earlier
            now = self.clock.now()
            outcome, effects = change(db, now)
            jobs = self.jobs.add(db, [e for e in effects if isinstance(e, Job)], now)
            self.store.remember(key, action, outcome.to_json(), now)
            pause.at("applied", action)
        pause.at("committed", action)
        errors = self.jobs.run(jobs) + _call([e for e in effects if not isinstance(e, Job)])
        if outcome.post is not None and effects:
            outcome = replace(outcome, post=self._post(outcome.post.number))
        if outcome.incident is not None and effects:
            outcome = replace(outcome, incident=self._incident(outcome.incident.id))
        return replace(outcome, delivery_errors=errors) if errors else outcome

    def refuse(self, action: str, key: str | None, refusal: Outcome) -> Outcome:
        """A refusal decided before the transaction, kept under the key like any other."""
        return self.run(action, key, lambda db, now: (refusal, []))

    def replay(self, key: str | None) -> Outcome | None:
        """The outcome stored under `key`, marked `duplicate`, with its post and incident
        read back as they are now; None for a key not seen."""
        data = self.store.recall(key)
        if data is None:
            return None
        return Outcome(
            ok=data["ok"], code=Code(data["code"]), message=data["message"],
            post=self._post(data["post"]) if data["post"] else None,
            incident=self._incident(data["incident"]) if data["incident"] else None,
            changed=data["changed"], duplicate=True, warnings=tuple(data["warnings"]),
        )

    def audit(self, now: float, by: Person, action: str, *, post: int | None = None,
              incident: int | None = None, why: str = "",
              detail: dict[str, Any] | None = None) -> None:
        self.store.audit(at=now, actor=str(by), platform=by.platform, action=action, post=post,
                         incident=incident, why=why, detail=detail)

    def _post(self, number: int) -> Any:
        with self.store.reading() as db:
            return post_rows.load_post(db, number)

    def _incident(self, incident_id: int) -> Any:
        with self.store.reading() as db:
            return incident_rows.load_incident(db, incident_id)


def _call(effects: list[tuple[str, Callable[[], None]]]) -> tuple[str, ...]:
    errors = []
    for what, call in effects:
        try:
            call()
        except Exception as exc:
            log.warning("could not %s: %s", what, exc)
            errors.append(f"could not {what}: {exc}")
    return tuple(errors)
