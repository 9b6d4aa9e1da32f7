"""Publish, withdraw, idempotency and audit."""

from __future__ import annotations

from chatbot.workflow import Code, PostState
from tests.desk import ANA, BEN, OUTSIDER, POSTER, finding


def test_poster_marks_an_approved_post_published_with_its_url(desk):
    number = desk.approved()
    desk.port.clear()

    outcome = desk.workflow.publish(number, "https://x.com/cis_a2k/status/17", by=POSTER)

    assert outcome.ok and outcome.code is Code.PUBLISHED and outcome.warnings == ()
    post = outcome.post
    assert post.state is PostState.PUBLISHED and post.published_at == desk.clock.now()
    (link,) = post.links
    assert (link.network, link.url, link.approved) == ("x", "https://x.com/cis_a2k/status/17",
                                                         True)
    assert "now, in 1 hour, in 1 day, in 3 days" in outcome.message
    assert desk.port.of("alert_comms") == []


def test_comms_member_may_mark_it_published_and_the_poster_is_told(desk):
    number = desk.approved()

    outcome = desk.workflow.publish(number, "https://www.facebook.com/cisa2k/posts/9", by=BEN)

    assert outcome.code is Code.PUBLISHED
    person, notice = desk.port.of("tell")[-1]
    assert person == POSTER and notice.kind == "published" and notice.actor == BEN


def test_only_the_poster_or_comms_may_mark_it_published(desk):
    number = desk.approved()

    outcome = desk.workflow.publish(number, "https://x.com/cis_a2k/status/17", by=OUTSIDER)

    assert outcome.code is Code.NOT_ALLOWED
    assert desk.workflow.post(number).state is PostState.APPROVED


def test_unapproved_post_can_be_marked_published_only_with_a_warning_shown_to_comms(desk):
    number = desk.submit(finding("dispute", "error"))

    outcome = desk.workflow.publish(number, "https://x.com/cis_a2k/status/18", by=POSTER)

    assert outcome.ok and outcome.code is Code.PUBLISHED
    assert outcome.warnings and "without the comms team's approval" in outcome.warnings[0]
    ((notice,),) = desk.port.of("alert_comms")
    assert notice.kind == "published-unapproved" and notice.post_number == number
    assert outcome.post.links[0].approved is False
    entry = desk.workflow.history(number)[-1]
    assert entry.action == "published" and "without" in entry.why


def test_one_link_per_platform_where_it_is_cross_posted(desk):
    number = desk.approved()
    workflow = desk.workflow

    workflow.publish(number, "https://x.com/cis_a2k/status/1", by=POSTER)
    second = workflow.publish(number, "https://www.linkedin.com/posts/cis-a2k_1", by=POSTER)
    same = workflow.publish(number, "https://x.com/cis_a2k/status/1", by=POSTER)
    corrected = workflow.publish(number, "https://twitter.com/cis_a2k/status/2", by=POSTER)

    assert second.code is Code.LINK_ADDED
    assert same.code is Code.NOTHING_CHANGED and not same.changed
    assert corrected.code is Code.LINK_UPDATED
    links = {k.network: k.url for k in workflow.post(number).links}
    assert links == {"x": "https://twitter.com/cis_a2k/status/2",
                     "linkedin": "https://www.linkedin.com/posts/cis-a2k_1"}


def test_a_url_that_is_not_a_link_is_refused(desk):
    number = desk.approved()

    outcome = desk.workflow.publish(number, "x.com/status", by=POSTER)

    assert outcome.code is Code.BAD_INPUT and "full address" in outcome.message


def test_a_withdrawn_post_cannot_be_published(desk):
    number = desk.submit()
    desk.workflow.withdraw(number, by=POSTER)

    outcome = desk.workflow.publish(number, "https://x.com/cis_a2k/status/3", by=POSTER)

    assert outcome.code is Code.POST_WITHDRAWN


def test_duplicate_delivery_changes_nothing_and_returns_the_earlier_result(desk):
    number = desk.submit()
    first = desk.workflow.approve(number, by=ANA, key="slack:Ev1")
    calls, audit = len(desk.port.calls), len(desk.store.audit_log())

    again = desk.workflow.approve(number, by=ANA, key="slack:Ev1")

    assert again.duplicate and not first.duplicate
    assert (again.ok, again.code, again.message) == (first.ok, first.code, first.message)
    assert len(desk.port.calls) == calls
    assert len(desk.store.audit_log()) == audit


def test_duplicate_of_a_refusal_is_the_same_refusal(desk):
    number = desk.submit()
    first = desk.workflow.approve(number, by=OUTSIDER, key="ev-9")

    again = desk.workflow.approve(number, by=OUTSIDER, key="ev-9")

    assert again.duplicate and again.code is first.code is Code.NOT_COMMS


def test_a_duplicate_removal_of_a_reaction_does_not_remove_a_newer_vote(desk):
    number = desk.submit()
    desk.workflow.approve(number, by=ANA, key="add-1")
    desk.workflow.withdraw_vote(number, by=ANA, kind="approve", key="remove-1")
    desk.workflow.approve(number, by=ANA, key="add-2")

    desk.workflow.withdraw_vote(number, by=ANA, kind="approve", key="remove-1")  # redelivered

    assert desk.workflow.post(number).state is PostState.APPROVED


def test_every_state_change_is_audited_with_who_when_platform_and_why(desk):
    number = desk.submit(finding("dispute", "error"))
    desk.clock.advance(60)
    desk.workflow.approve(number, by=ANA, override_reason="quoting, not disputing")
    desk.clock.advance(60)
    desk.workflow.publish(number, "https://x.com/cis_a2k/status/5", by=POSTER)
    desk.workflow.record_metrics(number, "likes=3", by=POSTER)
    desk.workflow.withdraw(number, by=POSTER, reason="taken down")

    log = desk.workflow.history(number)

    assert [e.action for e in log] == ["submitted", "approve", "published", "metrics",
                                       "withdrawn"]
    approve = log[1]
    assert approve.actor == "slack:U-ana" and approve.platform == "slack"
    assert approve.at == log[0].at + 60 and approve.why == "quoting, not disputing"
    assert log[0].why == "International Mother Language Day"  # the context the poster gave
    assert log[-1].why == "taken down"
