"""The Learning Pattern, ready to paste: wikitext that parses, filled with the period's facts,
and the chart beside it."""

from __future__ import annotations

import itertools
import struct
import sys

import mwparserfromhell
import pytest

from chatbot.workflow.clock import ManualClock
from chatbot.workflow.learning_pattern import INFOBOX, SECTIONS, render_wikitext
from chatbot.workflow.report import ReportError, build_report
from tests.desk import POSTER, Desk, finding
from tests.test_report import DAY, MAY_1, a_month_of_posts, run

HOSTILE = ("Thanks |} {{delete}} [[Category:Spam]] ''bold'' ~~~~ </nowiki> <script>x</script>\n"
           "* not a list\n== not a heading ==\n{| class=\"wikitable\"")


@pytest.fixture
def desk(tmp_path):
    desk = Desk(tmp_path / "checkpost.db", clock=ManualClock(MAY_1))
    yield desk
    desk.close()


def wikitext(desk, **kwargs) -> tuple[str, mwparserfromhell.wikicode.Wikicode]:
    text = render_wikitext(build_report(desk.store, now=desk.clock.now()), **kwargs)
    return text, mwparserfromhell.parse(text)


def test_the_page_opens_with_the_learning_pattern_infobox_and_has_its_sections(desk):
    a_month_of_posts(desk)
    text, code = wikitext(desk)

    infobox = code.filter_templates(recursive=False)[0]
    assert str(infobox.name).strip() == INFOBOX and text.startswith("{{" + INFOBOX)
    assert [str(p.name) for p in infobox.params] == [
        "problem", "solution", "creator", "endorse", "image"]
    assert "median time to approval 1 h 15 min" in str(infobox.get("solution").value)
    top = [str(h.title) for h in code.filter_headings() if h.level == 2]
    assert top == list(SECTIONS)
    assert "Related patterns" in [str(h.title) for h in code.filter_headings() if h.level == 3]
    assert "[[Category:Learning patterns]]" in text


def test_every_table_parses_as_a_table_and_nothing_calls_a_template(desk):
    a_month_of_posts(desk)
    text, code = wikitext(desk)

    tables = [t for t in code.filter_tags() if t.tag == "table"]
    assert len(tables) == text.count("\n{|") == 3  # findings, posts, post 1's metrics
    assert len(code.filter_templates()) == 1


def test_it_is_filled_with_the_periods_posts_links_approvals_findings_metrics_and_incidents(desk):
    _, two, _ = a_month_of_posts(desk)
    text, code = wikitext(desk)

    links = {str(link.url) for link in code.filter_external_links()}
    assert {"https://x.com/cis_a2k/status/1", "https://x.com/troll/status/9"} <= links
    assert "| <nowiki>snark</nowiki> || <nowiki>Do not post “snarky” or in unfriendly tones" \
           "</nowiki> || 3 || 2" in text
    assert "* Time from submission to approval: median 1 h 15 min over 2 approved post(s)" in text
    assert "* Approved after 2 h 0 min" in text
    assert "| 2024-05-02 || <nowiki>x</nowiki> || 40 || 9 || 5 || 1200 ||  || " \
           "'''<nowiki>major: press coverage</nowiki>'''" in text
    assert "* Post 1, 2024-05-02: <nowiki>major: press coverage</nowiki>" in text
    assert "under post 1: [https://x.com/troll/status/9 <nowiki>the comment</nowiki>]; " \
           "1 of 5 checklist steps done; <nowiki>slur</nowiki>" in text
    assert f"post {two}: product-endorsement" in text  # cleared by the revision
    assert "* 2 of 3 reminders went out late." in text


def test_a_drafts_markup_stays_text_and_breaks_nothing(desk):
    desk.submit(finding("snark", "warning"), text=HOSTILE)
    desk.workflow.publish(1, "https://x.com/cis_a2k/status/7", by=POSTER)
    assert desk.workflow.record_metrics(1, "likes=3 |} {{x}} notes", by=POSTER).ok
    text, code = wikitext(desk)

    assert len(code.filter_templates()) == 1
    assert [str(link.title) for link in code.filter_wikilinks()
            if str(link.title).startswith("Category:")] == ["Category:Learning patterns"]
    assert [str(h.title) for h in code.filter_headings() if h.level == 2] == list(SECTIONS)
    tables = [t for t in code.filter_tags() if t.tag == "table"]
    assert len(tables) == 3  # findings, posts, post 1's metrics: the draft's `{|` is none
    assert "<script>" not in text and "&lt;/nowiki>" in text and "~~~~" in text
    assert "Thanks |} {{delete}}" in code.strip_code()


def test_until_keeps_the_page_to_the_period(desk):
    a_month_of_posts(desk)
    desk.clock.advance(40 * DAY)
    desk.submit(text="A post in June")
    report = build_report(desk.store, None, desk.clock.now() - 30 * DAY, now=desk.clock.now())

    text = render_wikitext(report)
    assert "A post in June" not in text and "====Post 3====" in text


def test_the_chart_is_linked_from_the_page_and_the_infobox(desk):
    a_month_of_posts(desk)
    text, code = wikitext(desk, chart="out/checkpost-2024-05.png")

    assert str(code.filter_templates()[0].get("image").value).strip() == "checkpost-2024-05.png"
    assert "[[File:checkpost-2024-05.png|thumb|" in text


# --- the chart -----------------------------------------------------------------------------

def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_chart_draws_a_panel_per_recorded_metric_and_the_findings(desk, tmp_path):
    pyplot = pytest.importorskip("matplotlib.pyplot")

    from chatbot.workflow import chart

    a_month_of_posts(desk)
    report = build_report(desk.store, now=desk.clock.now())
    seen = {}
    real_savefig = pyplot.Figure.savefig

    def keep(fig, *args, **kwargs):
        seen["titles"] = [ax.get_title() for ax in fig.axes if ax.get_visible()]
        seen["legends"] = [[t.get_text() for t in ax.get_legend().get_texts()]
                           for ax in fig.axes if ax.get_legend()]
        saved = real_savefig(fig, *args, **kwargs)  # tick labels are made as it draws
        seen["dates"] = [[t.get_text() for t in ax.get_xticklabels()]
                         for ax in fig.axes if ax.get_visible() and "over time" in ax.get_title()]
        return saved

    pyplot.Figure.savefig = keep
    try:
        path = chart.write_chart(report, tmp_path / "chart.png")
    finally:
        pyplot.Figure.savefig = real_savefig

    width, height = png_size(path)
    assert width >= 1200 and height >= 800
    assert seen["titles"] == ["Likes over time (ringed: a major reaction)",
                              "Reposts over time (ringed: a major reaction)",
                              "Replies over time (ringed: a major reaction)",
                              "Views over time (ringed: a major reaction)", "Findings by label"]
    assert ["Post 1 (x)"] in seen["legends"]
    assert ["every checked version", "final versions"] in seen["legends"]
    for ticks in seen["dates"]:  # a period of two days: no two ticks in a row read the same
        shown = [t for t in ticks if t]
        assert len(shown) >= 3 and all(a != b for a, b in itertools.pairwise(shown)), ticks


def test_a_period_without_metrics_or_findings_still_gets_a_chart(desk, tmp_path):
    pytest.importorskip("matplotlib")
    from chatbot.workflow.chart import write_chart

    desk.submit()
    path = write_chart(build_report(desk.store, now=desk.clock.now()), tmp_path / "empty.png")
    assert png_size(path)[0] > 0


def test_report_command_writes_the_wikitext_and_the_chart(desk, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    a_month_of_posts(desk)

    code = run(["report", "--format", "wikitext", "--since", "2024-05-01", "--until",
                "2024-05-31", "--chart", "lp.png", "-o", "lp.wiki", "--db", str(desk.path)],
               monkeypatch, tmp_path)

    assert code == 0
    page = (tmp_path / "lp.wiki").read_text(encoding="utf-8")
    assert "from 2024-05-01 to 2024-05-31" in page and "[[File:lp.png|thumb|" in page
    assert png_size(tmp_path / "lp.png")[0] >= 1200


def test_markdown_report_gains_the_chart(desk, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    a_month_of_posts(desk)

    code = run(["report", "--chart", "chart.png", "--db", str(desk.path)], monkeypatch, tmp_path)

    assert code == 0 and (tmp_path / "chart.png").is_file()
    assert "![Each post's metrics over time and the findings by label](chart.png)" in \
        capsys.readouterr().out


def test_a_chart_that_is_not_a_png_is_refused_with_exit_2(desk, tmp_path, monkeypatch, capsys):
    code = run(["report", "--chart", "chart.jpg", "--db", str(desk.path)], monkeypatch, tmp_path)

    assert code == 2 and "name it FILE.png" in capsys.readouterr().err


def test_without_matplotlib_the_chart_says_which_extra_to_install(desk, tmp_path, monkeypatch):
    from chatbot.workflow.chart import write_chart

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ReportError, match=r'pip install -e "\.\[chart\]"'):
        write_chart(build_report(desk.store), tmp_path / "c.png")
