"""Incidents: a hateful comment under a post, and the policy's checklist for comms."""

from __future__ import annotations

import pytest

from chatbot.workflow import CHECKLIST, Code, find_step
from chatbot.workflow.incidents import POLICY_LINE
from tests.desk import ANA, BEN, OUTSIDER, POSTER

COMMENT = "https://www.facebook.com/cisa2k/posts/7?comment_id=99"


def test_incident_sends_comms_the_policy_checklist(desk):
    outcome = desk.workflow.report_incident(COMMENT, by=POSTER, notes="slur against a user")

    assert outcome.ok and outcome.code is Code.INCIDENT_RECORDED
    ((incident,),) = desk.port.of("show_incident_to_comms")
    assert [s.step.key for s in incident.steps] == [
        "note", "check-with-comms", "hide", "reach-out", "emails"]
    text = incident.checklist_text()
    assert POLICY_LINE in text and "slur against a user" in text
    assert "Hide the hateful comments" in text and "apologise" in text and "e-mail" in text
    assert desk.workflow.incident(incident.id).comms_ref.id.startswith("incident-")


def test_noting_the_comment_is_done_by_reporting_it(desk):
    outcome = desk.workflow.report_incident(COMMENT, by=POSTER)

    note = outcome.incident.steps[0]
    assert note.done and note.done_by == POSTER
    assert len(outcome.incident.open_steps) == 4


def test_incident_is_filed_under_the_post_its_link_belongs_to(desk):
    number = desk.published("https://www.facebook.com/cisa2k/posts/7")

    by_link = desk.workflow.report_incident(COMMENT, by=POSTER)
    by_number = desk.workflow.report_incident("https://x.com/troll/status/5", by=POSTER,
                                              number=number)
    unattached = desk.workflow.report_incident("https://x.com/troll/status/6", by=POSTER)

    assert by_link.incident.post_number == number == by_number.incident.post_number
    assert unattached.incident.post_number is None
    assert desk.workflow.report_incident(COMMENT, by=POSTER, number=77).code is Code.UNKNOWN_POST


@pytest.mark.parametrize(("published", "comment"), [
    ("https://www.facebook.com/cisa2k/posts/7", "https://m.facebook.com/cisa2k/posts/7/?comment_id=9"),
    ("https://www.facebook.com/cisa2k/posts/7/?mibextid=abc",
     "https://facebook.com/cisa2k/posts/7?comment_id=9&reply_comment_id=10"),
    ("https://www.facebook.com/permalink.php?story_fbid=71&id=42",
     "https://www.facebook.com/permalink.php?story_fbid=71&id=42&comment_id=9"),
    ("https://www.instagram.com/p/C7abcDEF/?igsh=xyz", "https://www.instagram.com/p/C7abcDEF/c/1789/"),
    ("https://www.linkedin.com/feed/update/urn:li:activity:7200/",
     "https://www.linkedin.com/feed/update/urn:li:activity:7200?commentUrn=urn%3Ali%3Acomment"),
    ("https://youtu.be/dQw4w9WgXcQ?si=share", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=Ugx1"),
    ("https://twitter.com/cis_a2k/status/17", "https://x.com/cis_a2k/status/17?s=20"),
])
def test_a_comment_whose_link_names_its_post_is_filed_under_it(desk, published, comment):
    number = desk.published(published)

    outcome = desk.workflow.report_incident(comment, by=POSTER)

    assert outcome.incident.post_number == number
    assert f"under post {number}" in outcome.message


@pytest.mark.parametrize(("published", "comment"), [
    ("https://x.com/cis_a2k/status/17", "https://x.com/troll/status/18"),
    ("https://www.facebook.com/cisa2k/posts/7", "https://www.facebook.com/cisa2k/posts/8?comment_id=9"),
    ("https://www.facebook.com/cisa2k", "https://www.facebook.com/cisa2k/posts/8?comment_id=9"),
    ("https://www.facebook.com/permalink.php?story_fbid=71&id=42",
     "https://www.facebook.com/permalink.php?story_fbid=72&id=42&comment_id=9"),
    ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=other&lc=Ugx1"),
    ("https://www.instagram.com/p/C7abcDEF/", "https://www.facebook.com/p/C7abcDEF/"),
])
def test_a_comment_whose_link_does_not_name_a_post_is_tied_to_none(desk, published, comment):
    desk.published(published)

    outcome = desk.workflow.report_incident(comment, by=POSTER)

    assert outcome.incident.post_number is None
    assert "not tied to a post" in outcome.message and "incident N URL" in outcome.message


def test_the_closest_published_link_wins(desk):
    desk.published("https://www.facebook.com/cisa2k/posts")
    number = desk.published("https://www.facebook.com/cisa2k/posts/7")

    outcome = desk.workflow.report_incident(COMMENT, by=POSTER)

    assert outcome.incident.post_number == number


def test_each_step_can_be_marked_done_and_the_last_closes_it(desk):
    incident_id = desk.workflow.report_incident(COMMENT, by=POSTER).incident.id

    outcomes = [desk.workflow.mark_incident_step(incident_id, step, by=ANA, note=note)
                for step, note in (("check", ""), ("hide", "hidden on Facebook"),
                                   ("4", "apologised by DM"), ("email", "ravi@example.org"))]

    assert [o.code for o in outcomes] == [Code.STEP_DONE] * 3 + [Code.INCIDENT_CLOSED]
    incident = desk.workflow.incident(incident_id)
    assert incident.closed_at is not None and incident.open_steps == ()
    assert len(desk.port.of("update_incident_message")) == 4
    assert incident.steps[2].note == "hidden on Facebook"


def test_a_step_already_done_changes_nothing(desk):
    incident_id = desk.workflow.report_incident(COMMENT, by=POSTER).incident.id
    desk.workflow.mark_incident_step(incident_id, "hide", by=ANA)

    again = desk.workflow.mark_incident_step(incident_id, "hide", by=BEN)

    assert again.code is Code.NOTHING_CHANGED and "U-ana" in again.message


def test_steps_are_found_by_number_key_or_alias():
    assert find_step("3") is find_step("hide") is find_step("HIDDEN") is CHECKLIST[2]
    assert find_step("apologize") is CHECKLIST[3]
    assert find_step("6") is None and find_step("dance") is None


def test_unknown_step_incident_or_outsider_change_nothing(desk):
    incident_id = desk.workflow.report_incident(COMMENT, by=POSTER).incident.id

    unknown_step = desk.workflow.mark_incident_step(incident_id, "dance", by=ANA)
    assert unknown_step.code is Code.UNKNOWN_STEP and "3 hide" in unknown_step.message
    assert desk.workflow.mark_incident_step(99, "hide", by=ANA).code is Code.UNKNOWN_INCIDENT
    assert desk.workflow.mark_incident_step(incident_id, "hide", by=OUTSIDER).code \
        is Code.NOT_ALLOWED


def test_an_incident_needs_a_link(desk):
    outcome = desk.workflow.report_incident("under our last post", by=POSTER)

    assert outcome.code is Code.BAD_INPUT and "comment's full address" in outcome.message
