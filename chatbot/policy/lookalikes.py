"""Look-alike letters and digits read as the Latin letters they imitate: `Vоte` (a Cyrillic о),
`ВJP` (a Cyrillic В), `V0te`, `B3st ph0ne`, `v0t3`.

Two folds, each applied only where it cannot damage real text:

- A word whose letters are mostly Latin and whose other letters are Cyrillic or Greek has those
  letters replaced by the Latin letter they are confusable with in the sense of Unicode TR39: two
  characters are confusable when their *skeletons* are equal. The skeletons come from ICU's
  SpoofChecker (PyICU), the reference implementation of TR39, with the confusables data of the
  system's ICU. A word with any letter of another script (Devanagari, Kannada, …) is left alone,
  and so is a word that is mostly Cyrillic or Greek (it is Russian or Greek, not an evasion).
- In a word of Latin letters and digits where a digit sits between two letters (`v0te`,
  `ph0ne`, `v0t3`, `w1k1`, `g00gle`), each run of one or two digits of a small leet map beside
  a letter is read as letters. Numbers
  and codes whose digits stand at an end or in runs (`2024`, `4k`, `G20`, `COVID-19`, `i18n`,
  `WIKI15`, `mp3`) keep them, and so does `A2K` (2 is not in the map). Hashtags are left to the
  hashtag splitter, where a digit is a word of its own (`#Vote4Ravi` → `vote 4 ravi`).

Every replacement is one character for one, so the folded text has the original's length and
each of its characters still maps to the poster's own character.
"""

from __future__ import annotations

import re
import string
from functools import cache

#: Cyrillic (with its supplement) and Greek: the scripts whose letters pass for Latin ones.
LOOKALIKE_SCRIPTS = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f]")
#: A word of letters (any script), no digits.
WORD = re.compile(r"[^\W\d_]+")
#: A Latin-and-digits word with a leet digit between two letters somewhere in it.
LEET_WORD = re.compile(
    r"(?<![\w#])(?=[a-z0-9]*[a-z][013457]{1,2}[a-z])[a-z0-9]+(?!\w)", re.IGNORECASE | re.ASCII
)
DIGITS = re.compile(r"[0-9]+")
#: One or two leet digits and a letter (written out, not `{1,2}(?=…)`: three times faster to scan).
LEET_DIGITS = re.compile(r"[013457][013457]?[A-Za-z]")
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
HASHTAG = re.compile(r"#\w+")


def fold_lookalikes(text: str) -> str:
    """`text` with look-alike letters and leet digits read as Latin letters, same length."""
    has_script = not text.isascii() and LOOKALIKE_SCRIPTS.search(text) is not None
    if not has_script and not _may_have_leet(text):
        return text  # nearly every draft: a scan or two in C and nothing to do
    chars = list(text)
    if has_script:
        for m in WORD.finditer(text):
            if LOOKALIKE_SCRIPTS.search(m.group()):
                _fold_confusable_word(chars, m.start(), m.group())
    folded = "".join(chars)
    hashtags = [m.span() for m in HASHTAG.finditer(folded)] if "#" in folded else []
    for m in LEET_WORD.finditer(folded):
        if any(lo <= m.start() < hi for lo, hi in hashtags):
            continue
        for run in DIGITS.finditer(m.group()):
            if _reads_as_letters(m.group(), *run.span()):
                for i in range(m.start() + run.start(), m.start() + run.end()):
                    chars[i] = LEET[chars[i]]
    return "".join(chars)


def _may_have_leet(text: str) -> bool:
    """A quick look for a leet digit run between ASCII letters. The full LEET_WORD regex tries a
    look-ahead at every word; this scans for digits in C and looks at their neighbours."""
    return any(
        m.start() > 0 and _is_ascii_letter(text[m.start() - 1])
        for m in LEET_DIGITS.finditer(text)
    )


def _is_ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _reads_as_letters(word: str, lo: int, hi: int) -> bool:
    """A run of at most two leet digits beside a letter (`v0te`, `g00gle`, the `3` of `v0t3`),
    unless it breaks camel case as a word of its own (`Vote4Ravi`, `Go2Goa`)."""
    run = word[lo:hi]
    if hi - lo > 2 or any(d not in LEET for d in run):
        return False
    before = word[lo - 1] if lo else ""
    after = word[hi] if hi < len(word) else ""
    if before.islower() and after.isupper():
        return False
    return bool(before or after)


def _fold_confusable_word(chars: list[str], start: int, word: str) -> None:
    """Replace the Cyrillic/Greek letters of a mostly-Latin word by their Latin look-alikes."""
    latin = foreign = 0
    for ch in word:
        if ch.isascii():
            latin += 1
        elif LOOKALIKE_SCRIPTS.match(ch):
            foreign += 1
        else:
            return  # another script (or accented Latin): not a word to second-guess
    if latin == 0 or foreign > latin:
        return
    for i, ch in enumerate(word):
        if not ch.isascii():
            chars[start + i] = latin_lookalike(ch) or ch


@cache
def latin_lookalike(ch: str) -> str:
    """The ASCII letter `ch` is confusable with (equal TR39 skeletons), or "" if none.

    Skeletons merge case-distinct letters (`I` and `l` share one), so among the ASCII letters
    with `ch`'s skeleton the one of `ch`'s own case is preferred: Cyrillic `І` reads `I`, and
    Cyrillic `ӏ` reads `l`.
    """
    candidates = _ascii_by_skeleton().get(_skeleton(ch), "")
    if not candidates:
        return ""
    same_case = [c for c in candidates if c.isupper() == ch.isupper()]
    return (same_case or list(candidates))[0]


@cache
def _ascii_by_skeleton() -> dict[str, str]:
    by_skeleton: dict[str, str] = {}
    for letter in string.ascii_letters:
        skeleton = _skeleton(letter)
        by_skeleton[skeleton] = by_skeleton.get(skeleton, "") + letter
    return by_skeleton


def _skeleton(text: str) -> str:
    return _spoof_checker().getSkeleton(0, text)


@cache
def _spoof_checker():  # -> icu.SpoofChecker; imported only for a draft that needs it
    import icu

    return icu.SpoofChecker()
