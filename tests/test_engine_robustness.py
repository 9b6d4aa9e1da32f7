"""Hostile or odd drafts: the engine answers, quickly, and never crashes.

The bound is generous (seconds, not milliseconds): these guard against catastrophic regex
backtracking, which turns a 60,000-character draft into minutes; speed itself is measured by
bench/checker.py.
"""

from __future__ import annotations

import ast
import time

import pytest

from chatbot.policy.engine import check_rules
from chatbot.policy.gates import required_literals
from chatbot.policy.model import Draft
from chatbot.policy.normalise import normalise
from tests.conftest import REPO as ROOT

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


# --- gates: the literal every match needs, read without a private parser ------------------------


def test_gates_are_read_without_the_standard_librarys_private_parser():
    for name in ("gates.py", "pattern_literals.py"):
        tree = ast.parse((ROOT / "chatbot" / "policy" / name).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) for alias in node.names}
        assert not {m for m in imported if m.startswith(("re._", "sre_"))}, name


@pytest.mark.parametrize(("pattern", "gate"), [
    (r"\b(use|apply) my code\b", {" my code"}),
    (r"\b(jio|airtel)\b", {"jio", "airtel"}),
    (r"photos?\s*:", {"photo"}),
    (r"(?:^|(?<=\n))[^\S\n]*(?:📷|📸)|©", {"📷", "📸", "©"}),
    (r"\bcode [a-z0-9]*[0-9]", {"code "}),
    (r"a{0,3}bc{2,}", {"b"}),
    (r"\(c\)|\bcopyright\b", {"(c)", "copyright"}),
    (r"[.!?] (photo|image)\s*[\-–—]", {"photo", "image"}),
    (r"don.?t (look|bother looking) for", {" for"}),
])
def test_a_gate_is_a_literal_every_match_contains(pattern, gate):
    assert required_literals(pattern) == gate


@pytest.mark.parametrize("pattern", [
    r"\d+ ?\w+",          # no literal at all
    r"(a|)b?",            # an alternative that needs nothing
    r"(?i)vote",          # flags that change what a literal matches
    r"(?x) v o t e",
    r"\u0915x",           # escapes this reader does not interpret
    r"\p{L}+ vote",
    r"(?(1)a|b)",
])
def test_a_pattern_the_gate_reader_is_unsure_of_always_runs(pattern):
    assert required_literals(pattern) is None


def test_every_shipped_pattern_has_a_gate_and_every_match_contains_it(policy):
    """Coverage (all of them are gated) and soundness on every draft the tests write."""
    texts = {normalise(line).text
             for line in (ROOT / "tests" / "test_rules_labels.py").read_text("utf-8").splitlines()}
    patterns = {p for group in _groups(policy) for p in group.patterns}
    assert all(p.gate is not None for p in patterns)
    for gated in patterns:
        for norm in texts:
            for m in gated.pattern.finditer(norm):
                if m.end() > m.start():
                    assert any(lit in norm[m.start():m.end()] for lit in gated.gate), (
                        gated.pattern.pattern, m.group())


def _groups(policy):
    for rule in policy.rules:
        yield from (*rule.match.all, *rule.match.none, *rule.match.unless, *rule.match.requires)
    yield from policy.repost_markers
    yield policy.media.credit
    yield from policy.media.classes.values()
