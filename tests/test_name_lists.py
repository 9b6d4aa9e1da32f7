"""Name lists: who a draft names, as whole words, with capitals and @handles, and where the list
came from. These use a small list written here; the shipped lists are checked in
test_names_data.py and by the policy's own examples."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from chatbot.policy.engine import check_rules
from chatbot.policy.loader import PolicyError, load_policy
from chatbot.policy.model import Draft

POLICY = """\
policy:
  name: Test policy
  version: "1"
names:
  politicians: names/people.json
  brands: names/brands.json
rules:
  - id: vote-for-named
    label: political-endorsement
    level: error
    policy: "Do not endorse any political candidates"
    message: "This asks people to vote for a politician."
    match:
      all:
        - ['\\b(vote for|support)\\b']
        - [$politicians]
  - id: brand-best
    label: product-endorsement
    level: error
    policy: "Do not endorse any products"
    message: "This praises a brand."
    match:
      all:
        - [$brands]
        - ['\\bbest\\b']
"""

PEOPLE = {
    "list": "politicians",
    "kind": "politician",
    "sources": [{"name": "hand", "repository": "", "commit": "", "licence": "CC0-1.0"}],
    "entries": [
        {"name": "Asha Rao", "aliases": ["asha rao", "आशा राव"], "handles": ["asharao_mp"]},
        {"name": "Ravi Kumar", "aliases": ["ravi kumar ji"]},
    ],
}
BRANDS = {
    "list": "brands",
    "kind": "brand",
    "sources": [{"name": "hand", "licence": "CC0-1.0"}],
    "entries": [{"name": "Jio", "case": True}, {"name": "ZenTab"}],
}


@pytest.fixture
def policy(tmp_path: Path):
    (tmp_path / "names").mkdir()
    (tmp_path / "names/people.json").write_text(json.dumps(PEOPLE), encoding="utf-8")
    (tmp_path / "names/brands.json").write_text(json.dumps(BRANDS), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(POLICY, encoding="utf-8")
    return load_policy(tmp_path)


def found(policy, text: str) -> list:
    return check_rules(Draft(text=text), policy)


def test_a_vote_call_for_a_listed_politician_names_them(policy):
    [finding] = found(policy, "Please vote for Asha Rao on Monday!")
    assert finding.rule == "vote-for-named"
    assert "Asha Rao" in finding.message


def test_a_name_in_another_script_and_with_doubled_letters_is_the_same_person(policy):
    assert "Asha Rao" in found(policy, "कल आशा राव को vote for करो")[0].message
    assert "Asha Rao" in found(policy, "Vote for Ashaa Raoo!")[0].message


def test_part_of_a_word_is_not_a_name(policy):
    assert found(policy, "Vote for Asha Raony, the dog show winner") == []


def test_a_mention_of_a_listed_handle_names_its_owner(policy):
    [finding] = found(policy, "Proud to support @asharao_mp this year")
    assert "Asha Rao" in finding.message
    assert finding.span is not None


def test_an_unlisted_handle_names_nobody(policy):
    assert found(policy, "Proud to support @someone_else this year") == []


def test_a_case_sensitive_brand_needs_its_capitals(policy):
    assert [f.rule for f in found(policy, "Jio is the best network")] == ["brand-best"]
    assert found(policy, "jio aur jeene do, the best advice") == []


def test_the_policy_version_changes_when_a_name_list_changes(tmp_path, policy):
    before = policy.version
    people = dict(PEOPLE, entries=[*PEOPLE["entries"], {"name": "Meera Das"}])
    (tmp_path / "names/people.json").write_text(json.dumps(people), encoding="utf-8")
    assert load_policy(tmp_path).version != before


def test_a_malformed_name_list_names_its_file_and_line(tmp_path, policy):
    (tmp_path / "names/people.json").write_text('{"kind": "politician",\n "entries": [,]}')
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    message = str(caught.value)
    assert "people.json:2" in message and "names.politicians" in message


def test_a_name_list_without_licences_is_refused(tmp_path, policy):
    people = {k: v for k, v in PEOPLE.items() if k != "sources"}
    (tmp_path / "names/people.json").write_text(json.dumps(people), encoding="utf-8")
    with pytest.raises(PolicyError, match="licence"):
        load_policy(tmp_path)


def test_a_missing_name_list_says_which(tmp_path):
    (tmp_path / "p.yaml").write_text(textwrap.dedent(POLICY), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"people\.json"):
        load_policy(tmp_path)


def test_which_spelling_an_exact_alias_needs_does_not_depend_on_the_hash_seed(tmp_path):
    """"Tata" and "TATA" fold alike; the list's first spelling decides, in every process."""
    import os
    import subprocess
    import sys

    names = tmp_path / "brands.json"
    names.write_text(json.dumps({"kind": "brand", "sources": [{"licence": "CC0"}], "entries": [
        {"name": "Tata Group", "aliases": ["Tata Group", "Tata", "TATA"], "case": True},
    ]}), encoding="utf-8")
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from chatbot.policy.names import load_name_list\n"
        "from chatbot.policy.normalise import normalise\n"
        "names = load_name_list(Path(sys.argv[1]), 'brands')\n"
        "print([len(names.find(normalise(t))) for t in ('Tata Tea', 'TATA Tea')])\n"
    )
    seen = {
        subprocess.run([sys.executable, "-c", probe, str(names)], capture_output=True, text=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}, check=True).stdout
        for seed in range(6)
    }
    assert seen == {"[1, 0]\n"}


def _one_list(tmp_path: Path, entries: list[dict]):
    from chatbot.policy.names import load_name_list

    path = tmp_path / "people.json"
    path.write_text(json.dumps({"kind": "politician", "sources": [{"licence": "CC0"}],
                                "entries": entries}), encoding="utf-8")
    return load_name_list(path, "politicians")


def named(names, text: str) -> list[str]:
    from chatbot.policy.normalise import normalise

    return sorted({h.entity.name for h in names.find(normalise(text))})


def test_initials_are_found_however_they_are_spaced(tmp_path):
    names = _one_list(tmp_path, [{"name": "D. K. Shivakumar",
                                  "aliases": ["D.K. Shivakumar", "ಡಿ.ಕೆ. ಶಿವಕುಮಾರ್"]}])
    for text in ("DK Shivakumar spoke", "D.K.Shivakumar spoke", "D K Shivakumar spoke",
                 "ಡಿ. ಕೆ. ಶಿವಕುಮಾರ್ ಅವರ ಯೋಜನೆ", "ಡಿಕೆ ಶಿವಕುಮಾರ್ ಹೇಳಿದರು"):
        assert named(names, text) == ["D. K. Shivakumar"], text


def test_an_initial_that_is_a_word_keeps_its_dot(tmp_path):
    names = _one_list(tmp_path, [{"name": "A. Raja"}])
    assert named(names, "A Raja spoke in Nilgiris") == []  # "a raja" is English
    assert named(names, "A.Raja spoke in Nilgiris") == ["A. Raja"]


def test_a_name_is_found_with_the_case_ending_that_rewrites_its_end(tmp_path):
    names = _one_list(tmp_path, [
        {"name": "M. K. Stalin", "aliases": ["ஸ்டாலின்"]},
        {"name": "Pinarayi Vijayan", "aliases": ["പിണറായി വിജയൻ"]},
        {"name": "Tamilaga Vettri Kazhagam", "aliases": ["தமிழக வெற்றிக் கழகம்"]},
    ])
    assert named(names, "ஸ்டாலினை ஆதரிப்போம்") == ["M. K. Stalin"]  # virama → vowel sign
    assert named(names, "ஸ்டாலினுக்கு வாழ்த்து") == ["M. K. Stalin"]
    assert named(names, "പിണറായി വിജയന്റെ സർക്കാർ") == ["Pinarayi Vijayan"]  # chillu ൻ → ന
    assert named(names, "தமிழக வெற்றிக் கழகத்தின் மாநாடு") == ["Tamilaga Vettri Kazhagam"]
    assert named(names, "தமிழக வெற்றிக் கழக மாநாடு") == ["Tamilaga Vettri Kazhagam"]


def test_a_stem_without_its_ending_is_not_the_name(tmp_path):
    names = _one_list(tmp_path, [{"name": "Pinarayi Vijayan", "aliases": ["പിണറായി വിജയൻ"]},
                                 {"name": "Stalin", "aliases": ["ஸ்டாலின்"]}])
    assert named(names, "പിണറായി വിജയന കാണാം") == []  # no vowel sign after the stem
    assert named(names, "ஸ்டாலின") == []


def test_a_written_alias_is_never_taken_by_another_entitys_spelling(tmp_path):
    names = _one_list(tmp_path, [{"name": "K. Rao"}, {"name": "Kishore Rao", "aliases": ["K Rao"]}])
    assert named(names, "K Rao won") == ["Kishore Rao"]
    assert named(names, "K.Rao won") == ["K. Rao"]
