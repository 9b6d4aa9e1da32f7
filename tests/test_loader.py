"""Policy files: validated on load, errors name file, line and field; layering works."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chatbot.policy.engine import check_rules
from chatbot.policy.loader import PolicyError, load_policy
from chatbot.policy.model import Draft

BASE = """\
policy:
  name: Test policy
  version: "1"
terms:
  brands: ['\\bacmephone\\b']
rules:
  - id: brand-praise
    label: product-endorsement
    level: error
    policy: "Do not endorse any products"
    message: "Don't praise brands."
    match:
      all:
        - [$brands]
        - ['\\bbest\\b']
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> PolicyError:
    write(tmp_path, "a.yaml", text)
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    return caught.value


def test_a_valid_file_loads_and_its_rule_fires(tmp_path):
    policy = load_policy(write(tmp_path, "a.yaml", BASE))
    found = check_rules(Draft("The AcmePhone is the best!"), policy)
    assert [f.rule for f in found] == ["brand-praise"]
    assert found[0].policy == "Do not endorse any products"


def test_unknown_key_names_file_line_and_field(tmp_path):
    error = error_for(tmp_path, BASE.replace("    level: error\n", "    level: error\n    colour: red\n"))
    assert error.file.endswith("a.yaml")
    assert error.line == 10
    assert "colour" in error.field
    assert "unknown key" in str(error)


def test_bad_regex_names_its_line(tmp_path):
    error = error_for(tmp_path, BASE.replace("['\\bbest\\b']", "['(best']"))
    assert error.line == 15
    assert "bad regular expression" in str(error)
    assert "a.yaml:15:" in str(error)


def test_missing_field_is_named(tmp_path):
    error = error_for(tmp_path, BASE.replace('    message: "Don\'t praise brands."\n', ""))
    assert "message" in error.field
    assert error.line == 7


def test_label_outside_the_list_is_refused(tmp_path):
    error = error_for(tmp_path, BASE.replace("label: product-endorsement", "label: rude"))
    assert error.line == 8
    assert "'rude' is not a label" in str(error)


def test_unknown_level_is_refused(tmp_path):
    error = error_for(tmp_path, BASE.replace("level: error", "level: fatal"))
    assert error.line == 9 and "level" in error.field


def test_unknown_term_list_is_refused(tmp_path):
    error = error_for(tmp_path, BASE.replace("[$brands]", "[$brandz]"))
    assert "$brandz" in str(error) and error.line == 14


def test_invalid_yaml_reports_the_line(tmp_path):
    error = error_for(tmp_path, BASE + "  - id: [unclosed\n")
    assert error.field == "yaml" and error.line >= 16


def test_empty_file_is_refused(tmp_path):
    error = error_for(tmp_path, "")
    assert "empty" in str(error)


def test_missing_directory_says_how_to_fix(tmp_path):
    with pytest.raises(PolicyError, match="CHECKPOST_POLICY_DIR"):
        load_policy(tmp_path / "nope")


def test_a_second_file_turns_a_rule_off_without_editing_the_first(tmp_path):
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "b-local.yaml", "overrides:\n  brand-praise: {enabled: false}\n")
    policy = load_policy(tmp_path)
    assert check_rules(Draft("The AcmePhone is the best!"), policy) == []


def test_a_second_file_relevels_a_rule_and_adds_terms(tmp_path):
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "b-local.yaml", """\
        terms:
          brands: ['\\bzetaphone\\b']
        overrides:
          brand-praise: {level: warning}
        """)
    policy = load_policy(tmp_path)
    found = check_rules(Draft("Zetaphone: simply the best."), policy)
    assert [(f.rule, f.level) for f in found] == [("brand-praise", "warning")]


def test_a_second_file_cannot_redefine_a_rule_silently(tmp_path):
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "b.yaml", BASE.split("rules:\n", 1)[0].replace("policy:", "old:")
          .split("old:")[0] + "rules:\n" + BASE.split("rules:\n", 1)[1])
    with pytest.raises(PolicyError, match="already defined"):
        load_policy(tmp_path)


def test_override_of_unknown_rule_is_refused(tmp_path):
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "b.yaml", "overrides:\n  no-such-rule: {enabled: false}\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    assert caught.value.line == 2 and "no rule has this id" in str(caught.value)


def test_the_policy_version_changes_when_a_file_changes(tmp_path):
    path = write(tmp_path, "a.yaml", BASE)
    first = load_policy(path).version
    path.write_text(BASE.replace("Don't praise brands.", "No brands."), encoding="utf-8")
    assert load_policy(path).version != first


MATCHERS = """\
policy: {name: Matchers, version: "1"}
rules:
  - id: reply-only
    label: dispute
    level: error
    policy: "Do not engage in any dispute with other accounts"
    message: "Only in replies."
    match: {any: ['\\bwrong\\b'], reply: true}
  - id: own-words-only
    label: org-voice
    level: error
    accounts: [personal]
    policy: "Do not post anything on your personal accounts that could be confused with CIS-A2K official messaging."
    message: "Own words only."
    match: {any: ['\\bwe at acme\\b'], where: own}
  - id: needs-acme-somewhere
    label: political-endorsement
    level: error
    policy: "Do not endorse any political candidates"
    message: "Needs acme in the draft."
    match: {any: ['\\bvote\\b'], requires: ['\\bacme\\b'], unless: ['\\bphoto\\b'], within: text}
  - id: reply-to-fans
    label: article-subject-complaint
    level: error
    policy: "Do not evaluate or attempt to resolve complaints by celebrities or their fans about edits to a Wikipedia article. Direct them to the FAQ for Article Subjects."
    message: "To fans only, unless it links the FAQ."
    match: {any: ['\\barticle\\b'], reply_to: ['\\bfans?\\b'], unless: ['article_subjects']}
"""


def test_reply_where_requires_and_unless_do_what_the_readme_says(tmp_path):
    policy = load_policy(write(tmp_path, "m.yaml", MATCHERS))

    def rules(text: str, account: str = "official") -> set[str]:
        return {f.rule for f in check_rules(Draft(text, account), policy)}

    assert rules("@critic that is wrong") == {"reply-only"}
    assert rules("That is wrong, says @critic") == set()
    assert rules("We at Acme love this", "personal") == {"own-words-only"}
    assert rules("So true!\n\nRT @boss: We at Acme love this", "personal") == set()
    assert rules("Acme staff: vote on Monday") == {"needs-acme-somewhere"}
    assert rules("Vote on Monday") == set()
    assert rules("Acme: vote for your favourite photo") == set()


def test_reply_to_reads_the_handle_replied_to_and_unless_reads_links(tmp_path):
    policy = load_policy(write(tmp_path, "m.yaml", MATCHERS))

    def rules(text: str) -> set[str]:
        return {f.rule for f in check_rules(Draft(text, "official"), policy)}

    assert rules("@StarFansClub The article is fine.") == {"reply-to-fans"}
    assert rules("@star_fans The article is fine.") == {"reply-to-fans"}
    assert rules("@CityNewsDesk The article is fine.") == set()
    assert rules("The article is fine, @StarFansClub") == set()
    faq = "https://en.wikipedia.org/wiki/Wikipedia:FAQ/Article_subjects"
    assert rules(f"@StarFansClub About the article: {faq}") == set()


EXAMPLES = BASE + """\
    examples:
      fires: ['The AcmePhone is the best!']
      passes:
        - text: The best photos of the AcmePhone launch are on Commons.
          account: personal
"""


def test_a_rules_examples_are_kept_on_the_rule(tmp_path):
    rule = load_policy(write(tmp_path, "a.yaml", EXAMPLES)).rules[0]
    assert [e.text for e in rule.examples.fires] == ["The AcmePhone is the best!"]
    assert rule.examples.fires[0].account == "official"
    assert rule.examples.passes[0].account == "personal"
    assert rule.examples.passes[0].origin.endswith("a.yaml:19")


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "problem"),
    [
        ("      fires:", "      fire:", 17, "examples.fire", "unknown key"),
        ("fires: ['The AcmePhone is the best!']", "fires: []", 17, "examples.fires",
         "non-empty list"),
        ("fires: ['The AcmePhone is the best!']", "fires: 'The AcmePhone'", 17,
         "examples.fires", "non-empty list"),
        ("fires: ['The AcmePhone is the best!']", "fires: [42]", 17, "examples.fires[0]",
         "a draft's text"),
        ("fires: ['The AcmePhone is the best!']", "fires: ['  ']", 17, "examples.fires[0]",
         "non-empty string"),
        ("account: personal", "account: staff", 20, "examples.passes[0].account",
         "'staff' is not one of official, personal"),
        ("account: personal", "acount: personal", 20, "examples.passes[0].acount",
         "unknown key"),
        ("- text: The best photos of the AcmePhone launch are on Commons.\n          account",
         "- account", 19, "examples.passes[0].text", "missing"),
        ("account: personal", "media: []", 20, "examples.passes[0].media", "non-empty list"),
        ("account: personal", "media: [{licence: CC0}]", 20,
         "examples.passes[0].media[0].licence", "unknown key"),
        ("account: personal", "media: [{license: CC0}]", 20,
         "examples.passes[0].media[0].source", "missing"),
        ("account: personal", "media: ['own photo; CC0']", 20, "examples.passes[0].media[0]",
         "must be a mapping"),
    ],
)
def test_malformed_examples_are_refused_with_file_line_and_field(
    tmp_path, old, new, line, field, problem
):
    assert old in EXAMPLES
    error = error_for(tmp_path, EXAMPLES.replace(old, new))
    assert error.file.endswith("a.yaml") and error.line == line, str(error)
    assert error.field == f"rule brand-praise: {field}", str(error)
    assert problem in error.problem, str(error)


def test_examples_must_be_a_mapping_of_fires_and_passes(tmp_path):
    error = error_for(tmp_path, BASE + "    examples: ['The AcmePhone is the best!']\n")
    assert error.line == 16 and "must be a mapping" in str(error)
    error = error_for(tmp_path, BASE + "    examples: {}\n")
    assert error.line == 16 and "fires" in str(error)


MODEL_RULE = BASE.split("    match:\n")[0] + "    match:\n      model: HEAD\n"


def test_a_model_rule_names_a_label_or_a_draft_head_of_a_label(tmp_path):
    for head in ("product-endorsement", "drafts-product-endorsement"):
        policy = load_policy(write(tmp_path, "a.yaml", MODEL_RULE.replace("HEAD", head)))
        assert policy.rules[0].match.model == head
    error = error_for(tmp_path, MODEL_RULE.replace("HEAD", "drafts-cheerfulness"))
    assert error.line == 13 and "match.model" in error.field
    assert "drafts-LABEL" in str(error)
