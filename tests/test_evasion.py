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
    assert normalise("Obama in Delhi 🇮🇳🇺🇸").text == "obama in delhi 🇮🇳🇺🇸"  # a row of flags


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


# --- words spelt out with spaces or dots ---------------------------------------------------------


def test_spaced_out_letters_and_digits_are_joined():
    assert normalise("#T R U M P 2 0 2 4 🇺🇸").text.startswith(" #trump 2024")
    assert normalise("vote C O N G R E S S").text == normalise("vote Congress").text
    assert normalise("stop u s i n g it").text == "stop using it"
    assert normalise("in 2 0 2 4.").text == "in 2024."
    assert normalise("Ⓑ Ⓙ Ⓟ").text == "bjp"  # styled letters are letters to the join too
    assert normalise("2️⃣0️⃣2️⃣4️⃣").text == "2024"
    assert normalise("३ ० ५ seats").text == "३०५ seats"


def test_dotted_short_forms_read_as_the_word():
    assert normalise("B.J.P. ko vote do").text == "bjp ko vote do"
    assert normalise("भा.ज.पा. को वोट दें").text == "भाजपा को वोट दें"
    assert normalise("ब.स.पा. और रा.ज.द.").text == "बसपा और राजद"
    assert normalise("ভোট দিন টি.এম.সি.-কে").text == "ভোট দিন টিএমসি-কে"  # এম: a letter's name
    assert normalise("இந்த முறை த.வெ.க தான்").text == "இந்த முறை தவெக தான்"
    assert normalise("தி.மு.க.வுக்கு வாக்களியுங்கள்").text.startswith("திமுகவுக்கு")
    assert normalise("ಬಿ.ಜೆ.ಪಿ. ಗೆಲ್ಲಲಿ").text.startswith("ಬಿಜೆಪಿ ")
    assert normalise("বি.জে.পি.").text == "বিজেপি"
    assert normalise("பி.எஸ்.ஜி. கல்லூரி").text == "பிஎஸ்ஜி கல்லூரி"  # a syllable closing in ்
    assert normalise("ആർ.എസ്.എസ്.").text == "ആർഎസ്എസ്"  # …and in a chillu


@pytest.mark.parametrize(
    "text",
    [
        "I am a user",
        "Plan A or B",
        "u r right",
        "1, 2, 3 and go",
        "Top 3 lists of 2024",
        "version 1.2.3 is out",
        "at 10 a.m. today, e.g. here",
        "U.S. policy",
        "जो भी हो",  # one-syllable Hindi words, spaced as words are
        "ट्रेन में ही दो लेख",
        "ಹಳೆ ಲ್ಯಾಪ್‌ಟಾಪ್‌ಗೆ ಬೈ ಬೈ",
        "ଭି.କେ. ପାଣ୍ଡିଆନ",  # two initials are initials
        "रा.स्व.संघ",
        "डॉ. बी. आर. अंबेडकर",  # initials with spaces, after a title: a name list finds them
        "హైదరాబాద్లోని డా. బి. ఆర్. అంబేద్కర్ ఓపెన్ యూనివర్సిటీ",
        "डॉ.बी.आर. अंबेडकर",
    ],
)
def test_ordinary_text_is_not_glued(text):
    assert len(normalise(text).text.split()) == len(text.split())


# --- sentences -----------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    from chatbot.policy.structure import sentences

    folded = normalise(text).text
    return [folded[s:e].strip() for s, e in sentences(folded)]


@pytest.mark.parametrize(
    "text",
    [
        "Vote for V. K. Pandian in Odisha",
        "Vote for Dr. Ambedkar's party",
        "Bring back Smt. Sudha and Shri. Rao, Mr. Das and Prof. Sen",
        "ଭି.କେ. ପାଣ୍ଡିଆନଙ୍କ ପରି ଲୋକଙ୍କୁ ପ୍ରତ୍ୟାଖ୍ୟାନ କରନ୍ତୁ",
        "சி. என். அண்ணாதுரை சிறந்த தலைவர்",
        "ಡಿ. ಕೆ. ಶಿವಕುಮಾರ್ ಅವರ ಯೋಜನೆ ಮೋಸ",
        "डॉ. आंबेडकर आणि मा. मुख्यमंत्री",
        "திரு. ஸ்டாலின் வெல்லட்டும்",
        "கே. அண்ணாமலை வெல்லட்டும்",
        "ഡോ. ശശി തരൂർ ജയിക്കട്ടെ",
        "डॉ. बी. आर. अंबेडकर को नमन",  # आर (R): a vowel and a letter
        "ਅੱਜ ਫਿਰ ਜੀ.ਟੀ. ਰੋਡ ਉੱਤੇ ਜਾਮ",
    ],
)
def test_no_sentence_ends_at_an_initial_or_a_title(text):
    assert len(_sentences(text)) == 1


def test_a_sentence_still_ends_at_a_short_word():
    assert len(_sentences("આ સારું છે. બીજું વાક્ય છે.")) == 2  # "છે." is "is.", no initial
    assert len(_sentences("It is done. Next week we meet.")) == 2
    assert len(_sentences("Meet V.\nThen go")) == 2
    assert len(_sentences("The answer is no. We walked 5 km. Then we ate.")) == 3
    assert len(_sentences("I'll set it straight, since you won't. Thread")) == 2  # "t" no initial
    assert len(_sentences("yeh main kab se bol raha hoon. Sab jaante hain")) == 2  # not "Hon."


def test_the_poster_s_own_text_splits_alike():
    from chatbot.policy.structure import sentences

    assert len(sentences("Vote for Dr. Tharoor and Smt. Sudha")) == 1  # the model layer's input


def test_a_list_written_on_one_line_splits_at_its_bullets():
    text = "Venue: Infosys campus ✅ 40 students ✅ the best edit-a-thon ever"
    assert _sentences(text) == ["venue: infosys campus", "✅ 40 students", "✅ the best edit-a-thon ever"]
    assert len(_sentences("a • b • c")) == 3


def test_a_single_tick_closes_its_point_and_does_not_split():
    assert len(_sentences("humne fix karwa di hai ✅ thanks for flagging!")) == 1


# --- end to end, with the shipped policy -----------------------------------------------------------

EVADED_ENDORSEMENTS = [
    "இந்த முறை தி.மு.க. தான் வெல்லும்",  # a dotted party short form, Tamil
    "ਵੋਟ ਪਾਓ ਭਾ.ਜ.ਪਾ. ਨੂੰ",  # …and Punjabi
    "#ᴠᴏᴛᴇʙᴊᴘ",  # small capitals
    "Vote 🇧🇯🇵 in 2️⃣0️⃣2️⃣9️⃣",  # regional indicators and keycap digits
    "Kеер vоting Cоngrеss!",  # Cyrillic е, о
    "ଭି.କେ. ପାଣ୍ଡିଆନଙ୍କୁ ଭୋଟ ଦିଅନ୍ତୁ",  # initials kept with the name
]

STILL_FINE = [
    "Dr. B. R. Ambedkar's writings are now on Marathi Wikisource.",
    "Smt. Droupadi Murmu inaugurated the library today; our volunteers ran a Wikisource stall.",
    "ଭି.କେ. ପାଣ୍ଡିଆନ ଆଜି ନୂଆ ଲାଇବ୍ରେରୀ ଉଦ୍ଘାଟନ କଲେ।",
    "இந்த ஆண்டு தி.மு.க. வரலாறு கட்டுரை மேம்படுத்தப்பட்டது.",
    "भा.ज.पा. के इतिहास पर लेख का हिंदी अनुवाद पूरा हुआ।",
    "Our 2 0 2 4 report is out ✅ 40 workshops ✅ 12 languages",
    "𝐖𝐢𝐤𝐢𝐩𝐞𝐝𝐢𝐚 is the best free encyclopedia",
    "🇮🇳 Happy Republic Day from CIS-A2K 🇮🇳",
    "Kеер editing, friends!",
    "Ⓦⓘⓚⓘⓓⓐⓣⓐ workshop ✅ 30 editors ✅ 2 0 0 new items",
]


@pytest.mark.parametrize("text", EVADED_ENDORSEMENTS)
def test_an_endorsement_spelt_to_dodge_a_filter_is_still_one(labels, text):
    assert "political-endorsement" in labels(text)


@pytest.mark.parametrize("text", STILL_FINE)
def test_styled_spelt_out_and_abbreviated_neutral_drafts_stay_fine(labels, text):
    assert not labels(text)
