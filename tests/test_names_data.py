"""The name lists in policies/names/ (built by tools/build_names.py) keep the rules their README
promises: well-formed, sourced, no common words, no lone surnames, no alias owned twice."""

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "policies" / "names"
HAND = yaml.safe_load((ROOT / "tools" / "names_hand.yaml").read_text(encoding="utf-8"))
LISTS = {"politicians": "politician", "parties": "party", "brands": "brand"}
KEYS = {"name", "aliases", "handles", "hashtags", "case", "country", "wikidata", "source"}


def fold(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


STOP = {fold(w) for w in HAND["stop_list"]}
ALLOW = {fold(w) for w in HAND["person_single_word_allow"]}


@pytest.fixture(scope="module", params=sorted(LISTS))
def names_list(request):
    path = NAMES / f"{request.param}.json"
    return request.param, json.loads(path.read_text(encoding="utf-8"))


def test_each_file_parses_with_its_header(names_list):
    name, data = names_list
    assert data["list"] == name
    assert data["kind"] == LISTS[name]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["built"])
    assert data["built_by"].startswith("python tools/build_names.py --sources")
    assert len(data["entries"]) > 50


def test_every_source_names_repository_commit_and_licence(names_list):
    _, data = names_list
    assert data["sources"]
    for s in data["sources"]:
        assert s["name"] and s["repository"] and s["licence"], s
        assert s["paths"], s
        assert isinstance(s["rows_read"], int) and isinstance(s["entries_kept"], int), s
        if s["name"] != "hand":
            assert re.fullmatch(r"[0-9a-f]{40}", s["commit"]), s
            assert re.fullmatch(r"[\w.-]+/[\w.-]+", s["repository"]), s


def test_every_entry_has_name_and_aliases_of_the_right_shape(names_list):
    name, data = names_list
    known = {s["name"] for s in data["sources"]}
    for e in data["entries"]:
        keys = KEYS | ({"party"} if name == "politicians" else set())
        assert set(e) == keys, e
        assert e["name"].strip() and e["aliases"], e
        assert all(isinstance(a, str) and a == a.strip() and a for a in e["aliases"]), e
        assert isinstance(e["case"], bool)
        assert e["source"] in known, e
        assert e["wikidata"] is None or re.fullmatch(r"Q\d+", e["wikidata"]), e
        if not e["case"]:  # case-folded matching: no case variants of one alias
            folded = [fold(a) for a in e["aliases"]]
            assert len(folded) == len(set(folded)), e


def test_the_name_is_an_alias_unless_it_is_a_label(names_list):
    _, data = names_list
    by_name = defaultdict(list)
    for e in data["entries"]:
        by_name[e["name"]].append(e)
    for nm, group in by_name.items():
        aliases = {a for e in group for a in e["aliases"]}
        if nm in aliases or fold(nm) in {fold(a) for e in group if not e["case"]
                                         for a in e["aliases"]}:
            continue
        # A label such as "Labour Party (UK)", or a name that is a common word ("Ola", "Jio")
        # kept only in its case-sensitive forms.
        assert nm.endswith(")") or fold(nm) in STOP or any(e["case"] for e in group), nm


def test_no_alias_is_on_the_stop_list(names_list):
    _, data = names_list
    for e in data["entries"]:
        for a in e["aliases"]:
            # A case-sensitive alias ("AAP", "Jio") differs from the lower-case common word.
            key = a if e["case"] else fold(a)
            assert key not in STOP, (e["name"], a)


def test_a_person_has_one_word_aliases_only_from_the_allow_list():
    data = json.loads((NAMES / "politicians.json").read_text(encoding="utf-8"))
    for e in data["entries"]:
        for a in e["aliases"]:
            if len(fold(a).split()) == 1:
                assert fold(a) in ALLOW, (e["name"], a)


def test_a_surname_alone_is_not_a_politician():
    data = json.loads((NAMES / "politicians.json").read_text(encoding="utf-8"))
    aliases = {fold(a) for e in data["entries"] for a in e["aliases"]}
    for surname in ("gandhi", "yadav", "singh", "kumar", "reddy", "patel", "banerjee", "shah",
                    "गांधी", "trump card", "kamala", "mamata", "kiran", "didi", "yogi"):
        assert surname not in aliases


def test_handles_are_lower_case_without_at(names_list):
    _, data = names_list
    for e in data["entries"]:
        for h in e["handles"]:
            assert re.fullmatch(r"[a-z0-9_]{1,15}", h), (e["name"], h)
        for t in e["hashtags"]:
            assert not t.startswith("#") and " " not in t, (e["name"], t)


def test_no_alias_belongs_to_two_entities(names_list):
    """Entries that share a name are one entity split by case (a case-folded entry and a
    case-sensitive one); across entities an alias is never shared."""
    _, data = names_list
    owners = defaultdict(set)
    for e in data["entries"]:
        for a in e["aliases"]:
            owners[fold(a)].add(e["name"])
    shared = {a: n for a, n in owners.items() if len(n) > 1}
    assert not shared


def test_named_entities_are_where_the_rules_need_them():
    pol = json.loads((NAMES / "politicians.json").read_text(encoding="utf-8"))
    par = json.loads((NAMES / "parties.json").read_text(encoding="utf-8"))
    bra = json.loads((NAMES / "brands.json").read_text(encoding="utf-8"))

    def owner(data, alias, case=False):
        for e in data["entries"]:
            if e["case"] == case and (alias in e["aliases"] if case else
                                      fold(alias) in {fold(a) for a in e["aliases"]}):
                return e["name"]
        return None

    assert owner(pol, "modi ji") == "Narendra Modi"
    assert owner(pol, "নরেন্দ্র মোদী") == "Narendra Modi"
    assert owner(pol, "Trump", case=True) == "Donald Trump"
    assert owner(par, "AAP", case=True) == "Aam Aadmi Party"
    assert owner(par, "aap") is None
    assert owner(par, "khela hobe") == "All India Trinamool Congress"
    assert owner(par, "ಬಿಜೆಪಿ") == "Bharatiya Janata Party"
    assert owner(bra, "Jio", case=True) == "Jio"
    assert owner(bra, "jio") is None
    assert owner(bra, "flipkart") == "Flipkart"
    assert owner(bra, "wikipedia") is None and owner(bra, "firefox") is None
    handles = {h for e in pol["entries"] for h in e["handles"]}
    assert {"narendramodi", "rahulgandhi", "mamataofficial"} <= handles


def _owner(data, alias, case=False):
    for e in data["entries"]:
        if e["case"] == case and (alias in e["aliases"] if case else
                                  fold(alias) in {fold(a) for a in e["aliases"]}):
            return e["name"]
    return None


def _load(name):
    return json.loads((NAMES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("alias, person", [
    ("Pinarayi", "Pinarayi Vijayan"), ("പിണറായി സർക്കാർ", "Pinarayi Vijayan"),
    ("yogi ji", "Yogi Adityanath"), ("योगी सरकार", "Yogi Adityanath"),
    ("ஸ்டாலின்", "M. K. Stalin"), ("CM Stalin", "M. K. Stalin"),
    ("মমতা বন্দ্যোপাধ্যায়", "Mamata Banerjee"), ("ନବୀନ ପଟ୍ଟନାୟକ", "Naveen Patnaik"),
    ("Revanth Reddy", "A. Revanth Reddy"), ("చంద్రబాబు", "N. Chandrababu Naidu"),
    ("KCR", "K. Chandrashekar Rao"), ("ಸಿದ್ದರಾಮಯ್ಯ", "Siddaramaiah"),
    ("DK Shivakumar", "D. K. Shivakumar"), ("ਭਗਵੰਤ ਮਾਨ", "Bhagwant Mann"),
    ("ભૂપેન્દ્ર પટેલ", "Bhupendra Patel"), ("फडणवीस", "Devendra Fadnavis"),
    ("Eknath Shinde", "Eknath Shinde"), ("Uddhav saheb", "Uddhav Thackeray"),
    ("হিমন্ত বিশ্ব শৰ্মা", "Himanta Biswa Sarma"), ("ମୋହନ ମାଝୀ", "Mohan Charan Majhi"),
    ("Ajit Dada", "Ajit Pawar"), ("उदयनिधि", "Udhayanidhi Stalin"),
    ("ଭି.କେ. ପାଣ୍ଡିଆନ", "V. K. Pandian"), ("ઇસુદાન ગઢવી", "Isudan Gadhvi"),
    ("സുരേഷ് ഗോപി", "Suresh Gopi"), ("திருமாவளவன்", "Thol. Thirumavalavan"),
    ("Corbyn", "Jeremy Corbyn"),
])
def test_the_leaders_people_write_in_short_or_in_their_script_are_listed(alias, person):
    assert _owner(_load("politicians"), alias) == person


def test_first_names_and_common_words_are_still_nobody():
    pol, bra = _load("politicians"), _load("brands")
    for word in ("stalin", "jagan", "naveen", "himanta", "revanth", "mamata di", "nitish ji",
                 "दादा", "edappadi"):
        assert _owner(pol, word) is None, word
    for word in ("nandini", "santoor", "nirma", "aashirvaad", "fortune", "maaza", "kurkure",
                 "naukri", "balaji"):
        assert _owner(bra, word) is None, word
    assert _owner(bra, "Kurkure", case=True) == "Kurkure (snack)"


@pytest.mark.parametrize("alias, party, case", [
    ("কংগ্ৰেছ", "Indian National Congress", False), ("Congress ko", "Indian National Congress", False),
    ("YCP", "YSR Congress Party", False), ("వైసీపీ", "YSR Congress Party", False),
    ("MVA", "Maha Vikas Aghadi", True), ("NDA govt", "National Democratic Alliance", False),
    ("ভাৰতীয় জনতা পাৰ্টী", "Bharatiya Janata Party", False),
])
def test_parties_are_listed_in_every_form_people_write(alias, party, case):
    assert _owner(_load("parties"), alias, case=case) == party


def test_a_state_unit_handle_names_its_party():
    handles = {h: e["name"] for e in _load("parties")["entries"] for h in e["handles"]}
    assert handles["bjp4karnataka"] == "Bharatiya Janata Party"
    assert handles["incmaharashtra"] == "Indian National Congress"


@pytest.mark.parametrize("alias, brand", [
    ("Rapido", "Rapido"), ("ரேபிடோ", "Rapido"), ("ज़ेप्टो", "Zepto"), ("Lenskart", "Lenskart"),
    ("തനിഷ്ക്", "Tanishq"), ("Amul", "Amul"), ("হলদিরাম", "Haldiram's"), ("Parle-G", "Parle"),
    ("Verka", "Verka"), ("ನಂದಿನಿ ಹಾಲು", "Nandini (KMF)"), ("Malabar Gold", "Malabar Gold and Diamonds"),
    ("ലുലു മാൾ", "Lulu Hypermarket"), ("Balaji Wafers", "Balaji Wafers"),
])
def test_indian_consumer_brands_are_listed_in_latin_and_their_scripts(alias, brand):
    assert _owner(_load("brands"), alias) == brand


def test_the_shipped_lists_find_names_in_drafts_and_not_in_neutral_words():
    from chatbot.policy.names import load_name_list
    from chatbot.policy.normalise import normalise

    lists = [load_name_list(NAMES / f"{n}.json", n) for n in LISTS]

    def found(text):
        return {h.entity.name for lst in lists for h in lst.find(normalise(text))}

    assert "M. K. Stalin" in found("முதல்வர் ஸ்டாலினை சந்தித்தோம்")
    assert "Pinarayi Vijayan" in found("പിണറായി സർക്കാരിന്റെ പദ്ധതി")
    assert "D. K. Shivakumar" in found("ಡಿ. ಕೆ. ಶಿವಕುಮಾರ್ ಅವರ ಯೋಜನೆ")
    assert "Tamilaga Vettri Kazhagam" in found("தமிழக வெற்றிக் கழக மாநாடு")
    for neutral in ("Stalin's purges in the 1930s", "Nandini Sharma won the photo contest",
                    "A visit to the Jagannath temple in Puri", "జగన్నాథ రథయాత్ర",
                    "The edit-a-thon at Nirma University", "Congress of the Indian History Society"):
        assert found(neutral) == set(), neutral
