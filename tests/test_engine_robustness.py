"""Hostile or odd drafts: the engine answers, quickly, and never crashes.

The bound is generous (seconds, not milliseconds): these guard against catastrophic regex
backtracking, which turns a 60,000-character draft into minutes; speed itself is measured by
bench/checker.py.
"""

from __future__ import annotations

import time

import pytest

from chatbot.policy.engine import check_rules
from chatbot.policy.model import Draft

HOSTILE = {
    "dotted": "x." * 30_000,
    "handles": "@x " * 20_000,
    "long word after a reply": "@a " + "x" * 60_000,
    "spaced letters": "a " * 30_000,
    "hashtags": "#a_" * 20_000,
    "open quotes": '"a' * 30_000,
    "repost markers": "RT @a: " * 8_000,
    "quote lines": "> x\n" * 15_000,
    "emails": "a@b" + ".c" * 30_000,
    "emoji": "🙃" * 30_000,
    "mixed scripts": "ಕನ್ನಡ हिंदी தமிழ் " * 3_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_drafts_are_checked_in_linear_time(policy, name):
    started = time.perf_counter()
    findings = check_rules(Draft(HOSTILE[name]), policy)
    assert time.perf_counter() - started < 5, f"{name} took too long"
    assert isinstance(findings, list)


def test_every_span_points_inside_the_draft(policy):
    text = "RT @x: Use code WIKI20 for 20% off! 🙃\nPhoto: Ravi, CC BY 4.0\n#VoteForRavi"
    for finding in check_rules(Draft(text), policy):
        if finding.span:
            start, end = finding.span
            assert 0 <= start < end <= len(text)
