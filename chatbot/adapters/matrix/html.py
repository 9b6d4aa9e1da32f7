"""Matrix rendering: every message the bot sends has an HTML `formatted_body` and a plain `body`.

Messages go out as `m.notice`, the msgtype bots use so that other bots do not answer them, and
with an empty `m.mentions` unless someone must be pinged. The core marks its commands
(`wording.command`); on Matrix they are typed `!checkpost …`, so `for_matrix` adds the `!`.
The plain body reuses `chatbot.render`, the terminal's wording, so both read the same.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chatbot import render
from chatbot.notices import Notice, ReminderNotice
from chatbot.policy.model import Finding
from chatbot.render import ICONS, render_finding, render_verdict
from chatbot.workflow.incidents import Incident
from chatbot.workflow.outcome import Outcome
from chatbot.workflow.posts import Post, PostState, Version
from chatbot.workflow.revision_diff import since_shown
from chatbot.workflow.standing import PostStanding, post_standing
from chatbot.workflow.wording import typed_as

from .events import PREFIX, THUMBS_DOWN, THUMBS_UP
from .revision import revision_parts

HTML_FORMAT = "org.matrix.custom.html"
#: Characters of a draft shown in the comms room (posts are far shorter; events are ≤ 64 KiB).
DRAFT_LIMIT = 8000

_CODE = re.compile(r"`([^`\n]+)`")
_URL = re.compile(r"https?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]]")


@dataclass(frozen=True)
class Rendered:
    body: str
    html: str

    def __add__(self, other: Rendered) -> Rendered:
        return Rendered(f"{self.body}\n\n{other.body}", self.html + other.html)


# --- event content -------------------------------------------------------------------------


def notice_content(rendered: Rendered, *, relates_to: Mapping[str, Any] | None = None,
                   mentions: Iterable[str] = ()) -> dict[str, Any]:
    users = sorted(set(mentions))
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": rendered.body,
        "format": HTML_FORMAT,
        "formatted_body": rendered.html,
        "m.mentions": {"user_ids": users} if users else {},
    }
    if relates_to:
        content["m.relates_to"] = dict(relates_to)
    return content


def in_thread(root: str, reply_to: str | None = None) -> dict[str, Any]:
    """A reply in the thread under `root` (a plain reply for clients without threads)."""
    return {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
            "m.in_reply_to": {"event_id": reply_to or root}}


def as_reply(event_id: str) -> dict[str, Any]:
    return {"m.in_reply_to": {"event_id": event_id}}


def replacement(event_id: str, rendered: Rendered) -> dict[str, Any]:
    """An `m.replace` edit of the bot's own event `event_id` to show `rendered`."""
    new = notice_content(rendered)
    return {**new, "body": f"* {rendered.body}", "formatted_body": f"* {rendered.html}",
            "m.new_content": new,
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}}


# --- words ---------------------------------------------------------------------------------


def for_matrix(text: str) -> str:
    """The core's commands (`wording.command`) as typed on Matrix: `!checkpost …`."""
    return typed_as(text, PREFIX)


def inline(text: str) -> str:
    """Plain text as HTML: escaped, `code` spans as <code>, addresses as links."""
    parts = []
    for index, piece in enumerate(_CODE.split(text)):
        if index % 2:
            parts.append(f"<code>{html.escape(piece)}</code>")
        else:
            parts.append(_linkify(piece))
    return "".join(parts)


def paragraphs(text: str) -> str:
    return "".join(f"<p>{'<br>'.join(inline(line) for line in block.split(chr(10)))}</p>"
                   for block in text.split("\n\n") if block.strip())


def person(user_id: str, name: Callable[[str], str] | None = None) -> str:
    """A user as a matrix.to link; clients show it as a pill (m.mentions decides pinging)."""
    shown = name(user_id) if name is not None else user_id
    return f'<a href="https://matrix.to/#/{html.escape(user_id)}">{html.escape(shown)}</a>'


#: A Matrix user id (`@localpart:server`), not where it is already a link's target.
_USER_ID = re.compile(r"(?<![\w/#])@[a-z0-9._=/+-]+:[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d+)?\b",
                      re.IGNORECASE)
#: A pill: a matrix.to link to a user (not to a room or a message, which stay links).
_PILL = re.compile(r'<a href="https://matrix\.to/#/(@[^"]+)">([^<]*)</a>')


def named(rendered: Rendered, name: Callable[[str], str]) -> Rendered:
    """`rendered` with people shown by display name: the plain body says the name, and the
    HTML a pill (a matrix.to link to the id, which a mention needs) whose text is the name."""
    pieces = _PILL.split(rendered.html)  # text, then (link target, link text) pairs, …
    markup = []
    for index in range(0, len(pieces), 3):
        markup.append(_USER_ID.sub(lambda m: person(m.group(0), name), pieces[index]))
        if index + 1 < len(pieces):
            markup.append(person(html.unescape(pieces[index + 1]), name))
    body = _USER_ID.sub(lambda m: name(m.group(0)), rendered.body)
    return Rendered(body, "".join(markup))


def text(words: str) -> Rendered:
    words = for_matrix(words)
    return Rendered(words, paragraphs(words))


# --- answers to commands -------------------------------------------------------------------


def checked(outcome: Outcome, extra: Sequence[str] = ()) -> Rendered:
    """The answer to a draft: its number, every finding with its rule and policy line, and
    what happens next (the workflow's message, and where the draft went)."""
    post = outcome.post
    assert post is not None, "a submitted or revised outcome carries its post"
    version = post.current
    plain_verdict = render_verdict(version.draft, version.verdict)
    headline = render.headline(version.verdict)
    llm_line = render.judges_line(version.verdict)
    closing = [for_matrix(outcome.message), *(for_matrix(warning) for warning in outcome.warnings),
               *(for_matrix(line) for line in extra)]
    body = "\n".join([f"Post {post.number} (version {version.number}): {plain_verdict}", "",
                      *closing])
    items = "".join(_finding_html(f, version.draft.text) for f in version.verdict.findings)
    markup = (f"<p><strong>Post {post.number}</strong> (version {version.number}): "
              f"<strong>{html.escape(headline)}</strong></p>"
              + (f"<ol>{items}</ol>" if items else "")
              + (f"<p><em>{html.escape(llm_line)}</em></p>" if llm_line else "")
              + (f"<p>Suggested rewrite:</p><blockquote>{_multiline(rewrite)}</blockquote>"
                 if (rewrite := version.verdict.llm.rewrite) else "")
              + "".join(f"<p>{inline(line)}</p>" for line in closing))
    return Rendered(body, markup)


def outcome_text(outcome: Outcome, extra: Sequence[str] = ()) -> Rendered:
    lines = [outcome.message, *outcome.warnings, *extra]
    return text("\n".join(lines))


def help_message() -> Rendered:
    from chatbot.commands import help_text

    words = help_text(PREFIX).replace("In the comms channel", "In the comms room")
    body_html = "<pre><code>" + html.escape(words) + "</code></pre>"
    return Rendered(words, body_html)


def to_person(user_id: str, words: str) -> Rendered:
    """An answer addressed to one person, whose name is a mention (send with m.mentions)."""
    words = for_matrix(words)
    return Rendered(f"{user_id}: {words}", f"<p>{person(user_id)}: {inline(words)}</p>")


def error_message(problem: str) -> Rendered:
    return text(f"{problem}\nType `{PREFIX} help` for the commands.")


def encrypted_room_notice(bot_user_id: str) -> Rendered:
    words = (
        f"I am checkpost, and I cannot read this room: it is end-to-end encrypted, and I do "
        f"not support encryption, so I will not see any `{PREFIX}` command written here.\n"
        f"To check a draft, write `{PREFIX} <your draft>` in a room without encryption: "
        f"start a new room with encryption turned off (it cannot be turned off later) and "
        f"invite {bot_user_id}, or use a team room that is not encrypted."
    )
    return Rendered(words, paragraphs(words))


# --- the comms room ------------------------------------------------------------------------


def comms_message(post: Post, version: Version, approvals_required: int) -> Rendered:
    """A post as the comms team sees it: who, the draft, the findings, its state, and how
    to decide. An earlier version's message says it was superseded; a revision's message
    shows what changed since the version comms last saw (`revision_diff`)."""
    n, shown_version = post.number, version.number
    draft = version.draft
    header = (f"Post {n} · version {shown_version} · from {post.poster.user_id} · "
              f"{draft.account} account")
    header_html = (f"<strong>Post {n}</strong> · version {shown_version} · from "
                   f"{person(post.poster.user_id)} · {html.escape(draft.account)} account")
    standing = post_standing(post, approvals_required, version)
    state, state_html = state_line(standing)
    shown = _shorten(draft.text)
    lines = [header, state, "", _quote(shown)]
    markup = [f"<p>{header_html}</p>", f"<p>{state_html}</p>",
              f"<blockquote>{_multiline(shown)}</blockquote>"]
    if (diff := since_shown(post, version)) is not None:
        diff_lines, diff_markup = revision_parts(diff)
        lines += ["", *diff_lines, ""]
        markup += diff_markup
    if draft.context:
        lines.append(f"Why now: {draft.context}")
        markup.append(f"<p><em>Why now:</em> {inline(draft.context)}</p>")
    for m in draft.media:
        media = f"{m.source}; {m.license or 'no licence given'}"
        lines.append(f"Media: {media}")
        markup.append(f"<p><em>Media:</em> {inline(media)}</p>")
    verdict = render.headline(version.verdict)
    lines += ["", verdict]
    markup.append(f"<p><strong>{html.escape(verdict)}</strong></p>")
    if version.verdict.findings:
        lines += [f"- {ICONS.get(f.level, f.level)} [{f.label}] {f.message} (policy: “{f.policy}”)"
                  for f in version.verdict.findings]
        markup.append("<ul>" + "".join(
            f"<li><strong>{html.escape(ICONS.get(f.level, f.level))}</strong> "
            f"[{html.escape(f.label)}] {inline(f.message)} <em>Policy: “{html.escape(f.policy)}”"
            f"</em></li>" for f in version.verdict.findings) + "</ul>")
    if standing.decidable:
        how = (f"React {THUMBS_UP} to approve or {THUMBS_DOWN} to ask for changes, or type "
               f"`{PREFIX} approve {n}` / `{PREFIX} changes {n} <comment>`.")
        if standing.needs_override:
            how += (f" It has error-level findings: approve only with "
                    f"`{PREFIX} approve {n} --override \"reason\"`.")
        lines += ["", how]
        markup.append(f"<p>{inline(how)}</p>")
    return Rendered("\n".join(lines), "".join(markup))


def state_line(standing: PostStanding) -> tuple[str, str]:
    """The comms message's state line (`post_standing`), as the plain body and as HTML."""
    if standing.superseded_by is not None:
        words = (f"Superseded by version {standing.superseded_by}: decide on the newer message. "
                 "Votes on this one no longer count.")
        return words, f"<em>{html.escape(words)}</em>"
    approvals = ", ".join(vote.voter.user_id for vote in standing.approvals)
    match standing.state:
        case PostState.PENDING:
            words = f"⏳ Waiting for approval: {len(standing.approvals)} of {standing.required}"
            words += f" (approved by {approvals})." if approvals else "."
        case PostState.APPROVED:
            override = standing.override
            words = f"✅ Approved by {approvals}."
            if override:
                words += f" Override by {override.voter.user_id}: “{override.override_reason}”."
        case PostState.CHANGES_REQUESTED:
            asks = "; ".join(f"{vote.voter.user_id}: {vote.comment}" if vote.comment
                             else vote.voter.user_id for vote in standing.change_requests)
            words = f"✋ Changes requested by {asks}."
        case PostState.PUBLISHED:
            links = ", ".join(link.url for link in standing.links)
            words = f"📣 Published: {links}" + ("." if standing.ever_approved
                                               else " (without approval).")
            if approvals:
                words += f" Approved by {approvals}."
        case PostState.WITHDRAWN:
            words = "🚫 Withdrawn."
        case _:
            words = f"State: {standing.state}."
    return words, f"<strong>{inline(words)}</strong>"


# --- notices, reminders, incidents -----------------------------------------------------------

_NOTICE_ICONS = {
    "approved": "✅", "changes-requested": "✋", "approval-lost": "⏳", "withdrawn": "🚫",
    "published": "📣", "published-unapproved": "⚠️", "major-reaction": "⚠️",
    "submitted": "📨", "revised": "📨",
}


def notice(item: Notice) -> Rendered:
    icon = _NOTICE_ICONS.get(item.kind, "ℹ️")
    words = for_matrix(item.text)
    return Rendered(f"{icon} {words}", f"<p>{icon} {inline(words)}</p>")


def reminder(item: ReminderNotice) -> Rendered:
    words = for_matrix(item.text)
    return Rendered(f"⏰ {words}", paragraphs(f"⏰ {words}"))


def incident(item: Incident) -> Rendered:
    words = for_matrix(item.checklist_text())
    lines = words.splitlines()
    steps = [line for line in lines if line.startswith("[")]
    others = [line for line in lines if not line.startswith("[")]
    items = "".join(
        f"<li>{'☑' if line.startswith('[x]') else '☐'} {inline(line[4:])}</li>" for line in steps)
    markup = (f"<p><strong>{inline(others[0])}</strong></p>"
              + "".join(f"<p>{inline(line)}</p>" for line in others[1:-1])
              + f"<ul>{items}</ul><p>{inline(others[-1])}</p>")
    return Rendered(words, markup)


# --- helpers -------------------------------------------------------------------------------


def _finding_html(finding: Finding, text_: str) -> str:
    lines = render_finding(1, finding, text_)
    head = f"<strong>{html.escape(ICONS.get(finding.level, finding.level))}</strong> " \
           f"[{html.escape(finding.label)}] {inline(finding.message)}"
    rest = []
    for line in lines[1:]:
        line = line.strip()
        if line.startswith("See: "):
            continue
        if line.startswith("Policy: ") and finding.link:
            rest.append(f'{inline(line)} (<a href="{html.escape(finding.link, quote=True)}">'
                        "policy page</a>)")
        elif line.startswith("Rule: "):
            rest.append(f"<em>{inline(line)}</em>")
        else:
            rest.append(inline(line))
    return "<li>" + "<br>".join([head, *rest]) + "</li>"


def _shorten(text_: str, limit: int = DRAFT_LIMIT) -> str:
    """A draft as shown in the comms room: whole, unless it would push the event past
    Matrix's 64 KiB (it is sent twice, as body and as HTML)."""
    if len(text_) <= limit:
        return text_
    return text_[:limit] + f"… ({len(text_) - limit} more characters: see the poster's message)"


def _quote(text_: str) -> str:
    return "\n".join(f"> {line}" for line in text_.splitlines() or [""])


def _multiline(text_: str) -> str:
    return "<br>".join(_linkify(line) for line in text_.splitlines())


def _linkify(text_: str) -> str:
    out, last = [], 0
    for m in _URL.finditer(text_):
        out.append(html.escape(text_[last:m.start()]))
        url = m.group(0)
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
        last = m.end()
    out.append(html.escape(text_[last:]))
    return "".join(out)
