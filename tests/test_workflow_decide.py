"""Decide: who may approve or ask for changes, and what a vote, a withdrawal or a revision does."""

from __future__ import annotations

import pytest

from chatbot.workflow import Code, PostState
from chatbot.workflow.people import Person
from tests.desk import (
    ANA,
    BEN,
    CHITRA,
    OUTSIDER,
    POSTER,
    Desk,
    draft,
    finding,
    verdict,
)


@pytest.fixture
def desk_of_two(tmp_path):
    desk = Desk(tmp_path / "checkpost.db", approvals_required=2)
    yield desk
    desk.close()


def test_only_comms_members_count(desk):
    number = desk.submit()

    outcome = desk.workflow.approve(number, by=OUTSIDER)

    assert not outcome.ok and outcome.code is Code.NOT_COMMS
    assert "not on its list" in outcome.message
    post = desk.workflow.post(number)
    assert post.state is PostState.PENDING and post.votes == ()
    assert desk.workflow.request_changes(number, by=OUTSIDER).code is Code.NOT_COMMS


def test_poster_cannot_approve_own_post(tmp_path):
    desk = Desk(tmp_path / "c.db", comms={ANA, BEN})
    number = desk.submit(poster=ANA)  # a comms member submitting her own draft

    outcome = desk.workflow.approve(number, by=ANA)

    assert not outcome.ok and outcome.code is Code.OWN_POST
    assert desk.workflow.post(number).state is PostState.PENDING
    assert desk.workflow.approve(number, by=BEN).code is Code.APPROVED
    desk.close()


def test_poster_cannot_ask_for_changes_on_own_post(tmp_path):
    desk = Desk(tmp_path / "c.db", comms={ANA, BEN})
    number = desk.submit(poster=ANA)

    assert desk.workflow.request_changes(number, by=ANA).code is Code.OWN_POST
    assert desk.workflow.post(number).votes == ()
    desk.close()


def test_configured_number_of_distinct_approvals_approves(desk_of_two):
    workflow = desk_of_two.workflow
    number = desk_of_two.submit()

    first = workflow.approve(number, by=ANA)
    same_again = workflow.approve(number, by=ANA)
    second = workflow.approve(number, by=BEN)

    assert first.code is Code.VOTE_RECORDED and "1 of 2" in first.message
    assert same_again.code is Code.NOTHING_CHANGED and not same_again.changed
    assert workflow.post(number).state is PostState.APPROVED
    assert second.code is Code.APPROVED and "U-ana" in second.message


def test_error_findings_block_approval_without_override_reason(desk):
    number = desk.submit(finding("product-endorsement", "error"))

    outcome = desk.workflow.approve(number, by=ANA)

    assert not outcome.ok and outcome.code is Code.NEEDS_OVERRIDE
    assert "product-endorsement" in outcome.message and "override reason" in outcome.message
    assert desk.workflow.post(number).votes == ()


def test_override_reason_approves_an_error_post_and_is_recorded(desk):
    number = desk.submit(finding("media-license", "error"))

    outcome = desk.workflow.approve(number, by=ANA, override_reason="Photo is ours; CC0 on file")

    assert outcome.code is Code.APPROVED
    post = desk.workflow.post(number)
    assert post.override.voter == ANA
    assert post.override.override_reason == "Photo is ours; CC0 on file"
    entry = [e for e in desk.workflow.history(number) if e.action == "approve"][-1]
    assert entry.why == "Photo is ours; CC0 on file"
    assert entry.detail["override_reason"] == "Photo is ours; CC0 on file"


def test_one_override_lets_other_members_approve_without_repeating_it(desk_of_two):
    workflow = desk_of_two.workflow
    number = desk_of_two.submit(finding("dispute", "error"))

    workflow.approve(number, by=ANA, override_reason="Reply is friendly in context")

    assert workflow.approve(number, by=BEN).code is Code.APPROVED


def test_approvals_without_the_override_do_not_approve_an_error_post(desk_of_two):
    workflow = desk_of_two.workflow
    number = desk_of_two.submit(finding("dispute", "error"))
    workflow.approve(number, by=ANA, override_reason="ok in context")
    workflow.approve(number, by=BEN)

    workflow.withdraw_vote(number, by=ANA)
    workflow.approve(number, by=CHITRA, override_reason="")  # refused: no override left

    post = workflow.post(number)
    assert post.state is PostState.PENDING
    assert [v.voter for v in post.approvals] == [BEN]


def test_an_override_reason_on_a_post_without_errors_is_kept_as_a_comment(desk):
    number = desk.submit(finding("snark", "warning"))

    desk.workflow.approve(number, by=ANA, override_reason="tone is fine")

    post = desk.workflow.post(number)
    assert post.override is None and post.approvals[0].comment == "tone is fine"


def test_warnings_and_suggestions_need_no_override(desk):
    number = desk.submit(finding("non-neutral", "warning"), finding("snark", "suggestion"))

    assert desk.workflow.approve(number, by=ANA).code is Code.APPROVED


def test_withdrawing_a_reaction_withdraws_that_vote(desk):
    number = desk.submit()
    desk.workflow.approve(number, by=ANA)

    outcome = desk.workflow.withdraw_vote(number, by=ANA, kind="approve")

    assert outcome.ok and outcome.code is Code.VOTE_WITHDRAWN
    post = desk.workflow.post(number)
    assert post.state is PostState.PENDING and post.votes == () and post.approved_at is None
    (_, notice) = desk.port.of("tell")[-1]
    assert notice.kind == "approval-lost"


def test_withdrawing_a_vote_never_cast_changes_nothing(desk):
    number = desk.submit()
    desk.workflow.request_changes(number, by=ANA)

    outcome = desk.workflow.withdraw_vote(number, by=ANA, kind="approve")

    assert not outcome.ok and outcome.code is Code.NO_VOTE
    assert desk.workflow.post(number).state is PostState.CHANGES_REQUESTED


def test_change_request_holds_until_withdrawn(desk):
    number = desk.submit()
    desk.workflow.request_changes(number, by=ANA, comment="Say which venue")

    outcome = desk.workflow.approve(number, by=BEN)

    assert outcome.code is Code.VOTE_RECORDED and "changes requested" in outcome.message
    assert desk.workflow.post(number).state is PostState.CHANGES_REQUESTED
    assert desk.workflow.withdraw_vote(number, by=ANA).ok
    assert desk.workflow.post(number).state is PostState.APPROVED


def test_a_member_can_change_their_mind(desk):
    number = desk.submit()
    desk.workflow.request_changes(number, by=ANA)

    assert desk.workflow.approve(number, by=ANA).code is Code.APPROVED
    assert [v.kind for v in desk.workflow.post(number).votes] == ["approve"]


def test_change_request_comment_reaches_the_poster(desk):
    number = desk.submit()

    outcome = desk.workflow.request_changes(number, by=ANA, comment="Drop the brand name")

    assert outcome.code is Code.CHANGES_REQUESTED
    person, notice = desk.port.of("tell")[-1]
    assert person == POSTER and notice.kind == "changes-requested"
    assert "Drop the brand name" in notice.text and notice.actor == ANA


def test_decision_updates_the_comms_message_and_tells_the_poster(desk):
    number = desk.submit()
    desk.port.clear()

    desk.workflow.approve(number, by=ANA)

    ((ref, post),) = desk.port.of("update_comms_message")
    assert ref.id == "comms-1" and post.state is PostState.APPROVED
    ((person, notice),) = desk.port.of("tell")
    assert person == POSTER and notice.kind == "approved"


def test_new_version_resets_votes_is_checked_again_and_keeps_history(desk):
    number = desk.submit(finding("product-endorsement", "error"))
    desk.workflow.request_changes(number, by=ANA, comment="No brands")
    revised = draft("Join the Kannada Wikipedia edit-a-thon, bring your own laptop!")
    checked_again = verdict(finding("snark", "warning"), policy_version="cis-a2k@8")

    outcome = desk.workflow.revise(number, revised, checked_again, by=POSTER)

    assert outcome.code is Code.REVISED
    post = desk.workflow.post(number)
    assert post.state is PostState.PENDING and post.votes == ()
    assert [v.number for v in post.versions] == [1, 2]
    assert post.versions[0].verdict.findings[0].label == "product-endorsement"
    assert post.current.draft == revised and post.current.verdict == checked_again
    assert post.current.comms_ref.id != post.versions[0].comms_ref.id
    assert desk.workflow.approve(number, by=ANA).code is Code.APPROVED  # no override needed now


def test_revision_updates_the_old_comms_message_and_shows_the_new_one(desk):
    number = desk.submit()
    desk.port.clear()

    desk.workflow.revise(number, draft("New text"), verdict(), by=POSTER)

    ((old_ref, post),) = desk.port.of("update_comms_message")
    assert old_ref.id == "comms-1" and post.current.number == 2
    assert len(desk.port.of("show_to_comms")) == 1
    assert desk.port.of("tell")[-1][1].kind == "revised"


def test_revising_an_approved_post_needs_approval_again(desk):
    number = desk.approved()

    desk.workflow.revise(number, draft("Changed after approval"), verdict(), by=POSTER)

    post = desk.workflow.post(number)
    assert post.state is PostState.PENDING and post.approved_at is None


def test_only_the_poster_can_revise(desk):
    number = desk.submit()

    outcome = desk.workflow.revise(number, draft("Hijacked"), verdict(), by=ANA)

    assert outcome.code is Code.NOT_ALLOWED
    assert len(desk.workflow.post(number).versions) == 1


def test_vote_on_a_superseded_version_changes_nothing(desk):
    number = desk.submit()
    desk.workflow.revise(number, draft("Second text"), verdict(), by=POSTER)
    post_number, version = desk.workflow.find_comms_message("comms-1")

    outcome = desk.workflow.approve(post_number, by=ANA, version=version)

    assert outcome.code is Code.STALE_VERSION and "version 2" in outcome.message
    assert desk.workflow.post(number).state is PostState.PENDING


def test_decisions_on_a_withdrawn_post_change_nothing_and_say_so(desk):
    number = desk.submit()
    desk.workflow.withdraw(number, by=POSTER, reason="event cancelled")

    for outcome in (desk.workflow.approve(number, by=ANA),
                    desk.workflow.request_changes(number, by=ANA),
                    desk.workflow.withdraw_vote(number, by=ANA),
                    desk.workflow.revise(number, draft("x"), verdict(), by=POSTER)):
        assert not outcome.ok and outcome.code is Code.POST_WITHDRAWN
        assert "withdrawn; nothing changed" in outcome.message
    assert desk.workflow.post(number).state is PostState.WITHDRAWN


def test_decisions_on_a_published_post_change_nothing_and_say_so(desk):
    number = desk.published()

    for outcome in (desk.workflow.approve(number, by=BEN),
                    desk.workflow.request_changes(number, by=BEN),
                    desk.workflow.withdraw_vote(number, by=ANA)):
        assert not outcome.ok and outcome.code is Code.ALREADY_PUBLISHED
        assert outcome.message == f"Post {number} is already published; nothing changed."
    assert desk.workflow.post(number).state is PostState.PUBLISHED


def test_unknown_post_number_is_answered_not_raised(desk):
    for outcome in (desk.workflow.approve(42, by=ANA), desk.workflow.status(42),
                    desk.workflow.publish(42, "https://x.com/a/status/1", by=POSTER),
                    desk.workflow.record_metrics(42, "likes=1", by=POSTER)):
        assert not outcome.ok and outcome.code is Code.UNKNOWN_POST
        assert "There is no post 42" in outcome.message


def test_decision_from_another_platform_is_refused(desk):
    matrix_member = Person("matrix", "@ana:example.org")
    desk.comms = desk.comms | {matrix_member}
    desk.restart()
    number = desk.submit()

    outcome = desk.workflow.approve(number, by=matrix_member)

    assert outcome.code is Code.OTHER_PLATFORM and "slack" in outcome.message


def test_withdrawing_a_post_is_for_the_poster_or_comms(desk):
    number = desk.submit()

    assert desk.workflow.withdraw(number, by=OUTSIDER).code is Code.NOT_ALLOWED
    outcome = desk.workflow.withdraw(number, by=ANA, reason="duplicate of post 3")
    assert outcome.code is Code.WITHDRAWN
    person, notice = desk.port.of("tell")[-1]
    assert person == POSTER and "duplicate of post 3" in notice.text


def test_status_says_where_a_post_stands(desk_of_two):
    number = desk_of_two.submit(finding("dispute", "error"))

    status = desk_of_two.workflow.status(number)

    assert status.ok and status.post.number == number
    assert "0 of 2" in status.message and "override" in status.message
