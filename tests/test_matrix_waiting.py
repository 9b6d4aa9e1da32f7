"""Matrix end to end against the real Synapse: a post that waits too long is nudged in its
comms thread, and `!checkpost pending` and `!checkpost mine` link to the comms messages.

The bot runs as in tests/test_matrix.py (its `Desk`), with a `ManualClock` the test moves; the
scheduler is woken to look. Every wait is for an event seen through a sync, with a timeout.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatbot.workflow.clock import ManualClock
from tests.servers.synapse import Cast, Synapse
from tests.test_matrix import CLEAN, PROMO, Desk, _body, _html, _thread_of, submit

HOUR, MINUTE = 3600, 60
_bots = itertools.count(1)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(time.time())


@pytest.fixture
def desk(synapse: Synapse, cast: Cast, tmp_path: Path, clock: ManualClock) -> Iterator[Desk]:
    desk = Desk(synapse, cast, tmp_path, name=f"waitbot{next(_bots)}", nudge_after=4 * HOUR)
    desk.start(clock=clock)
    yield desk
    desk.stop()


@pytest.fixture
def room(cast: Cast, desk: Desk) -> str:
    room_id = cast.ravi.create_room(name="Outreach team")
    desk.invite_bot(cast.ravi, room_id)
    return room_id


def link_to(desk: Desk, event_id: str) -> str:
    server = desk.bot_id.partition(":")[2]
    return f"https://matrix.to/#/{desk.comms}/{event_id}?via={server}"


def test_a_post_waiting_past_four_hours_is_nudged_once_in_its_comms_thread(desk, cast, room,
                                                                          clock):
    ana = cast.ana
    comms_start = ana.mark()
    _, _, number = submit(desk, cast.ravi, room, PROMO)
    shown = desk.comms_message(number, after=comms_start)

    clock.advance(4 * HOUR + 10 * MINUTE)
    desk.bot.scheduler.wake()

    _, nudge = ana.wait_for(lambda r, e: r == desk.comms and desk.from_bot(e)
                            and _thread_of(e) == shown["event_id"] and "waited" in _body(e),
                            after=comms_start, what="the nudge in the post's thread")
    assert _body(nudge).startswith(f"⏳ Post {number} has waited 4 h 10 min for a decision.")
    assert "(product-endorsement) need an override reason" in _body(nudge)
    assert f'`!checkpost approve {number} --override "reason"`' in _body(nudge)
    assert nudge["content"]["msgtype"] == "m.notice"
    clock.advance(HOUR)
    assert desk.bot.scheduler.nudges.run_due() == []  # once, until a day has passed


def test_an_approved_post_is_not_nudged(desk, cast, room, clock):
    ana = cast.ana
    comms_start = ana.mark()
    _, _, number = submit(desk, cast.ravi, room, CLEAN)
    shown = desk.comms_message(number, after=comms_start)
    ana.react(desk.comms, shown["event_id"], "👍")
    desk.comms_edit(shown["event_id"], "Approved by Ana Rao.", after=comms_start)

    clock.advance(2 * 86400)

    assert desk.bot.scheduler.nudges.run_due() == []
    assert not ana.seen(lambda r, e: desk.from_bot(e) and _thread_of(e) == shown["event_id"],
                        after=comms_start)


def test_pending_and_mine_list_the_posts_with_links_to_their_comms_messages(desk, cast, room,
                                                                           clock):
    ravi, ana = cast.ravi, cast.ana
    comms_start = ana.mark()
    _, _, first = submit(desk, ravi, room, PROMO)
    first_shown = desk.comms_message(first, after=comms_start)
    clock.advance(2 * HOUR)
    _, _, second = submit(desk, ravi, room, CLEAN)
    second_shown = desk.comms_message(second, after=comms_start)
    clock.advance(10 * MINUTE)

    start = ana.mark()
    asked = ana.say(desk.comms, "!checkpost pending")
    pending = desk.answer(ana, asked, after=start, says="wait for a decision")

    link_1, link_2 = (link_to(desk, first_shown["event_id"]),
                      link_to(desk, second_shown["event_id"]))
    assert _body(pending).splitlines() == [
        "2 posts wait for a decision, the longest waiting first:",
        f"• Post {first} ({link_1}) — from Ravi Hegde, waiting 2 h 10 min; blocking: "
        "product-endorsement (approve with an override reason)",
        f"• Post {second} ({link_2}) — from Ravi Hegde, waiting 10 min; nothing blocks approval",
    ]
    assert f'<strong><a href="{link_1}">Post {first}</a></strong>' in _html(pending)
    assert f'<a href="https://matrix.to/#/{ravi.user_id}">Ravi Hegde</a>' in _html(pending)

    start = ravi.mark()
    asked = ravi.say(room, "!checkpost mine")
    mine = desk.answer(ravi, asked, after=start, says="Your posts")
    assert _body(mine).splitlines()[1:] == [
        f"• Post {second} ({link_2}) — waits for the comms team's decision (10 min so far)",
        f"• Post {first} ({link_1}) — waits for the comms team's decision (2 h 10 min so "
        "far); its error-level findings (product-endorsement) need an override",
    ]

    asked = ravi.say(room, "!checkpost pending")
    refused = desk.answer(ravi, asked, after=start, says="Only the comms team")
    assert "`!checkpost mine` lists your own posts" in _body(refused)
