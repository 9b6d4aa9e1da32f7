"""What changed in a revised post, against the version the comms team last saw.

When the poster revises post N, comms get a new message for the new version. Reading two
drafts side by side to spot a changed word is slow and error-prone, so that message also
shows what changed: the words taken out and put in, the media and account if they changed,
and which findings went away and which are new. This module computes it once, as data
(`RevisionDiff`); each adapter only renders it (Block Kit rich text, Matrix HTML and its plain
body), so both platforms show the same diff.

The base is the latest earlier version that had a comms message (`Version.comms_ref`): a
version the poster replaced before it ever reached comms was never seen, so the diff skips it.

The diff is `difflib.SequenceMatcher` from the standard library, over word tokens. The package
lists offer diff-match-patch (Google's, character-level; its word mode means mapping tokens to
private characters by hand) and C ports of difflib (cdifflib, cydifflib); a post is at most a
few hundred words, and SequenceMatcher's "longest matching block first" gives the diffs
people expect, so no dependency is added. Its `autojunk` heuristic is turned off: on
sequences of 200 tokens or more it treats frequent tokens ("the") as junk and the diff of a
long draft falls apart. It runs in two passes: first over tokens that carry the whitespace
after them (a space on its own would be the most frequent token by far, and the matcher's
time grows with repeats: a 2,000-word draft took 0.7 s, now about 10 ms), then over the
plain tokens of each changed stretch, which finds a change of spacing alone.

Tokens are URLs, words and single other characters (punctuation, emoji as whole grapheme
clusters), with runs of whitespace as tokens of their own so the text comes back exactly.
A word is a run of letters, digits *and combining marks*: the vowel signs and viramas of
Devanagari, Tamil or Kannada are marks, and a tokeniser without them (the standard `re`'s
`\\w`) would cut "हिन्दी" into three pieces and show half-words as changed. Changes are then
widened to whole space-separated words: "Saturday!" → "Saturday." shows the word replaced,
not a lone "!" — easier to read, and safe for chat markup, which marks whole words best.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

import regex

from chatbot.policy.model import Finding, MediaDeclaration, Verdict
from chatbot.workflow.posts import Post, Version

SegmentKind = Literal["equal", "delete", "insert"]
#: What an adapter marks up: a segment's kind, or "skip" for unchanged words left out.
DisplayKind = Literal["equal", "delete", "insert", "skip"]

#: Words of unchanged text kept on each side of a change when a diff is shortened.
CONTEXT_WORDS = 4
#: Characters of draft text (kept, struck and inserted) a shortened diff shows at most.
EXCERPT_LIMIT = 1200

_TOKEN = regex.compile(
    r"https?://[^\s<>]*[^\s<>.,;:!?)\]'\"]"  # a URL, without the punctuation after it
    r"|[\w\p{M}\u200c\u200d]+(?:['’\-][\w\p{M}\u200c\u200d]+)*"  # a word: don't, edit-a-thon
    r"|\s+"
    r"|\X"  # anything else, one grapheme at a time
)
#: Characters of a changed stretch up to which its tokens are compared again, one by one.
_REFINE_LIMIT = 2000
#: Fewer unchanged words than this are shown rather than skipped.
_MIN_SKIP = 3

_WORD = regex.compile(r"[\w\p{M}]")
_LAST_WORD = regex.compile(r"\S+\Z")
_LEADING_SPACE = regex.compile(r"\A\s+")
_TRAILING_SPACE = regex.compile(r"\s+\Z")
_FIRST_WORD = regex.compile(r"\S+")


@dataclass(frozen=True)
class Segment:
    """A run of text: the same in both versions, taken out of the old, or put into the new."""

    kind: SegmentKind
    text: str


@dataclass(frozen=True)
class Skip:
    """Unchanged text left out of a shortened diff (shown as "…")."""

    words: int


@dataclass(frozen=True)
class Excerpt:
    """A diff shortened for a chat message: unchanged runs cut to a few words around each
    change, and everything past `EXCERPT_LIMIT` characters left out (`changes_left` says how
    many changes that hides; the new text is shown in full beside it anyway)."""

    pieces: tuple[Segment | Skip, ...]
    #: Changes (deletions, insertions) past the limit, not shown or not in full.
    changes_left: int = 0

    @property
    def cut(self) -> bool:
        return self.changes_left > 0

    def display(self) -> list[tuple[DisplayKind, str]]:
        """The pieces as text runs to mark up: a `Skip` becomes "…", with a space on each side
        where the text has none, and a space goes between a deletion and the insertion that
        replaces it where the draft has none, so that the two do not run together. The
        whitespace of the draft is otherwise kept as it is."""
        out: list[tuple[DisplayKind, str]] = []
        for piece in self.pieces:
            before = out[-1] if out else None
            if isinstance(piece, Skip):
                if before and not before[1][-1:].isspace():
                    out.append(("equal", " "))
                out.append(("skip", "…"))
                continue
            if not piece.text:
                continue
            after_skip = before is not None and before[0] == "skip"
            replacing = (before is not None and before[0] == "delete" and piece.kind == "insert"
                         and not before[1][-1:].isspace())
            if (after_skip or replacing) and not piece.text[:1].isspace():
                out.append(("equal", " "))
            out.append((piece.kind, piece.text))
        return out


@dataclass(frozen=True)
class RevisionDiff:
    """Version `after` of a post against version `before`, the one comms last saw."""

    before: int
    after: int
    text: tuple[Segment, ...]
    account: tuple[str, str] | None = None
    media_gone: tuple[MediaDeclaration, ...] = ()
    media_new: tuple[MediaDeclaration, ...] = ()
    findings_gone: tuple[Finding, ...] = ()
    findings_new: tuple[Finding, ...] = ()
    #: Findings of a judge (the LLM review, the learned layer) that ran on the old version but
    #: not on the new: not fixed, just not checked this time.
    findings_unchecked: tuple[Finding, ...] = ()
    #: The old text was purged (retention), so there is nothing to compare it with.
    purged: bool = False

    @property
    def text_changed(self) -> bool:
        return any(s.kind != "equal" for s in self.text)

    @property
    def spacing_only(self) -> bool:
        """The text changed only in its spaces or line breaks: nothing a mark would show."""
        return self.text_changed and all(not s.text.strip() for s in self.text
                                         if s.kind != "equal")

    @property
    def changed(self) -> bool:
        """Anything at all to show: a person may resubmit the very same draft."""
        return bool(self.text_changed or self.account or self.media_gone or self.media_new
                    or self.findings_gone or self.findings_new or self.findings_unchecked)

    def excerpt(self, *, context_words: int = CONTEXT_WORDS,
                limit: int = EXCERPT_LIMIT) -> Excerpt:
        return shorten(self.text, context_words=context_words, limit=limit)


def since_shown(post: Post, version: Version) -> RevisionDiff | None:
    """What changed in `version` since the latest earlier version comms were shown, or None
    when there is none (a first version, or earlier ones that never reached comms)."""
    seen = [v for v in post.versions if v.number < version.number and v.comms_ref is not None]
    if not seen:
        return None
    return compare(seen[-1], version)


def compare(old: Version, new: Version) -> RevisionDiff:
    """The differences between two versions of a post: text, account, media, findings."""
    purged = old.purged or new.purged
    media_gone, media_new = _media_changes(old.draft.media, new.draft.media)
    gone, new_, unchecked = _finding_changes(old.verdict, new.verdict)
    return RevisionDiff(
        before=old.number,
        after=new.number,
        text=() if purged else diff_words(old.draft.text, new.draft.text),
        account=((old.draft.account, new.draft.account)
                 if old.draft.account != new.draft.account else None),
        media_gone=media_gone,
        media_new=media_new,
        findings_gone=gone,
        findings_new=new_,
        findings_unchecked=unchecked,
        purged=purged,
    )


def diff_words(old: str, new: str) -> tuple[Segment, ...]:
    """`old` → `new` as segments; the equal and deleted ones spell `old`, the equal and
    inserted ones `new`, character for character. A deletion comes before the insertion
    that replaces it."""
    chunks: list[_Equal | _Change] = []
    for op, was, now in _opcodes(_units(old), _units(new)):
        if op == "equal":
            chunks.append(_Equal(was))
        elif op == "replace" and max(len(was), len(now)) <= _REFINE_LIMIT:
            # which tokens of the changed units changed, e.g. only the space after a word
            for op2, was2, now2 in _opcodes(tokens(was), tokens(now)):
                chunks.append(_Equal(was2) if op2 == "equal" else _Change(was2, now2))
        else:
            chunks.append(_Change(was, now))
    return tuple(_segments(_whole_words(chunks)))


def tokens(text: str) -> list[str]:
    """`text` cut into URLs, words (with their combining marks), whitespace runs and single
    other characters; joined again they are `text`."""
    return _TOKEN.findall(text)


def shorten(segments: Sequence[Segment], *, context_words: int = CONTEXT_WORDS,
            limit: int = EXCERPT_LIMIT) -> Excerpt:
    """`segments` for a chat message: see `Excerpt`."""
    pieces: list[Segment | Skip] = []
    used = 0
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment.kind == "equal":
            kept = _keep_context(segment.text, context_words,
                                 head=index > 0, tail=index < last)
        else:
            kept = [segment]
        for piece in kept:
            size = len(piece.text) if isinstance(piece, Segment) else 1
            if used + size > limit:
                room = limit - used
                if isinstance(piece, Segment) and room > 0 and (
                        start := _cut_words(piece.text, room)):
                    pieces.append(Segment(piece.kind, start))
                left = sum(s.kind != "equal" for s in segments[index + 1:])
                left += segment.kind != "equal"
                return Excerpt(tuple(pieces), max(left, 1))
            pieces.append(piece)
            used += size
    return Excerpt(tuple(pieces))


# --- helpers ---------------------------------------------------------------------------------


def _units(text: str) -> list[str]:
    """`text` as tokens, each with the whitespace after it: the units the first pass compares
    (marking whitespace as junk instead makes the matcher try every word on its own, which is
    quadratic again)."""
    units: list[str] = []
    for token in tokens(text):
        if token.isspace() and units:
            units[-1] += token
        else:
            units.append(token)
    return units


def _opcodes(a: Sequence[str], b: Sequence[str]) -> Iterable[tuple[str, str, str]]:
    """(operation, old text, new text) for each stretch of `a` → `b`."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        yield op, "".join(a[i1:i2]), "".join(b[j1:j2])


@dataclass
class _Equal:
    text: str


@dataclass
class _Change:
    old: str
    new: str


def _whole_words(chunks: list[_Equal | _Change]) -> list[_Equal | _Change]:
    """Merge changes that only whitespace or a negligible word separates, and widen each
    change to the edges of the space-separated words it touches, until nothing moves."""
    moved = True
    while moved:
        moved = False
        merged: list[_Equal | _Change] = []
        for chunk in chunks:
            if isinstance(chunk, _Equal) and not chunk.text:
                continue
            if (isinstance(chunk, _Change) and len(merged) >= 2
                    and isinstance(merged[-1], _Equal) and isinstance(merged[-2], _Change)
                    and _negligible(merged[-1].text, merged[-2], chunk)):
                space = merged.pop().text
                before = merged.pop()
                assert isinstance(before, _Change)
                chunk = _Change(before.old + space + chunk.old, before.new + space + chunk.new)
                moved = True
            if isinstance(chunk, _Change) and merged and isinstance(merged[-1], _Change):
                before = merged.pop()
                assert isinstance(before, _Change)
                chunk = _Change(before.old + chunk.old, before.new + chunk.new)
            elif isinstance(chunk, _Equal) and merged and isinstance(merged[-1], _Equal):
                chunk = _Equal(merged.pop().text + chunk.text)
            merged.append(chunk)
        for index, chunk in enumerate(merged):
            if not isinstance(chunk, _Change):
                continue
            if index > 0 and isinstance(prev := merged[index - 1], _Equal):
                head = _trailing_word(prev.text)
                if head and (_starts_word(chunk.old) or _starts_word(chunk.new)):
                    prev.text = prev.text[: len(prev.text) - len(head)]
                    chunk.old, chunk.new = head + chunk.old, head + chunk.new
                    moved = True
            if index + 1 < len(merged) and isinstance(nxt := merged[index + 1], _Equal):
                tail = _leading_word(nxt.text)
                if tail and (_ends_word(chunk.old) or _ends_word(chunk.new)):
                    nxt.text = nxt.text[len(tail):]
                    chunk.old, chunk.new = chunk.old + tail, chunk.new + tail
                    moved = True
        chunks = merged
    return chunks


def _negligible(equal: str, before: _Change, after: _Change) -> bool:
    """Whether the unchanged text between two changes is better shown as changed: whitespace,
    or a word much shorter than the changes on both sides (a "the" that a rewrite happened to
    keep would otherwise cut one change into two)."""
    size = 2 * len(equal)
    return (not equal.strip()
            or (size < max(len(before.old), len(before.new))
                and size < max(len(after.old), len(after.new))))


def _segments(chunks: Iterable[_Equal | _Change]) -> Iterable[Segment]:
    """The chunks as segments; whitespace that both sides of a change begin or end with is
    unchanged, so it goes outside the change."""
    out: list[Segment] = []

    def add(kind: SegmentKind, text: str) -> None:
        if not text:
            return
        if kind == "equal" and out and out[-1].kind == "equal":
            out[-1] = Segment("equal", out[-1].text + text)
        else:
            out.append(Segment(kind, text))

    for chunk in chunks:
        if isinstance(chunk, _Equal):
            add("equal", chunk.text)
            continue
        old, new = chunk.old, chunk.new
        lead = _common_space(old, new, _LEADING_SPACE)
        old, new = old[len(lead):], new[len(lead):]
        trail = _common_space(old, new, _TRAILING_SPACE)
        if trail:
            old, new = old[: len(old) - len(trail)], new[: len(new) - len(trail)]
        add("equal", lead)
        add("delete", old)
        add("insert", new)
        add("equal", trail)
    return out


def _common_space(old: str, new: str, pattern: regex.Pattern[str]) -> str:
    """The whitespace `old` and `new` both begin (or end) with, when both have more."""
    a, b = pattern.search(old), pattern.search(new)
    if not a or not b or a.group(0) != b.group(0) or not old.strip() or not new.strip():
        return ""
    return a.group(0)


def _trailing_word(text: str) -> str:
    """The characters after `text`'s last whitespace ("" if it ends in whitespace)."""
    return m.group(0) if (m := _LAST_WORD.search(text)) else ""


def _leading_word(text: str) -> str:
    return m.group(0) if (m := _FIRST_WORD.match(text)) else ""


def _starts_word(text: str) -> bool:
    return bool(text) and not text[0].isspace()


def _ends_word(text: str) -> bool:
    return bool(text) and not text[-1].isspace()


def _keep_context(text: str, words: int, *, head: bool, tail: bool) -> list[Segment | Skip]:
    """An unchanged run, cut to `words` words after the change before it (`head`) and before
    the change after it (`tail`); what is cut becomes a `Skip`."""
    parts = tokens(text)
    starts = [i for i, t in enumerate(parts) if _WORD.search(t)]
    words = max(words, 1)
    cut_from = (starts[words] if len(starts) > words else len(parts)) if head else 0
    cut_to = (starts[-words] if len(starts) > words else 0) if tail else len(parts)
    skipped = sum(1 for i in starts if cut_from <= i < cut_to)
    if skipped < _MIN_SKIP:  # "…" in place of a word or two saves nothing
        return [Segment("equal", text)]
    out: list[Segment | Skip] = []
    if cut_from:
        out.append(Segment("equal", "".join(parts[:cut_from])))
    out.append(Skip(skipped))
    if cut_to < len(parts):
        out.append(Segment("equal", "".join(parts[cut_to:])))
    return out


def _cut_words(text: str, room: int) -> str:
    """The start of `text` that fits in `room` characters, ending at a token boundary."""
    out, used = [], 0
    for token in tokens(text):
        if used + len(token) > room:
            break
        out.append(token)
        used += len(token)
    return "".join(out).rstrip()


def _media_changes(old: Sequence[MediaDeclaration], new: Sequence[MediaDeclaration]
                   ) -> tuple[tuple[MediaDeclaration, ...], tuple[MediaDeclaration, ...]]:
    """Declarations taken out and put in (a changed licence is one of each), in order."""
    remaining = list(new)
    gone = []
    for item in old:
        if item in remaining:
            remaining.remove(item)
        else:
            gone.append(item)
    kept = list(old)
    added = []
    for item in new:
        if item in kept:
            kept.remove(item)
        else:
            added.append(item)
    return tuple(gone), tuple(added)


def _finding_changes(old: Verdict, new: Verdict
                     ) -> tuple[tuple[Finding, ...], tuple[Finding, ...], tuple[Finding, ...]]:
    """Findings gone, new, and gone only because their judge did not run on the new version.

    Findings are the same when their rule and label are: a finding whose span moved because
    words before it changed is still the same finding."""
    old_keys = {_key(f) for f in old.findings}
    new_keys = {_key(f) for f in new.findings}
    gone: list[Finding] = []
    unchecked: list[Finding] = []
    for finding in _first_of_each(old.findings):
        if _key(finding) in new_keys:
            continue
        (unchecked if not _judge_ran(new, finding) else gone).append(finding)
    fresh = [f for f in _first_of_each(new.findings) if _key(f) not in old_keys]
    return tuple(gone), tuple(fresh), tuple(unchecked)


def _key(finding: Finding) -> tuple[str, str]:
    return finding.rule, finding.label


def _first_of_each(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for finding in findings:
        if _key(finding) not in seen:
            seen.add(_key(finding))
            out.append(finding)
    return out


def _judge_ran(verdict: Verdict, finding: Finding) -> bool:
    if finding.source == "llm":
        return verdict.llm.status == "ok"
    if finding.source == "model":
        return verdict.model.status == "ok"
    return True
