"""Reminders: scheduled on publish, in the policy's words, each sent once, late ones marked.

Time only moves when a test moves the `ManualClock`; nothing here sleeps.
"""

from __future__ import annotations

import contextlib

from chatbot.workflow import ReminderScheduler
from chatbot.workflow.reminders import MEASURE_ADVICE, REACTIONS_ADVICE
from tests.desk import POSTER, Desk
from tests.doubles import MemoryPort

HOUR, DAY = 3600, 86400


def reminders(desk):
    return [r for _, r in desk.port.of("remind")]


def test_publishing_schedules_a_reminder_at_each_configured_offset(desk):
    number = desk.published()
    published_at = desk.workflow.post(number).published_at

    due = [r["due_at"] - published_at for r in desk.store.db.query(
        "SELECT due_at FROM reminders ORDER BY seq")]

    assert due == [0, HOUR, DAY, 3 * DAY]


def test_first_reminder_repeats_the_policys_advice_on_reactions(desk):
    number = desk.published()

    (first,) = desk.scheduler.run_due()

    assert desk.port.of("remind")[0][0] == POSTER
    assert first.post_number == number and first.seq == 0 and not first.late
    assert "Check the reactions to your post now." in first.text
    assert REACTIONS_ADVICE in first.text
    assert "Respond appropriately checking in with the team on any issues or problems" \
        in first.text
    assert first.url in first.text


def test_later_reminders_ask_to_check_again_note_major_reactions_and_record_metrics(desk):
    number = desk.published()
    desk.scheduler.run_due()
    desk.clock.advance(HOUR)

    (second,) = desk.scheduler.run_due()

    assert second.seq == 1 and second.total == 4
    assert "Check it again and note any major reaction" in second.text
    assert f"checkpost metrics {number} likes=… reposts=… replies=…" in second.text
    assert "major:" in second.text and MEASURE_ADVICE in second.text
    assert second.command.startswith(f"metrics {number} ")


def test_no_reminder_is_sent_before_it_is_due(desk):
    desk.published()
    desk.scheduler.run_due()
    desk.clock.advance(HOUR - 1)

    assert desk.scheduler.run_due() == []


def test_each_reminder_is_delivered_once(desk):
    desk.published()
    desk.clock.advance(4 * DAY)

    assert len(desk.scheduler.run_due()) == 4
    assert desk.scheduler.run_due() == []
    assert len(desk.port.of("remind")) == 4


def test_two_schedulers_on_one_file_never_send_a_reminder_twice(desk):
    desk.published()
    other = ReminderScheduler(desk.store, desk.port, desk.clock)
    desk.clock.advance(4 * DAY)

    sent = desk.scheduler.run_due() + other.run_due()

    assert sorted(r.seq for r in sent) == [0, 1, 2, 3]


class _Died(BaseException):
    """The process dying between a claim and the send (no `except Exception` catches it)."""


def _dying(desk, monkeypatch):
    def die(person, reminder):
        raise _Died
    monkeypatch.setattr(desk.port, "remind", die)


def test_a_reminder_claimed_when_the_process_died_is_sent_after_the_restart(desk, monkeypatch):
    desk.published()
    with monkeypatch.context() as patch:
        _dying(desk, patch)
        with contextlib.suppress(_Died):
            desk.scheduler.run_due()
    assert desk.port.of("remind") == []

    desk.restart(after=1)
    (sent,) = desk.scheduler.run_due()

    assert sent.seq == 0 and sent.again and sent.key.startswith("reminder-")
    assert desk.scheduler.run_due() == []
    assert [e.action for e in desk.store.audit_log()].count("reminder-sent") == 1


def test_a_live_claim_is_left_alone_until_its_lease_runs_out(desk, monkeypatch):
    desk.published()
    other = ReminderScheduler(desk.store, desk.port, desk.clock, lease=600, max_sleep=900)
    with monkeypatch.context() as patch:
        _dying(desk, patch)
        with contextlib.suppress(_Died):
            desk.scheduler.run_due()  # claimed by this life, still "sending"

    assert other.run_due() == []
    assert other.seconds_until_next() == 600
    desk.clock.advance(600)
    (sent,) = other.run_due()
    assert sent.seq == 0 and sent.again


def test_a_first_send_is_not_marked_again(desk):
    desk.published()
    (sent,) = desk.scheduler.run_due()
    assert not sent.again and sent.key


def test_withdrawing_a_post_cancels_its_reminders(desk):
    number = desk.published()
    desk.scheduler.run_due()

    outcome = desk.workflow.withdraw(number, by=POSTER, reason="deleted after a typo")
    desk.clock.advance(4 * DAY)

    assert "3 pending reminder(s) cancelled" in outcome.message
    assert desk.scheduler.run_due() == []
    assert desk.scheduler.next_due() is None


def test_reminders_that_fell_due_while_down_go_once_marked_late(desk):
    desk.published()
    desk.scheduler.run_due()  # the "now" reminder, on time

    desk.restart(after=2 * DAY)  # down through the +1h and +24h reminders
    late = desk.scheduler.run_due()
    again = desk.scheduler.run_due()

    assert [(r.seq, r.late) for r in late] == [(1, True), (2, True)]
    assert late[0].text.startswith("(Late: this reminder was due")
    assert again == []
    desk.clock.advance(DAY)
    assert [(r.seq, r.late) for r in desk.scheduler.run_due()] == [(3, False)]


def test_a_failed_delivery_is_tried_again_then_given_up(desk):
    desk.published()
    desk.port.fail.add("remind")

    assert desk.scheduler.run_due() == []
    desk.clock.advance(60)
    assert desk.scheduler.run_due() == []
    desk.port.fail.clear()
    desk.clock.advance(120)
    (sent,) = desk.scheduler.run_due()
    assert sent.seq == 0

    desk.port.fail.add("remind")
    desk.clock.advance(HOUR)
    for _ in range(3):
        desk.scheduler.run_due()
        desk.clock.advance(HOUR)
    failed = desk.store.db.execute(
        "SELECT seq, attempts, last_error FROM reminders WHERE failed_at IS NOT NULL").fetchall()
    assert [(seq, attempts) for seq, attempts, _ in failed] == [(1, 3)]
    assert "PortError" in failed[0][2]


def test_the_scheduler_sleeps_until_the_next_due_reminder(desk):
    desk.scheduler.max_sleep = DAY  # the guard against clock jumps, out of the way here
    assert desk.scheduler.seconds_until_next() == DAY  # nothing waits
    desk.published()
    desk.scheduler.run_due()

    assert desk.scheduler.seconds_until_next() == HOUR
    desk.clock.advance(HOUR - 10)
    assert desk.scheduler.seconds_until_next() == 10
    desk.scheduler.max_sleep = 300
    desk.clock.advance(-DAY)
    assert desk.scheduler.seconds_until_next() == 300


def test_the_scheduler_thread_wakes_early_for_a_new_reminder_and_does_not_poll(desk):
    desk.scheduler.start()

    desk.published()  # publish wakes the thread; the "now" reminder is due at once

    assert desk.port.wait_for("remind", 1, timeout=5)
    desk.clock.advance(HOUR)
    desk.scheduler.wake()  # the clock is manual: tell the thread time has moved
    assert desk.port.wait_for("remind", 2, timeout=5)
    desk.scheduler.stop()
    # start, publish, the hour: a handful of wake-ups, not a spin
    assert desk.scheduler.wakeups <= 5
    assert [r.seq for r in reminders(desk)] == [0, 1]


def test_the_scheduler_only_sends_reminders_of_its_platform(desk):
    desk.published()
    matrix_port = MemoryPort("matrix")
    matrix_scheduler = ReminderScheduler(desk.store, matrix_port, desk.clock)
    desk.clock.advance(4 * DAY)

    assert matrix_scheduler.run_due() == [] and matrix_scheduler.next_due() is None
    assert len(desk.scheduler.run_due()) == 4


def test_offsets_in_seconds_work_for_short_test_setups(tmp_path):
    desk = Desk(tmp_path / "c.db", offsets=(2, 5))
    desk.published()

    assert desk.scheduler.run_due() == []
    desk.clock.advance(2)
    assert [r.seq for r in desk.scheduler.run_due()] == [0]
    desk.clock.advance(3)
    assert [r.seq for r in desk.scheduler.run_due()] == [1]
    desk.close()


def test_each_cross_posted_link_gets_its_own_reminders(desk):
    number = desk.published()
    desk.workflow.publish(number, "https://facebook.com/cisa2k/posts/3", by=POSTER)

    sent = desk.scheduler.run_due()

    assert sorted(r.link_network for r in sent) == ["facebook", "x"]
