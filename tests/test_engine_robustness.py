"""Hostile or odd drafts: the engine answers, quickly, and never crashes.

The bound is generous (seconds, not milliseconds): these guard against catastrophic regex
backtracking, which turns a 60,000-character draft into minutes; speed itself is measured by
bench/checker.py.
"""

from __future__ import annotations

import ast
import dataclasses
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.policy.engine import _Plan, _plan, check_rules
from chatbot.policy.gates import GatedPattern, GateIndex, gated, required_literals, requirements
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
    for each in patterns:
        for norm in texts:
            for m in each.pattern.finditer(norm):
                if m.end() > m.start():
                    found = norm[m.start():m.end()]
                    for clause in (each.gate, *each.clauses):
                        assert any(lit in found for lit in clause), (each.source, m.group())
                    if each.starts is not None:
                        assert any(found.startswith(lit) for lit in each.starts), (
                            each.source, m.group())


def _groups(policy):
    for rule in policy.rules:
        yield from (*rule.match.all, *rule.match.none, *rule.match.unless, *rule.match.requires)
    yield from policy.repost_markers
    yield policy.media.credit
    yield from policy.media.classes.values()


@pytest.mark.parametrize(("pattern", "starts"), [
    (r"\b(use|apply) my code\b", {"use", "apply"}),
    (r"(?<=[.!?] )(photo|image)s?:", {"photo", "image"}),
    (r"(?:^|(?<=\n))(?:rt|qt) @", {"rt", "qt"}),
    (r"[#@]vote", {"#", "@"}),
    (r"\w+ for", None),               # begins with any word
    (r"(photo )?credit", {"photo ", "credit"}),  # may begin with either
    (r"(photo )?\w+", None),
    (r"(?:^|(?<=\n))[^\S\n]*📷", None),
])
def test_start_literals_are_what_every_match_begins_with(pattern, starts):
    assert requirements(pattern)[2] == (frozenset(starts) if starts else None)


@pytest.mark.parametrize(("pattern", "after"), [
    (r"(?:^|(?<=[\n(|/]))[^\S\n]*photo:", {"", "\n", "(", "|", "/"}),
    (r"(?<=\n)\s*> quote", {"\n"}),
    (r"^\s*rt @", {"", "\n"}),
    (r"(?:^|\b)\s*photo", None),
    (r"(?<=ab)\s*photo", None),
    (r"photo", None),  # it has start literals instead
])
def test_where_a_match_begins_is_read_from_its_first_position(pattern, after):
    assert requirements(pattern)[3] == (frozenset(after) if after is not None else None)


def test_a_clause_with_a_short_literal_is_no_clause():
    gate, clauses, _, _ = requirements(r"\b(we|our team) (fixed|updated|corrected) (it|the page)\b")
    assert gate and frozenset({"fixed", "updated", "corrected"}) in (gate, *clauses)
    assert all(len(literal) >= 3 for clause in clauses for literal in clause)


_FRAGMENTS = [
    "RT @who: ", "Photo: Ravi, CC BY 4.0\n", "📷 by me", "we fixed the article", "#VoteForRavi",
    "https://example.org/x", "a b c", "thank you!", "ಧನ್ಯವಾದ", "नमस्ते", " — @someone", "\n> quoted\n",
    "Image courtesy: Google", ". photo: ", "(c) 2024", "use code WIKI15", "  ", "\u200b", "aa",
]


def _texts(policy) -> list[str]:
    texts = []
    for rule in policy.rules:
        texts += [e.text for e in (*rule.examples.fires, *rule.examples.passes)]
    return texts


def test_a_pattern_tried_at_its_start_literals_finds_what_finditer_finds(policy):
    """The places a start-literal pattern is tried at give exactly `finditer`'s matches, on
    every rule example and on every example cut and pasted into others."""
    patterns = {p for group in _groups(policy) for p in group.patterns
                if p.starts is not None or p.after is not None}
    assert any(p.after for p in patterns) and any(p.starts for p in patterns)
    texts = _texts(policy)
    rng = random.Random(7)
    texts += [" ".join(rng.sample(texts, 3)) + rng.choice(_FRAGMENTS) for _ in range(300)]
    norms = [normalise(t).text for t in texts]
    for each in patterns:
        index = GateIndex([*each.gate, *(x for c in each.clauses for x in c),
                           *(x for x in each.starts or () if len(x) >= 3)])
        for norm in norms:
            expected = [m.span() for m in each.pattern.finditer(norm) if m.end() > m.start()]
            assert each.spans(norm, index.present(norm)) == expected, (each.source, norm)


def test_a_pattern_with_many_start_places_is_searched_whole():
    pattern = gated(r"\b(ab|cd)e")
    text = "abe " * 40 + "cde"
    assert pattern.spans(text, {"ab", "cd"}) == [m.span() for m in pattern.pattern.finditer(text)]
    assert GatedPattern(pattern.source, pattern.gate, starts=pattern.starts).spans(
        "xx abe", {"ab"}) == [(3, 6)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_gates_never_change_what_the_rules_find(policy, data):
    """The gates only skip work: with every gate forced open (each draft said to contain every
    literal of the policy), the rules find exactly the same, on drafts cut from the rules' own
    examples, pasted together and mutated."""
    texts = _texts(policy)
    parts = data.draw(st.lists(st.sampled_from(texts), min_size=1, max_size=3))
    extra = data.draw(st.lists(st.sampled_from(_FRAGMENTS), max_size=3))
    text = " ".join(parts + extra)
    if data.draw(st.booleans()):
        cut = data.draw(st.integers(0, len(text)))
        text = text[:cut] + data.draw(st.sampled_from(_FRAGMENTS)) + text[cut:]
    account = data.draw(st.sampled_from(["official", "personal"]))
    draft = Draft(text, account)
    gated_findings = check_rules(draft, policy)
    every = set(policy.gates.literals)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(GateIndex, "present", lambda self, text: set(every))
        open_findings = check_rules(draft, policy)
    assert gated_findings == open_findings
    # Nor does the order the rules are visited in (which entity a finding names included).
    plan = _plan(policy, account)
    backwards = dataclasses.replace(
        _Plan.of(tuple(reversed(policy.matched_rules(account)))), name_order=plan.name_order)
    with pytest.MonkeyPatch.context() as m:
        m.setitem(policy.__dict__["_engine_plans"], account, backwards)
        assert check_rules(draft, policy) == gated_findings
