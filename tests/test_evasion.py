"""Evasion the checker sees through: styled letters, look-alikes, spaced-out words, and a
sentence split that keeps a name with what is said about it."""

from __future__ import annotations

import pytest

from chatbot.policy.normalise import normalise


# --- letters dressed up as symbols ---------------------------------------------------------------


@pytest.mark.parametrize(
    "styled",
    [
        "🅱️JP",  # negative squared B and a variation selector
        "🅱JP",
        "🇧🇯🇵",  # regional indicators that are no flag
        "ⒷⒿⓅ",  # circled
        "⒝⒥⒫",  # parenthesised: NFKC alone reads "(b)(j)(p)"
        "🄱🄹🄿",  # squared
        "🅑🅙🅟",  # negative circled
        "𝐁𝐉𝐏",  # mathematical bold
        "ʙᴊᴘ",  # small capitals
        "ＢＪＰ",  # fullwidth
    ],
)
def test_styled_letters_read_as_their_letters(styled):
    assert normalise(f"Vote {styled} now").text == "vote bjp now"


def test_styled_words_and_digits_read_as_plain_ones():
    assert normalise("𝓥𝓸𝓽𝓮 🅰️AP").text == "vote ap"  # AAP, its double letter read once
    assert normalise("ᴠᴏᴛᴇ").text == "vote"
    assert normalise("🇻🇴🇹🇪").text == "vote"
    assert normalise("𝐕𝟎𝐭𝐞").text == "vote"  # a styled leet digit
    assert normalise("❷⓪②④").text == "2024"


def test_a_flag_stays_an_emoji():
    assert normalise("Jai Hind🇮🇳").text == "jai hind🇮🇳"
    assert normalise("Happy Republic Day 🇮🇳🇮🇳🇮🇳").text == "hapy republic day 🇮🇳🇮🇳🇮🇳"


def test_styled_letters_map_back_to_the_posters_own_characters():
    original = "Let's make it 🅱️JP all the way"
    norm = normalise(original)
    start = norm.text.index("bjp")
    s, e = norm.span(start, start + 3)
    assert original[s:e] == "🅱️JP"


# --- Cyrillic and Greek look-alikes ----------------------------------------------------------------


def test_a_latin_word_mostly_of_cyrillic_letters_reads_as_latin():
    # k is Latin, ее and р Cyrillic: the old "mostly Latin" test left the word alone and the
    # repeated-letter collapse then read it "kер".
    assert normalise("kеер thе Cоnsеrvаtivеs in").text == normalise("keep the Conservatives in").text
    assert normalise("vоtε").text == "vote"  # Cyrillic о, Greek ε
    assert normalise("kеeр").text == "kep"


def test_an_all_cyrillic_disguise_in_a_latin_draft_reads_as_latin():
    assert normalise("Vote ВЈР now").text == "vote bjp now"


def test_russian_and_greek_text_is_left_alone():
    for text in ("Как тебя зовут", "Москва", "ВЈР", "нет", "Ελλάδα and κ", "Vote ВЈР, Как тебя"):
        assert normalise(text).text == normalise(text).original.casefold().replace("λλ", "λ")
