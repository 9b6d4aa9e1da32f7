"""Restarts: close the store mid-approval and before reminders are due; nothing lost or repeated."""

from __future__ import annotations

import pytest

from chatbot.workflow import Code, PostState
from tests.desk import ANA, BEN, POSTER, Desk, finding

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
    resumed = desk.workflow.resume()

    assert [(j.kind, j.data.get("post")) for j in resumed] == [("show-post", lost)]
    assert desk.workflow.post(lost).current.comms_ref is not None
    assert desk.workflow.post(seen).current.comms_ref is not None
    assert len(desk.port.of("show_to_comms")) == 2
    told = [n.kind for _, n in desk.port.of("tell")]
    assert told == ["submitted", "comms-unreachable", "submitted", "routed"]
    assert desk.workflow.resume() == []  # shown once, not at every start


def test_start_up_routing_leaves_withdrawn_posts_alone(desk):
    desk.port.fail.add("show_to_comms")
    number = desk.submit()
    desk.workflow.withdraw(number, by=POSTER)
    desk.port.fail.discard("show_to_comms")

    desk.workflow.resume()

    assert desk.port.of("show_to_comms") == []
    assert desk.workflow.resume() == []


def test_the_findings_reach_the_poster_when_comms_cannot_be_reached(desk):
    desk.port.fail.add("show_to_comms")

    number = desk.submit()

    (findings, unreachable) = [n for _, n in desk.port.of("tell")]
    assert (findings.kind, findings.post_number) == ("submitted", number)
    assert "goes to #comms" in findings.text
    assert unreachable.kind == "comms-unreachable" and "tries again" in unreachable.text


def test_a_crash_between_the_commit_and_the_messages_loses_none_and_repeats_none(
        desk, monkeypatch):
    number = desk.submit()
    shown = desk.port.of("show_to_comms")
    monkeypatch.setattr(desk.workflow.jobs, "run", lambda ids: ())  # the process dies here
    desk.workflow.approve(number, by=ANA, key="ev-approve")
    desk.workflow.approve(number, by=BEN, key="ev-approve-2")
    assert desk.port.of("update_comms_message") == []

    desk.restart()
    resumed = desk.workflow.resume()
    again = desk.workflow.approve(number, by=BEN, key="ev-approve-2")  # Slack redelivers

    assert again.duplicate
    assert [j.kind for j in resumed] == ["update-comms", "update-comms", "tell"]
    assert len(desk.port.of("update_comms_message")) == 2
    assert [n.kind for _, n in desk.port.of("tell")][-1] == "approved"
    assert desk.port.of("show_to_comms") == shown
    assert desk.workflow.resume() == []


def test_a_failed_message_is_sent_again_by_the_scheduler_when_its_retry_falls_due(desk):
    number = desk.submit()
    desk.port.fail.add("tell")
    desk.workflow.approve(number, by=ANA, key="ev-1")
    desk.workflow.approve(number, by=BEN, key="ev-2")
    desk.port.fail.discard("tell")

    assert desk.scheduler.seconds_until_next() <= desk.workflow.jobs.retry_after
    assert desk.workflow.jobs.run_due() == []  # not due yet
    desk.clock.advance(desk.workflow.jobs.retry_after)
    assert len(desk.workflow.jobs.run_due()) == 1

    assert [n.kind for _, n in desk.port.of("tell")][-1] == "approved"
    assert desk.workflow.jobs.waiting() == []


def test_a_message_that_keeps_failing_is_given_up_and_tried_again_at_the_next_start(desk):
    number = desk.submit()
    desk.port.fail.add("tell")
    desk.workflow.withdraw(number, by=ANA)
    for _ in range(desk.workflow.jobs.max_attempts):
        desk.clock.advance(desk.workflow.jobs.retry_after * desk.workflow.jobs.max_attempts)
        desk.workflow.jobs.run_due()
    assert desk.workflow.jobs.next_due() is None  # failed: the loop stops trying
    desk.port.fail.discard("tell")

    desk.restart()
    resumed = desk.workflow.resume()

    assert [j.kind for j in resumed] == ["tell"]
    assert desk.port.of("tell")[-1][1].kind == "withdrawn"


def test_posts_comms_never_saw_before_the_upgrade_become_jobs(tmp_path, monkeypatch):
    import chatbot.store as store_module

    path = tmp_path / "old.db"
    old = Desk(path)
    old.port.fail.add("show_to_comms")
    monkeypatch.setattr(old.workflow.jobs, "add", lambda db, jobs, now: [])
    number = old.submit()
    with old.store.transaction() as db:  # as checkpost 0.1 left it: committed, never shown
        for later in store_module.MIGRATIONS[1:]:
            db.execute("DELETE FROM schema_version WHERE version = ?", [later.version])
        for table in ("jobs", "inbox", "nudges"):
            db.execute(f"DROP TABLE {table}")
        db.execute("ALTER TABLE posts DROP COLUMN waiting_since")
        db.execute("ALTER TABLE reminders DROP COLUMN claimed_at")
        db.execute("ALTER TABLE links RENAME COLUMN network TO platform")
        db.execute("ALTER TABLE versions DROP COLUMN network")
    old.close()
    monkeypatch.undo()

    new = Desk(path)
    try:
        assert new.store.schema_version == store_module.MIGRATIONS[-1].version
        assert new.workflow.post(number).waiting_since == new.workflow.post(
            number).current.submitted_at
        resumed = new.workflow.resume()
        assert [(j.kind, j.data) for j in resumed] == [
            ("show-post", {"post": number, "version": 1})]
        assert new.workflow.post(number).current.comms_ref is not None
    finally:
        new.close()
