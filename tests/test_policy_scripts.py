"""No word of the policy mixes two scripts: a pattern or a name that does is a typo.

Indic words are matched letter for letter, so a Tamil word with one Telugu letter in it
(`நొக்கண்டி`) can never match anything a person writes: the rule silently loses that word. Such
slips are easy to make when one line lists a phrase in twelve scripts, and no example or draft
notices them. Latin next to an Indic script is allowed (`CIS-A2Kમાં`: a case ending written
onto a Latin name); two Indic scripts, or Cyrillic/Greek with anything, inside one word are not.
"""

from __future__ import annotations

import json
import unicodedata

import regex

from tests.conftest import POLICY_DIR

WORD = regex.compile(r"[\p{L}\p{M}]+")
ESCAPE = regex.compile(r"\\[A-Za-z]")  # `\b`, `\w`, `\s` … are not letters of a word
INDIC = {"DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU",
         "KANNADA", "MALAYALAM", "ARABIC", "SINHALA", "OL"}
ODD = {"CYRILLIC", "GREEK"}


def _script(ch: str) -> str:
    return unicodedata.name(ch, "?").split()[0]


def mixed_words(text: str) -> list[str]:
    """The words of `text` whose letters come from two Indic scripts, or Cyrillic/Greek and
    another script."""
    out = []
    for word in WORD.findall(ESCAPE.sub(" ", text)):
        scripts = {_script(c) for c in word if unicodedata.category(c)[0] in "LM"}
        scripts &= INDIC | ODD | {"LATIN"}
        if len(scripts & INDIC) > 1 or (scripts & ODD and len(scripts) > 1):
            out.append(word)
    return out


def _lines(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        yield f"{path.name}:{number}", line


def test_no_word_of_a_policy_file_mixes_two_scripts():
    found = [(where, word) for path in sorted(POLICY_DIR.glob("*.yaml"))
             for where, line in _lines(path) for word in mixed_words(line)]
    assert not found, "words that mix scripts (a typo: fix the letter):\n" + "\n".join(
        f"  {where}: {word}" for where, word in found)


def test_no_name_in_the_name_lists_mixes_two_scripts():
    found = []
    for path in sorted((POLICY_DIR / "names").glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8"))["entries"]:
            found += [(path.name, entry["name"], a) for a in entry["aliases"] if mixed_words(a)]
    assert not found, "\n".join(f"  {f}: {name}: {alias}" for f, name, alias in found)


def test_the_check_itself_tells_a_slip_from_a_case_ending():
    slip = "ந\u0c4aக்கண்டி"  # Tamil, with one Telugu vowel sign
    assert mixed_words(rf"'\bவாக்கு|{slip}'") == [slip]
    assert mixed_words("CIS-A2Kમાં \\bचुप k\u0435\u0435p") == ["k\u0435\u0435p"]
    assert mixed_words("ಮತ ದಾನ ভোট vote") == []
