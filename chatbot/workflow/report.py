"""The raw material of a Learning Pattern case study, from the store.

The policy asks that "Periodic case studies with links, screenshots and metrics are to be
documented as Learning Patterns". This gathers, for the posts submitted in a period: each
post's link, text, account, findings, who approved it and how long that took, its metrics over
time and its incidents; the incidents of the period that are not under one of those posts
(an X reply reported without its post's number, say) on their own; and the totals a case
study opens with, which count every incident. Markdown is for people to edit into the wiki
page (`learning_pattern.py` writes the wiki page itself, `chart.py` the chart); CSV is one
row per post for a spreadsheet, each published link a bare URL in its network's column so
that a spreadsheet makes it a link.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlite_utils import Database

from chatbot.policy.model import LABELS, Finding
from chatbot.store import Store
from chatbot.workflow import post_rows
from chatbot.workflow.clock import utc_text
from chatbot.workflow.incident_rows import incidents_between, incidents_of
from chatbot.workflow.incidents import Incident
from chatbot.workflow.links import NETWORKS
from chatbot.workflow.metrics import METRIC_NAMES
from chatbot.workflow.posts import Post, PostState


class ReportError(ValueError):
    """A report option a person gave cannot be used; the message says what to write."""


@dataclass(frozen=True)
class MetricsEntry:
    at: float
    network: str
    numbers: dict[str, int]
    notes: str
    major: bool
    recorded_by: str


@dataclass(frozen=True)
class PostReport:
    post: Post
    approvers: tuple[str, ...]
    hours_to_approval: float | None
    metrics: tuple[MetricsEntry, ...]
    incidents: tuple[Incident, ...]
    reminders_sent: int
    reminders_late: int

    @property
    def published_unapproved(self) -> bool:
        return any(not link.approved for link in self.post.links)


@dataclass(frozen=True)
class Totals:
    posts: int
    by_state: dict[str, int]
    approval_hours: tuple[float, ...]
    findings_all_versions: dict[str, int]
    findings_final: dict[str, int]
    reminders_sent: int
    reminders_late: int
    incidents: int
    incidents_on_their_own: int
    published_unapproved: int

    @property
    def median_hours_to_approval(self) -> float | None:
        return statistics.median(self.approval_hours) if self.approval_hours else None


@dataclass(frozen=True)
class Report:
    since: float | None
    until: float | None
    generated_at: float
    posts: tuple[PostReport, ...]
    totals: Totals
    #: Incidents reported in the period that are not under one of `posts`: tied to no post,
    #: or to a post submitted outside the period.
    other_incidents: tuple[Incident, ...] = ()


def parse_date(value: str | None, *, end: bool = False) -> float | None:
    """`2024-05-01` (UTC; with `end`, the end of that day) or an ISO date-time, as epoch seconds."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            return (day + timedelta(days=1) if end else day).timestamp()
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ReportError(
            f"{value!r} is not a date; write YYYY-MM-DD (UTC), e.g. 2024-05-01, "
            "or an ISO date-time such as 2024-05-01T09:30"
        ) from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def build_report(
    store: Store, since: float | None = None, until: float | None = None,
    *, now: float | None = None,
) -> Report:
    """Posts submitted in [since, until), with everything a case study needs."""
    with store.reading() as db:
        posts = tuple(
            _post_report(db, post)
            for n in post_rows.post_numbers(db, since, until)
            if (post := post_rows.load_post(db, n)) is not None
        )
        numbers = {facts.post.number for facts in posts}
        others = tuple(i for i in incidents_between(db, since, until)
                       if i.post_number not in numbers)
    return Report(since, until, now if now is not None else datetime.now(UTC).timestamp(),
                  posts, _totals(posts, others), others)


def render_markdown(report: Report, *, chart: str = "") -> str:
    """The report for people to read and edit; `chart` is the chart's path, shown under the
    opening line (as given, so a path relative to where the Markdown file is read)."""
    out = ["# checkpost report: Learning Pattern material", ""]
    out.append(f"Posts submitted {_period(report)}; generated {_when(report.generated_at)}.")
    if chart:
        out += ["", f"![Each post's metrics over time and the findings by label]({chart})"]
    out += ["", "## Totals", ""]
    t = report.totals
    states = ", ".join(f"{count} {state}" for state, count in sorted(t.by_state.items()))
    out.append(f"- Posts: {t.posts}" + (f" ({states})" if states else ""))
    median = t.median_hours_to_approval
    out.append("- Time from submission to approval: " + (
        f"median {duration(median)} over {len(t.approval_hours)} approved post(s)"
        if median is not None else "no approved posts"))
    out.append(f"- Published without approval: {t.published_unapproved}")
    out.append(f"- Reminders sent: {t.reminders_sent}, of them late: {t.reminders_late}")
    out.append(f"- Incidents (hateful comments): {t.incidents}" + (
        f" ({t.incidents_on_their_own} not under a post of this report, listed after the posts)"
        if t.incidents_on_their_own else ""))
    out += ["", "### Findings by label", "",
            "| label | every checked version | final versions |", "|---|---:|---:|"]
    for label in _labels(t):
        out.append(f"| {label} | {t.findings_all_versions.get(label, 0)} "
                   f"| {t.findings_final.get(label, 0)} |")
    out += ["", "## Posts"]
    for facts in report.posts:
        out += ["", *_post_markdown(facts)]
    if report.other_incidents:
        out += ["", "## Incidents not under a post of this report", ""]
        out += [f"- {_incident_line(i, with_post=True)}" for i in report.other_incidents]
    return "\n".join(out) + "\n"


#: One column per network for its published link (`x_url`, `facebook_url`, …); a link on a
#: site not in `NETWORKS` gets a column named for its host, after these.
LINK_COLUMNS = tuple(f"{network}_url" for network in NETWORKS)
CSV_COLUMNS = (
    "post", "submitted_at", "poster", "account", "state", "versions", "policy_version", "text",
    "context", *LINK_COLUMNS, "findings", "approvers", "override_reason", "hours_to_approval",
    "published_at", "published_unapproved", *METRIC_NAMES, "metrics_history", "major_reactions",
    "incidents", "reminders_sent", "reminders_late", "text_purged",
)


def render_csv(report: Report) -> str:
    """One row per post; the numbers are the latest recorded, the history is in one column.

    Each published link is a bare URL alone in its network's column (a post is published once
    per network), so a spreadsheet opens it with a click. Text a person wrote (a draft, its
    context, metrics notes) goes through `_cell`, so a spreadsheet never runs it as a formula."""
    others = sorted({link.network for facts in report.posts for link in facts.post.links}
                    - set(NETWORKS))
    link_columns = (*NETWORKS, *others)
    at = CSV_COLUMNS.index(LINK_COLUMNS[-1]) + 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS[:at], *(f"{host}_url" for host in others), *CSV_COLUMNS[at:]])
    for facts in report.posts:
        post, current = facts.post, facts.post.current
        latest = {name: next((m.numbers[name] for m in reversed(facts.metrics)
                              if name in m.numbers), "") for name in METRIC_NAMES}
        urls = {link.network: link.url for link in post.links}
        writer.writerow([_cell(value) for value in (
            post.number, _iso(post.created_at), str(post.poster), current.draft.account,
            post.state, len(post.versions), current.verdict.policy_version, current.draft.text,
            current.draft.context, *(urls.get(network, "") for network in link_columns),
            "; ".join(f"{f.level}:{f.label}:{f.rule}" for f in current.verdict.findings),
            " ".join(facts.approvers), post.override.override_reason if post.override else "",
            "" if facts.hours_to_approval is None else round(facts.hours_to_approval, 2),
            _iso(post.published_at), int(facts.published_unapproved),
            *latest.values(),
            " | ".join(f"{_iso(m.at)} {_numbers(m)}".strip() for m in facts.metrics),
            sum(m.major for m in facts.metrics), len(facts.incidents), facts.reminders_sent,
            facts.reminders_late, int(current.purged),
        )])
    return buffer.getvalue()


# What a spreadsheet reads as the start of a formula (OWASP's "CSV injection" list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: object) -> object:
    """A text that would start a formula (`=HYPERLINK(…)`, `@SUM(…)`, `+1…`), shown as text:
    prefixed with an apostrophe, which spreadsheets hide and do not evaluate. Numbers pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _post_report(db: Database, post: Post) -> PostReport:
    approvers: tuple[str, ...] = ()
    hours = None
    if post.approved_at is not None:
        approvers = tuple(v.voter.user_id for v in post.approvals)
        hours = (post.approved_at - post.created_at) / 3600
    metrics = tuple(
        MetricsEntry(r["at"], r["network"] or "",
                     {n: r[n] for n in METRIC_NAMES if r[n] is not None},
                     r["notes"], bool(r["major"]), r["recorded_by"])
        for r in db.query(
            "SELECT m.*, l.network FROM metrics m LEFT JOIN links l ON l.id = m.link"
            " WHERE m.post = ? ORDER BY m.at, m.id", [post.number])
    )
    sent, late = db.execute(
        "SELECT COUNT(sent_at), COALESCE(SUM(late), 0) FROM reminders"
        " WHERE post = ? AND sent_at IS NOT NULL", [post.number]).fetchone()
    return PostReport(post, approvers, hours, metrics, tuple(incidents_of(db, post.number)),
                      sent, late)


def _totals(posts: tuple[PostReport, ...], others: tuple[Incident, ...]) -> Totals:
    all_versions: Counter[str] = Counter()
    final: Counter[str] = Counter()
    for facts in posts:
        for version in facts.post.versions:
            all_versions.update(f.label for f in version.verdict.findings)
        final.update(f.label for f in facts.post.current.verdict.findings)
    return Totals(
        posts=len(posts),
        by_state=dict(Counter(str(facts.post.state) for facts in posts)),
        approval_hours=tuple(facts.hours_to_approval for facts in posts
                             if facts.hours_to_approval is not None),
        findings_all_versions=dict(all_versions),
        findings_final=dict(final),
        reminders_sent=sum(facts.reminders_sent for facts in posts),
        reminders_late=sum(facts.reminders_late for facts in posts),
        incidents=sum(len(facts.incidents) for facts in posts) + len(others),
        incidents_on_their_own=len(others),
        published_unapproved=sum(facts.published_unapproved for facts in posts),
    )


def _post_markdown(facts: PostReport) -> list[str]:
    post, current = facts.post, facts.post.current
    out = [f"### Post {post.number} — {post.state} ({current.draft.account} account)", ""]
    out.append(f"- Submitted {_when(post.created_at)} by {post.poster}; "
               f"{len(post.versions)} version(s); policy version "
               f"{current.verdict.policy_version or 'unknown'}")
    for link in post.links:
        out.append(f"- Published on {link.network} {_when(link.published_at)}: {link.url}")
    if facts.hours_to_approval is not None:
        approvers = ", ".join(facts.approvers)
        out.append(f"- Approved by {approvers} after {duration(facts.hours_to_approval)}")
    if post.override:
        out.append(f"- Error findings overridden by {post.override.voter.user_id}: "
                   f"“{post.override.override_reason}”")
    if facts.published_unapproved:
        out.append("- Published without the comms team's approval")
    if post.state is PostState.WITHDRAWN and post.withdrawn_at:
        out.append(f"- Withdrawn {_when(post.withdrawn_at)}")
    if current.draft.context:
        out.append(f"- Context: {current.draft.context}")
    out.append("")
    if current.purged:
        out.append("_Text removed by the retention policy; the numbers are kept._")
    else:
        out += [f"> {line}" if line else ">" for line in current.draft.text.splitlines()]
    out += ["", "Findings (final version):" if current.verdict.findings else "No findings."]
    out += [_finding_line(f) for f in current.verdict.findings]
    if facts.metrics:
        out += ["", "Metrics over time:", "",
                "| when | network | " + " | ".join(METRIC_NAMES) + " | notes |",
                "|---|---|" + "---:|" * len(METRIC_NAMES) + "---|"]
        for m in facts.metrics:
            cells = [str(m.numbers.get(n, "")) for n in METRIC_NAMES]
            notes = m.notes.replace("|", "\\|")
            notes = f"**{notes}**" if m.major else notes
            out.append(f"| {_when(m.at)} | {m.network} | " + " | ".join(cells) + f" | {notes} |")
    if facts.reminders_sent:
        out += ["", f"Reminders sent: {facts.reminders_sent} ({facts.reminders_late} late)."]
    for incident in facts.incidents:
        out += ["", _incident_line(incident)]
    return out


def _incident_line(incident: Incident, *, with_post: bool = False) -> str:
    done = sum(s.done for s in incident.steps)
    under = ""
    if with_post:
        under = (f" — under post {incident.post_number}, submitted outside this period"
                 if incident.post_number else " — not tied to a post")
    return (f"Incident {incident.id} ({_when(incident.created_at)}): {incident.link}{under} — "
            f"{done} of {len(incident.steps)} checklist steps done"
            + (f"; {incident.notes}" if incident.notes else ""))


def _finding_line(f: Finding) -> str:
    return f"- {f.level} · {f.label} · {f.rule}: {f.message}"


def _labels(t: Totals) -> list[str]:
    extra = sorted(set(t.findings_all_versions) - set(LABELS))
    return [label for label in (*LABELS, *extra) if t.findings_all_versions.get(label)]


def _numbers(m: MetricsEntry) -> str:
    parts = [f"{k}={v}" for k, v in m.numbers.items()]
    if m.network:
        parts.insert(0, f"[{m.network}]")
    if m.notes:
        parts.append(m.notes)
    return " ".join(parts)


def _period(report: Report) -> str:
    if report.since is None and report.until is None:
        return "at any time"
    start = _when(report.since) if report.since is not None else "the beginning"
    end = _when(report.until) if report.until is not None else "now"
    return f"from {start} until {end}"


def duration(hours: float) -> str:
    """A time span as a person reads it: `45 min`, `3 h 5 min`, `2.5 days`."""
    minutes = round(hours * 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{hours / 24:.1f} days"


def _when(at: float) -> str:
    """A day for a period's bound given as a date, else the time."""
    when = datetime.fromtimestamp(at, UTC)
    return when.strftime("%Y-%m-%d") if when.time() == time(0) else utc_text(at)


def _iso(at: float | None) -> str:
    return "" if at is None else datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")
