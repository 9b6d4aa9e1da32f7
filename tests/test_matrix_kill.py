"""A real `chatbot serve matrix` killed with SIGKILL, then started again, against a real Synapse:
a 👍 on a comms message and a `!checkpost` draft sent as it dies are each handled once.

The bot saves its sync token only after the batch it read is handled; killed before that, it
reads the batch again and its idempotency keys (the event ids) make the second time change
nothing, while the answers it sends again carry the same transaction ids, which the homeserver
drops. The points it is killed at (see chatbot/pause.py): at once, with no pause; after the
batch holding the 👍 is handled, before its token is saved (`batch-handled:m.reaction`);
inside the approval's transaction (`applied:approve`); after its commit, before the poster is
told (`committed:approve`). Reminders: claimed and not sent (`claimed:reminder`), sent and
not marked sent (`sent:reminder`): the restart sends it with the same transaction id.
"""

from __future__ import annotations

import itertools
import sqlite3
from contextlib import closing
from typing import Any

import pytest

from chatbot.store import Store
from tests.servers.process import Serve, eventually
from tests.servers.synapse import Cast, MatrixUser, Synapse

CLEAN = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00!"
CLEAN_2 = "Join the Marathi Wikipedia edit-a-thon this Sunday at 11:00!"
RUNNING = "checkpost is running on Matrix"

_bots = itertools.count(1)
Event = dict[str, Any]


class Deployment:
    """One bot account, its comms room and team room, and its database; processes come and go."""

    def __init__(self, synapse: Synapse, cast: Cast, tmp) -> None:
        self.cast = cast
        self.tmp = tmp
        self.db = str(tmp / "checkpost.db")
        account = synapse.register(f"killbot{next(_bots)}")
        self.bot_id = account.user_id
        self.comms = cast.ana.create_room(name="Comms", invite=[self.bot_id])
        self.room = cast.ravi.create_room(name="Outreach team", invite=[self.bot_id])
        self.env = {
            "CHECKPOST_DB": self.db, "MATRIX_HOMESERVER": synapse.url,
            "MATRIX_USER_ID": self.bot_id, "MATRIX_PASSWORD": account.password,
            "CHECKPOST_MATRIX_COMMS_ROOM": self.comms,
            "CHECKPOST_MATRIX_COMMS_USERS": cast.ana.user_id,
        }
        self.running: list[Serve] = []

    def start(self, pause_at: str | None = None, **env: str) -> Serve:
        serve = Serve.start("matrix", self.env | env, self.tmp, pause_at=pause_at)
        self.running.append(serve)
        serve.wait_log(RUNNING)
        return serve

    def stop_all(self) -> None:
        for serve in self.running:
            serve.stop()

    # --- what people see -------------------------------------------------------------------

    def from_bot(self, event: Event) -> bool:
        return event.get("sender") == self.bot_id and event.get("type") == "m.room.message"

    def answer(self, user: MatrixUser, to: str, after: int) -> Event:
        return user.wait_for(lambda r, e: self.from_bot(e) and _reply_to(e) == to,
                             after=after, what=f"the bot's answer to {to}")[1]

    def answers(self, user: MatrixUser, to: str, after: int) -> list[Event]:
        return [e for _, e in user.seen(lambda r, e: self.from_bot(e) and _reply_to(e) == to,
                                        after=after)]

    def comms_messages(self, number: int, after: int) -> list[Event]:
        head = f"Post {number} · version 1 ·"
        return [e for r, e in self.cast.ana.seen(
            lambda r, e: r == self.comms and self.from_bot(e) and _body(e).startswith(head)
            and "m.new_content" not in e["content"], after=after)]

    def approvals_told(self, after: int) -> list[Event]:
        return [e for r, e in self.cast.ravi.seen(
            lambda r, e: r != self.room and self.from_bot(e) and "is approved; publish" in
            _body(e), after=after)]

    def reminders_seen(self, after: int) -> list[Event]:
        return [e for r, e in self.cast.ravi.seen(
            lambda r, e: r != self.room and self.from_bot(e) and "is up:" in _body(e),
            after=after)]

    # --- what the database says --------------------------------------------------------------

    def history(self, number: int) -> list[str]:
        with Store(self.db) as store:
            return [e.action for e in store.audit_log(post=number)]

    def jobs_waiting(self) -> int:
        with closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL").fetchone()[0]


@pytest.fixture
def deployment(synapse, cast, tmp_path):
    deployment = Deployment(synapse, cast, tmp_path)
    yield deployment
    deployment.stop_all()


def _body(event: Event) -> str:
    return str((event.get("content") or {}).get("body", ""))


def _reply_to(event: Event) -> str | None:
    relation = (event.get("content") or {}).get("m.relates_to") or {}
    return (relation.get("m.in_reply_to") or {}).get("event_id")


@pytest.mark.parametrize("point", [None, "batch-handled:m.reaction", "applied:approve",
                                   "committed:approve"])
def test_a_thumbs_up_and_a_draft_sent_as_the_bot_dies_are_each_handled_once(
        deployment, cast, point):
    ravi, ana = cast.ravi, cast.ana
    start, comms_start = ravi.mark(), ana.mark()
    first = deployment.start(pause_at=point)
    asked = ravi.say(deployment.room, f"!checkpost {CLEAN}")
    deployment.answer(ravi, asked, after=start)
    shown = ana.wait_for(lambda r, e: bool(deployment.comms_messages(1, comms_start)),
                         what="post 1 in the comms room")
    (shown,) = deployment.comms_messages(1, comms_start)

    ana.react(deployment.comms, shown["event_id"], "👍")
    asked_2 = ravi.say(deployment.room, f"!checkpost {CLEAN_2}")
    if point is not None:
        assert first.wait_paused().startswith(point.split(":")[0])
    first.kill()

    deployment.start()
    ravi.wait_for(lambda r, e: bool(deployment.approvals_told(start)),
                  what="the poster told of the approval")
    marker = ravi.say(deployment.room, "!checkpost help")  # handled after all of the above
    deployment.answer(ravi, marker, after=start)
    deployment.answer(ravi, asked_2, after=start)
    eventually(lambda: deployment.jobs_waiting() == 0, what="every message sent")
    ravi.mark()
    ana.mark()

    assert len(deployment.answers(ravi, asked, start)) == 1
    assert len(deployment.answers(ravi, asked_2, start)) == 1
    assert len(deployment.approvals_told(start)) == 1
    assert len(deployment.comms_messages(1, comms_start)) == 1
    assert len(deployment.comms_messages(2, comms_start)) == 1
    assert deployment.history(1) == ["submitted", "approve"]
    assert deployment.history(2) == ["submitted"]
    assert deployment.history(3) == []


@pytest.mark.parametrize("point", ["claimed:reminder", "sent:reminder"])
def test_a_reminder_killed_as_it_is_sent_arrives_once(deployment, cast, point):
    ravi = cast.ravi
    start = ravi.mark()
    first = deployment.start(pause_at=point, CHECKPOST_REMINDERS="0s")
    asked = ravi.say(deployment.room, f"!checkpost {CLEAN}")
    deployment.answer(ravi, asked, after=start)
    ravi.say(deployment.room, "!checkpost published 1 https://x.com/cisa2k/status/18000000001")
    assert first.wait_paused().startswith(point.split(":")[0])
    first.kill()

    deployment.start(CHECKPOST_REMINDERS="0s")
    ravi.wait_for(lambda r, e: bool(deployment.reminders_seen(start)), what="the reminder")
    eventually(lambda: deployment.history(1)[-1:] == ["reminder-sent"],
               what="the reminder marked sent")
    marker = ravi.say(deployment.room, "!checkpost help")  # answered after the reminder
    deployment.answer(ravi, marker, after=start)
    ravi.mark()

    assert len(deployment.reminders_seen(start)) == 1
    assert deployment.history(1).count("reminder-sent") == 1
