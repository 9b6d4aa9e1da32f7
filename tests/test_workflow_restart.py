"""Restarts: close the store mid-approval and before reminders are due; nothing lost or repeated."""

from __future__ import annotations

import pytest

from chatbot.workflow import Code, PostState
from chatbot.workflow.testing import ANA, BEN, POSTER, Desk, finding

HOUR, DAY = 3600, 86400


@pytest.fixture
def desk(tmp_path):
    desk = Desk(tmp_path / "checkpost.db", approvals_required=2)
    yield desk
    desk.close()


def test_restart_in_the_middle_of_an_approval_loses_nothing(desk):
    number = desk.submit(finding("media-license", "error"))
    desk.workflow.approve(number, by=ANA, override_reason="our own photo", key="ev-1")

    desk.restart(after=HOUR)
    redelivered = desk.workflow.approve(number, by=ANA, override_reason="our own photo",
                                        key="ev-1")
    second = desk.workflow.approve(number, by=BEN, key="ev-2")

    assert redelivered.duplicate
    assert second.code is Code.APPROVED
    post = desk.workflow.post(number)
    assert post.state is PostState.APPROVED
    assert {v.voter for v in post.approvals} == {ANA, BEN}
    assert post.override.override_reason == "our own photo"
    assert post.current.comms_ref.id == "comms-1"
    assert [e.action for e in desk.workflow.history(number)] == ["submitted", "approve", "approve"]


def test_restart_before_reminders_are_due_sends_each_once(desk):
    number = desk.published()
    desk.scheduler.run_due()  # "now"

    desk.restart(after=HOUR // 2)  # back before +1h
    assert desk.scheduler.run_due() == []
    desk.clock.advance(HOUR // 2)
    on_time = desk.scheduler.run_due()
    desk.restart()
    after_restart = desk.scheduler.run_due()

    assert [(r.post_number, r.seq, r.late) for r in on_time] == [(number, 1, False)]
    assert after_restart == []
    assert len(desk.port.of("remind")) == 2


def test_late_reminders_go_once_after_a_restart_and_again_never(desk):
    desk.published()

    desk.restart(after=5 * DAY)  # down through all four
    first = desk.scheduler.run_due()
    desk.restart(after=HOUR)
    second = desk.scheduler.run_due()

    assert [(r.seq, r.late) for r in first] == [(0, True), (1, True), (2, True), (3, True)]
    assert second == []
    late = desk.store.db.execute("SELECT COUNT(*) FROM reminders WHERE late = 1").fetchone()[0]
    assert late == 4


def test_the_poster_sees_the_same_post_after_a_restart(desk):
    number = desk.submit()
    before = desk.workflow.post(number)

    desk.restart()

    assert desk.workflow.post(number) == before
    assert desk.workflow.post(number).poster == POSTER
    assert desk.workflow.approve(number, by=ANA).code is Code.VOTE_RECORDED


def test_a_post_comms_never_saw_is_shown_to_them_at_start_up(desk):
    desk.port.fail.add("show_to_comms")  # the comms channel is unreachable at submit time
    lost = desk.submit()
    desk.port.fail.discard("show_to_comms")
    seen = desk.submit()

    desk.restart()
    routed = desk.workflow.route_unrouted()

    assert routed == [lost]
    assert desk.workflow.post(lost).current.comms_ref is not None
    assert desk.workflow.post(seen).current.comms_ref is not None
    assert desk.workflow.route_unrouted() == []  # shown once, not at every start


def test_start_up_routing_leaves_withdrawn_posts_alone(desk):
    desk.port.fail.add("show_to_comms")
    number = desk.submit()
    desk.workflow.withdraw(number, by=POSTER)
    desk.port.fail.discard("show_to_comms")

    assert desk.workflow.route_unrouted() == []
