"""The report (Learning Pattern material), retention, and their commands."""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, datetime

import pytest

from chatbot import cli_workflow
from chatbot.workflow.report import (
    ReportError,
    build_report,
    parse_date,
    render_csv,
    render_markdown,
)
from chatbot.workflow.retention import purge
from tests.desk import ANA, BEN, POSTER, Desk, draft, finding, verdict

HOUR, DAY = 3600, 86400
MAY_1 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def desk(tmp_path):
    from chatbot.workflow.clock import ManualClock

    desk = Desk(tmp_path / "checkpost.db", clock=ManualClock(MAY_1))
    yield desk
    desk.close()


def a_month_of_posts(desk):
    """Post 1: approved after 2 h, published, metrics twice, an incident, a late reminder.
    Post 2: error finding, revised, approved after 30 min. Post 3: withdrawn, next day."""
    workflow = desk.workflow
    one = desk.submit(finding("snark", "warning"), text="Edit-a-thon at Pune on Saturday!")
    desk.clock.advance(2 * HOUR)
    workflow.approve(one, by=ANA)
    workflow.publish(one, "https://x.com/cis_a2k/status/1", by=POSTER)
    desk.scheduler.run_due()
    workflow.record_metrics(one, "likes=10 reposts=2 replies=1", by=POSTER)
    desk.restart(after=DAY + HOUR)  # the +1h reminder is missed, the +24h one too
    desk.scheduler.run_due()
    workflow = desk.workflow
    workflow.record_metrics(one, "likes=40 reposts=9 replies=5 views=1.2k major: press coverage",
                      by=POSTER)
    workflow.report_incident("https://x.com/troll/status/9", by=POSTER, number=one, notes="slur")

    two = desk.submit(finding("product-endorsement", "error"), finding("snark", "warning"))
    workflow.revise(two, draft("Without the brand"), verdict(finding("snark", "warning")), by=POSTER)
    desk.clock.advance(HOUR // 2)
    workflow.approve(two, by=BEN)

    desk.clock.advance(DAY)
    three = desk.submit()
    workflow.withdraw(three, by=POSTER, reason="event cancelled")
    return one, two, three


def test_report_gives_each_post_with_link_text_account_findings_approvers_metrics_incidents(desk):
    one, two, _ = a_month_of_posts(desk)

    report = build_report(desk.store, now=desk.clock.now())
    md = render_markdown(report)

    first = report.posts[0]
    assert first.post.number == one and first.approvers == ("U-ana",)
    assert first.hours_to_approval == 2
    assert [m.numbers["likes"] for m in first.metrics] == [10, 40]
    assert first.metrics[1].major and first.incidents[0].notes == "slur"
    assert "### Post 1 — published (official account)" in md
    assert "https://x.com/cis_a2k/status/1" in md and "> Edit-a-thon at Pune on Saturday!" in md
    assert "Approved by U-ana after 2 h 0 min" in md
    assert "| 1200 |" in md and "**major: press coverage**" in md
    assert "Incident 1" in md and "1 of 5 checklist steps done" in md
    assert "warning · snark" in md
    assert report.posts[1].post.number == two and len(report.posts[1].post.versions) == 2


def test_report_totals_posts_approval_times_findings_by_label_and_late_reminders(desk):
    a_month_of_posts(desk)

    totals = build_report(desk.store, now=desk.clock.now()).totals
    md = render_markdown(build_report(desk.store, now=desk.clock.now()))

    assert totals.posts == 3
    assert totals.by_state == {"published": 1, "approved": 1, "withdrawn": 1}
    assert totals.median_hours_to_approval == pytest.approx(1.25)  # 2 h and 30 min
    assert totals.findings_all_versions == {"snark": 3, "product-endorsement": 1}
    assert totals.findings_final == {"snark": 2}
    assert (totals.reminders_sent, totals.reminders_late) == (3, 2)
    assert "median 1 h 15 min over 2 approved post(s)" in md
    assert "| product-endorsement | 1 | 0 |" in md
    assert "Reminders sent: 3, of them late: 2" in md


def test_every_incident_is_counted_and_those_under_no_post_of_the_report_are_listed(desk):
    a_month_of_posts(desk)
    workflow = desk.workflow
    workflow.report_incident("https://x.com/troll/status/10", by=POSTER, notes="no post named")
    desk.clock.advance(DAY)
    later = desk.submit()
    workflow.report_incident("https://x.com/troll/status/11", by=POSTER, number=1, notes="old post")
    workflow.report_incident("https://x.com/troll/status/12", by=POSTER, number=later)

    everything = build_report(desk.store)
    md = render_markdown(everything)
    assert everything.totals.incidents == 4 and everything.totals.incidents_on_their_own == 1
    assert "- Incidents (hateful comments): 4 (1 not under a post of this report" in md
    assert "## Incidents not under a post of this report" in md
    assert "Incident 2 " in md and "https://x.com/troll/status/10 — not tied to a post" in md

    since = desk.clock.now() - HOUR
    period = build_report(desk.store, since)
    md = render_markdown(period)
    assert [p.post.number for p in period.posts] == [later]
    assert period.totals.incidents == 2 and [i.id for i in period.other_incidents] == [3]
    assert "under post 1, submitted outside this period" in md and "old post" in md


def test_a_report_with_no_incidents_says_so_without_a_section(desk):
    desk.submit()
    md = render_markdown(build_report(desk.store))
    assert "- Incidents (hateful comments): 0\n" in md and "## Incidents not" not in md


def test_report_covers_the_posts_submitted_between_since_and_until(desk):
    a_month_of_posts(desk)

    may_1 = build_report(desk.store, parse_date("2024-05-01"), parse_date("2024-05-01", end=True))
    later = build_report(desk.store, parse_date("2024-05-03T00:00"))

    assert [p.post.number for p in may_1.posts] == [1]
    assert [p.post.number for p in later.posts] == [3]


def test_report_dates_that_are_not_dates_say_what_to_write():
    with pytest.raises(ReportError, match="YYYY-MM-DD"):
        parse_date("last tuesday")


def test_report_csv_has_one_row_per_post_with_latest_metrics_and_history(desk):
    a_month_of_posts(desk)

    rows = list(csv.DictReader(io.StringIO(render_csv(build_report(desk.store)))))

    assert [r["post"] for r in rows] == ["1", "2", "3"]
    first = rows[0]
    assert (first["likes"], first["views"], first["approvers"]) == ("40", "1200", "U-ana")
    assert first["hours_to_approval"] == "2.0" and first["reminders_late"] == "2"
    assert "likes=10" in first["metrics_history"] and "likes=40" in first["metrics_history"]
    assert first["x_url"] == "https://x.com/cis_a2k/status/1"
    assert first["facebook_url"] == "" and rows[1]["x_url"] == ""
    assert rows[1]["findings"] == "warning:snark:snark-test"


def test_report_csv_gives_each_published_link_its_own_cell_as_a_bare_url(desk):
    number = desk.published("https://x.com/cis_a2k/status/1")
    desk.workflow.publish(number, "https://m.facebook.com/cisa2k/posts/7", by=POSTER)
    desk.workflow.publish(number, "https://diff.wikimedia.org/2024/05/01/edit-a-thon/",
                          by=POSTER)
    desk.submit()

    text = render_csv(build_report(desk.store))
    header, *rows = list(csv.reader(io.StringIO(text)))

    assert header.index("x_url") < header.index("facebook_url") < header.index(
        "diff.wikimedia.org_url") < header.index("findings")
    published = dict(zip(header, rows[0], strict=True))
    assert published["x_url"] == "https://x.com/cis_a2k/status/1"
    assert published["facebook_url"] == "https://m.facebook.com/cisa2k/posts/7"
    assert published["diff.wikimedia.org_url"] == (
        "https://diff.wikimedia.org/2024/05/01/edit-a-thon/")
    assert all(cell == "" or " " not in cell for name, cell in published.items()
               if name.endswith("_url"))
    assert dict(zip(header, rows[1], strict=True))["x_url"] == ""


def test_report_csv_never_hands_a_spreadsheet_a_formula(desk):
    """A draft is text people wrote; a cell that starts like a formula is kept as text."""
    desk.submit(text='=HYPERLINK("https://evil.example/x","Open the report")')
    desk.submit(text="@SUM(1+1) volunteers joined")
    desk.submit(text="-2 hours left to join the edit-a-thon")

    rows = list(csv.DictReader(io.StringIO(render_csv(build_report(desk.store)))))

    assert [r["text"] for r in rows] == ["'=HYPERLINK(\"https://evil.example/x\",\"Open the report\")",
                                         "'@SUM(1+1) volunteers joined",
                                         "'-2 hours left to join the edit-a-thon"]
    assert rows[0]["post"] == "1" and rows[0]["state"] == "pending-approval"


def test_report_csv_keeps_its_network_columns_when_nothing_is_published(desk):
    desk.submit()
    header = next(csv.reader(io.StringIO(render_csv(build_report(desk.store)))))
    assert {"x_url", "facebook_url", "instagram_url", "linkedin_url", "youtube_url"} <= set(header)
    assert "links" not in header


def test_purge_removes_draft_texts_of_old_posts_and_keeps_the_numbers(desk):
    one, two, three = a_month_of_posts(desk)
    desk.clock.advance(90 * DAY)
    desk.workflow.record_metrics(one, "likes=50", by=POSTER)  # post 1 is still in use
    desk.clock.advance(100 * DAY)

    result = purge(desk.store, 180 * DAY, now=desk.clock.now(), by=POSTER)

    assert result.posts == (two, three) and result.incidents == 1  # its own age counts
    purged = desk.workflow.post(two)
    assert all(v.purged and v.draft.text == "" and v.draft.context == "" for v in purged.versions)
    assert purged.current.verdict.findings[0].label == "snark"  # the numbers stay
    assert purged.approvals[0].voter == BEN and purged.purged_at == desk.clock.now()
    assert desk.workflow.post(one).current.draft.text == "Edit-a-thon at Pune on Saturday!"
    assert "removed by the retention policy" in render_markdown(build_report(desk.store))
    assert [e.why for e in desk.workflow.history(two) if e.action == "submitted"] == [""]
    assert desk.workflow.history(two)[-1].action == "purged"


def test_purge_forgets_old_requests_as_slack_sent_them_and_old_jobs(desk):
    desk.store.accept("slack:command:old", "command", {"text": "Our ZenTab draft"},
                      desk.clock.now())
    desk.workflow.submit(draft("Our ZenTab draft"), verdict(), poster=POSTER,
                         key="slack:command:old")
    desk.clock.advance(200 * DAY)
    desk.store.accept("slack:command:new", "command", {"text": "waiting"}, desk.clock.now())

    purge(desk.store, 180 * DAY, now=desk.clock.now(), by=POSTER)

    assert desk.store.inbox_entry("slack:command:old") is None
    assert desk.store.inbox_entry("slack:command:new") is not None  # not done: kept
    jobs = desk.store.db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
    assert jobs == 0


def test_purge_dry_run_changes_nothing(desk):
    a_month_of_posts(desk)
    desk.clock.advance(365 * DAY)

    result = purge(desk.store, 180 * DAY, now=desk.clock.now(), by=POSTER, dry_run=True)

    assert len(result.posts) == 3
    assert desk.workflow.post(1).current.draft.text


# --- the commands --------------------------------------------------------------------------

def run(argv, monkeypatch, tmp_path, env=None):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    parser = argparse.ArgumentParser(prog="chatbot")
    cli_workflow.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_report_command_reads_checkpost_db_and_writes_markdown(desk, tmp_path, monkeypatch,
                                                               capsys):
    a_month_of_posts(desk)

    code = run(["report", "--since", "2024-05-01", "--until", "2024-05-31"], monkeypatch,
               tmp_path, env={"CHECKPOST_DB": str(desk.path)})

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("# checkpost report") and "### Post 3" in out


def test_report_command_writes_csv_to_a_file(desk, tmp_path, monkeypatch):
    a_month_of_posts(desk)

    code = run(["report", "--format", "csv", "--db", str(desk.path), "-o", "out.csv"],
               monkeypatch, tmp_path)

    assert code == 0
    assert (tmp_path / "out.csv").read_text().startswith("post,submitted_at,")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["report", "--since", "May"], "YYYY-MM-DD"),
        (["report", "--since", "2024-06-01", "--until", "2024-05-01"], "not before"),
        (["purge", "--older-than", "half a year"], "not an age"),
    ],
)
def test_commands_answer_bad_options_with_exit_2(desk, argv, says, tmp_path, monkeypatch,
                                                 capsys):
    code = run([*argv, "--db", str(desk.path)], monkeypatch, tmp_path)

    assert code == 2 and says in capsys.readouterr().err


def test_commands_refuse_a_missing_database_with_exit_2(tmp_path, monkeypatch, capsys):
    code = run(["report"], monkeypatch, tmp_path, env={"CHECKPOST_DB": "nowhere.db"})

    assert code == 2
    assert "no checkpost database at nowhere.db" in capsys.readouterr().err
    assert not (tmp_path / "nowhere.db").exists()


def test_purge_command_removes_old_texts(desk, tmp_path, monkeypatch, capsys):
    a_month_of_posts(desk)  # in May 2024: older than 180 days by now

    code = run(["purge", "--older-than", "180d", "--db", str(desk.path)], monkeypatch, tmp_path)

    assert code == 0
    assert "Removed the draft texts of 3 post(s)" in capsys.readouterr().out
    assert desk.workflow.post(1).current.purged
