"""Find the model's quote in the draft, so a finding can point at the poster's own words.

Models copy imperfectly: they change case, squeeze spaces, swap curly quotes for straight ones,
compose or decompose accents, or drop a zero-width joiner from an Indic word. The exact text is
tried first; then both sides are folded the same way (NFKC, case-folded, whitespace runs as one
space, typographic quotes and dashes as ASCII, invisible characters gone) while every folded
character remembers where it came from, so the span is always in the original text.
"""

from __future__ import annotations

import unicodedata

#: Characters a reader cannot see (zero-width space/joiners, word joiner, BOM, soft hyphen,
#: variation selectors) that models drop or add at will.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f")
TYPOGRAPHIC = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
})
#: Wrapping a model sometimes puts around a quote that is not part of the draft.
WRAPPING = " \t\r\n\"'“”‘’«»"


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """The [start, end) of the first place `quote` appears in `text`, or None if it does not."""
    if not quote.strip():
        return None
    start = text.find(quote)
    if start >= 0:
        return (start, start + len(quote))
    folded_text, origin = fold(text)
    for candidate in (quote, quote.strip(WRAPPING)):
        needle, _ = fold(candidate)
        needle = needle.strip()
        if not needle:
            continue
        at = folded_text.find(needle)
        if at >= 0:
            return (origin[at][0], origin[at + len(needle) - 1][1])
    return None


def fold(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Fold `text` for matching; for each folded character, the original span it came from.

    A base character and the marks after it (accents, Indic vowel signs, viramas, nuktas) fold
    together, so that NFKC can compose them the same way whichever form the text used.
    """
    out: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, end in clusters(text):
        piece = unicodedata.normalize("NFKC", text[start:end]).casefold().translate(TYPOGRAPHIC)
        for ch in piece:
            if ch in INVISIBLE:
                continue
            if ch.isspace():
                if out and out[-1] == " ":
                    origin[-1] = (origin[-1][0], end)
                    continue
                ch = " "
            out.append(ch)
            origin.append((start, end))
    return "".join(out), origin


def clusters(text: str) -> list[tuple[int, int]]:
    """Spans of a character plus the combining marks (category M) that follow it."""
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if spans and unicodedata.category(ch).startswith("M"):
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans
