"""What a Matrix event asks of the workflow, and the answer the bot gives in the room.

- `!checkpost …` in any room: parsed by the shared grammar (`chatbot.commands`) and carried
  out; the answer goes in a thread under the message (or in its thread, if it is in one).
- An edit (`m.replace`) of a `!checkpost <draft>` message that became post N submits a new
  version of post N; an edit of any other command runs the new words as a new command.
- In the comms room, 👍 or 👎 (`m.reaction`) on the bot's message for a post votes on the
  version that message shows; redacting the reaction withdraws that vote. A reaction that
  changes nothing for a reason the person can act on (not on the comms list, their own post,
  an error that needs an override, a superseded message) is answered in the message's thread.

Every workflow call carries the event id as its idempotency key, and every answer a
transaction id derived from it, so an event delivered twice changes nothing and is answered
once. People's mistakes are answered with the workflow's own message; faults of the program
are logged, and the person gets a short apology without the details.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from chatbot.chat import (
    AnsweredDraft,
    CheckDraft,
    answer_draft,
    carry_out,
    list_posts,
    post_of_draft_message,
    refusal_to_explain,
    unvote_counted,
    vote_by_reaction,
)
from chatbot.commands import (
    Check,
    Command,
    CommandError,
    Empty,
    Help,
    Mine,
    Pending,
    Revise,
    parse_command,
)
from chatbot.verdict import DraftError
from chatbot.workflow import Outcome, Person, Workflow
from chatbot.workflow.posts import VoteKind

from . import html, lists
from .events import (
    PREFIX,
    THUMBS_DOWN,
    THUMBS_UP,
    Event,
    Message,
    Reaction,
    Redaction,
    as_message,
    as_reaction,
    as_redaction,
)
from .port import PLATFORM, CommsRoom, MatrixPort
from .state import BotState, CountedReaction
from .transport import Connection, MatrixError

log = logging.getLogger("chatbot.adapters.matrix")

_VOTES: dict[str, VoteKind] = {THUMBS_UP: "approve", THUMBS_DOWN: "changes"}


@dataclass(frozen=True)
class Place:
    """Where an answer goes: a room, the thread root, the event it replies to, and whose
    it is (mentioned, as the spec asks of replies, so they are notified in a busy room)."""

    room_id: str
    root: str
    reply_to: str
    asker: str


class Handler:
    def __init__(self, *, workflow: Workflow, port: MatrixPort, conn: Connection,
                 state: BotState, comms: CommsRoom, check: CheckDraft, user_id: str) -> None:
        self.workflow = workflow
        self.port = port
        self.conn = conn
        self.state = state
        self.comms = comms
        self.check = check
        self.user_id = user_id

    def handle(self, event: Event) -> None:
        if event.sender == self.user_id:
            return
        if (message := as_message(event)) is not None:
            self.message(message)
        elif (reaction := as_reaction(event)) is not None:
            self.reaction(reaction)
        elif (redaction := as_redaction(event)) is not None:
            self.redaction(redaction)

    def apologise(self, event: Event) -> None:
        """After a fault of ours while handling `event`: a short answer, never the details."""
        message = as_message(event)
        if message is None or message.command is None:
            return
        place = self._place(message)
        if message.replaces:  # an edit cannot be a thread root; answer under the original
            place = Place(event.room_id, message.replaces, message.replaces, event.sender)
        self.answer(place, f"{event.event_id}.fault", html.text(
            "Sorry, something went wrong on my side while handling that, and it may not have "
            "been done. Check with `!checkpost status N`, try again, and if it keeps happening "
            "tell whoever runs checkpost (the details are in its log)."))

    # --- messages --------------------------------------------------------------------------

    def message(self, message: Message) -> None:
        if message.msgtype != "m.text":  # m.notice is what bots send; do not answer bots
            return
        words = message.command
        if words is None:
            return
        if message.replaces:
            self.edit(message, words)
            return
        self.run(words, message.event, self._place(message))

    def edit(self, message: Message, words: str) -> None:
        original = message.replaces
        assert original is not None
        place = self._place_of_original(message.event, original)
        key = message.event.event_id
        number = post_of_draft_message(self.workflow, original)
        if number is not None:
            try:
                command = parse_command(words)
            except CommandError as exc:
                self.answer(place, key, html.error_message(str(exc)))
                return
            if isinstance(command, Check):
                who = Person(PLATFORM, message.event.sender)
                self.answer(place, key, _checking(lambda: self._revise(number, command, who,
                                                                       key)))
                return
        self.run(words, message.event, place)

    def run(self, words: str, event: Event, place: Place) -> None:
        key = event.event_id
        try:
            command = parse_command(words)
        except CommandError as exc:
            self.answer(place, key, html.error_message(str(exc)))
            return
        who = Person(PLATFORM, event.sender)
        self.answer(place, key, _checking(lambda: self._carry_out(command, who, key)))

    def _carry_out(self, command: Command, who: Person, key: str) -> html.Rendered:
        match command:
            case Check():
                answered = answer_draft(self.workflow, command, by=who, key=key,
                                        check=self.check)
                return self._checked(answered, [command.note] if command.note else [])
            case Revise(number=number, check=check):
                return self._revise(number, check, who, key)
            case Help() | Empty():
                return html.help_message()
            case Pending() | Mine():
                shown = list_posts(self.workflow, command, by=who)
                if isinstance(shown, Outcome):
                    return html.outcome_text(shown)
                return lists.listing(shown, via=self.user_id.partition(":")[2])
        outcome = carry_out(self.workflow, command, by=who, key=key, check=self.check)
        if outcome is None:
            return html.error_message("I do not know that command.")
        return html.outcome_text(outcome, _delivery_note(outcome))

    def _revise(self, number: int, check: Check, who: Person, key: str) -> html.Rendered:
        return self._checked(answer_draft(self.workflow, Revise(number, check), by=who,
                                          key=key, check=self.check))

    def _checked(self, answered: AnsweredDraft, notes: Sequence[str] = ()) -> html.Rendered:
        outcome = answered.outcome
        if not outcome.ok or outcome.post is None:
            return html.outcome_text(outcome)
        return html.checked(outcome, [*notes, *(n.text for n in answered.said),
                                      *_delivery_note(outcome)])

    # --- reactions -------------------------------------------------------------------------

    def reaction(self, reaction: Reaction) -> None:
        event = reaction.event
        kind = _VOTES.get(reaction.key)
        if kind is None or event.room_id != self.comms.room_id:
            return
        who = Person(PLATFORM, event.sender)
        vote = vote_by_reaction(self.workflow, f"{event.room_id}/{reaction.target}", kind,
                                by=who, key=event.event_id)
        if vote is None:
            return
        number, version, outcome = vote.number, vote.version, vote.outcome
        log.info("%s %s on post %s v%s: %s", event.sender, reaction.key, number, version,
                 outcome.code)
        if outcome.ok:
            self.state.count_reaction(event.event_id, CountedReaction(
                event.room_id, event.sender, number, version, kind))
        elif words := refusal_to_explain(outcome, f'To approve it anyway: `{PREFIX} approve '
                                                  f'{number} --override "reason"`.'):
            self.answer(Place(event.room_id, reaction.target, reaction.target, event.sender),
                        event.event_id, html.to_person(event.sender, words))

    def redaction(self, redaction: Redaction) -> None:
        counted = self.state.counted_reaction(redaction.redacts)
        if counted is None:
            return
        remover = Person(PLATFORM, redaction.event.sender)
        outcome = unvote_counted(self.workflow, counted.post, counted.version,
                                 cast(VoteKind, counted.kind),
                                 voter=Person(PLATFORM, counted.sender), by=remover,
                                 key=redaction.event.event_id)
        if outcome is None:
            return
        log.info("%s removed a reaction on post %s v%s: %s", remover.user_id, counted.post,
                 counted.version, outcome.code)

    # --- answering -------------------------------------------------------------------------

    def answer(self, place: Place, key: str, rendered: html.Rendered) -> None:
        """Send an answer; its transaction id comes from the event, so a second answer to the
        same event (a redelivery, a replay after a crash) is dropped by the homeserver."""
        content = html.notice_content(self.port.named(rendered),
                                      relates_to=html.in_thread(place.root, place.reply_to),
                                      mentions=[place.asker])
        try:
            self.conn.call(self.conn.send(place.room_id, content,
                                          txn=self.port.txn("answer", key)))
        except MatrixError as exc:
            log.warning("could not answer %s in %s: %s", key, place.room_id, exc)

    def _place(self, message: Message) -> Place:
        event = message.event
        return Place(event.room_id, message.thread_root or event.event_id, event.event_id,
                     event.sender)

    def _place_of_original(self, edit: Event, original: str) -> Place:
        """Answers to an edit go where the answer to the original went: its thread."""
        raw = self.conn.call(self.conn.event(edit.room_id, original))
        root = original
        if raw is not None and (event := Event.from_raw(edit.room_id, raw)) is not None:
            relation = event.relation
            if relation.get("rel_type") == "m.thread" and isinstance(relation.get("event_id"),
                                                                     str):
                root = relation["event_id"]
        return Place(edit.room_id, root, original, edit.sender)


def _checking(act: Callable[[], html.Rendered]) -> html.Rendered:
    """`act()`, or what to tell the poster when the draft cannot be checked (too long)."""
    try:
        return act()
    except DraftError as exc:
        return html.error_message(f"I could not check that draft: {exc}.")


def _delivery_note(outcome: Outcome) -> list[str]:
    if not outcome.delivery_errors:
        return []
    return ["⚠️ It is saved, but some messages could not be delivered just now (is the bot in "
            "the comms room?). Whoever runs checkpost can see why in its log."]
