"""Submit and route: a checked draft becomes post N and goes to the comms team."""

from __future__ import annotations

import pytest

from chatbot.config import load_settings
from chatbot.policy.model import MediaDeclaration
from chatbot.store import Store
from chatbot.workflow import Code, PostState, Workflow
from chatbot.workflow.people import Person, comms_from_settings
from tests.desk import POSTER, draft, finding, verdict
from tests.doubles import MemoryPort


def test_submitted_draft_becomes_a_post_with_everything_the_poster_gave(desk):
    media = (MediaDeclaration("own photo", "CC0"),)
    given = draft("Our Odia Wikisource proofreading sprint starts today.", account="personal",
                  context="Odia language day", media=media)
    checked = verdict(finding("media-license", "warning"), policy_version="cis-a2k@7")

    outcome = desk.workflow.submit(given, checked, poster=POSTER)

    assert outcome.ok and outcome.code is Code.SUBMITTED
    post = outcome.post
    assert post.number == 1 and post.state is PostState.PENDING
    assert post.poster == POSTER
    assert post.current.draft == given
    assert post.current.verdict == checked
    assert post.current.verdict.policy_version == "cis-a2k@7"
    assert "Post 1" in outcome.message and "media-license" in outcome.message


def test_post_numbers_are_short_and_count_up(desk):
    assert [desk.submit() for _ in range(3)] == [1, 2, 3]


def test_submission_is_shown_to_comms_and_poster_told_where_it_went(desk):
    number = desk.submit()

    (shown,) = desk.port.of("show_to_comms")
    assert shown[0].number == number
    ((person, notice),) = desk.port.of("tell")
    assert person == POSTER
    assert notice.kind == "submitted" and "#comms" in notice.text and "Post 1" in notice.text
    post = desk.workflow.post(number)
    assert post.current.comms_ref.id == "comms-1"
    assert desk.workflow.find_comms_message("comms-1") == (number, 1)


def test_empty_draft_is_refused(desk):
    outcome = desk.workflow.submit(draft("   "), verdict(), poster=POSTER)

    assert not outcome.ok and outcome.code is Code.BAD_INPUT
    assert desk.workflow.post(1) is None


def test_check_function_runs_for_a_new_event_and_not_for_its_duplicate(desk):
    calls = []

    def check(d):
        calls.append(d)
        return verdict()

    first = desk.workflow.submit(draft(), check, poster=POSTER, key="ev-1")
    again = desk.workflow.submit(draft(), check, poster=POSTER, key="ev-1")

    assert len(calls) == 1
    assert again.duplicate and again.post.number == first.post.number == 1
    assert desk.workflow.post(2) is None
    assert len(desk.port.of("show_to_comms")) == 1
    assert desk.workflow.recall("ev-1").post.number == 1  # e.g. to revise on an edit


def test_comms_unreachable_is_reported_and_the_post_kept(desk):
    desk.port.fail.add("show_to_comms")

    outcome = desk.workflow.submit(draft(), verdict(), poster=POSTER)

    assert outcome.ok and outcome.delivery_errors
    assert "show the post to comms" in outcome.delivery_errors[0]
    assert desk.workflow.post(1).state is PostState.PENDING


def test_comms_list_comes_from_both_platforms_settings(tmp_path):
    settings = load_settings({"CHECKPOST_SLACK_COMMS_USERS": "U1, U2",
                              "CHECKPOST_MATRIX_COMMS_USERS": "@ana:example.org",
                              "CHECKPOST_APPROVALS_REQUIRED": "2",
                              "CHECKPOST_REMINDERS": "2s,5s"})
    assert comms_from_settings(settings) == {
        Person("slack", "U1"), Person("slack", "U2"), Person("matrix", "@ana:example.org")}
    with Store(tmp_path / "c.db") as store:
        workflow = Workflow.from_settings(settings, store, MemoryPort("slack"))
        assert workflow.approvals_required == 2
        assert workflow.reminder_offsets == (2, 5)
        assert workflow.is_comms("matrix:@ana:example.org")


def test_person_ids_keep_colons_of_matrix_ids():
    person = Person.parse("matrix:@ana:example.org")
    assert person == Person("matrix", "@ana:example.org")
    assert str(person) == "matrix:@ana:example.org"
    with pytest.raises(ValueError, match="platform:id"):
        Person.parse("U123")
