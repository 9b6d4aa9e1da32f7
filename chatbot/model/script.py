"""Which writing system a text is in, so each head can use the threshold of that script.

A threshold set on one script's clean posts does not hold on another's (measured: the same
head flags far more clean Tamil than clean English at one cut), so heads carry a threshold per
script. A text's script is that of most of its letters; romanised Hindi or Tamil is `latin`.
"""

from __future__ import annotations

#: Unicode blocks of the scripts checkpost meets, as (first, last, name).
_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x04FF, "cyrillic"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bengali"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B00, 0x0B7F, "oriya"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x1C50, 0x1C7F, "ol-chiki"),
    (0x1E00, 0x1EFF, "latin"),
    (0xA8E0, 0xA8FF, "devanagari"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
)

SCRIPTS: tuple[str, ...] = tuple(dict.fromkeys(name for _, _, name in _BLOCKS))


def dominant_script(text: str) -> str:
    """The script of most of `text`'s letters (vowel signs count), or `latin` when none."""
    counts: dict[str, int] = {}
    for ch in text:
        name = _script_of(ord(ch))
        if name:
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return "latin"
    return max(counts, key=lambda k: (counts[k], k == "latin"))


def _script_of(code: int) -> str:
    if code < 0x41:
        return ""
    if code <= 0x7A:
        return "latin" if (code <= 0x5A or code >= 0x61) else ""
    for first, last, name in _BLOCKS:
        if first <= code <= last:
            if name == "latin" and code < 0xC0:
                return ""
            return name
    return ""
