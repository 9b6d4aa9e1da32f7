"""Text normalisation that sees through cheap evasion and keeps a map back to the original.

Rules match on a normalised copy of the draft: look-alike letters and leet digits inside a
Latin word read as Latin letters (`Vоte` with a Cyrillic о, `V0te`, `B3st`, `🅱️JP`; see
`chatbot.policy.lookalikes`), NFKC, case-folded, zero-width characters and variation selectors
removed, letters and digits spaced out to dodge a filter (`V O T E`, `2 0 2 4`) and dotted
short forms (`B.J.P.`, `भा.ज.पा.`, `தி.மு.க.`) joined, runs of a
repeated letter collapsed to one (`sooooo` → `so`, and `good` → `god` on both sides, since
patterns go through the same collapse), hashtags split into words (`#Vote4Ravi` → `vote 4 ravi`,
`#मराठी_विकिपीडिया` → `मराठी विकिपीडिया`), and URLs, e-mail addresses and @handles masked so a
term never matches inside one. Every normalised character remembers the index of the original
character it came from, so a finding can point at the poster's own words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chatbot.policy.lookalikes import fold_lookalikes
from chatbot.policy.structure import INDIC_VOWELS, TITLES

#: Characters that change nothing a reader sees but break naive matching.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064\ufe0e\ufe0f"
    # Indic nukta signs: ज़/ज, ड़/ड are spelt both ways in practice.
    "\u093c\u09bc\u0a3c\u0abc\u0b3c\u0cbc"
)

#: A "letter" for splitting hashtags: the standard library's \w misses Indic vowel signs and
#: viramas (category M), so the Indic blocks U+0900–U+0DFF and Ol Chiki are added. (Rules are
#: compiled with the `regex` library, whose \w and \b already know this.)
LETTER = r"[\w\u0900-\u0DFF\u1C50-\u1C7F]"

URL = re.compile(
    r"(?:https?://|www\.)\S+"
    # a bare domain; the look-behind allows one start per run and the bounded repeat keeps
    # backtracking linear on text such as "x.x.x.x…"
    r"|(?<![\w.-])(?:[a-z0-9-]{1,63}\.){1,8}(?:com|org|net|in|io|co|info|me|ly|gl|social|wiki)\b"
    r"(?:/\S*)?",
    re.IGNORECASE,
)
#: What every match of URL contains (a scheme, `www.`, or a dot and a top-level domain that
#: ends a word): one quick search that spares the slower URL pattern nearly every draft.
_URL_HINT = re.compile(
    r"https?://|www\.|\.(?:com|org|net|in|io|co|info|me|ly|gl|social|wiki)\b", re.IGNORECASE
)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][\w.]*(?:@[\w-]+(?:\.[\w-]+)+)?")
HASHTAG = re.compile(rf"#((?:{LETTER}|[\u200b-\u200d\u2060])+)")
#: Three or more single Latin letters separated by a space, dot or dash: `V O T E`, `v.o.t.e`.
SPACED_LETTERS = re.compile(
    r"(?<!(?<![A-Za-z])[A-Za-z][ .\-_*])(?<![A-Za-z])(?:[A-Za-z][ .\-_*]){2,}[A-Za-z](?![A-Za-z])"
)

#: What every match of SPACED_LETTERS begins with: a letter, a separator, a letter, a separator
#: and a letter (`a b c`), looked for without the look-behinds at every position.
_SPACED_HINT = re.compile(r"[A-Za-z][ .\-_*][A-Za-z][ .\-_*][A-Za-z]")

#: What a masked URL, address or handle becomes in the normalised text.
MASK = {"url": " ", "email": " ", "handle": " @ "}


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, the original index it came from."""

    text: str
    origin: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) back to the original text."""
        if not self.origin:
            return (0, 0)
        start = min(start, len(self.origin) - 1)
        end = max(end - 1, start)
        end = min(end, len(self.origin) - 1)
        return (self.origin[start], self._past_repeats(end))

    def _past_repeats(self, last: int) -> int:
        """The original index just after normalised character `last`, with the repeats folded
        into it: `bill` reads `bil`, and a span that ends there must show the poster `bill`."""
        stop = self.origin[last] + 1
        letter = self.text[last]
        if not letter.isalpha():
            return stop
        limit = self.origin[last + 1] if last + 1 < len(self.origin) else len(self.original)
        while stop < limit and _fold(fold_lookalikes(self.original[stop])) in (letter, ""):
            stop += 1
        return stop


def normalise(text: str) -> Normalised:
    """Normalise `text` for matching; see the module docstring for what changes."""
    original = text
    text = fold_lookalikes(text)  # one character for one: indices into it are the original's
    masks = _masked_regions(text) if ("@" in text or "." in text) else {}
    joined = _spaced_letter_separators(text) | _spelt_out_gaps(text)
    hashtag_chars = _hashtag_positions(text) if "#" in text else set()
    specials = sorted({*masks, *joined, *hashtag_chars})
    out: list[str] = []
    origin: list[int] = []
    i = 0
    for special in specials:
        if special < i:
            continue
        _fold_run(text, i, special, out, origin)
        if special in masks:
            end, replacement = masks[special]
            out.extend(replacement)
            origin.extend([special] * len(replacement))
            i = end
        elif special in joined:
            i = special + 1
        else:
            _emit_hashtag_char(text, special, out, origin)
            i = special + 1
    _fold_run(text, i, len(text), out, origin)
    return Normalised("".join(out), tuple(origin), original)


def _fold_run(text: str, start: int, end: int, out: list[str], origin: list[int]) -> None:
    """Fold text[start:end] onto `out`. A run whose folding keeps its length (nearly all text)
    is folded in one call and copied in slices between the letters it drops; otherwise it is
    folded character by character."""
    if start >= end:
        return
    run = text[start:end]
    folded = unicodedata.normalize("NFKC", run).casefold()
    if len(folded) != len(run):
        for i in range(start, end):
            _emit(_FOLDED.get(text[i]) or _fold(text[i]), i, out, origin)
        return
    # Pieces between what folding drops (a letter's repeats, invisible characters) are copied
    # in slices with their indices; a piece's first letter drops when it repeats the last one
    # kept (`a\u200ba` reads `a`). `(\w)\1+` is five times faster to scan for than a letter
    # class; a repeated digit or underscore it finds is kept.
    last = out[-1] if out else ""
    kept = 0
    for m in _DROP_FAST.finditer(folded):
        letter = m.group(1)
        if letter is not None and _LETTER.match(letter) is None:
            continue
        cut = m.start()
        if kept < cut:
            lo = kept + 1 if folded[kept] == last and last.isalpha() else kept
            if lo < cut:
                out.extend(folded[lo:cut])
                origin.extend(range(start + lo, start + cut))
                last = folded[cut - 1]
        if letter is not None and not (letter == last and letter.isalpha()):
            out.append(letter)
            origin.append(start + cut)
            last = letter
        kept = m.end()
    if kept < len(folded):
        lo = kept + 1 if folded[kept] == last and last.isalpha() else kept
        out.extend(folded[lo:])
        origin.extend(range(start + lo, end))


#: What folding drops inside a run: a letter repeated (kept once) and invisible characters,
#: found as any repeated word character (five times faster to scan for than a letter class;
#: a repeated digit or underscore is kept).
_DROP_FAST = re.compile(r"(\w)\1+|[" + "".join(sorted(INVISIBLE)) + "]")
_LETTER = re.compile(r"[^\W\d_]")


#: Each character's folded form (NFKC, case-folded, invisibles dropped), computed once.
_FOLDED: dict[str, str] = {}


def _fold(ch: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKC", ch).casefold() if c not in INVISIBLE)
    if len(_FOLDED) < 100_000:
        _FOLDED[ch] = folded
    return folded


def normalise_pattern_literal(pattern: str) -> str:
    """Put a rule's regex through the same letter folding the text gets.

    Only literal letters change: NFKC, case-fold, and a run of one repeated letter collapsed to
    one, so `\\bgood\\b` still matches the normalised `god`. Escapes such as `\\d` are left alone.
    """
    folded = unicodedata.normalize("NFKC", pattern)
    folded = "".join(ch for ch in folded if ch not in INVISIBLE)
    result: list[str] = []
    escaped = False
    for ch in folded:
        if escaped:
            result.append(ch)
            escaped = False
            continue
        if ch == "\\":
            result.append(ch)
            escaped = True
            continue
        low = ch.casefold()
        if low.isalpha() and result and result[-1] == low and not _is_escape_end(result):
            continue
        result.append(low)
    return "".join(result)


def _is_escape_end(chars: list[str]) -> bool:
    """True when the last char in `chars` is the letter of an escape like `\\b`."""
    return len(chars) >= 2 and chars[-2] == "\\"


def _emit(piece: str, index: int, out: list[str], origin: list[int]) -> None:
    for ch in piece:
        if ch in INVISIBLE:
            continue
        if ch.isalpha() and out and out[-1] == ch:
            continue
        out.append(ch)
        origin.append(index)


def _emit_hashtag_char(text: str, i: int, out: list[str], origin: list[int]) -> None:
    """Split a hashtag into words: `#VoteFor_Ravi4MLA` → ` vote for ravi 4 mla`, `#BJPHatao` →
    ` bjp hatao`."""
    ch = text[i]
    j = i - 1
    while j >= 0 and text[j] in INVISIBLE:
        j -= 1
    prev = text[j] if j >= 0 else ""
    if ch == "#":
        _emit(" #", i, out, origin)  # kept: a rule may ask for a hashtag ('#\s*vote')
        return
    if ch == "_":
        _emit(" ", i, out, origin)
        return
    nxt = text[i + 1] if i + 1 < len(text) else ""
    boundary = (
        (ch.isupper() and prev.islower())
        # The last capital of a run that starts a word: `#AAPForDelhi` → `aap for delhi`.
        or (ch.isupper() and prev.isupper() and nxt.islower())
        or (ch.isdigit() and prev.isalpha())
        or (ch.isalpha() and prev.isdigit())
    )
    if boundary:
        _emit(" ", i, out, origin)
    _emit(unicodedata.normalize("NFKC", ch).casefold(), i, out, origin)


def _masked_regions(text: str) -> dict[int, tuple[int, str]]:
    """Start index → (end index, replacement) for URLs, e-mail addresses and handles."""
    regions: dict[int, tuple[int, str]] = {}
    taken = bytearray(len(text))
    at = "@" in text
    for kind, pattern in (("email", EMAIL), ("url", URL), ("handle", HANDLE)):
        if kind != "url" and not at:
            continue  # an address and a handle both have an @
        if kind == "url" and _URL_HINT.search(text) is None:
            continue  # no scheme, no www. and no .com or the like: no link
        for m in pattern.finditer(text):
            start, end = m.span()
            if kind == "url":
                end = start + len(m.group(0).rstrip(".,;:!?)]}\"'”’"))
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            regions[start] = (end, MASK[kind])
    return regions


def _spaced_letter_separators(text: str) -> set[int]:
    """Indices of the separators in `V O T E` that should vanish so the word reads `vote`."""
    gaps: set[int] = set()
    if _SPACED_HINT.search(text) is None:
        return gaps
    for m in SPACED_LETTERS.finditer(text):
        for j in range(m.start(), m.end()):
            if not text[j].isalpha():
                gaps.add(j)
    return gaps


def _hashtag_positions(text: str) -> set[int]:
    positions: set[int] = set()
    for m in HASHTAG.finditer(text):
        positions.update(range(m.start(), m.end()))
    return positions


def _indic_class(categories: str) -> str:
    """A regex class of the Indic-block characters (U+0900–U+0DFF) of the given categories."""
    chars = [chr(c) for c in range(0x900, 0xE00) if unicodedata.category(chr(c)) in categories]
    return "[" + "".join(chars) + "]"


#: An Indic syllable as written in a dotted short form: a letter (consonant or vowel), its
#: vowel signs and any conjunct, and a closing consonant with a virama or a Malayalam chillu:
#: `भा`, `स्व`, `தி`, `மு`, `ক্ষ`, `எஸ்` (S), `ആർ` (R); or a vowel and one more letter, as Latin
#: letters are named: `एम` (M), `এম`, `आई` (I).
_INDIC_MARK = _indic_class("MnMc")
_VIRAMA = "[\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d4d]"
_INDIC_VOWEL = "[" + "".join(sorted(INDIC_VOWELS)) + "]"
_SYLLABLE = "(?:(?:{3}{1}*)?{0}(?:{1}|(?<={2}){0})*(?:[\u0d7a-\u0d7f]|{0}{2})?|{3}{1}*)".format(
    _indic_class("Lo"), _INDIC_MARK, _VIRAMA, _INDIC_VOWEL
)
#: What `_spelt_out_gaps` looks for, each with a quick test that spares nearly every draft the
#: slower pattern: single digits spaced out (`2 0 2 4`); an Indic short form of three or more
#: syllables with dots and no spaces (`भा.ज.पा.`, `தி.மு.க.`, `அ.தி.மு.க`; with spaces they are
#: initials, `डॉ. बी. आर. अंबेडकर`, and a name list's `बी. आर. अंबेडकर` must still find them); a
#: Latin one (`B.J.P.`), whose inner dots SPACED_LETTERS drops; a keycap (`2️⃣`).
_SPELT_OUT = (
    re.compile(r"(?<!\w)(?<!\d[.,])\d(?: \d){2,}(?!\w|[.,]\d)"),
    re.compile(
        rf"(?<![\w.{_INDIC_MARK[1:-1]}])"
        rf"(?:{_SYLLABLE}\.){{2,}}{_SYLLABLE}(?:\.|(?![\w{_INDIC_MARK[1:-1]}]))"
    ),
    re.compile(r"(?<![\w.])(?:[A-Za-z]\.){3,}(?=\s|$)"),
)
#: Quick tests, each beginning with a literal so the scan is fast: a spaced digit run has
#: ` 4 2`, a dotted short form has a syllable or letter between two dots.
_SPACED_DIGITS_HINT = re.compile(r" \d \d")
_DOTTED_HINT = re.compile(r"\. ?(?:[A-Za-z]|[\u0900-\u0dff]{1,8})\.")


def _spelt_out_gaps(text: str) -> set[int]:
    """Indices to drop so a word spelt out reads as one: the spaces of `2 0 2 4` (a year or a
    number spaced out to dodge a filter; `Top 3` or `1, 2, 3` are not runs), the dots of a
    dotted Indic short form (`भा.ज.पा.` → `भाजपा`, `த.வெ.க` → `தவெக`)
    and the last dot of a Latin one (`B.J.P.` → `bjp`, so no sentence ends inside `B.J.P. ko
    vote`), and a keycap's enclosing mark (`2️⃣0️⃣2️⃣4️⃣` → `2024`).

    Indic syllables spaced out with no dots are left alone: `जो भी हो`, `में ही दो`, `ಬೈ ಬೈ` are
    ordinary words."""
    gaps: set[int] = set()
    digits = _SPACED_DIGITS_HINT.search(text) is not None
    dotted = "." in text and _DOTTED_HINT.search(text) is not None
    if digits:
        for m in _SPELT_OUT[0].finditer(text):
            gaps.update(range(m.start() + 1, m.end(), 2))
    if dotted and not text.isascii():
        for m in _SPELT_OUT[1].finditer(text):
            start = m.start()
            first_dot = text.index(".", start)
            if text[start:first_dot] in TITLES:  # डॉ.बी.आर.: a title and two initials
                start = first_dot + 1
            if text[start : m.end()].rstrip(".").count(".") >= 2:
                gaps.update(j for j in range(start, m.end()) if text[j] == ".")
    if dotted:
        gaps.update(m.end() - 1 for m in _SPELT_OUT[2].finditer(text))
    if "\u20e3" in text:
        gaps.update(i for i, ch in enumerate(text) if ch == "\u20e3")
    return gaps
