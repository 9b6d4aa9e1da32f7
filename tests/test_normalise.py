"""Normalisation sees through cheap evasion and still points at the poster's own words."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot.policy import normalise as N
from chatbot.policy.normalise import normalise, normalise_pattern_literal


def test_fullwidth_and_styled_letters_fold_to_plain_lower_case():
    assert "vote" in normalise("ＶＯＴＥ for 𝐑𝐚𝐯𝐢").text
    assert "ravi" in normalise("ＶＯＴＥ for 𝐑𝐚𝐯𝐢").text


def test_zero_width_characters_vanish():
    assert "vote" in normalise("v\u200bo\u200ct\u200de").text


def test_repeated_letters_collapse_on_both_sides():
    text = normalise("Sooooo goooood").text
    assert text == "so god"
    assert normalise_pattern_literal(r"\bgood\b") == r"\bgod\b"


def test_spaced_out_letters_are_joined():
    assert "vote" in normalise("please V O T E today").text
    assert "vote" in normalise("please v.o.t.e today").text


def test_hashtags_split_into_words():
    text = normalise("#VoteForRavi #Vote4Rekha #मराठी_विकिपीडिया").text
    assert "vote for ravi" in text
    assert "vote 4 rekha" in text
    assert "मराठी विकिपीडिया" in text


def test_hashtag_split_survives_a_zero_width_space():
    assert "vote 4 ravi" in normalise("#Vote\u200b4Ravi").text


def test_urls_emails_and_handles_are_masked():
    text = normalise("see https://x.com/bestphone?code=WIKI20 or mail a@b.in, ping @BestDeals").text
    assert "bestphone" not in text
    assert "wiki20" not in text
    assert "a@b" not in text
    assert "bestdeals" not in text


def test_indic_text_keeps_its_letters_and_drops_nukta_variation():
    assert normalise("ज़रूर").text == normalise("जरूर").text
    assert normalise("ಕನ್ನಡ ವಿಕಿಸೋರ್ಸ್‌ನಲ್ಲಿ").text == "ಕನ್ನಡ ವಿಕಿಸೋರ್ಸ್ನಲ್ಲಿ"


def test_spans_map_back_to_the_original_text():
    original = "Hi @x: BUYYYY the Ｐｈｏｎｅ"
    norm = normalise(original)
    start = norm.text.index("phone")
    s, e = norm.span(start, start + len("phone"))
    assert original[s:e] == "Ｐｈｏｎｅ"


def test_a_span_ending_on_a_folded_repeat_covers_the_whole_run():
    for original, word, written in (
        ("The proposed bill is draconian", "bil", "bill"),
        ("BUYYYY now", "buy", "BUYYYY"),
        ("so gooood, really", "god", "gooood"),
        ("kill\u200bl it", "kil", "kill\u200bl"),
    ):
        norm = normalise(original)
        start = norm.text.index(word)
        s, e = norm.span(start, start + len(word))
        assert original[s:e] == written


def test_emoji_survive_for_rules_that_read_them():
    assert "🪷" in normalise("कमल 🪷 खिलेगा").text


# --- look-alike letters and leet digits ---------------------------------------------------------


def test_digits_for_letters_inside_a_latin_word_read_as_letters():
    assert normalise("V0te for BJP").text == "vote for bjp"
    assert normalise("B3st ph0ne").text == "best phone"
    assert normalise("v0t3 w1k1p3d1a").text == "vote wikipedia"
    assert normalise("g00gle").text == normalise("google").text


def test_numbers_units_and_codes_keep_their_digits():
    text = "4k video, 2024, COVID-19, G20, i18n, mp3, code WIKI15, CIS-A2K, 10am, 3rd"
    assert normalise(text).text == text.casefold()


def test_a_digit_between_camel_case_words_is_a_word_of_its_own():
    assert "vote 4 ravi" in normalise("#Vote4Ravi").text
    assert "vote4ravi" in normalise("Vote4Ravi").text


def test_cyrillic_look_alikes_in_a_latin_word_read_as_latin():
    assert normalise("Vоte for ВJP").text == "vote for bjp"  # Cyrillic о and В
    assert normalise("Іndia").text == "india"  # Cyrillic І reads as capital I, not l
    assert normalise("αpple").text == "aple"  # Greek α; a repeated letter is read once


def test_russian_greek_and_indic_words_are_not_folded():
    for word in ("мир", "Москва", "αλφα", "ಕನ್ನಡ", "मराठी"):
        assert normalise(word).text == word.casefold()


def test_spans_of_folded_letters_point_at_the_posters_own_characters():
    original = "Please vоte for ВJP and the B3st ph0ne"
    norm = normalise(original)
    for word, written in (("vote", "vоte"), ("bjp", "ВJP"), ("best phone", "B3st ph0ne")):
        start = norm.text.index(word)
        s, e = norm.span(start, start + len(word))
        assert original[s:e] == written


# --- the fast paths read the same as the plain ones ---------------------------------------------

_ALPHABET = st.sampled_from([*"aabbo OoLl1_2.-@#:/\n", "ll", "ee", "ಕ್ಕ", "ा", "\u200b", "ß",
                              "www.", ".com", "http://", "V O T E"])


_DROP = re.compile(r"([^\W\d_])\1+|[" + "".join(sorted(N.INVISIBLE)) + "]")


def _keep(folded, start, lo, hi, out, origin):
    if lo >= hi:
        return
    if out and folded[lo] == out[-1] and folded[lo].isalpha():
        lo += 1
    out.extend(folded[lo:hi])
    origin.extend(range(start + lo, start + hi))


def _fold_run_reference(text, start, end, out, origin):
    """The folding loop as it was before its fast path: every piece kept by `_keep`."""
    folded = unicodedata.normalize("NFKC", text[start:end]).casefold()
    if len(folded) != end - start:
        for i in range(start, end):
            N._emit(N._fold(text[i]), i, out, origin)
        return
    kept = 0
    for m in _DROP.finditer(folded):
        _keep(folded, start, kept, m.start(), out, origin)
        if m.group(1):
            _keep(folded, start, m.start(), m.start() + 1, out, origin)
        kept = m.end()
    _keep(folded, start, kept, len(folded), out, origin)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join), st.sampled_from(["", "a", "o", "1"]))
def test_the_fast_fold_keeps_what_the_plain_loop_keeps(text, before):
    out, origin = list(before), [0] * len(before)
    ref_out, ref_origin = list(before), [0] * len(before)
    N._fold_run(text, 0, len(text), out, origin)
    _fold_run_reference(text, 0, len(text), ref_out, ref_origin)
    assert (out, origin) == (ref_out, ref_origin)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_the_quick_looks_miss_no_link_and_no_spaced_letters(text):
    if N.URL.search(text):
        assert N._URL_HINT.search(text)
    if N.SPACED_LETTERS.search(text):
        assert N._SPACED_HINT.search(text)
# --- spelt-out words (see also tests/test_evasion.py) --------------------------------------------


def test_spelt_out_words_map_back_to_the_posters_own_characters():
    for original, word, written in (
        ("Vote in 2 0 2 4 please", "2024", "2 0 2 4"),
        ("भा.ज.पा. को वोट", "भाजपा", "भा.ज.पा"),
        ("Let's go 🅱️JP", "bjp", "🅱️JP"),
        ("kеер it", "kep", "kеер"),
    ):
        norm = normalise(original)
        start = norm.text.index(word)
        s, e = norm.span(start, start + len(word))
        assert original[s:e] == written
