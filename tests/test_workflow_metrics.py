"""Metrics: the shared syntax, and who may record them when."""

from __future__ import annotations

import pytest

from chatbot.workflow import Code, Metrics, MetricsError, parse_metrics
from tests.desk import ANA, OUTSIDER, POSTER


def test_metrics_line_gives_numbers_then_notes():
    metrics = parse_metrics("likes=12 reposts=3 replies=4 views=900 the ministry replied, kindly")

    assert metrics == Metrics(likes=12, reposts=3, replies=4, views=900,
                              notes="the ministry replied, kindly")
    assert not metrics.major


def test_metrics_accept_common_names_and_readable_numbers():
    metrics = parse_metrics("retweets=1,200 comments=7 impressions=1.5k reach=2m")

    assert (metrics.reposts, metrics.replies, metrics.views, metrics.reach) == (
        1200, 7, 1500, 2_000_000)


def test_platform_names_the_link_of_a_cross_post():
    assert parse_metrics("platform=X likes=5").network == "x"
    assert parse_metrics("network=Bluesky likes=5").network == "bluesky"


def test_a_note_starting_with_major_is_a_major_reaction():
    assert parse_metrics("likes=40 major: an angry thread from a fan club").major
    assert parse_metrics("Major reaction - the press picked it up").major
    assert not parse_metrics("likes=4 no major problems").major


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("lieks=12", "did you mean likes?"),
        ("likes=many", "whole number such as 12"),
        ("likes=-3", "whole number"),
        ("likes=3 likes=4", "given twice"),
        ("likes=2.5", "no decimals"),
        ("", "nothing to record"),
        ("platform= likes=2", "platform= needs a name"),
    ],
)
def test_bad_metrics_syntax_says_what_to_write(line, says):
    with pytest.raises(MetricsError, match=says):
        parse_metrics(line)


def test_poster_or_comms_record_metrics_any_time_several_times(desk):
    number = desk.published()

    first = desk.workflow.record_metrics(number, "likes=10 reposts=2", by=POSTER)
    desk.clock.advance(86400)
    second = desk.workflow.record_metrics(number, "likes=25 replies=6 good feedback", by=ANA)

    assert first.code is second.code is Code.METRICS_RECORDED
    rows = list(desk.store.db.query("SELECT likes, replies, notes, at FROM metrics ORDER BY id"))
    assert [(r["likes"], r["replies"], r["notes"]) for r in rows] == [
        (10, None, ""), (25, 6, "good feedback")]
    assert rows[1]["at"] - rows[0]["at"] == 86400


def test_only_the_poster_or_comms_record_metrics(desk):
    number = desk.published()

    assert desk.workflow.record_metrics(number, "likes=1", by=OUTSIDER).code is Code.NOT_ALLOWED


def test_metrics_wait_until_the_post_is_published(desk):
    number = desk.approved()

    outcome = desk.workflow.record_metrics(number, "likes=1", by=POSTER)

    assert outcome.code is Code.NOT_PUBLISHED and f"published {number} URL" in outcome.message


def test_major_reaction_note_alerts_comms(desk):
    number = desk.published()

    outcome = desk.workflow.record_metrics(
        number, "replies=80 major: a fan club is attacking another user", by=POSTER)

    assert "alerted" in outcome.message
    ((notice,),) = desk.port.of("alert_comms")
    assert notice.kind == "major-reaction" and "fan club" in notice.text
    assert notice.url == "https://x.com/cis_a2k/status/1"


def test_bad_metrics_syntax_is_answered_with_the_right_form(desk):
    number = desk.published()

    outcome = desk.workflow.record_metrics(number, "likse=3", by=POSTER)

    assert not outcome.ok and outcome.code is Code.BAD_INPUT
    assert "did you mean likes?" in outcome.message


def test_metrics_for_a_cross_posted_link_go_to_that_link(desk):
    number = desk.published()
    desk.workflow.publish(number, "https://facebook.com/cisa2k/posts/2", by=POSTER)

    ok = desk.workflow.record_metrics(number, "platform=facebook likes=9", by=POSTER)
    missing = desk.workflow.record_metrics(number, "platform=instagram likes=9", by=POSTER)

    assert ok.ok and missing.code is Code.BAD_INPUT and "x, facebook" in missing.message
    (row,) = desk.store.db.query("SELECT l.network FROM metrics m JOIN links l ON l.id = m.link")
    assert row["network"] == "facebook"
