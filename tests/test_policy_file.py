"""The shipped policy: every rule quotes a line of the CIS-A2K page, and every label has rules."""

from __future__ import annotations

import pytest

from chatbot.policy.model import LABELS
from tests.conftest import SHARED

PAGE = SHARED / "seed" / "best-practices.txt"


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.skipif(not PAGE.exists(), reason="the policy page is in ../shared/seed")
def test_every_rule_quotes_its_policy_line_exactly(policy):
    page = _flat(PAGE.read_text(encoding="utf-8"))
    for rule in policy.rules:
        assert _flat(rule.policy) in page, f"{rule.id} ({rule.origin}) misquotes the policy"
    for label, line in policy.label_policy.items():
        assert _flat(line) in page, f"labels.{label} misquotes the policy"


def test_all_eleven_labels_have_rules(policy):
    assert {r.label for r in policy.rules} == set(LABELS)


def test_every_label_has_a_level_for_llm_findings(policy):
    assert set(policy.label_levels) == set(LABELS)


def test_rules_carry_messages_and_links(policy):
    for rule in policy.rules:
        assert len(rule.message) > 30, rule.id
        assert rule.link.startswith("https://"), rule.id


def test_article_subject_rules_point_to_the_faq(policy):
    faq = "https://en.wikipedia.org/wiki/Wikipedia:FAQ/Article_subjects"
    for rule in policy.rules:
        if rule.label == "article-subject-complaint":
            assert faq in rule.message and rule.link == faq
