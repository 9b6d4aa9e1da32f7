"""Nudges: a post that waits too long for a decision is raised in its comms thread, once, then at
most once a day, and never once it is decided, withdrawn or published; the lists `pending` and
`mine`.

Time only moves when a test moves the `ManualClock`; nothing here sleeps.
"""

from __future__ import annotations

import pytest

from chatbot.config import ConfigError, load_settings
from chatbot.workflow import Code
from chatbot.workflow.listing import Listing
from chatbot.workflow.nudges import NudgeScheduler
from chatbot.workflow.wording import waited
from tests.desk import ANA, BEN, POSTER, Desk, draft, finding, verdict

HOUR, MINUTE, DAY = 3600, 60, 86400
REVISED = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00 in Bengaluru!"


@pytest.fixture
def desk(tmp_path):
    desk = Desk(tmp_path / "checkpost.db", nudge_after=4 * HOUR)
    yield desk
    desk.close()


def nudged(desk: Desk) -> list:
    return [n for (n,) in desk.port.of("nudge_comms")]


def test_a_post_waiting_past_the_setting_is_nudged_once_in_its_comms_thread(desk):
    number = desk.submit()
    shown = desk.workflow.post(number).current.comms_ref
    desk.clock.advance(4 * HOUR - 1)
    assert desk.nudges.run_due() == []

    desk.clock.advance(10 * MINUTE + 1)
    (nudge,) = desk.nudges.run_due()

    assert nudge.post_number == number and nudge.thread == shown and nudge.seq == 0
    assert nudge.text.startswith(f"Post {number} has waited 4 h 10 min for a decision.")
    assert desk.nudges.run_due() == []
    desk.clock.advance(20 * HOUR)
    assert desk.nudges.run_due() == [], "not again within a day"
    assert nudged(desk) == [nudge]


def test_a_post_still_waiting_is_nudged_again_a_day_later_and_each_day_after(desk):
    number = desk.submit()
    desk.clock.advance(4 * HOUR)
    desk.nudges.run_due()

    desk.clock.advance(DAY)
    (second,) = desk.nudges.run_due()
    desk.clock.advance(DAY)
    (third,) = desk.nudges.run_due()

    assert (second.seq, third.seq) == (1, 2)
    assert second.text.startswith(f"Post {number} has waited 1 d 4 h for a decision.")
    assert third.text.startswith(f"Post {number} has waited 2 d 4 h for a decision.")
    assert len(nudged(desk)) == 3


def test_the_nudge_names_the_findings_that_block_approval(desk):
    number = desk.submit(finding("product-endorsement"), finding("media-license"),
                         finding("snark", level="warning"))
    desk.clock.advance(5 * HOUR)

    (nudge,) = desk.nudges.run_due()

    assert nudge.blocking == ("media-license", "product-endorsement")
    assert "(media-license, product-endorsement) need an override reason" in nudge.text
    assert nudge.post_number == number


@pytest.mark.parametrize("decide", [
    lambda desk, n: desk.workflow.approve(n, by=ANA),
    lambda desk, n: desk.workflow.request_changes(n, by=BEN, comment="Say where"),
    lambda desk, n: desk.workflow.withdraw(n, by=POSTER, reason="event cancelled"),
    lambda desk, n: desk.workflow.publish(n, "https://x.com/cis_a2k/status/1", by=POSTER),
], ids=["approved", "changes-requested", "withdrawn", "published"])
def test_no_nudge_after_a_decision_a_withdrawal_or_publication(desk, decide):
    number = desk.submit()
    desk.clock.advance(HOUR)
    assert decide(desk, number).ok

    desk.clock.advance(3 * DAY)

    assert desk.nudges.run_due() == []
    assert nudged(desk) == []
    assert desk.store.db.execute("SELECT COUNT(*) FROM nudges WHERE cancelled_at IS NOT NULL"
                                 ).fetchone()[0] == 1


def test_no_more_nudges_once_a_nudged_post_is_approved(desk):
    number = desk.submit()
    desk.clock.advance(5 * HOUR)
    desk.nudges.run_due()

    desk.workflow.approve(number, by=ANA)
    desk.clock.advance(3 * DAY)

    assert desk.nudges.run_due() == []
    assert len(nudged(desk)) == 1


def test_a_post_that_comes_back_to_comms_waits_from_then(desk):
    number = desk.submit()
    desk.clock.advance(HOUR)
    desk.workflow.request_changes(number, by=BEN, comment="Say where")
    desk.clock.advance(10 * HOUR)
    desk.workflow.revise(number, draft(REVISED), verdict(), by=POSTER)
    desk.clock.advance(4 * HOUR - 1)
    assert desk.nudges.run_due() == []

    desk.clock.advance(1)
    (nudge,) = desk.nudges.run_due()

    assert nudge.text.startswith(f"Post {number} has waited 4 h for a decision.")
    assert nudge.thread == desk.workflow.post(number).current.comms_ref  # version 2's message


def test_a_revision_of_a_waiting_post_does_not_restart_its_wait(desk):
    number = desk.submit()
    desk.clock.advance(3 * HOUR)
    desk.workflow.revise(number, draft(REVISED), verdict(), by=POSTER)
    desk.clock.advance(HOUR)

    (nudge,) = desk.nudges.run_due()

    assert nudge.text.startswith(f"Post {number} has waited 4 h for a decision.")


def test_nudges_survive_a_restart_and_one_due_while_down_goes_out_once_marked_late(desk):
    number = desk.submit()
    desk.clock.advance(HOUR)
    desk.restart(after=5 * HOUR)  # a new workflow and scheduler on the same file

    (nudge,) = desk.nudges.run_due()
    desk.restart()

    assert nudge.late and nudge.post_number == number
    assert nudge.text.startswith(f"Post {number} has waited 6 h for a decision.")
    assert desk.nudges.run_due() == []
    desk.clock.advance(DAY)
    assert [n.seq for n in desk.nudges.run_due()] == [1]


def test_two_schedulers_on_one_file_never_send_a_nudge_twice(desk):
    desk.submit()
    other = NudgeScheduler(desk.store, desk.port, desk.clock)
    desk.clock.advance(5 * HOUR)

    sent = desk.nudges.run_due() + other.run_due()

    assert len(sent) == 1 and len(nudged(desk)) == 1


def test_a_nudge_the_port_could_not_deliver_is_tried_again_later(desk):
    desk.submit()
    desk.clock.advance(5 * HOUR)
    desk.port.fail.add("nudge_comms")
    assert desk.nudges.run_due() == []
    desk.port.fail.clear()

    desk.clock.advance(desk.nudges.retry_after)
    (nudge,) = desk.nudges.run_due()

    assert nudge.seq == 0
    desk.clock.advance(DAY - 1)
    assert desk.nudges.run_due() == [], "the next one counts from the delivery"


def test_the_scheduler_loop_sends_nudges_when_woken(desk):
    desk.submit()
    desk.scheduler.start()
    desk.clock.advance(5 * HOUR)

    desk.scheduler.wake()

    assert desk.port.wait_for("nudge_comms", timeout=5)


def test_posts_waiting_from_before_nudges_were_on_get_one(tmp_path):
    off = Desk(tmp_path / "checkpost.db")  # CHECKPOST_NUDGE_AFTER=0
    number = off.submit()
    off.clock.advance(5 * HOUR)
    assert off.store.db.execute("SELECT COUNT(*) FROM nudges").fetchone()[0] == 0
    off.close()

    on = Desk(tmp_path / "checkpost.db", nudge_after=4 * HOUR, clock=off.clock)
    try:
        (nudge,) = on.nudges.run_due()
        assert nudge.post_number == number and nudge.late
    finally:
        on.close()


def test_a_changed_setting_applies_to_first_nudges_not_yet_sent(tmp_path):
    before = Desk(tmp_path / "checkpost.db", nudge_after=4 * HOUR)
    before.submit()
    before.close()

    after = Desk(tmp_path / "checkpost.db", nudge_after=HOUR, clock=before.clock)
    try:
        after.clock.advance(HOUR)
        (nudge,) = after.nudges.run_due()
        assert nudge.text.startswith("Post 1 has waited 1 h for a decision.")
    finally:
        after.close()


def test_with_the_setting_at_zero_nothing_is_nudged(tmp_path):
    desk = Desk(tmp_path / "checkpost.db")
    try:
        desk.submit()
        desk.clock.advance(10 * DAY)
        assert desk.nudges is None
        assert desk.store.db.execute("SELECT COUNT(*) FROM nudges").fetchone()[0] == 0
        assert desk.port.of("nudge_comms") == []
    finally:
        desk.close()


@pytest.mark.parametrize(("value", "seconds"), [
    (None, 4 * HOUR), ("4h", 4 * HOUR), ("90m", 90 * MINUTE), ("1d", DAY), ("2s", 2),
    ("0", 0), ("0m", 0), ("off", 0), ("", 4 * HOUR),
])
def test_the_setting_reads_like_the_other_durations(value, seconds):
    env = {} if value is None else {"CHECKPOST_NUDGE_AFTER": value}
    assert load_settings(env).nudge_after == seconds


def test_a_malformed_setting_names_the_variable():
    with pytest.raises(ConfigError, match="CHECKPOST_NUDGE_AFTER"):
        load_settings({"CHECKPOST_NUDGE_AFTER": "soon"})


@pytest.mark.parametrize(("seconds", "words"), [
    (30, "under a minute"), (25 * MINUTE, "25 min"), (4 * HOUR, "4 h"),
    (4 * HOUR + 10 * MINUTE, "4 h 10 min"), (DAY + 4 * HOUR + 59, "1 d 4 h"), (2 * DAY, "2 d"),
])
def test_waits_are_said_to_the_minute(seconds, words):
    assert waited(seconds) == words


# --- the lists -------------------------------------------------------------------------------


def test_pending_lists_what_waits_oldest_first_with_age_and_blocking_labels(desk):
    older = desk.submit(finding("product-endorsement"))
    desk.clock.advance(2 * HOUR)
    newer = desk.submit()
    approved = desk.approved()
    desk.clock.advance(30 * MINUTE)

    listing = desk.workflow.pending(ANA)

    assert isinstance(listing, Listing)
    assert [i.number for i in listing.items] == [older, newer]
    assert approved not in [i.number for i in listing.items]
    first, second = listing.items
    assert first.waited == 2 * HOUR + 30 * MINUTE and first.blocking == ("product-endorsement",)
    assert first.comms_ref == desk.workflow.post(older).current.comms_ref
    assert first.standing == ("from U-poster, waiting 2 h 30 min; blocking: product-endorsement"
                              " (approve with an override reason)")
    assert second.standing == "from U-poster, waiting 30 min; nothing blocks approval"
    assert listing.title == "2 posts wait for a decision, the longest waiting first:"


def test_pending_is_for_the_comms_team(desk):
    desk.submit()

    refused = desk.workflow.pending(POSTER)

    assert not refused.ok and refused.code is Code.NOT_COMMS
    assert "`checkpost mine`" in refused.message


def test_pending_with_nothing_waiting_says_so(desk):
    listing = desk.workflow.pending(ANA)
    assert listing.items == () and listing.title == "Nothing waits for a decision."


def test_mine_lists_the_posters_posts_newest_first_and_where_each_stands(desk):
    waiting = desk.submit(finding("media-license"))
    changes = desk.submit()
    desk.workflow.request_changes(changes, by=BEN, comment="Say where")
    approved = desk.approved()
    published = desk.published()
    withdrawn = desk.submit()
    desk.workflow.withdraw(withdrawn, by=POSTER)
    someone_elses = desk.submit(poster=ANA)
    desk.clock.advance(HOUR)

    listing = desk.workflow.mine(POSTER)

    lines = {i.number: i.standing for i in listing.items}
    assert list(lines) == [withdrawn, published, approved, changes, waiting]
    assert someone_elses not in lines
    assert lines[waiting] == ("waits for the comms team's decision (1 h so far); its "
                              "error-level findings (media-license) need an override")
    assert lines[changes] == ("changes requested by U-ben: "
                              f"`checkpost revise {changes} <new draft>`")
    assert lines[approved] == f"approved: publish it, then `checkpost published {approved} URL`"
    assert lines[published] == "published on x"
    assert lines[withdrawn] == "withdrawn"
    assert listing.title == "Your posts, newest first:"


def test_mine_keeps_every_open_post_and_counts_the_older_ones_left_out(desk):
    first = desk.submit()
    for _ in range(16):
        desk.workflow.withdraw(desk.submit(), by=POSTER)

    listing = desk.workflow.mine(POSTER)

    assert len(listing.items) == 15 and listing.more == 2
    assert first in [i.number for i in listing.items]
    assert listing.title == "Your posts, newest first (15 of 17):"
