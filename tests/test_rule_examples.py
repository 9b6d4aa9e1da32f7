"""Every rule of the shipped policy carries its own examples (as proselint and Vale do): drafts
that must make it fire and near misses that must not. This runs them all, one test per rule, so a
rule without examples, or one whose examples no longer hold, fails CI by name.

Rules match with `check_rules`; a rule the learned layer decides (`match: {model: …}`) is run
through `chatbot.verdict.check` with the real encoder and the shipped heads, which is why those
rules keep only a few examples.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from chatbot.config import Settings, load_settings
from chatbot.policy.engine import check_rules
from chatbot.policy.loader import load_policy
from chatbot.policy.rules import Example, Policy, Rule
from chatbot.verdict import check
from tests.conftest import POLICY_DIR

RULES = load_policy(POLICY_DIR).active_rules


@pytest.fixture(scope="module")
def model_settings():
    return replace(load_settings(env={}, dotenv=False), model_on=True)


def _fired(rule: Rule, example: Example, policy, settings) -> list[str]:
    """The rule ids that fired on the example's draft (the rule's own id among them or not)."""
    if rule.match.model:
        verdict = check(example.draft, policy, settings, use_llm=False)
        assert verdict.model.status == "ok", f"{rule.id}: the learned layer did not run"
        return [f.rule for f in verdict.findings]
    return [f.rule for f in check_rules(example.draft, policy)]


def _show(example: Example) -> str:
    media = f" media={[(m.source, m.license) for m in example.media]}" if example.media else ""
    return f"{example.origin} ({example.account}{media}): {example.text!r}"


def example_problems(rule: Rule, policy: Policy, settings: Settings) -> list[str]:
    """What is wrong with `rule`'s examples, each line naming the rule or the example's line."""
    examples = rule.examples
    if not (examples.fires and examples.passes):
        return [
            f"rule {rule.id} ({rule.origin}) needs `examples:` with at least one `fires:` and "
            f"one `passes:` draft (README § \"The policy file format\")"
        ]
    if not any(e.account in rule.accounts for e in examples.passes):
        return [
            f"rule {rule.id} ({rule.origin}): every `passes:` example is on an account the rule "
            f"does not cover ({', '.join(rule.accounts)}), so none of them tests its match"
        ]
    silent = [e for e in examples.fires if rule.id not in _fired(rule, e, policy, settings)]
    loud = [e for e in examples.passes if rule.id in _fired(rule, e, policy, settings)]
    problems = [f"  does not fire on {_show(e)}" for e in silent]
    problems += [f"  fires on the near miss {_show(e)}" for e in loud]
    return [f"rule {rule.id} ({rule.origin}):", *problems] if problems else []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_rule_fires_on_its_examples_and_not_on_its_near_misses(rule, policy, model_settings):
    problems = example_problems(rule, policy, model_settings)
    assert not problems, "\n".join(problems)


RULE = """\
policy: {name: Test, version: "1"}
rules:
  - id: brand-praise
    label: product-endorsement
    level: error
    policy: "Do not endorse any products"
    message: "Don't praise brands."
    match: {any: ['\\bacmephone\\b']}
"""


def test_a_rule_without_examples_is_named_with_its_file_and_line(tmp_path, model_settings):
    (tmp_path / "a.yaml").write_text(RULE, encoding="utf-8")
    policy = load_policy(tmp_path)
    [problem] = example_problems(policy.rules[0], policy, model_settings)
    assert "rule brand-praise (" in problem and "a.yaml:3)" in problem
    assert "`fires:`" in problem and "`passes:`" in problem


def test_an_example_that_does_not_hold_is_named_with_its_line(tmp_path, model_settings):
    examples = "    examples: {fires: [A new phone.], passes: [The AcmePhone is here.]}\n"
    (tmp_path / "a.yaml").write_text(RULE + examples, encoding="utf-8")
    policy = load_policy(tmp_path)
    head, silent, loud = example_problems(policy.rules[0], policy, model_settings)
    assert head.startswith("rule brand-praise (") and head.endswith("a.yaml:3):")
    assert "does not fire on" in silent and "a.yaml:9 (official): 'A new phone.'" in silent
    assert "fires on the near miss" in loud and "'The AcmePhone is here.'" in loud


def test_the_loader_keeps_each_examples_account_media_and_line(tmp_path):
    (tmp_path / "a.yaml").write_text(
        """\
policy: {name: Test, version: "1"}
rules:
  - id: brand-praise
    label: product-endorsement
    level: error
    policy: "Do not endorse any products"
    message: "Don't praise brands."
    accounts: [official, personal]
    match: {any: ['\\\\bacmephone\\\\b']}
    examples:
      fires:
        - The AcmePhone is here.
        - text: My AcmePhone photo.
          account: personal
          media: [{source: own photo, license: CC0}, {source: a scan}]
      passes: [A phone.]
""",
        encoding="utf-8",
    )
    rule = load_policy(tmp_path).rules[0]
    first, second = rule.examples.fires
    assert (first.text, first.account, first.media) == ("The AcmePhone is here.", "official", ())
    assert second.account == "personal"
    assert [(m.source, m.license) for m in second.media] == [("own photo", "CC0"), ("a scan", "")]
    assert first.origin.endswith("a.yaml:12") and second.origin.endswith("a.yaml:13")
    assert [e.text for e in rule.examples.passes] == ["A phone."]
