"""What each Slack request does: store it, acknowledge it, then do the work on a worker.

Slack gives an app 3 seconds to acknowledge a command, event or click, and checking a draft
(the LLM review above all) can take longer. Every listener is therefore split in two: `ack_…`
runs in the request thread (over HTTP or Socket Mode alike) and answers only what is instant
(help, status, a command it cannot read, a modal field left empty); a request with work to do
is first stored in the intake (`chatbot.intake`: the inbox, with its key and raw payload) and
only then acknowledged, and `handle` does the work on the bot's worker pool, from the stored
payload, now or after a restart.

Every change goes through the workflow with an idempotency key made from what Slack sends
once per event (`event_id`, which a retry repeats; a slash command's or click's `trigger_id`;
a modal's `view.id`), the same key as the inbox entry's, so a retried or duplicated delivery
finds its key and changes nothing, and nobody is told twice. Opening a modal is not stored:
its trigger expires 3 s after the click, so it could not be replayed anyway (the person sees
no form and clicks again). People's mistakes come back from the workflow as refusals whose
message is shown as is, privately; faults are logged and answered with a short apology, never
a stack trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from chatbot.adapters.slack.blocks import (
    APPROVE_ACTION,
    CHANGES_ACTION,
    INCIDENT_STEP_ACTION,
    OPEN_POST_ACTION,
)
from chatbot.adapters.slack.modals import (
    CHECK_VIEW,
    DECISION_VIEW,
    check_modal,
    decision_modal,
    has_override_field,
    read_check,
    read_decision,
)
from chatbot.adapters.slack.mrkdwn import COMMAND, escape, plain_text, say
from chatbot.adapters.slack.port import PLATFORM, SlackPort
from chatbot.chat import (
    CheckDraft,
    carry_out,
    check_of,
    decide,
    draft_problem,
    list_posts,
    post_to_decide,
    refusal_to_explain,
    unvote_by_reaction,
    vote_by_reaction,
)
from chatbot.commands import (
    Check,
    CommandError,
    Empty,
    Help,
    MarkIncidentStep,
    Mine,
    Pending,
    Revise,
    Status,
    help_text,
    parse_command,
)
from chatbot.intake import Intake
from chatbot.store import InboxEntry
from chatbot.verdict import DraftError, validate
from chatbot.workflow import Outcome, Person, Workflow
from chatbot.workflow.posts import VoteKind

log = logging.getLogger(__name__)

SHORTCUT = "check_this_post"
APPROVE_REACTIONS = frozenset({"+1", "thumbsup"})
CHANGES_REACTIONS = frozenset({"-1", "thumbsdown"})

SORRY = ("Sorry, something went wrong on checkpost's side and your request was not finished. "
         "Try again in a minute; if it keeps happening, tell the comms team.")
CHECKING = ("Checking your draft… the findings and the post's number will arrive in a direct "
            "message from checkpost.")
OVERRIDE_HINT = "Use the Approve button on the message to give the reason."

Reply = Callable[[str], None]


class Listeners:
    """Slack's requests translated into workflow actions, and outcomes into Slack messages."""

    def __init__(self, workflow: Workflow, port: SlackPort, check: CheckDraft,
                 urgent: Executor, intake: Intake | None = None) -> None:
        """`urgent` runs what must happen within seconds of the click (opening a modal: its
        trigger expires after 3 s), apart from the pool where checks may wait on an LLM.
        `intake` (set before the first request) stores requests and runs `handle` for each."""
        self.workflow = workflow
        self.port = port
        self.check = check
        self.urgent = urgent
        self.intake = intake

    def register(self, app: App) -> None:
        app.command(COMMAND)(self.ack_command)
        app.event("reaction_added")(self.ack_reaction)
        app.event("reaction_removed")(self.ack_reaction)
        app.shortcut(SHORTCUT)(self.open_check_of_message)
        app.view(CHECK_VIEW)(self.ack_check_view)
        app.action(APPROVE_ACTION)(self.open_decision)
        app.action(CHANGES_ACTION)(self.open_decision)
        app.view(DECISION_VIEW)(self.ack_decision_view)
        app.action(INCIDENT_STEP_ACTION)(self.ack_incident_step)
        app.action(OPEN_POST_ACTION)(_ack)  # a link button: Slack opens the URL, we just ack

    def handle(self, entry: InboxEntry) -> None:
        """The work of a stored request (see `chatbot.intake`): `payload` is Slack's body."""
        body = entry.payload
        match entry.kind:
            case "command":
                self.run_command(body)
            case "reaction_added" | "reaction_removed":
                self._reaction(body["event"], body, added=entry.kind == "reaction_added")
            case "check-view":
                self.submit_check_view(body["view"], body)
            case "decision-view":
                self.submit_decision(body["view"], body)
            case "incident-step":
                self.mark_incident_step(body, body["actions"][0])
            case _:
                log.warning("no handler for a stored Slack request of kind %r", entry.kind)

    def _accepted(self, ack: Callable[[], None], kind: str, key: str | None,
                  body: dict[str, Any]) -> None:
        """Store the request, then acknowledge it (`ack`), then start its work. A store that
        fails raises before the acknowledgement: Slack gets an error and sends it again."""
        assert self.intake is not None, "Listeners.intake is set before the app serves"
        key = key or f"slack:{kind}:{uuid.uuid4().hex}"
        self.intake.accept(key, kind, body)
        ack()
        self.intake.start(key)

    # --- /checkpost ------------------------------------------------------------------------

    def ack_command(self, ack: Ack, command: dict[str, Any], body: dict[str, Any],
                    client: WebClient, respond: Respond) -> None:
        """Answer at once what needs no work; say the rest is under way."""
        try:
            parsed = parse_command(plain_text(command.get("text", "")))
        except CommandError as exc:
            ack(text=say(str(exc)))
            return
        try:
            match parsed:
                case Help():
                    answer = escape(help_text(COMMAND))
                case Status():
                    status = carry_out(self.workflow, parsed, check=self.check, key=None,
                                       by=Person(PLATFORM, command.get("user_id", "")))
                    assert status is not None
                    answer = say(status.message, self.port.comms_users)
                case Check() | Revise() if (problem := draft_problem(parsed)):
                    answer = say(problem)
                case Empty():
                    ack()
                    self._urgently(lambda: client.views_open(trigger_id=body["trigger_id"],
                                                             view=check_modal()),
                                   lambda text: respond(text=text, response_type="ephemeral"))
                    return
                case Pending() | Mine():
                    ack()  # the links take a Web API call each: answered just after
                    person = Person(PLATFORM, command.get("user_id", ""))
                    self._urgently(lambda: self._list(parsed, person, respond),
                                   lambda text: respond(text=text, response_type="ephemeral"))
                    return
                case _:
                    checking = CHECKING if isinstance(parsed, Check | Revise) else ""
                    if isinstance(parsed, Check) and parsed.note:
                        checking = f"{CHECKING}\n{say(parsed.note)}"
                    self._accepted(lambda: ack(text=checking) if checking else ack(), "command",
                                   _key("command", body.get("trigger_id")), body)
                    return
        except Exception:
            log.exception("/checkpost could not be acknowledged")
            ack(text=SORRY)
            return
        ack(text=answer)

    def run_command(self, body: dict[str, Any]) -> None:
        """A stored `/checkpost …`: `body` is the command's form, as Slack sent it."""
        person = Person(PLATFORM, body["user_id"])
        key = _key("command", body.get("trigger_id"))
        respond = Respond(response_url=body.get("response_url"),
                              proxy=self.port.client.proxy, ssl=self.port.client.ssl)

        def reply(text: str) -> None:
            respond(text=say(text, self.port.comms_users | {person.user_id}),
                    response_type="ephemeral", replace_original=False)

        with _guard(reply):
            try:
                parsed = parse_command(plain_text(body.get("text", "")))
            except CommandError:
                return  # answered in the acknowledgement
            if isinstance(parsed, Help | Status | Empty | Pending | Mine) or (
                    isinstance(parsed, Check | Revise) and draft_problem(parsed)):
                return  # answered in the acknowledgement
            outcome = carry_out(self.workflow, parsed, by=person, key=key, check=self.check)
            if outcome is None:
                return
            if isinstance(parsed, Check | Revise):
                self._answer_submission(outcome, reply)
            else:
                _answer(outcome, reply)

    def _list(self, command: Pending | Mine, person: Person, respond: Respond) -> None:
        """`/checkpost pending` or `mine`, to the asker only, with links to the posts."""
        shown = list_posts(self.workflow, command, by=person)
        if isinstance(shown, Outcome):
            respond(text=say(shown.message), response_type="ephemeral")
            return
        text, body = self.port.listing(shown, person)
        respond(text=text, blocks=body, response_type="ephemeral")

    def _answer_submission(self, outcome: Outcome, reply: Reply) -> None:
        """After a check and submission (or revision): the port has DMed the findings with the
        post's number, so the reply is needed only when something went wrong."""
        if outcome.duplicate:
            return
        if not outcome.ok or outcome.post is None:
            reply(outcome.message)
            return
        if any("findings" in error for error in outcome.delivery_errors):
            reply(outcome.message + " (Your direct messages from checkpost could not be sent; "
                  f"`checkpost status {outcome.post.number}` shows where it stands.)")

    # --- the check modal -------------------------------------------------------------------

    def open_check_of_message(self, ack: Ack, shortcut: dict[str, Any],
                              client: WebClient) -> None:
        """"Check this post" on any message: the check modal, filled with its text."""
        ack()
        text = plain_text((shortcut.get("message") or {}).get("text", ""))
        self._urgently(lambda: client.views_open(trigger_id=shortcut["trigger_id"],
                                                 view=check_modal(text)),
                       lambda text: self.port.send_text(shortcut["user"]["id"], text))

    def ack_check_view(self, ack: Ack, view: dict[str, Any], body: dict[str, Any]) -> None:
        if errors := check_view_errors(view):
            ack(response_action="errors", errors=errors)
        else:
            self._accepted(ack, "check-view", _key("view", view.get("id")), body)

    def submit_check_view(self, view: dict[str, Any], body: dict[str, Any]) -> None:
        if check_view_errors(view):
            return  # Bolt starts the work even when the ack kept the modal open
        user = body["user"]["id"]

        def reply(text: str) -> None:
            self.port.send_text(user, text)

        with _guard(reply):
            outcome = carry_out(self.workflow, check_of(read_check(view)), check=self.check,
                                by=Person(PLATFORM, user), key=_key("view", view.get("id")))
            assert outcome is not None
            self._answer_submission(outcome, reply)

    # --- reactions in the comms channel ----------------------------------------------------

    def ack_reaction(self, ack: Ack, event: dict[str, Any], body: dict[str, Any]) -> None:
        """Only a 👍/👎 on a message in the comms channel can be a vote; only those are stored
        (the rest are acknowledged and change nothing)."""
        item = event.get("item") or {}
        if (reaction_kind(event.get("reaction", "")) is None or item.get("type") != "message"
                or item.get("channel") != self.port.comms_channel or not event.get("user")):
            ack()
            return
        self._accepted(ack, str(event.get("type")), _key("event", body.get("event_id")), body)

    def _reaction(self, event: dict[str, Any], body: dict[str, Any], *, added: bool) -> None:
        """👍 approves, 👎 asks for changes, on the bot's message for a post; removing one
        takes the vote back. Refusals are explained in the thread, to the reactor only."""
        with _guard(None):
            kind = reaction_kind(event.get("reaction", ""))
            item = event.get("item") or {}
            if kind is None or item.get("type") != "message" or not event.get("user"):
                return
            channel, ts = item.get("channel", ""), item.get("ts", "")
            person = Person(PLATFORM, event["user"])
            key = _key("event", body.get("event_id"))
            if not added:  # a removal that changes nothing needs no explanation
                unvote_by_reaction(self.workflow, f"{channel}/{ts}", kind, by=person, key=key)
                return
            vote = vote_by_reaction(self.workflow, f"{channel}/{ts}", kind, by=person, key=key)
            if vote is None or vote.outcome.duplicate:  # an ephemeral answer cannot be deduped
                return
            if text := refusal_to_explain(vote.outcome, OVERRIDE_HINT):
                self.port.whisper(channel, person.user_id, text, thread_ts=ts)

    # --- buttons and the decision modal ----------------------------------------------------

    def open_decision(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
                      client: WebClient) -> None:
        """Approve / Request changes: the decision modal, unless this person cannot decide."""
        ack()
        user = body["user"]["id"]
        channel, ts = _container(body)

        def reply(text: str) -> None:
            self.port.whisper(channel, user, text)

        def open_modal() -> None:
            number, version = _two_numbers(action.get("value", ""))
            kind = "approve" if action.get("action_id") == APPROVE_ACTION else "changes"
            post = post_to_decide(self.workflow, number, version, by=Person(PLATFORM, user))
            if isinstance(post, Outcome):
                reply(post.message)
                return
            client.views_open(trigger_id=body["trigger_id"],
                              view=decision_modal(post, kind, channel, ts))

        self._urgently(open_modal, reply)

    def ack_decision_view(self, ack: Ack, view: dict[str, Any], body: dict[str, Any]) -> None:
        if errors := decision_view_errors(view):
            ack(response_action="errors", errors=errors)
        else:
            self._accepted(ack, "decision-view", _key("view", view.get("id")), body)

    def submit_decision(self, view: dict[str, Any], body: dict[str, Any]) -> None:
        if decision_view_errors(view):
            return  # the modal stayed open; its corrected submission comes as another request
        decision = read_decision(view)
        user = body["user"]["id"]

        def reply(text: str) -> None:
            self.port.whisper(decision.channel, user, text)

        with _guard(reply):
            person, key = Person(PLATFORM, user), _key("view", view.get("id"))
            outcome = decide(self.workflow, decision.kind, decision.post, decision.version,
                             by=person, key=key, comment=decision.comment,
                             override_reason=decision.override_reason)
            if not outcome.duplicate and not outcome.ok:
                reply(outcome.message)

    def _urgently(self, work: Callable[[], Any], reply: Reply) -> None:
        """Run `work` now on the urgent pool, apologising to the person if it fails."""
        def run() -> None:
            with _guard(reply):
                work()

        self.urgent.submit(run)

    # --- incidents -------------------------------------------------------------------------

    def ack_incident_step(self, ack: Ack, body: dict[str, Any]) -> None:
        self._accepted(ack, "incident-step", _key("action", body.get("trigger_id")), body)

    def mark_incident_step(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        user = body["user"]["id"]
        channel, _ = _container(body)

        def reply(text: str) -> None:
            self.port.whisper(channel, user, text)

        with _guard(reply):
            incident_id, _, step = action.get("value", "").partition(":")
            outcome = carry_out(self.workflow, MarkIncidentStep(int(incident_id), step),
                                by=Person(PLATFORM, user),
                                key=_key("action", body.get("trigger_id")), check=self.check)
            assert outcome is not None
            if not outcome.duplicate and not outcome.ok:
                reply(outcome.message)


def check_view_errors(view: dict[str, Any]) -> dict[str, str]:
    """What keeps the check modal open (by block id), or nothing."""
    try:
        validate(read_check(view))
    except DraftError as exc:
        return {"draft": str(exc)[:150]}
    return {}


def decision_view_errors(view: dict[str, Any]) -> dict[str, str]:
    """What keeps the decision modal open (by block id), or nothing."""
    decision = read_decision(view)
    if decision.kind == "approve" and has_override_field(view) and not decision.override_reason:
        return {"override": "Say why this post may go out despite its error-level findings."}
    if decision.kind == "changes" and not decision.comment:
        return {"comment": "Say what the poster should change."}
    return {}


def reaction_kind(name: str) -> VoteKind | None:
    """`+1`, `thumbsup`, `+1::skin-tone-3` → approve; `-1`, `thumbsdown` → changes."""
    base = name.split("::", 1)[0]
    if base in APPROVE_REACTIONS:
        return "approve"
    if base in CHANGES_REACTIONS:
        return "changes"
    return None


def _ack(ack: Ack) -> None:
    ack()


def _answer(outcome: Outcome, reply: Reply) -> None:
    """A command's outcome, to its author only; a redelivery says nothing again."""
    if outcome.duplicate:
        return
    reply(" ".join([outcome.message, *outcome.warnings]))


def _key(kind: str, unique: str | None) -> str | None:
    return f"slack:{kind}:{unique}" if unique else None


def _container(body: dict[str, Any]) -> tuple[str, str]:
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts", "")
    return channel, ts


def _two_numbers(value: str) -> tuple[int, int]:
    first, _, second = value.partition(":")
    return int(first), int(second)


@contextmanager
def _guard(reply: Reply | None) -> Iterator[None]:
    """Log a fault with its trace for the operator; tell the person only that it failed."""
    try:
        yield
    except Exception:
        log.exception("a Slack request failed after it was acknowledged")
        if reply is not None:
            try:
                reply(SORRY)
            except Exception:
                log.exception("could not apologise either")
