"""The shipped policy: every rule quotes a line of the CIS-A2K page, and every label has rules."""

from __future__ import annotations

import pytest

from chatbot.policy.model import LABELS
from tests.conftest import POLICY_PAGE, SHARED

PAGE = POLICY_PAGE
SEED = SHARED / "seed" / "best-practices.txt"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _header_and_page() -> tuple[str, str]:
    header, _, page = PAGE.read_text(encoding="utf-8").partition("\n\n")
    return header, page


def test_the_shipped_policy_page_names_its_source_date_and_licence(policy):
    header, page = _header_and_page()
    assert f"# Source: {policy.source}\n" in header
    assert "# Retrieved: 20" in header
    assert "CC BY-SA 4.0" in header and "creativecommons.org/licenses/by-sa/4.0" in header
    assert "action=history" in header  # the authors, as the licence asks
    assert page.startswith("CIS-A2K/Media Strategy/Best Practices")


@pytest.mark.skipif(not SEED.exists(), reason="no ../shared/seed copy to compare with")
def test_the_shipped_policy_page_is_the_seed_copy_word_for_word():
    assert _header_and_page()[1] == SEED.read_text(encoding="utf-8")


def test_every_rule_quotes_its_policy_line_exactly(policy):
    page = _flat(_header_and_page()[1])
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
