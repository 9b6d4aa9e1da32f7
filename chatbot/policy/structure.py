"""The shape of a draft: is it a reply, and which parts quote someone else (a repost)?

The policy treats the account's own words and the words it reposts alike ("Do not retweet or
repost anything that contains any of the above"), but a finding in a quoted part also earns
`repost-of-violation`, and rules about the poster's own voice (`org-voice`) must not fire on
what they quote. So the engine needs to know where each part starts and ends.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

HANDLE = r"@[A-Za-z0-9_][\w.]*(?:@[\w-]+(?:\.[\w-]+)+)?"
#: A platform's own repost marker opens a line: `RT @who:`, `QT @who:`, `↪️ @who:`.
REPOST_LINE = re.compile(
    rf"(?m)^[^\S\n]*(?:(?:RT|QT|MT|Retweet(?:ing)?|Repost(?:ing)?|Quote)\b[^\S\n]*:?[^\S\n]*"
    rf"(?:{HANDLE})?[^\S\n]*:?|↪\ufe0f?[^\S\n]*(?:{HANDLE})[^\n:]{{0,40}}:?)"
)
#: …or stands mid-line after the poster's own comment ("Well said! RT @who: …"): then only the
#: platform's short markers count, and only with a handle and its colon, so that "RT" or "QT"
#: in a sentence ("our RT team", "QT interval") is no repost.
REPOST_INLINE = re.compile(
    rf"(?<=\S)[^\S\n]+(?P<marker>(?:RT|QT|MT)[^\S\n]+{HANDLE}[^\S\n]*:"
    rf"|↪\ufe0f?[^\S\n]*{HANDLE}[^\S\n]*:)"
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
    elif inline := REPOST_INLINE.search(text):
        quoted.append((inline.start("marker"), len(text)))
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


# --- sentences ------------------------------------------------------------------------------------


def sentences(text: str) -> list[tuple[int, int]]:
    """Split normalised text into sentence-like spans. Rules that need words together (a name and
    the side taken about it) look inside one of these.

    A sentence ends at `.`, `!`, `?`, a danda, a line break or a dash before a space (not a dash
    after three words or fewer, which puts a name beside what is said of it), and before a
    bullet (✅ ✔️ ☑️ • ▪️ 🔹 ➤ …) that follows text on its line: `Venue: X ✅ 40 students ✅ great
    talks` is a list of points written on one line, and a sponsor named in one point is not what
    another point praises. A line with one such mark is no list: in `we fixed it ✅ thanks for
    flagging` the tick closes a point, and the thanks belong with it.

    It does not end at the dot of an initial or a title: `v. k. pandian`, `dr. ambedkar`,
    `smt. sudha murty`, `ଭି.କେ. ପାଣ୍ଡିଆନ`, `சி. என். அண்ணாதுரை`, `ಡಿ. ಕೆ. ಶಿವಕುಮಾರ್` keep a
    person's name with their initials and the words before them.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    ends = _SENTENCE_OR_POINT_END if any(b in text for b in BULLETS) else _SENTENCE_END
    for m in ends.finditer(text):
        if m.group() == "." and _abbreviation_dot(text, m.start(), start):
            continue
        if m.lastgroup == "bullet" and not _list_line(text, m.end()):
            continue
        if m.group() in "—–" and len(text[start:m.start()].split()) <= _DASH_HEAD_WORDS:
            continue
        end = m.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


#: A dash after this many words or fewer joins them to what follows: in `Trump — the only man
#: who…` or `@BJP4India – keep it up` the dash sets a name beside what is said of it.
_DASH_HEAD_WORDS = 3
#: Bullets that open a point of a list; emoji variation selectors are already gone.
BULLETS = "✅✔☑✓•▪◾◽🔹🔸🔷🔶➤►▶"
_SENTENCE_END = re.compile(r"[.!?।॥]+(?=\s|$)|\n+|[—–](?=\s)")
#: …and before a bullet, for a draft that has one.
_SENTENCE_OR_POINT_END = re.compile(
    _SENTENCE_END.pattern + rf"|(?P<bullet>(?<=[^\s{BULLETS}])[^\S\n]*(?=[{BULLETS}]))"
)
_BULLET = re.compile(f"[{BULLETS}]+")

#: Titles written with a dot before a name, in normalised form (lower case, a repeated letter
#: read once: "shree" is "shre"). Indic: doctor, shri/shrimati, professor, Marathi mā./nā.
#: (honourable), pt. (pandit), late (sva./kai.), Mrs (sau.), advocate; Tamil tiru./tirumati.
#: Words that also end sentences are left out: "no.", "km.", and "hon." (Hinglish "hoon." once
#: its repeated letter is read once).
TITLES = frozenset(
    word
    for script in (
        "dr mr mrs ms smt shri shre sri sre shrimati srimati kum prof capt col gen lt maj",
        "adv er st sh pt rev fr sr jr govt dept pvt rs vs viz",
        "डॉ डा श्री श्रीमती श्रीमान प्रो प्रा मा ना पं स्व कै सौ ॲड ऍड एड कु",
        "ড ডা ডঃ ডাঃ শ্রী শ্রীমতী প্রফ অধ্যাপক",
        "ଡ ଡା ଡଃ ଶ୍ରୀ ଶ୍ରୀମତୀ ପ୍ରଫେ",
        "ਡਾ ਸ੍ਰੀ ਸ਼੍ਰੀ ਸ਼੍ਰੀਮਤੀ ਪ੍ਰੋ",
        "ડૉ ડો શ્રી શ્રીમતી પ્રો",
        "ಡಾ ಶ್ರೀ ಶ್ರೀಮತಿ ಪ್ರೊ",
        "டாக்டர் டா டாக் திரு திருமதி ஸ்ரீ ஶ்ரீ பேரா செல்வி",
        "డా శ్రీ శ్రీమతి ప్రొ ప్రొఫె",
        "ഡോ ശ്രീ ശ്രീമതി പ്രൊ പ്രൊഫ",
    )
    for word in script.split()
)
#: Indic viramas (a consonant written with one joins the next or ends the syllable).
VIRAMAS = frozenset("\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d4d")
#: Indic independent vowels. An initial that is a Latin letter's name may be a vowel and one
#: more letter: एम (M), आर (R), এস (S), ஐ, ఎఫ్ (F).
INDIC_VOWELS = frozenset(
    chr(c)
    for c in range(0x900, 0xE00)
    if unicodedata.category(chr(c)) == "Lo"
    and " LETTER " in unicodedata.name(chr(c), "")
    and unicodedata.name(chr(c)).split(" LETTER ")[1]
    in {"A", "AA", "I", "II", "U", "UU", "E", "EE", "AI", "O", "OO", "AU", "VOCALIC R",
        "CANDRA E", "CANDRA O", "SHORT E", "SHORT O", "CANDRA A"}
)
#: What a word before a dot starts after. Not an apostrophe: the "t" of "won't." is no initial.
_TOKEN_EDGE = frozenset(" \t\n.,;:!?()[]\"“”‘")
_TOKEN_AFTER = re.compile(r"\s?([^\s.]+)\.")


def _list_line(text: str, bullet: int) -> bool:
    """Does the line of the bullet at `bullet` hold another bullet (a list written on one line)?"""
    start = text.rfind("\n", 0, bullet) + 1
    end = text.find("\n", bullet)
    return len(_BULLET.findall(text, start, len(text) if end < 0 else end)) >= 2


def _abbreviation_dot(text: str, dot: int, sentence_start: int) -> bool:
    """Is the dot at `dot` the end of an initial or a title rather than of a sentence?"""
    if dot + 1 >= len(text) or text[dot + 1] == "\n":
        return False  # the end of a line ends the sentence anyway
    begin = _token_start(text, dot, sentence_start)
    if begin is None:
        return False
    token = text[begin:dot]
    if token.casefold() in TITLES:  # the model layer splits the poster's own text
        return True
    if len(token) == 1 and token.isascii() and token.isalpha():
        return True  # a Latin initial: "v. k. pandian"; a sentence seldom ends in one letter
    if not _is_indic_initial(token):
        return False
    # An Indic syllable is also a word ("છે." is Gujarati "is."): an initial only in a run of
    # initials, after a title, or where a sentence starts.
    lead = text[sentence_start:begin].rstrip()
    if not lead:
        return True
    if lead.endswith("."):
        previous = _token_start(lead, len(lead) - 1, 0)
        if previous is not None:
            word = lead[previous:-1]
            if word.casefold() in TITLES or _is_indic_initial(word):
                return True
    after = _TOKEN_AFTER.match(text, dot + 1)
    return after is not None and _is_indic_initial(after.group(1))


def _token_start(text: str, end: int, lo: int) -> int | None:
    """Where the short word (a title's length at most) that ends at `end` begins, or None."""
    i = end
    while i > lo and text[i - 1] not in _TOKEN_EDGE:
        i -= 1
        if end - i > 9:
            return None
    return i if i < end else None


def _is_indic_initial(token: str) -> bool:
    """One Indic syllable, as an initial is written: `ଭି`, `କେ`, `சி`, `என்`, `ಎಚ್`, `ആർ`; or a
    vowel and one more letter: `एम`, `आर`, `आई`."""
    if not token or not all("\u0900" <= ch <= "\u0dff" for ch in token):
        return False
    bases = 0
    for i, ch in enumerate(token):
        if not ch.isalpha() or "\u0d7a" <= ch <= "\u0d7f":
            continue  # a vowel sign, anusvara or visarga; a Malayalam chillu ends a syllable
        after_virama = i > 0 and token[i - 1] in VIRAMAS
        closes = i + 1 < len(token) and token[i + 1] in VIRAMAS and i + 2 == len(token)
        if not after_virama and not (closes and bases):
            bases += 1
    return bases == 1 or (bases == 2 and token[0] in INDIC_VOWELS)
