"""A Learning Pattern draft for Meta-Wiki, in wikitext, from a period's report.

The policy asks that "Periodic case studies with links, screenshots and metrics are to be
documented as Learning Patterns". A learning pattern page on Meta-Wiki opens with the
learning pattern infobox (problem, solution, creator, endorse, image) and has the sections
"What problem does this solve?", "What is the solution?", "Things to consider", "When to use",
"Endorsements" and "See also" (with "Related patterns"); this fills them with the period's
facts: the posts and their links, approval times, findings by label, metrics over time, major
reactions and incidents. What only people know (what worked, what to do differently, who
endorses it) is left as comments for them to write.

Everything that came from a person (draft texts, notes, URLs, names) is escaped: wrapped in
`<nowiki>` with its own `<` written as `&lt;`, so a draft that contains `|}`, `{{`, `[[`,
`~~~~` or `</nowiki>` stays text and cannot break a table or call a template.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from chatbot.review.labels import POLICY_LINES
from chatbot.workflow.metrics import METRIC_NAMES
from chatbot.workflow.report import PostReport, Report, Totals, duration

POLICY_PAGE = "CIS-A2K/Media Strategy/Best Practices"
INFOBOX = "learning pattern"
CATEGORY = "Learning patterns"
SECTIONS = ("What problem does this solve?", "What is the solution?", "Things to consider",
            "When to use", "Endorsements", "See also")
_SAFE_URL = re.compile(r"https?://[^\s\[\]<>\"{}|]+")


def render_wikitext(report: Report, *, chart: str = "") -> str:
    """The page's wikitext; `chart` is the file name of the chart on Commons, if any."""
    t = report.totals
    out = [
        f"{{{{{INFOBOX}",
        f"|problem={_problem_summary(t)}",
        f"|solution={_solution_summary(t)}",
        "|creator=",
        "|endorse=",
        f"|image={_file_name(chart) if chart else ''}",
        "}}",
        f"<!-- A draft written by checkpost on {_day(report.generated_at)} from the posts "
        f"submitted {_period(report)}. Add the creator (your user name), what the numbers "
        "cannot say and the chart's file on Commons, then remove this comment. -->",
        "",
        f"=={SECTIONS[0]}==",
        "Staff and volunteers post for CIS-A2K on X, Facebook, Instagram and other networks. "
        f"The [[{POLICY_PAGE}|media strategy's best practices]] ask that nothing goes out that "
        "endorses a product or a candidate, argues with other accounts, is sarcastic or "
        "unfriendly, or uses media without a free licence, and that each post is watched "
        "after it goes up, measured, and documented in periodic case studies with links, "
        "screenshots and metrics. Doing all of that by hand is easy to forget.",
        "",
        f"In this period ({_period(report)}) the checks found these in drafts before they went "
        "out:",
        "",
        *_findings_table(t),
        "",
        f"=={SECTIONS[1]}==",
        "Every draft was checked against the policy's lines before posting, sent to the "
        "communications team for approval, and its poster was reminded after publishing to "
        "watch the reactions and record the metrics.",
        "",
        *_totals_list(report),
        "",
        "===Posts===",
        "",
        *_posts_table(report.posts),
    ]
    if chart:
        out += ["", f"[[File:{_file_name(chart)}|thumb|upright=2.2|Each post's metrics over "
                "time and the findings by label, "
                f"{_nowiki(_period(report))}]]"]
    for facts in report.posts:
        out += ["", *_post_section(facts)]
    out += ["", "===Major reactions===", "", *_major_reactions(report.posts)]
    out += ["", "===Incidents===", "", *_incidents(report)]
    out += [
        "",
        f"=={SECTIONS[2]}==",
        *_considerations(report),
        "<!-- What worked, what did not, what to do differently next time. -->",
        "",
        f"=={SECTIONS[3]}==",
        "* When an organisation's staff post on its social-media accounts and it has a "
        "written policy for what they post.",
        "* When a communications team approves posts before they go out and wants the "
        "approvals, metrics and incidents of a period in one place.",
        "",
        f"=={SECTIONS[4]}==",
        "<!-- Endorse this pattern: add a line starting with # and sign it with four tildes. -->",
        "",
        f"=={SECTIONS[5]}==",
        f"* [[{POLICY_PAGE}]]",
        "",
        "===Related patterns===",
        "<!-- Other learning patterns about social media, outreach or reporting. -->",
        "",
        f"[[Category:{CATEGORY}]]",
    ]
    return "\n".join(out) + "\n"


# --- the summary in the infobox -----------------------------------------------------------


def _problem_summary(t: Totals) -> str:
    return ("Posts on an organisation's social-media accounts must keep to its policy, and "
            "the policy asks for case studies with links and metrics; "
            f"this period had {t.posts} post(s).")


def _solution_summary(t: Totals) -> str:
    median = t.median_hours_to_approval
    approval = (f"median time to approval {duration(median)}" if median is not None
                else "no post approved")
    return ("Check each draft against the policy before it goes out, have the communications "
            f"team approve it, then track its metrics and incidents ({approval}; "
            f"{t.incidents} incident(s)).")


# --- the facts ----------------------------------------------------------------------------


def _findings_table(t: Totals) -> list[str]:
    labels = [label for label in (*POLICY_LINES, *sorted(set(t.findings_all_versions)
                                                           - set(POLICY_LINES)))
              if t.findings_all_versions.get(label)]
    if not labels:
        return ["No findings: every draft of the period kept to the policy as far as the checks "
                "could tell."]
    out = ['{| class="wikitable sortable"',
           "! Label !! Policy line !! In every checked version !! In the final versions"]
    for label in labels:
        line = POLICY_LINES.get(label, "")
        out += ["|-", f"| {_nowiki(label)} || {_nowiki(line) if line else '—'} "
                f"|| {t.findings_all_versions.get(label, 0)} || {t.findings_final.get(label, 0)}"]
    out.append("|}")
    return out


def _totals_list(report: Report) -> list[str]:
    t = report.totals
    states = ", ".join(f"{count} {state}" for state, count in sorted(t.by_state.items()))
    median = t.median_hours_to_approval
    return [
        f"* Posts submitted: {t.posts}" + (f" ({states})" if states else ""),
        "* Time from submission to approval: " + (
            f"median {duration(median)} over {len(t.approval_hours)} approved post(s)"
            if median is not None else "no approved posts"),
        f"* Published without approval: {t.published_unapproved}",
        f"* Reminders sent: {t.reminders_sent}, of them late: {t.reminders_late}",
        f"* Incidents (hateful comments): {t.incidents}",
    ]


def _posts_table(posts: tuple[PostReport, ...]) -> list[str]:
    if not posts:
        return ["No posts were submitted in this period."]
    out = ['{| class="wikitable sortable"',
           "! Post !! Account !! State !! Published !! Time to approval !! Findings (final) !! "
           + " !! ".join(name.capitalize() for name in METRIC_NAMES)]
    for facts in posts:
        latest = _latest(facts)
        links = "<br />".join(_link(link.url, link.network) for link in facts.post.links) or "—"
        findings = ", ".join(_nowiki(f.label) for f in facts.post.current.verdict.findings) or "—"
        approval = duration(facts.hours_to_approval) if facts.hours_to_approval is not None else "—"
        number = facts.post.number
        cells = [f"[[#Post {number}|{number}]]", facts.post.current.draft.account,
                 str(facts.post.state), links, approval, findings,
                 *(str(latest.get(name, "")) for name in METRIC_NAMES)]
        out += ["|-", "| " + " || ".join(cells)]
    out.append("|}")
    return out


def _post_section(facts: PostReport) -> list[str]:
    post, current = facts.post, facts.post.current
    out = [f"====Post {post.number}====",
           f"* Submitted {_day(post.created_at)} ({current.draft.account} account), "
           f"{len(post.versions)} version(s); {post.state}"]
    for link in post.links:
        out.append(f"* Published on {_nowiki(link.network)} {_day(link.published_at)}: "
                   f"{_link(link.url, link.url)}"
                   + ("" if link.approved else " (without the communications team's approval)"))
    if facts.hours_to_approval is not None:
        out.append(f"* Approved after {duration(facts.hours_to_approval)}")
    if post.override:
        out.append("* Error findings overridden: "
                   f"“{_nowiki(post.override.override_reason)}”")
    if current.draft.context:
        out.append(f"* Context: {_nowiki(current.draft.context)}")
    for f in current.verdict.findings:
        out.append(f"* Finding: {f.level}, {_nowiki(f.label)}: {_nowiki(f.message)}")
    if current.purged:
        out.append("''The text was removed by the retention policy; the numbers are kept.''")
    else:
        out.append("<blockquote>" + _nowiki_lines(current.draft.text) + "</blockquote>")
    if facts.metrics:
        out += ['{| class="wikitable"',
                "! When !! Network !! " + " !! ".join(n.capitalize() for n in METRIC_NAMES)
                + " !! Notes"]
        for m in facts.metrics:
            notes = _nowiki(m.notes)
            out += ["|-", "| " + " || ".join([
                _day(m.at), _nowiki(m.network) or "—",
                *(str(m.numbers.get(n, "")) for n in METRIC_NAMES),
                f"'''{notes}'''" if m.major else notes])]
        out.append("|}")
    return out


def _major_reactions(posts: tuple[PostReport, ...]) -> list[str]:
    lines = [f"* Post {facts.post.number}, {_day(m.at)}: {_nowiki(m.notes)}"
             for facts in posts for m in facts.metrics if m.major]
    return lines or ["None were recorded."]


def _incidents(report: Report) -> list[str]:
    lines = []
    for facts in report.posts:
        lines += [_incident(i, f"under post {facts.post.number}") for i in facts.incidents]
    for i in report.other_incidents:
        lines.append(_incident(i, f"under post {i.post_number}, submitted outside this period"
                               if i.post_number else "not tied to a post"))
    return lines or ["None were reported."]


def _incident(incident, where: str) -> str:
    done = sum(s.done for s in incident.steps)
    return (f"* Incident {incident.id}, {_day(incident.created_at)}, {where}: "
            f"{_link(incident.link, 'the comment')}; {done} of {len(incident.steps)} "
            "checklist steps done" + (f"; {_nowiki(incident.notes)}" if incident.notes else ""))


def _considerations(report: Report) -> list[str]:
    t = report.totals
    out = []
    overridden = [facts.post.number for facts in report.posts if facts.post.override]
    if overridden:
        out.append(f"* {len(overridden)} post(s) went ahead with an error finding overridden "
                   f"by the communications team (post {', '.join(map(str, overridden))}).")
    if t.published_unapproved:
        out.append(f"* {t.published_unapproved} post(s) were published before they were "
                   "approved.")
    if t.reminders_late:
        out.append(f"* {t.reminders_late} of {t.reminders_sent} reminders went out late.")
    fixed = _fixed_by_revision(report)
    if fixed:
        out.append("* Revising the draft cleared these before the post went out: "
                   + "; ".join(f"post {number}: {', '.join(labels)}" for number, labels in fixed)
                   + ".")
    return out


def _fixed_by_revision(report: Report) -> list[tuple[int, list[str]]]:
    """Each revised post with the labels its earlier versions had and its final one has not."""
    fixed = []
    for facts in report.posts:
        earlier = {f.label for v in facts.post.versions[:-1] for f in v.verdict.findings}
        gone = sorted(earlier - facts.post.current.verdict.labels)
        if gone:
            fixed.append((facts.post.number, gone))
    return fixed


# --- wikitext helpers ---------------------------------------------------------------------


def _nowiki(text: str) -> str:
    """`text` shown as it is: no markup in it works, and `</nowiki>` cannot end the escape."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return "<nowiki>" + flat.replace("&", "&amp;").replace("<", "&lt;") + "</nowiki>"


def _nowiki_lines(text: str) -> str:
    return "<br />".join(_nowiki(line) if line.strip() else "" for line in text.splitlines())


def _link(url: str, label: str) -> str:
    """An external link when the URL is one MediaWiki links whole, else the URL as text."""
    if _SAFE_URL.fullmatch(url):
        return url if label == url else f"[{url} {_nowiki(label)}]"
    return _nowiki(url)


def _file_name(chart: str) -> str:
    name = chart.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[\[\]{}|#<>]", "-", name)


def _latest(facts: PostReport) -> dict[str, int]:
    latest: dict[str, int] = {}
    for m in facts.metrics:
        latest.update(m.numbers)
    return latest


def _period(report: Report) -> str:
    if report.since is None and report.until is None:
        return "at any time"
    start = _day(report.since) if report.since is not None else "the beginning"
    end = _day(report.until - 1) if report.until is not None else "now"
    return f"from {start} to {end}"


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")
