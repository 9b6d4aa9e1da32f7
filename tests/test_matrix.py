"""The Matrix bot against a real Synapse, with matrix-nio clients acting as the staff member
(Ravi), the comms team (Ana, Ben, Chitra) and someone outside it (Oscar).

One homeserver serves the whole session (tests/conftest.py; test_matrix_kill.py uses it too); each test gets its own bot
account, comms room and database, and runs the bot in this process, on its own thread and
event loop. Every wait is for a condition (an event seen through a long-polling sync), with
a timeout; nothing sleeps to synchronise. To show that something did *not* happen, a test
sends a later command and waits for its answer: the bot handles a person's events in order
and finishes a batch before the next, so by then the earlier event has been handled.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chatbot.adapters.matrix.bot import LoginError, MatrixBot
from chatbot.adapters.matrix.state import BotState
from chatbot.config import Settings
from chatbot.policy.loader import load_policy
from chatbot.policy.model import Draft, Verdict
from chatbot.store import Store
from chatbot.verdict import check
from chatbot.workflow import PostState
from tests.servers.synapse import Account, Cast, MatrixUser, Synapse

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"

CLEAN = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00!"
CLEAN_2 = "Join the Marathi Wikipedia edit-a-thon this Sunday at 11:00!"
PROMO = "Our trainers love the ZenTab 12: use code WIKI15 for 15% off!"
URL = "https://x.com/cis_a2k/status/1790000000000000001"
DISPLAY_NAMES = Cast.DISPLAY_NAMES

Event = dict[str, Any]


# --- one test's bot ---------------------------------------------------------------------


_bots = itertools.count(1)


@functools.cache
def checker() -> Callable[[Draft], Verdict]:
    """The check the bot runs (rules; no LLM is configured), with the policy loaded once for
    the module rather than at every start of a test's bot."""
    policy, settings = load_policy(POLICY_DIR), Settings()
    return lambda draft: check(draft, policy, settings)


class Desk:
    """One test's bot: its settings, comms room, database; restartable like a deployment."""

    def __init__(self, synapse: Synapse, cast: Cast, tmp_path: Path, *, name: str = "",
                 **changes: Any) -> None:
        """`name`: the bot account's localpart, for another module's desks (this module's
        count starts again in each module that imports it); `changes`: Settings fields."""
        self.synapse = synapse
        self.cast = cast
        # A fresh account per test: its first sync then covers this test's rooms only.
        self.account: Account = synapse.register(name or f"checkpost{next(_bots)}")
        self.bot_id = self.account.user_id
        self.comms = cast.ana.create_room(
            name="Comms", invite=[self.bot_id, cast.ben.user_id, cast.chitra.user_id])
        cast.ben.join(self.comms)
        cast.chitra.join(self.comms)
        self.settings = replace(Settings(
            db_path=str(tmp_path / "checkpost.db"),
            policy_dir=str(POLICY_DIR),
            reminders=(1, 2),
            matrix_homeserver=synapse.url,
            matrix_user_id=self.bot_id,
            matrix_password=self.account.password,
            matrix_comms_room=self.comms,
            matrix_comms_users=(cast.ana.user_id, cast.ben.user_id, cast.chitra.user_id),
        ), **changes)
        self.bot: MatrixBot | None = None
        self.check_draft: Callable[[Draft], Verdict] | None = checker()

    def start(self, **options: Any) -> MatrixBot:
        self.bot = MatrixBot(self.settings, check_draft=self.check_draft, **options)
        self.bot.start(timeout=30)
        return self.bot

    def stop(self) -> None:
        if self.bot is not None:
            self.bot.stop()
            self.bot = None

    def restart(self, **options: Any) -> MatrixBot:
        self.stop()
        return self.start(**options)

    # --- what people see -------------------------------------------------------------------

    def from_bot(self, event: Event) -> bool:
        return event.get("sender") == self.bot_id and event.get("type") == "m.room.message"

    def answer(self, user: MatrixUser, to: str, *, after: int = 0,
               says: str = "") -> Event:
        """The bot's answer in the thread of `to` (the event it replies to)."""
        return user.wait_for(
            lambda room, e: self.from_bot(e) and _reply_to(e) == to and says in _body(e),
            after=after, what=f"the bot's answer to {to} saying {says!r}")[1]

    def answers(self, user: MatrixUser, to: str, after: int = 0) -> list[Event]:
        return [e for _, e in user.seen(lambda room, e: self.from_bot(e) and _reply_to(e) == to,
                                        after=after)]

    def comms_message(self, number: int, version: int = 1, *, after: int = 0) -> Event:
        head = f"Post {number} · version {version} ·"
        return self.cast.ana.wait_for(
            lambda room, e: room == self.comms and self.from_bot(e) and not _edit_of(e)
            and _body(e).startswith(head), after=after, what=f"the comms message {head}")[1]

    def comms_edit(self, event_id: str, says: str, *, after: int = 0) -> Event:
        return self.cast.ana.wait_for(
            lambda room, e: self.from_bot(e) and _edit_of(e) == event_id
            and says in e["content"]["m.new_content"]["body"],
            after=after, what=f"an edit of {event_id} saying {says!r}")[1]

    def direct(self, user: MatrixUser, says: str, *, after: int = 0) -> tuple[str, Event]:
        """A message from the bot in a room other than the comms room, e.g. a direct chat."""
        return user.wait_for(
            lambda room, e: room != self.comms and self.from_bot(e) and not _reply_to(e)
            and says in _body(e), after=after, what=f"a direct message saying {says!r}")

    def invite_bot(self, user: MatrixUser, room_id: str) -> None:
        """Invite the bot and wait until it has joined (what is said before, it never reads)."""
        start = user.mark()
        user.invite(room_id, self.bot_id)
        self.joined(user, room_id, after=start)

    def joined(self, user: MatrixUser, room_id: str, after: int = 0) -> None:
        user.wait_for(lambda r, e: r == room_id and e.get("type") == "m.room.member"
                      and e.get("state_key") == self.bot_id
                      and e["content"].get("membership") == "join",
                      after=after, what="the bot joining")

    def post(self, number: int):
        assert self.bot is not None
        return self.bot.workflow.post(number)


@pytest.fixture
def desk(synapse: Synapse, cast: Cast, tmp_path: Path) -> Iterator[Desk]:
    desk = Desk(synapse, cast, tmp_path)
    desk.start()
    yield desk
    desk.stop()


@pytest.fixture
def room(cast: Cast, desk: Desk) -> str:
    """A team room where Ravi talks to the bot (and Oscar is a member)."""
    room_id = cast.ravi.create_room(name="Outreach team", invite=[cast.oscar.user_id])
    desk.invite_bot(cast.ravi, room_id)
    return room_id


def _body(event: Event) -> str:
    return str((event.get("content") or {}).get("body", ""))


def _html(event: Event) -> str:
    return str((event.get("content") or {}).get("formatted_body", ""))


def _reply_to(event: Event) -> str | None:
    relation = (event.get("content") or {}).get("m.relates_to") or {}
    return (relation.get("m.in_reply_to") or {}).get("event_id")


def _edit_of(event: Event) -> str | None:
    relation = (event.get("content") or {}).get("m.relates_to") or {}
    return relation.get("event_id") if relation.get("rel_type") == "m.replace" else None


def _thread_of(event: Event) -> str | None:
    relation = (event.get("content") or {}).get("m.relates_to") or {}
    return relation.get("event_id") if relation.get("rel_type") == "m.thread" else None


def submit(desk: Desk, user: MatrixUser, room: str, text: str, *,
           says: str = "") -> tuple[str, Event, int]:
    """`!checkpost <text>` from `user`; returns the message id, the answer, the post number."""
    start = user.mark()
    event_id = user.say(room, f"!checkpost {text}")
    answer = desk.answer(user, event_id, after=start, says=says)
    number = int(_body(answer).split()[1])
    return event_id, answer, number


# --- the whole flow ------------------------------------------------------------------------


def test_a_draft_goes_from_check_to_approval_publication_reminders_and_metrics(desk, cast, room):
    ravi, ana = cast.ravi, cast.ana
    start, comms_start = ravi.mark(), ana.mark()

    asked, answer, number = submit(desk, ravi, room, CLEAN)

    assert answer["content"]["msgtype"] == "m.notice"
    assert answer["content"]["m.mentions"] == {"user_ids": [ravi.user_id]}
    assert _thread_of(answer) == asked
    assert _body(answer).startswith(f"Post {number} (version 1): PASS")
    assert f"<strong>Post {number}</strong>" in _html(answer)
    assert f"Post {number} (version 1) goes to Comms for approval." in _body(answer)
    shown = desk.comms_message(number, after=comms_start)
    assert CLEAN in _body(shown) and "Waiting for approval: 0 of 1" in _body(shown)
    assert "<blockquote>" in _html(shown)

    ana.react(desk.comms, shown["event_id"], "👍\ufe0f")  # with the variation selector

    assert "from Ravi Hegde" in _body(shown) and ravi.user_id not in _body(shown)
    assert f'<a href="https://matrix.to/#/{ravi.user_id}">Ravi Hegde</a>' in _html(shown)
    approved_by = desk.comms_edit(shown["event_id"], "Approved by Ana Rao.", after=comms_start)
    assert f'<a href="https://matrix.to/#/{ana.user_id}">Ana Rao</a>' in (
        approved_by["content"]["m.new_content"]["formatted_body"])
    dm, approved = desk.direct(ravi, f"Post {number} is approved", after=start)
    assert "`!checkpost published" in _body(approved)
    assert desk.post(number).state is PostState.APPROVED

    published = ravi.say(room, f"!checkpost published {number} {URL}")
    assert "marked published" in _body(desk.answer(ravi, published, after=start))
    first = desk.direct(ravi, f"Post {number} is up: {URL}", after=start)
    second = desk.direct(ravi, f"Reminder 2 of 2 for post {number}", after=start)
    assert first[0] == second[0] == dm, "reminders go to the same direct chat, remembered"
    assert "!checkpost metrics" in _body(second[1])

    metrics = ravi.say(dm, f"!checkpost metrics {number} likes=12 reposts=3 replies=4")
    assert f"Metrics for post {number} recorded" in _body(
        desk.answer(ravi, metrics, after=start))
    status = ravi.say(room, f"!checkpost status {number}")
    assert f"Post {number} is published: {URL}" in _body(desk.answer(ravi, status, after=start))
    desk.comms_edit(shown["event_id"], f"Published: {URL}", after=comms_start)


def test_an_error_finding_needs_an_override_and_decisions_can_be_typed(desk, cast, room):
    ravi, ana, ben = cast.ravi, cast.ana, cast.ben
    start, comms_start = ravi.mark(), ana.mark()
    _, answer, number = submit(desk, ravi, room, PROMO)
    assert "NEEDS CHANGES" in _body(answer) and "product-endorsement" in _body(answer)
    assert "Do not endorse any products" in _body(answer)
    shown = desk.comms_message(number, after=comms_start)

    ana.react(desk.comms, shown["event_id"], "👍")
    refusal = desk.answer(ana, shown["event_id"], after=comms_start, says="override")
    assert refusal["content"]["m.mentions"] == {"user_ids": [ana.user_id]}
    assert f'!checkpost approve {number} --override "reason"' in _body(refusal)

    changes = ben.say(desk.comms, f"!checkpost changes {number} Please drop the discount code.")
    assert "Changes are requested" in _body(desk.answer(ben, changes, after=comms_start))
    desk.direct(ravi, "Please drop the discount code", after=start)
    override = ana.say(desk.comms, f'!checkpost approve {number} --override "our partner\'s '
                                   'own offer, cleared by legal"')
    desk.answer(ana, override, after=comms_start, says="is recorded")
    assert desk.post(number).state is PostState.CHANGES_REQUESTED  # Ben's request holds
    changed_mind = ben.say(desk.comms, f"!checkpost approve {number}")

    desk.answer(ben, changed_mind, after=comms_start, says=f"Post {number} is approved")
    desk.comms_edit(shown["event_id"], "cleared by legal", after=comms_start)
    desk.direct(ravi, f"Post {number} is approved", after=start)
    assert desk.post(number).override.voter.user_id == ana.user_id


def test_votes_of_the_poster_and_of_outsiders_change_nothing(desk, cast):
    chitra, oscar, ana = cast.chitra, cast.oscar, cast.ana
    comms_start = ana.mark()
    start = chitra.mark()
    _, _, number = submit(desk, chitra, desk.comms, CLEAN)  # a comms member's own post
    shown = desk.comms_message(number, after=comms_start)
    ana.invite(desk.comms, oscar.user_id)  # in the room, but not on the comms list
    oscar.join(desk.comms)

    chitra.react(desk.comms, shown["event_id"], "👍")
    own = desk.answer(chitra, shown["event_id"], after=start, says="You submitted post")
    oscar_start = oscar.mark()
    oscar.react(desk.comms, shown["event_id"], "👍")
    outsider = desk.answer(oscar, shown["event_id"], after=oscar_start, says="not on its list")
    said = oscar.say(desk.comms, f"!checkpost approve {number}")
    desk.answer(oscar, said, after=oscar_start, says="not on its list")

    assert own["content"]["m.mentions"] == {"user_ids": [chitra.user_id]}
    assert _body(outsider).startswith("Oscar Dsouza: ")
    assert f'href="https://matrix.to/#/{oscar.user_id}">Oscar Dsouza</a>' in _html(outsider)
    post = desk.post(number)
    assert post.state is PostState.PENDING and post.votes == ()


def test_editing_the_draft_submits_a_new_version_and_resets_the_votes(desk, cast, room):
    ravi, ana, ben = cast.ravi, cast.ana, cast.ben
    start, comms_start = ravi.mark(), ana.mark()
    asked, _, number = submit(desk, ravi, room, CLEAN)
    first = desk.comms_message(number, after=comms_start)
    ana.react(desk.comms, first["event_id"], "👍")
    desk.direct(ravi, f"Post {number} is approved", after=start)

    ravi.edit(room, asked, f"!checkpost {CLEAN_2}")

    revised = desk.answer(ravi, asked, after=start, says="version 2")
    assert _thread_of(revised) == asked
    assert "Earlier votes are reset" in _body(revised)
    second = desk.comms_message(number, version=2, after=comms_start)
    assert CLEAN_2 in _body(second)
    desk.comms_edit(first["event_id"], "Superseded by version 2", after=comms_start)
    assert desk.post(number).state is PostState.PENDING and desk.post(number).votes == ()

    ben_start = ben.mark()
    ben.react(desk.comms, first["event_id"], "👍")
    desk.answer(ben, first["event_id"], after=ben_start, says="since revised")
    ben.react(desk.comms, second["event_id"], "👍")
    desk.comms_edit(second["event_id"], "Approved by Ben Thomas", after=comms_start)
    assert desk.post(number).current.number == 2
    assert desk.post(number).state is PostState.APPROVED


def test_a_revisions_comms_message_shows_what_changed_in_html_and_in_the_body(desk, cast, room):
    ravi, ana = cast.ravi, cast.ana
    start, comms_start = ravi.mark(), ana.mark()
    old = f"{PROMO} Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00!"
    _, _, number = submit(desk, ravi, room, old)
    desk.comms_message(number, after=comms_start)

    asked = ravi.say(room, f"!checkpost revise {number} {CLEAN_2}")
    desk.answer(ravi, asked, after=start, says="version 2")

    second = desk.comms_message(number, version=2, after=comms_start)
    body, markup = _body(second), _html(second)
    assert ("> [-Our trainers love the ZenTab 12: use code WIKI15 for 15% off!-] Join the "
            "[-Kannada-] {+Marathi+} Wikipedia edit-a-thon this [-Saturday-] {+Sunday+} at "
            "[-10:00!-] {+11:00!+}") in body
    assert "- Findings gone: ✗ error [product-endorsement]" in body
    assert ("<del>Our trainers love the ZenTab 12: use code WIKI15 for 15% off!</del> Join the "
            "<del>Kannada</del> <ins><strong>Marathi</strong></ins> Wikipedia") in markup
    # the draft heads may add their own warning to what is gone
    assert "<li><em>Findings gone:</em> ✗ error [product-endorsement]" in markup


def test_redacting_a_reaction_withdraws_the_vote(desk, cast, room):
    ravi, ana = cast.ravi, cast.ana
    start, comms_start = ravi.mark(), ana.mark()
    _, _, number = submit(desk, ravi, room, CLEAN)
    shown = desk.comms_message(number, after=comms_start)

    thumbs_down = ana.react(desk.comms, shown["event_id"], "👎")
    desk.comms_edit(shown["event_id"], "Changes requested by Ana Rao", after=comms_start)
    desk.direct(ravi, f"Changes are requested on post {number}", after=start)
    ana.redact(desk.comms, thumbs_down)

    desk.comms_edit(shown["event_id"], "Waiting for approval: 0 of 1", after=comms_start)
    desk.direct(ravi, f"Post {number} waits for approval again", after=start)
    post = desk.post(number)
    assert post.state is PostState.PENDING and post.votes == ()
    assert [e.action for e in desk.bot.workflow.history(number)] == [
        "submitted", "changes", "vote-withdrawn"]


def test_incidents_reach_the_comms_room_with_their_checklist(desk, cast, room):
    ravi, ana = cast.ravi, cast.ana
    start, comms_start = ravi.mark(), ana.mark()
    said = ravi.say(room, "!checkpost incident https://x.com/someone/status/99 slurs at a "
                          "volunteer")
    assert "Incident 1 is recorded" in _body(desk.answer(ravi, said, after=start))
    shown = ana.wait_for(lambda r, e: r == desk.comms and desk.from_bot(e)
                         and _body(e).startswith("Incident 1:"), after=comms_start)[1]
    assert "☐" in _html(shown) and "slurs at a volunteer" in _body(shown)

    done = ana.say(desk.comms, "!checkpost incident done 1 hide")
    desk.answer(ana, done, after=comms_start, says="done")
    edit = desk.comms_edit(shown["event_id"], "[x] 3. Hide", after=comms_start)
    assert "☑" in edit["content"]["m.new_content"]["formatted_body"]


def test_drafts_that_start_with_a_command_word_are_checked_as_drafts(desk, cast, room):
    ravi = cast.ravi
    _, helping, first = submit(desk, ravi, room, "Help us proofread Kannada Wikisource this "
                               "weekend: every page counts!", says="Post ")
    _, told, second = submit(desk, ravi, room, "Published 3 new Kannada Wikisource books this "
                             "week!", says="Post ")

    assert (first, second) == (1, 2)
    assert desk.post(1).current.draft.text.startswith("Help us proofread")
    assert "read as a draft" in _body(told) and "published N URL" in _body(told)
    assert "read as a draft" not in _body(helping)


def test_an_incident_named_by_its_post_number_is_recorded_under_that_post(desk, cast, room):
    ravi = cast.ravi
    submit(desk, ravi, room, CLEAN)
    start = ravi.mark()
    said = ravi.say(room, "!checkpost incident 1 https://x.com/troll/status/99 slurs")

    assert "under post 1" in _body(desk.answer(ravi, said, after=start, says="Incident 1"))
    assert desk.bot.workflow.incident(1).post_number == 1


# --- people's mistakes and our faults ------------------------------------------------------


def test_mistakes_get_a_short_answer_that_says_what_to_do(desk, cast, room):
    ravi = cast.ravi
    start = ravi.mark()
    unknown = ravi.say(room, "!checkpost approve 999")
    bad = ravi.say(room, "!checkpost status soon")
    empty = ravi.say(room, "!checkpost")
    chatter = ravi.say(room, "checkpost is a nice bot")

    assert "There is no post 999" in _body(desk.answer(ravi, unknown, after=start))
    assert "Usage: status N" in _body(desk.answer(ravi, bad, after=start))
    help_ = desk.answer(ravi, empty, after=start)
    assert "!checkpost published N URL" in _body(help_) and "<pre>" in _html(help_)
    assert desk.answers(ravi, chatter, start) == []


def test_a_fault_is_apologised_for_without_details(synapse, cast, tmp_path, caplog):
    desk = Desk(synapse, cast, tmp_path)

    def broken(draft):
        raise RuntimeError("database password hunter2 rejected")

    desk.check_draft = broken
    desk.start()
    try:
        room = cast.ravi.create_room()
        desk.invite_bot(cast.ravi, room)
        start = cast.ravi.mark()
        said = cast.ravi.say(room, f"!checkpost {CLEAN}")
        answer = desk.answer(cast.ravi, said, after=start, says="Sorry")
    finally:
        desk.stop()
    assert "hunter2" not in _body(answer) and "Traceback" not in _body(answer)
    assert any("hunter2" in (r.exc_text or "") for r in caplog.records), "logged for the admin"


# --- restarts, duplicates and history -------------------------------------------------------


def test_a_restart_in_the_middle_loses_nothing_and_repeats_nothing(desk, cast, room):
    ravi, ana = cast.ravi, cast.ana
    start, comms_start = ravi.mark(), ana.mark()
    asked, _, number = submit(desk, ravi, room, CLEAN)
    shown = desk.comms_message(number, after=comms_start)
    devices = desk.synapse.devices(desk.bot_id)

    desk.stop()
    ana.react(desk.comms, shown["event_id"], "👍")  # while the bot is down
    while_down = ravi.say(room, f"!checkpost status {number}")
    desk.start()

    desk.answer(ravi, while_down, after=start, says=f"Post {number}")
    desk.direct(ravi, f"Post {number} is approved", after=start)
    published = ravi.say(room, f"!checkpost published {number} {URL}")
    desk.answer(ravi, published, after=start)
    desk.direct(ravi, f"Post {number} is up", after=start)
    desk.restart()  # between the reminders
    desk.direct(ravi, f"Reminder 2 of 2 for post {number}", after=start)
    marker = ravi.say(room, "!checkpost help")
    desk.answer(ravi, marker, after=start)

    assert len(desk.answers(ravi, asked, start)) == 1
    assert len(desk.answers(ravi, while_down, start)) == 1
    assert len(ravi.seen(lambda r, e: desk.from_bot(e) and _body(e).startswith("⏰"),
                         after=start)) == 2
    assert len(ravi.seen(lambda r, e: desk.from_bot(e) and "is approved; publish it" in _body(e),
                         after=start)) == 1
    assert desk.synapse.devices(desk.bot_id) == devices, "the same device after restarts"
    unsent = desk.bot.store.db.execute(
        "SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL").fetchone()[0]
    assert unsent == 0


def test_events_delivered_again_change_nothing_and_are_not_answered_again(desk, cast, room):
    ravi, ana = cast.ravi, cast.ana
    start, comms_start = ravi.mark(), ana.mark()
    before = desk.bot.state.sync_token
    asked, _, number = submit(desk, ravi, room, CLEAN)
    shown = desk.comms_message(number, after=comms_start)
    ana.react(desk.comms, shown["event_id"], "👍")
    desk.direct(ravi, f"Post {number} is approved", after=start)

    desk.stop()  # as if it had crashed before storing the sync token: all is delivered again
    with Store(desk.settings.db_path) as store:
        BotState(store, desk.bot_id).sync_token = before
    desk.start()
    marker = ravi.say(room, "!checkpost help")
    desk.answer(ravi, marker, after=start)

    assert len(desk.answers(ravi, asked, start)) == 1
    assert len(ana.seen(lambda r, e: r == desk.comms and desk.from_bot(e)
                        and not _edit_of(e) and _body(e).startswith(f"Post {number} ·"),
                        after=comms_start)) == 1
    assert len(ravi.seen(lambda r, e: desk.from_bot(e) and "is approved; publish it" in _body(e),
                         after=start)) == 1
    assert [e.action for e in desk.bot.workflow.history(number)] == ["submitted", "approve"]


def test_a_long_gap_while_down_is_read_back_and_nothing_in_it_is_missed(desk, cast, room):
    ravi = cast.ravi
    start = ravi.mark()
    desk.stop()
    asked = ravi.say(room, "!checkpost status 41")
    for n in range(6):  # more than the sync's timeline holds: the sync comes back `limited`
        ravi.say(room, f"chatter {n}")
    last = ravi.say(room, "!checkpost status 42")

    desk.start(timeline_limit=3)

    assert "There is no post 42" in _body(desk.answer(ravi, last, after=start))
    assert "There is no post 41" in _body(desk.answer(ravi, asked, after=start))


def test_messages_from_before_the_bot_joined_are_never_acted_on(desk, cast):
    ravi = cast.ravi
    room = ravi.create_room(name="Old room")
    old = ravi.say(room, f"!checkpost {CLEAN}")
    start = ravi.mark()
    desk.invite_bot(ravi, room)

    new = ravi.say(room, "!checkpost help")
    desk.answer(ravi, new, after=start)
    assert desk.answers(ravi, old) == []
    assert desk.bot.workflow.post(1) is None


# --- rooms: invites, direct chats, encryption ------------------------------------------------


def test_a_direct_chat_opened_by_a_colleague_is_joined_and_answered(desk, cast):
    ravi = cast.ravi
    start = ravi.mark()
    dm = ravi.create_room(invite=[desk.bot_id], direct=True)
    desk.joined(ravi, dm, after=start)
    said = ravi.say(dm, "!checkpost help")
    assert "!checkpost <draft>" in _body(desk.answer(ravi, said, after=start))
    assert desk.bot.state.direct_room(ravi.user_id) == dm


def test_an_encrypted_room_is_told_in_plain_words_once(desk, cast):
    ravi = cast.ravi
    start = ravi.mark()
    room = ravi.create_room(invite=[desk.bot_id], encrypted=True)
    notice = ravi.wait_for(lambda r, e: r == room and desk.from_bot(e), after=start)[1]
    assert "cannot read this room" in _body(notice) and "encryption turned off" in _body(notice)
    ravi.send(room, {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEn…",
                     "session_id": "x", "sender_key": "y", "device_id": "Z"},
              "m.room.encrypted")
    plain = ravi.create_room()
    desk.invite_bot(ravi, plain)
    marker = ravi.say(plain, "!checkpost help")
    desk.answer(ravi, marker, after=start)
    assert len(ravi.seen(lambda r, e: r == room and desk.from_bot(e), after=start)) == 1


# --- the homeserver pushing back -------------------------------------------------------------


def test_rate_limits_are_waited_out(desk, cast, room):
    ravi = cast.ravi
    start = ravi.mark()
    limited = LogWatch("rate limited")
    desk.synapse.limit_messages(desk.bot_id, per_second=1, burst=1)
    try:
        asked = [ravi.say(room, f"!checkpost status {n}") for n in (101, 102)]
        for event_id in asked:
            desk.answer(ravi, event_id, after=start, says="There is no post")
    finally:
        desk.synapse.unlimit_messages(desk.bot_id)
        limited.close()
    assert limited.seen.is_set()


class Proxy:
    """A TCP forwarder between the bot and Synapse that the test can cut and restore."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def up(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Refuse new connections and cut the open ones."""
        with self._lock:
            if self._listener is not None:
                with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def test_a_lost_connection_is_retried_with_backoff_and_the_bot_carries_on(synapse, cast, tmp_path):
    lost, back = LogWatch("lost the connection"), LogWatch("answers again")
    proxy = Proxy(synapse.port)
    proxy.up()
    desk = Desk(synapse, cast, tmp_path, matrix_homeserver=f"http://127.0.0.1:{proxy.port}")
    desk.start()
    try:
        room = cast.ravi.create_room()
        desk.invite_bot(cast.ravi, room)
        start = cast.ravi.mark()
        proxy.down()
        said = cast.ravi.say(room, "!checkpost help")  # straight to Synapse, not through it
        assert lost.seen.wait(20), "the bot noticed the lost connection"
        proxy.up()
        desk.answer(cast.ravi, said, after=start)
        assert back.seen.wait(20) and desk.bot.running
    finally:
        desk.stop()
        proxy.down()
        lost.close()
        back.close()


def test_an_access_token_logs_in_as_its_own_device(synapse, cast, tmp_path):
    desk = Desk(synapse, cast, tmp_path)
    desk.settings = replace(desk.settings, matrix_password="",
                            matrix_access_token=desk.account.access_token)
    desk.check_draft = None  # and the policy from CHECKPOST_POLICY_DIR, as in production
    desk.start()
    try:
        room = cast.ravi.create_room()
        desk.invite_bot(cast.ravi, room)
        _, answer, _ = submit(desk, cast.ravi, room, PROMO)
        assert "product-endorsement" in _body(answer)
        assert desk.bot.state.device_id == desk.account.device_id
    finally:
        desk.stop()


def test_a_wrong_password_is_a_login_error_that_names_the_setting(synapse, cast, tmp_path):
    desk = Desk(synapse, cast, tmp_path, matrix_password="not-the-password")
    with pytest.raises(LoginError, match="MATRIX_PASSWORD"):
        desk.start()


class LogWatch(logging.Handler):
    """Sets `seen` when the bot logs a line containing `text`: a condition to wait on."""

    def __init__(self, text: str) -> None:
        super().__init__(logging.DEBUG)
        self.text = text
        self.seen = threading.Event()
        self.logger = logging.getLogger("chatbot.adapters.matrix")
        self.level_before = self.logger.level
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.seen.set()

    def close(self) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level_before)
        super().close()
