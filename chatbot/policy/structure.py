"""The shape of a draft: is it a reply, and which parts quote someone else (a repost)?

The policy treats the account's own words and the words it reposts alike ("Do not retweet or
repost anything that contains any of the above"), but a finding in a quoted part also earns
`repost-of-violation`, and rules about the poster's own voice (`org-voice`) must not fire on
what they quote. So the engine needs to know where each part starts and ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

HANDLE = r"@[A-Za-z0-9_][\w.]*(?:@[\w-]+(?:\.[\w-]+)+)?"
#: A platform's own repost marker opens a line: `RT @who:`, `QT @who:`, `↪️ @who:`.
REPOST_LINE = re.compile(
    rf"(?m)^[^\S\n]*(?:(?:RT|QT|MT|Retweet(?:ing)?|Repost(?:ing)?|Quote)\b[^\S\n]*:?[^\S\n]*"
    rf"(?:{HANDLE})?[^\S\n]*:?|↪\ufe0f?[^\S\n]*(?:{HANDLE})[^\n:]{{0,40}}:?)"
)
#: A quoted block of some length, in straight, curly or guillemet quotes.
QUOTED_BLOCK = re.compile(r"[\"“„«]([^\"“”„«»]{25,})[\"”»]")
#: `— @who` right after a quoted block attributes it to another account.
ATTRIBUTION = re.compile(rf"\s*[—–\-~]+\s*{HANDLE}")
#: Lines quoted e-mail style.
QUOTE_LINE = re.compile(r"(?m)^[^\S\n]*>[^\n]*")
REPLY = re.compile(rf"^\s*({HANDLE})")
#: Where a handle's words meet: `fansClub`, `SRKUniverse`, `ravi1987`.
WORD_EDGE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])")


@dataclass(frozen=True)
class Segment:
    """A part of the draft in original-text indices: the poster's own words or a quote."""

    kind: Literal["own", "quoted"]
    start: int
    end: int


@dataclass(frozen=True)
class Structure:
    reply_to: str | None
    segments: tuple[Segment, ...]

    def kind_at(self, index: int) -> Literal["own", "quoted"]:
        for segment in self.segments:
            if segment.start <= index < segment.end:
                return segment.kind
        return "own"


def handle_words(handle: str) -> str:
    """A handle read as words, lower case: `@RajiniFansOfficial` → `rajini fans official`,
    `@thalaivar_fans` → `thalaivar fans`, `@GippyGrewalFC` → `gippy grewal fc`. An account's
    name often says what it is (a fan club, a newspaper, a party), and `reply_to:` reads it."""
    name = handle.lstrip("@").split("@")[0]
    name = WORD_EDGE.sub(" ", name)
    return " ".join(re.split(r"[_.\s]+", name)).lower().strip()


def parse_structure(text: str, repost_marker: bool = False) -> Structure:
    """Find the reply target and the quoted parts of `text`.

    `repost_marker` says the draft uses one of the policy's words for "I am sharing this"
    (Reposting, शेयर कर रहे हैं, பகிர்கிறோம் …); then a quoted block counts as a repost even
    without `— @who` after it.
    """
    reply = REPLY.match(text)
    quoted: list[tuple[int, int]] = []
    line = REPOST_LINE.search(text)
    if line and (line.group(0).strip() not in ("", ":")):
        quoted.append((line.start(), len(text)))
    for m in QUOTE_LINE.finditer(text):
        quoted.append(m.span())
    for m in QUOTED_BLOCK.finditer(text):
        attributed = ATTRIBUTION.match(text, m.end())
        if attributed or repost_marker:
            quoted.append((m.start(), attributed.end() if attributed else m.end()))
    return Structure(
        reply_to=reply.group(1) if reply else None,
        segments=_segments(len(text), _merge(quoted)),
    )


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _segments(length: int, quoted: list[tuple[int, int]]) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    cursor = 0
    for start, end in quoted:
        if start > cursor:
            segments.append(Segment("own", cursor, start))
        segments.append(Segment("quoted", start, end))
        cursor = end
    if cursor < length or not segments:
        segments.append(Segment("own", cursor, length))
    return tuple(segments)
