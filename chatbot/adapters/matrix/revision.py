"""A revision's diff (`workflow.revision_diff`) for the comms room: HTML and the plain body.

In the HTML, words taken out are `<del>` and words put in `<ins><strong>…</strong></ins>`:
`<ins>` is not among the tags the Matrix spec suggests clients allow, and a client that drops
it keeps its content, so the `<strong>` inside still marks the insertion. The plain body uses
the notation of `git diff --word-diff`, `[-taken out-]` and `{+put in+}`, which needs no
markup at all. Each line of a change is marked on its own (`<br>` and newlines between).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from chatbot.policy.model import Finding, MediaDeclaration
from chatbot.render import ICONS
from chatbot.workflow import wording
from chatbot.workflow.revision_diff import Excerpt, RevisionDiff

LEGEND = "[-…-] taken out, {+…+} put in"
_PLAIN = {"delete": ("[-", "-]"), "insert": ("{+", "+}")}
_HTML = {"delete": ("<del>", "</del>"), "insert": ("<ins><strong>", "</strong></ins>")}


def revision_parts(diff: RevisionDiff) -> tuple[list[str], list[str]]:
    """(body lines, HTML fragments) to put under the draft in a comms message."""
    heading = wording.revision_changes(diff.before)
    if not diff.changed:
        words = wording.revision_nothing_changed(diff.before)
        return [heading + ":", words], [f"<p><strong>{html.escape(heading)}:</strong> "
                                        f"{html.escape(words)}</p>"]
    lines: list[str] = []
    markup: list[str] = []
    if diff.purged or diff.spacing_only or not diff.text_changed:
        words = (wording.revision_text_purged(diff.before) if diff.purged
                 else wording.revision_spacing_only(diff.before) if diff.spacing_only
                 else wording.revision_same_text(diff.before))
        lines += [f"{heading}:", words]
        markup.append(f"<p><strong>{html.escape(heading)}:</strong> {html.escape(words)}</p>")
    else:
        excerpt = diff.excerpt()
        body, rich = render_pieces(excerpt)
        lines += [f"{heading} ({LEGEND}):", *(f"> {line}" for line in body.split("\n"))]
        markup += [f"<p><strong>{html.escape(heading)}</strong> (struck: taken out; "
                   "bold: put in):</p>", f"<blockquote>{rich}</blockquote>"]
        if excerpt.cut:
            words = wording.revision_cut(excerpt.changes_left)
            lines.append(words)
            markup.append(f"<p><em>{html.escape(words)}</em></p>")
    others = other_changes(diff)
    lines += [f"- {plain}" for plain, _ in others]
    if others:
        markup.append("<ul>" + "".join(f"<li>{rich}</li>" for _, rich in others) + "</ul>")
    return lines, markup


def render_pieces(excerpt: Excerpt) -> tuple[str, str]:
    """The shortened diff as (plain text, HTML)."""
    plain: list[str] = []
    rich: list[str] = []
    for kind, text in excerpt.display():
        plain.append(_marked(kind, text, _PLAIN, escape=lambda s: s))
        rich.append(_marked(kind, text, _HTML, escape=html.escape).replace("\n", "<br>"))
    return "".join(plain), "".join(rich)


def other_changes(diff: RevisionDiff) -> list[tuple[str, str]]:
    """(plain, HTML) for each other change: the account, media, findings."""
    out: list[tuple[str, str]] = []
    if diff.account:
        words = wording.revision_account(*diff.account)
        out.append((words, html.escape(words)))
    for title, media in ((wording.REVISION_MEDIA_GONE, diff.media_gone),
                         (wording.REVISION_MEDIA_NEW, diff.media_new)):
        if media:
            items = "; ".join(_media(m) for m in media)
            out.append((f"{title}: {items}", f"<em>{html.escape(title)}:</em> "
                                             f"{html.escape(items)}"))
    for title, findings in ((wording.REVISION_FINDINGS_GONE, diff.findings_gone),
                            (wording.REVISION_FINDINGS_NEW, diff.findings_new),
                            (wording.REVISION_FINDINGS_UNCHECKED, diff.findings_unchecked)):
        if findings:
            items = ", ".join(_finding(f) for f in findings)
            out.append((f"{title}: {items}", f"<em>{html.escape(title)}:</em> "
                                             f"{html.escape(items)}"))
    return out


def _marked(kind: str, text: str, marks: dict[str, tuple[str, str]], *,
            escape: Callable[[str], str]) -> str:
    """`text` escaped, each of its lines wrapped in the marks of its kind; the whitespace
    at a line's ends stays outside the marks."""
    if kind not in marks:
        return escape(text)
    start, end = marks[kind]
    out = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            out.append(escape(line))
            continue
        lead = line[: len(line) - len(line.lstrip())]
        trail = line[len(line.rstrip()):]
        out.append(f"{escape(lead)}{start}{escape(core)}{end}{escape(trail)}")
    return "\n".join(out)


def _media(item: MediaDeclaration) -> str:
    return f"{item.source or '(no source)'}; {item.license or 'no licence given'}"


def _finding(finding: Finding) -> str:
    return f"{ICONS.get(finding.level, finding.level)} [{finding.label}]"
