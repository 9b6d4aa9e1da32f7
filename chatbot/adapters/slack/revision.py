"""A revision's diff (`workflow.revision_diff`) as Block Kit, for the comms message.

The draft's words go into a `rich_text` block, struck where taken out and bold where put in,
rather than into mrkdwn `~…~` and `*…*`: mrkdwn has no escape for `~`, `*` or `_`, so a draft's
own asterisks or underscores (a code `WIKI_15`, a `*free*`) would pair with our markers, and
Slack only honours a marker at a word boundary. Rich text has no markup to break and keeps the
draft's whitespace. The rest (account, media, findings) is our words in mrkdwn, with the
person's text in it escaped.
"""

from __future__ import annotations

from typing import Any

from chatbot.adapters.slack.mrkdwn import escape
from chatbot.policy.model import Finding, MediaDeclaration
from chatbot.workflow import wording
from chatbot.workflow.revision_diff import Excerpt, RevisionDiff

Block = dict[str, Any]

_STYLES: dict[str, dict[str, bool]] = {
    "delete": {"strike": True}, "insert": {"bold": True}, "skip": {"italic": True}}
LEGEND = "~struck~ taken out · *bold* put in"


def revision_blocks(diff: RevisionDiff, level_icons: dict[str, str]) -> list[Block]:
    """The diff's blocks: a heading, the text's changes, what else changed."""
    heading = f"*{escape(wording.revision_changes(diff.before))}*"
    if not diff.changed:
        return [_section(f"{heading}\n{escape(wording.revision_nothing_changed(diff.before))}")]
    blocks: list[Block] = []
    if diff.purged or diff.spacing_only:
        words = (wording.revision_text_purged(diff.before) if diff.purged
                 else wording.revision_spacing_only(diff.before))
        blocks.append(_section(f"{heading}\n{escape(words)}"))
    elif diff.text_changed:
        excerpt = diff.excerpt()
        blocks.append(_section(f"{heading} · {LEGEND}"))
        blocks.append({"type": "rich_text", "elements": [
            {"type": "rich_text_quote", "elements": text_elements(excerpt)}]})
        if excerpt.cut:
            blocks.append(_context(escape(wording.revision_cut(excerpt.changes_left))))
    else:
        blocks.append(_section(f"{heading}\n{escape(wording.revision_same_text(diff.before))}"))
    if lines := other_changes(diff, level_icons):
        blocks.append(_section("\n".join(lines)))
    return blocks


def text_elements(excerpt: Excerpt) -> list[dict[str, Any]]:
    """Rich-text `text` elements for the shortened diff, styled by kind."""
    elements: list[dict[str, Any]] = []
    for kind, text in excerpt.display():
        if kind not in _STYLES or not text.strip():
            elements.append({"type": "text", "text": text})
            continue
        core = text.strip()  # a struck space shows as nothing: keep the spaces plain
        lead, trail = text[: text.index(core)], text[text.index(core) + len(core):]
        elements += [{"type": "text", "text": lead},
                     {"type": "text", "text": core, "style": _STYLES[kind]},
                     {"type": "text", "text": trail}]
    return [e for e in elements if e["text"]]


def other_changes(diff: RevisionDiff, level_icons: dict[str, str]) -> list[str]:
    """mrkdwn lines for the account, media and findings that changed."""
    lines = []
    if diff.account:
        lines.append(escape(wording.revision_account(*diff.account)))
    for title, media in ((wording.REVISION_MEDIA_GONE, diff.media_gone),
                         (wording.REVISION_MEDIA_NEW, diff.media_new)):
        if media:
            lines.append(f"*{title}:* " + "; ".join(_media(m) for m in media))
    for title, findings in ((wording.REVISION_FINDINGS_GONE, diff.findings_gone),
                            (wording.REVISION_FINDINGS_NEW, diff.findings_new),
                            (wording.REVISION_FINDINGS_UNCHECKED, diff.findings_unchecked)):
        if findings:
            lines.append(f"*{escape(title)}:* "
                         + ", ".join(_finding(f, level_icons) for f in findings))
    return lines


def _media(item: MediaDeclaration) -> str:
    licence = escape(item.license) or "_no licence given_"
    return f"{escape(item.source) or '(no source)'} — {licence}"


def _finding(finding: Finding, level_icons: dict[str, str]) -> str:
    return f"{level_icons.get(finding.level, '')} `{escape(finding.label)}` ({finding.level})"


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:3000]}}


def _context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:3000]}]}
