"""Block Kit for what checkpost says in Slack: findings, the comms message, notices, reminders.

Every builder returns `(text, blocks)`: `text` is the plain fallback Slack shows in
notifications and to screen readers, `blocks` the message. Slack refuses a whole message for
one oversized field, so the limits are kept here (3,000 characters a section, 50 blocks a
message, 150 a header, 75 a button label) and long drafts or many findings are cut with a note
saying so. A person's words (draft, comments, reasons) are escaped or shown as raw rich text;
only the mentions and links we build stay live.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from chatbot import render
from chatbot.adapters.slack.mrkdwn import COMMAND, escape, mention, say, slash_commands
from chatbot.adapters.slack.revision import revision_blocks
from chatbot.notices import Notice, ReminderNotice
from chatbot.policy.model import Finding, Verdict
from chatbot.render import headline, render_finding
from chatbot.workflow.incidents import POLICY_LINE, Incident
from chatbot.workflow.posts import Post, PostState, Version
from chatbot.workflow.revision_diff import since_shown
from chatbot.workflow.standing import PostStanding, post_standing

Block = dict[str, Any]

APPROVE_ACTION = "checkpost_approve"
CHANGES_ACTION = "checkpost_request_changes"
INCIDENT_STEP_ACTION = "checkpost_incident_step"
OPEN_POST_ACTION = "checkpost_open_post"

SECTION_LIMIT = 3000
MAX_BLOCKS = 50
MAX_FINDINGS = 15
DRAFT_CHUNKS = 4

LEVEL_ICONS = {"error": ":no_entry:", "warning": ":warning:", "suggestion": ":bulb:"}
STATE_LINES = {
    PostState.PENDING: ":hourglass_flowing_sand: Waiting for approval",
    PostState.APPROVED: ":white_check_mark: Approved",
    PostState.CHANGES_REQUESTED: ":memo: Changes requested",
    PostState.PUBLISHED: ":rocket: Published",
    PostState.WITHDRAWN: ":no_entry_sign: Withdrawn",
}


# --- to the poster ---------------------------------------------------------------------------


def findings_message(post: Post, note: str = "") -> tuple[str, list[Block]]:
    """The poster's answer to a draft: verdict, each finding, the LLM review, the number."""
    version = post.current
    verdict = version.verdict
    title = f"Post {post.number}" + (f", version {version.number}" if version.number > 1 else "")
    blocks: list[Block] = [
        header(f"{title}: {'passes' if verdict.passed else 'needs changes'}"),
        section(f"*{escape(headline(verdict))}*"),
    ]
    blocks += _findings_blocks(verdict.findings, version.draft.text, budget=MAX_BLOCKS - 8)
    blocks.append(context(llm_line(verdict)))
    if verdict.llm.rewrite:
        blocks.append(section("*Suggested rewrite:*\n" + escape(verdict.llm.rewrite)))
    if note:
        blocks.append(section(note))
    blocks.append(context(
        f"Post number *{post.number}*. Revise: `{COMMAND} revise {post.number} &lt;new draft&gt;`"
        f" · once it is live: `{COMMAND} published {post.number} URL`"
        f" · `{COMMAND} status {post.number}`"))
    text = f"Post {post.number}: {headline(verdict)}"
    return text, blocks


def llm_line(verdict: Verdict) -> str:
    return f":robot_face: {escape(render.judges_line(verdict))}"


def notice_message(notice: Notice, people: Iterable[str] = ()) -> tuple[str, list[Block]]:
    """A decision, a publication, an alert: the core's words, with live mentions."""
    ids = set(people) | ({notice.actor.user_id} if notice.actor else set())
    body = say(notice.text, ids)
    blocks = [section(body)]
    if notice.actor and notice.actor.platform == "slack" and notice.kind != "submitted":
        blocks.append(context(f"By {mention(notice.actor.user_id)}"))
    return notice.text, blocks


def reminder_message(reminder: ReminderNotice) -> tuple[str, list[Block]]:
    """A reminder DM: the core's words, a button to the live post, the metrics command."""
    blocks = [
        section(say(reminder.text)),
        {"type": "actions", "elements": [
            {**button("Open the post", OPEN_POST_ACTION, str(reminder.post_number)),
             "url": reminder.url[:3000]},
        ]},
        context(f"Record the numbers: `{COMMAND} {escape(reminder.command)}`"),
    ]
    return slash_commands(reminder.text), blocks


def text_message(text: str, people: Iterable[str] = ()) -> tuple[str, list[Block]]:
    return text, [section(say(text, people))]


# --- to the comms channel --------------------------------------------------------------------


def comms_message(post: Post, version: Version, approvals_required: int
                  ) -> tuple[str, list[Block]]:
    """The message comms decide on: who, what, the findings, the votes, and the buttons.

    `version` is the one this message shows; when the poster has revised since, the message
    says so and loses its buttons, so nobody decides on an old text. A revision's message also
    shows what changed since the version comms last saw (`revision_diff`).
    """
    standing = post_standing(post, approvals_required, version)
    draft = version.draft
    title = f"Post {post.number}" + (f", version {version.number}" if version.number > 1 else "")
    media = "\n".join(f"• {escape(m.source) or '(no source)'} — "
                      f"{escape(m.license) or '_no licence given_'}" for m in draft.media)
    blocks: list[Block] = [
        header(f"{title} for approval"),
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*Poster*\n{mention(post.poster.user_id)}"},
            {"type": "mrkdwn", "text": f"*Account*\n{draft.account}"},
            {"type": "mrkdwn", "text": f"*Media*\n{_cut(media, 1900) or 'none declared'}"},
            {"type": "mrkdwn", "text": f"*Context*\n{_cut(escape(draft.context), 1900) or '—'}"},
        ]},
        *draft_quote(draft.text),
    ]
    if (diff := since_shown(post, version)) is not None:
        blocks += revision_blocks(diff, LEVEL_ICONS)
    blocks.append(section(f"*{headline(version.verdict)}*"))
    blocks += _findings_blocks(version.verdict.findings, draft.text, budget=MAX_BLOCKS - 12,
                               compact=True)
    blocks += [context(llm_line(version.verdict)), section(state_line(standing))]
    if standing.decidable:
        value = f"{post.number}:{version.number}"
        blocks.append({"type": "actions", "block_id": f"decide-{value}", "elements": [
            {**button("Approve", APPROVE_ACTION, value), "style": "primary"},
            {**button("Request changes", CHANGES_ACTION, value), "style": "danger"},
        ]})
        blocks.append(context(
            "React :+1: to approve or :-1: to ask for changes; remove the reaction to take the "
            "vote back. The buttons let you add a comment or an override reason."))
    text = (f"Post {post.number} (version {version.number}) by {post.poster.user_id} for "
            f"approval: {headline(version.verdict)}")
    return text, blocks


def draft_quote(text: str) -> list[Block]:
    """The draft as raw rich text (no markup is interpreted), cut into Slack-sized pieces."""
    pieces = [text[i:i + SECTION_LIMIT - 100] for i in range(0, len(text), SECTION_LIMIT - 100)]
    blocks: list[Block] = [
        {"type": "rich_text", "elements": [
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": piece}]}]}
        for piece in pieces[:DRAFT_CHUNKS]
    ]
    if len(pieces) > DRAFT_CHUNKS:
        shown = sum(len(p) for p in pieces[:DRAFT_CHUNKS])
        blocks.append(context(f"(The draft goes on: {len(text) - shown:,} more characters "
                              "not shown here.)"))
    return blocks or [context("(empty draft)")]


def incident_message(incident: Incident) -> tuple[str, list[Block]]:
    """An incident's checklist, each open step with a button to mark it done."""
    about = f" under post {incident.post_number}" if incident.post_number else ""
    blocks: list[Block] = [
        header(f"Incident {incident.id}: hateful comment{about}"),
        section(f"<{_link(incident.link)}|The comment> reported by "
                f"{mention(incident.reporter.user_id)}"
                + (f"\n*Notes:* {escape(incident.notes)}" if incident.notes else "")),
        context(f"Policy: “{escape(POLICY_LINE)}”"),
    ]
    for i, step in enumerate(incident.steps, 1):
        if step.done:
            who = f" — {mention(step.done_by.user_id)}" if step.done_by else ""
            note = f": {escape(step.note)}" if step.note else ""
            title = escape(step.step.title)
            blocks.append(section(f":white_check_mark: ~{i}. {title}~{who}{note}"))
        else:
            blocks.append({
                **section(f":white_large_square: {i}. {escape(step.step.title)}"),
                "accessory": button("Mark done", INCIDENT_STEP_ACTION,
                                    f"{incident.id}:{step.step.key}"),
            })
    if not incident.open_steps:
        blocks.append(context("All steps done."))
    return incident.checklist_text(), blocks


# --- pieces ----------------------------------------------------------------------------------


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(text, 150),
                                       "emoji": True}}


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(mrkdwn, SECTION_LIMIT)}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn",
                                             "text": _cut(mrkdwn, SECTION_LIMIT)}]}


def button(label: str, action_id: str, value: str) -> Block:
    return {"type": "button", "text": {"type": "plain_text", "text": _cut(label, 75)},
            "action_id": action_id, "value": value[:2000]}


def finding_text(finding: Finding, text: str, number: int) -> str:
    """One finding for the poster: level, label, what to change, where, the policy line."""
    icon = LEVEL_ICONS.get(finding.level, "")
    lines = [f"{icon} *{finding.level}* · `{finding.label}` — {escape(finding.message)}"]
    for line in render_finding(number, finding, text)[1:]:
        stripped = line.strip()
        if stripped.startswith("In the draft:"):
            lines.append("> " + escape(stripped))
        elif stripped.startswith("Suggestion:"):
            lines.append("_" + escape(stripped) + "_")
    policy = f"Policy: “{escape(finding.policy)}”"
    if finding.link:
        policy += f" · <{_link(finding.link)}|policy page>"
    source = "LLM review" if finding.source == "llm" else "rules"
    lines.append(f"{policy} · rule `{escape(finding.rule)}` ({source})")
    return "\n".join(lines)


def _findings_blocks(findings: Sequence[Finding], text: str, *, budget: int,
                     compact: bool = False) -> list[Block]:
    shown = findings[:min(MAX_FINDINGS, budget)]
    blocks: list[Block] = []
    for number, finding in enumerate(shown, 1):
        if compact:
            icon = LEVEL_ICONS.get(finding.level, "")
            blocks.append(section(f"{icon} *{finding.level}* · `{finding.label}` — "
                                  f"{escape(finding.message)}\n_“{escape(finding.policy)}”_"))
        else:
            blocks.append(section(finding_text(finding, text, number)))
    if len(findings) > len(shown):
        blocks.append(context(f"…and {len(findings) - len(shown)} more finding(s); "
                              "`chatbot check` shows them all."))
    return blocks


def state_line(standing: PostStanding) -> str:
    """The comms message's state line (`post_standing`): state, votes, links, as mrkdwn."""
    if standing.superseded_by is not None:
        return (f":arrows_counterclockwise: Superseded by version {standing.superseded_by}; "
                "decide on the newest message.")
    line = f"*{STATE_LINES.get(standing.state, str(standing.state))}*"
    approvals = ", ".join(
        mention(v.voter.user_id) + (f" (override: {escape(v.override_reason)})"
                                    if v.override_reason else "")
        + (f": {escape(v.comment)}" if v.comment else "")
        for v in standing.approvals)
    changes = ", ".join(mention(v.voter.user_id) + (f": {escape(v.comment)}" if v.comment else "")
                        for v in standing.change_requests)
    parts = [line]
    if standing.state is PostState.PENDING:
        parts.append(f"{len(standing.approvals)} of {standing.required} approval(s)")
        if standing.needs_override:
            parts.append("error-level findings: approving needs an override reason "
                         "(use the Approve button)")
    if approvals:
        parts.append(f"approved by {approvals}")
    if changes:
        parts.append(f"changes requested by {changes}")
    if standing.links:
        parts.append("live at " + ", ".join(f"<{_link(k.url)}|{escape(k.network)}>"
                                            for k in standing.links))
    return _cut(" · ".join(parts), SECTION_LIMIT)


def _link(url: str) -> str:
    """A URL inside `<…|…>`: the characters that would end the link are escaped."""
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
