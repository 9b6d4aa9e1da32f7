"""Look-alike letters and digits read as the Latin letters they imitate: `Vоte` (a Cyrillic о),
`ВJP` (a Cyrillic В), `V0te`, `B3st ph0ne`, `v0t3`.

Three folds, each applied only where it cannot damage real text:

- Letters dressed up as symbols read as the letter: circled, parenthesised, squared and
  negative letters (`Ⓑ`, `⒝`, `🄱`, `🅑`, `🅱️JP`, `🅰️AP`), fullwidth and mathematical letters
  and digits (`ＶＯＴＥ`, `𝐁𝐉𝐏`, `𝓥𝓸𝓽𝓮`), small capitals (`ᴠᴏᴛᴇ`), single digits in circles
  (`②`, `❷`) and regional-indicator letters (`🇧🇯🇵`). NFKC reads only some of these (and
  reads `⒝` as `(b)`); read here, before the other folds, they are plain ASCII to the leet fold
  and to the joining of spaced-out letters (`Ⓑ Ⓙ Ⓟ`). Flags stay emoji (`🇮🇳`, `🇮🇳🇺🇸`: a
  run of pairs that are all country codes); a run of odd length or with a pair that is no
  country (`🇧🇯🇵`, `🇻🇴🇹🇪`) is letters. A word spelt in flags only (`🇨🇴🇳🇬🇷🇪🇸🇸`, four
  countries) stays emoji too: a row of several flags is far more common.

- A word whose letters are mostly Latin and whose other letters are Cyrillic or Greek has those
  letters replaced by the Latin letter they are confusable with in the sense of Unicode TR39: two
  characters are confusable when their *skeletons* are equal. The skeletons come from ICU's
  SpoofChecker (PyICU), the reference implementation of TR39, with the confusables data of the
  system's ICU, plus a few lower-case letters TR39 leaves out that pass for Latin ones beside
  them (`к`, `м`, `т`, `ε`, `τ`). A word with any letter of another script (Devanagari,
  Kannada, …) is left alone. A word that mixes ASCII letters with Cyrillic or Greek ones is folded
  however few its ASCII letters (`kеер` with three Cyrillic letters is `keep`: Russian and Greek
  never mix in an ASCII letter), provided each of its foreign letters has a look-alike. A word
  with no ASCII letter at all (`ВЈР` in `Vote ВЈР`) is folded only in a draft that has ASCII
  letters, when every letter is a TR39 look-alike, and when the draft has no Cyrillic or Greek
  word that is not (a Russian or Greek sentence always has one: `Как тебя зовут`), so Russian
  and Greek stay as they are.
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
import unicodedata
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

#: Lower-case Cyrillic and Greek letters that TR39 does not list as confusable with a Latin
#: letter but that are used as one inside a Latin word (their capitals are listed: К, М, Т, Н, В).
EXTRA_LOOKALIKES = {
    "к": "k", "м": "m", "т": "t", "н": "h", "в": "b", "ԏ": "t",
    "ε": "e", "κ": "k", "τ": "t", "η": "n", "ϲ": "c", "ϳ": "j", "ν": "v",
}

#: Small capitals (Latin letters of their own in Unicode, which NFKC leaves alone): `ᴠᴏᴛᴇ`.
SMALL_CAPITALS = dict(zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz", strict=True))
#: The characters `_styled_letter` may read as a letter or digit: a quick test for a draft.
STYLED = re.compile(
    "[" + "".join(SMALL_CAPITALS) + "\u2460-\u2468\u249c-\u24ea\u24f5-\u24fd\u24ff"
    "\u2776-\u277e\u2780-\u2788\u278a-\u2792\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
    "\U0001d400-\U0001d7ff\U0001f110-\U0001f129\U0001f130-\U0001f149\U0001f150-\U0001f169"
    "\U0001f170-\U0001f189\U0001f1e6-\U0001f1ff]"
)
REGIONAL_INDICATORS = re.compile("[\U0001f1e6-\U0001f1ff]+")
#: The pairs of regional indicators that make a flag: ISO 3166-1 alpha-2 codes, the reserved
#: codes that have flag emoji, and EU, UN, XK.
FLAGS = frozenset(
    """AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CP CR CU CV CW CX CY CZ DE DG DJ
    DK DM DO DZ EA EC EE EG EH ER ES ET EU FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH
    KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
    MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM UN US UY UZ VA VC VE VG
    VI VN VU WF WS XK YE YT ZA ZM ZW""".split()  # noqa: SIM905 (a list literal would be 270 quotes)
)


def fold_lookalikes(text: str) -> str:
    """`text` with look-alike letters and leet digits read as Latin letters, same length."""
    if not text.isascii() and STYLED.search(text) is not None:
        text = _read_styled_letters(text)
    has_script = not text.isascii() and LOOKALIKE_SCRIPTS.search(text) is not None
    if not has_script and not _may_have_leet(text):
        return text  # nearly every draft: a scan or two in C and nothing to do
    chars = list(text)
    if has_script:
        words = [m for m in WORD.finditer(text) if LOOKALIKE_SCRIPTS.search(m.group())]
        # A draft with a Cyrillic or Greek word that cannot pass for Latin is Russian or Greek
        # (or quotes some), and so is one with no ASCII letter: its all-Cyrillic words are
        # words, not disguises.
        foreign_text = not any(_is_ascii_letter(ch) for ch in text) or any(
            not _all_lookalikes(m.group(), strict=True) for m in words
        )
        for m in words:
            _fold_confusable_word(chars, m.start(), m.group(), foreign_text)
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


def _read_styled_letters(text: str) -> str:
    """`text` with circled, squared, mathematical, fullwidth and small-capital letters (and
    regional indicators outside a flag) read as ASCII letters and digits, same length."""
    chars = [_styled_letter(ch) or ch if STYLED.match(ch) else ch for ch in text]
    for m in REGIONAL_INDICATORS.finditer(text):
        letters = "".join(chars[m.start() : m.end()])
        pairs = [letters[i : i + 2] for i in range(0, len(letters), 2)]
        if len(letters) % 2 == 0 and all(pair in FLAGS for pair in pairs):
            chars[m.start() : m.end()] = m.group()  # flags (🇮🇳, 🇮🇳🇺🇸): emoji
    return "".join(chars)


@cache
def _styled_letter(ch: str) -> str:
    """The ASCII letter or digit a styled character stands for, or "" (`⑩` is two digits)."""
    if ch in SMALL_CAPITALS:
        return SMALL_CAPITALS[ch]
    code = ord(ch)
    if 0x1F1E6 <= code <= 0x1F1FF:  # regional indicator A–Z
        return chr(ord("A") + code - 0x1F1E6)
    if 0x1F110 <= code <= 0x1F189:  # parenthesised, squared, negative circled and squared A–Z
        return chr(ord("A") + (code - 0x1F110) % 32) if (code - 0x1F110) % 32 < 26 else ""
    if 0x249C <= code <= 0x24B5:  # parenthesised a–z: NFKC makes it "(a)"
        return chr(ord("a") + code - 0x249C)
    if 0x2776 <= code <= 0x2792:  # dingbat circled digits 1–9 in three styles (and 10s)
        digit = (code - 0x2776) % 10
        return str(digit + 1) if digit < 9 else ""
    if 0x24F5 <= code <= 0x24FD:  # double-circled 1–9
        return str(code - 0x24F5 + 1)
    if code == 0x24FF:  # negative circled zero
        return "0"
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1 and folded.isascii() and folded.isalnum():
        return folded
    return ""


def _all_lookalikes(word: str, strict: bool = False) -> bool:
    """Every letter of `word` is ASCII or a Cyrillic/Greek letter with a Latin look-alike (only
    TR39's when `strict`)."""
    find = latin_lookalike if strict else _lookalike
    return all(ch.isascii() or find(ch) for ch in word)


def _fold_confusable_word(chars: list[str], start: int, word: str, foreign_text: bool) -> None:
    """Replace the Cyrillic/Greek letters of a Latin word by their Latin look-alikes.

    The old test, "more Latin letters than Cyrillic ones", left `kеер` (one Latin letter, three
    Cyrillic) alone as if it were Russian, and the repeated-letter collapse then read it `kер`.
    """
    latin = foreign = 0
    for ch in word:
        if ch.isascii():
            latin += 1
        elif LOOKALIKE_SCRIPTS.match(ch):
            foreign += 1
        else:
            return  # another script (or accented Latin): not a word to second-guess
    if foreign > latin and not _all_lookalikes(word):
        return  # mostly a Russian or Greek word, with a Latin letter in it by mistake
    if latin == 0 and (foreign_text or not _all_lookalikes(word, strict=True)):
        return
    for i, ch in enumerate(word):
        if not ch.isascii():
            chars[start + i] = _lookalike(ch) or ch


def _lookalike(ch: str) -> str:
    return latin_lookalike(ch) or EXTRA_LOOKALIKES.get(ch, "")


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
