"""The Hyperscan prefilter (chatbot/policy/prefilter.py) may only ever widen: every pattern
that really matches a draft must be among the scan's candidates, so findings with it are
exactly the findings without it.

Pinned three ways: the translation of single constructs against texts where the two regex
dialects differ (a vowel sign is a word character for `regex`, not for Hyperscan); every
pattern of the shipped policy on every rule example and on random text cut from them; and the
findings of every rule example with and without the prefilter.
"""

from __future__ import annotations

import random

import pytest

hyperscan = pytest.importorskip("hyperscan")

from chatbot.policy.engine import _groups, check_rules, use_prefilter  # noqa: E402
from chatbot.policy.gates import gated  # noqa: E402
from chatbot.policy.loader import load_policy  # noqa: E402
from chatbot.policy.model import Draft  # noqa: E402
from chatbot.policy.normalise import normalise  # noqa: E402
from chatbot.policy.prefilter import (  # noqa: E402
    PREFILTERED,
    Prefilter,
    Unsure,
    _flags,
    translate,
)
from tests.conftest import POLICY_DIR  # noqa: E402


def _hs_matches(pattern: str, text: str) -> bool:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=[translate(pattern).encode()], ids=[0], flags=_flags())
    found: list[int] = []
    database.scan(text.encode(), match_event_handler=lambda *a: found.append(1))
    return bool(found)


#: (pattern, text) where the `regex` library finds a match; the translation must too.
WIDENED = [
    (r"कि\b", "कि नहीं"),            # ि is a word character for regex, not for Hyperscan's \b
    (r"\bಕನ್ನಡ\b", "ಕನ್ನಡ ವಿಕಿಪೀಡಿಯ"),
    (r"\w+ जी", "मोदी जी"),
    (r"[^\W\d]+ बाबू", "রাজা बाबू"),
    (r"\W{1,3}vote", "।। vote"),
    (r"(?<=\n)vote", "x\nvote"),
    (r"(?<!not )vote", "please vote"),
    (r"vote(?= for)", "vote for me"),
    (r"(?<![\w.])bjp\b", "(bjp)"),
    (r"a.{0,40}b", "a" + "x" * 39 + "b"),
    (r"a\S{,5}b", "axyzb"),
    (r"(?:^|(?<=[\n(]))vote", "vote now"),
    (r"\d{2,4}", "२०२४"),               # Devanagari digits are \d for regex
    (r"\s+वोट", "\u00a0वोट"),           # a no-break space is \s
    (r"[.!?।]\s*vote", "सही। vote"),
    (r"x\$y|x\.y", "x.y"),
    (r"(?P<who>we|our) team", "our team"),
    (r"(?>ab|a)c", "ac"),
    (r"\u0935\u094b\u091f", "वोट"),
    (r"\x41", "A"),
    (r"tea{1,}m|go+d", "teaaam"),
    (r"a{2}", "aa"),
    (r"colou?r$", "colour"),
    (r"^hello", "hello there"),
]


@pytest.mark.parametrize(("pattern", "text"), WIDENED)
def test_the_translation_matches_wherever_the_pattern_does(pattern: str, text: str) -> None:
    assert gated(pattern).pattern.search(text), "the case itself is wrong"
    assert _hs_matches(pattern, text)


@pytest.mark.parametrize("pattern", [r"\p{L}+", r"(a)\1", r"(?i)vote", r"[[:alpha:]]",
                                     r"\L<names>", r"a(?(1)b|c)"])
def test_syntax_it_does_not_know_is_left_to_the_gates(pattern: str) -> None:
    with pytest.raises(Unsure):
        translate(pattern)


@pytest.fixture(scope="module")
def prefiltered():
    """The shipped policy with its prefilter (compiled once per test run: some seconds)."""
    policy = load_policy(POLICY_DIR)
    assert use_prefilter(policy)
    return policy


def _texts(policy) -> list[str]:
    """Every rule example's text, and random text cut and spliced from them."""
    texts = [e.text for r in policy.rules for e in (*r.examples.fires, *r.examples.passes)]
    chance = random.Random(10)
    for _ in range(600):
        a, b = chance.sample(texts, 2)
        i, j = sorted(chance.sample(range(len(a) + 1), 2))
        k = chance.randrange(len(b) + 1)
        texts.append(a[i:j] + " " + b[k:])
        words = a.split()
        chance.shuffle(words)
        texts.append(" ".join(words))
    return texts


def test_every_real_match_is_a_candidate(prefiltered) -> None:
    prefilter: Prefilter = prefiltered.__dict__["_prefilter"]
    numbered = [p for p in prefilter.patterns if p.number is not None]
    assert len(numbered) >= 0.95 * len(prefilter.patterns)
    missed = []
    for text in _texts(prefiltered):
        norm = normalise(text).text
        found = prefilter.candidates(norm)
        assert PREFILTERED in found
        missed += [(p.source[:60], norm[:60]) for p in numbered
                   if p.number not in found and p.spans(norm)]
    assert not missed


def test_findings_are_the_same_with_and_without_it(prefiltered) -> None:
    plain = load_policy(POLICY_DIR)
    assert "_prefilter" not in plain.__dict__
    examples = [e for r in plain.rules for e in (*r.examples.fires, *r.examples.passes)]
    for example in examples:
        assert check_rules(example.draft, prefiltered) == check_rules(example.draft, plain)


def test_the_database_is_cached_and_a_short_run_never_compiles(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CHECKPOST_CACHE", str(tmp_path / "cache"))
    policy_file = tmp_path / "p.yaml"
    policy_file.write_text(
        "policy: {name: t, version: '1'}\n"
        "labels: {political-endorsement: {level: error, policy: p}}\n"
        "rules:\n"
        "  - id: vote-call\n    label: political-endorsement\n    level: error\n"
        "    message: m\n    policy: p\n"
        "    match: {all: [['\\bvote (for|4) \\w+'], ['\\p{L}{4}']]}\n"
        "    examples: {fires: ['Vote for Ravi'], passes: ['vote']}\n",
        encoding="utf-8",
    )
    first = load_policy(policy_file)
    assert not use_prefilter(first, compile_if_missing=False)  # nothing cached: not compiled
    assert use_prefilter(first)
    prefilter = first.__dict__["_prefilter"]
    assert prefilter.unsure == {"escape \\p": 1}  # \p{L} keeps its gates
    assert prefilter.fallback == 1
    assert [f.rule for f in check_rules(Draft("Vote for"), first)] == []
    assert [f.rule for f in check_rules(Draft("Vote for Ravi"), first)] == ["vote-call"]
    again = load_policy(policy_file)
    assert use_prefilter(again, compile_if_missing=False)  # from the cache
    assert [f.rule for f in check_rules(Draft("Vote 4 Ravi"), again)] == ["vote-call"]
    for group in _groups(again):
        for pattern in group.patterns:
            assert (pattern.number is None) == (pattern.source == "\\p{l}{4}")
    (cached,) = (tmp_path / "cache").glob("prefilter-*.hsdb")
    data = cached.read_bytes()
    cached.write_bytes(data.replace(b'"numbers": [', b'"numbers": ["x", '))  # damaged
    assert not use_prefilter(load_policy(policy_file), compile_if_missing=False)
    cached.write_bytes(data[:-1])  # truncated
    assert not use_prefilter(load_policy(policy_file), compile_if_missing=False)


def test_the_scan_finds_the_literals_and_names_the_automata_find(prefiltered) -> None:
    prefilter: Prefilter = prefiltered.__dict__["_prefilter"]
    assert prefilter.exact_literals
    wanted = set(prefilter.literals)
    lists = list(prefiltered.name_lists.values())
    named = 0
    for text in _texts(prefiltered):
        norm = normalise(text).text
        found, numbers, aliases = prefilter.scan(norm)
        assert numbers == {x for x in found if isinstance(x, int)}
        assert {x for x in found if isinstance(x, str)} == prefiltered.gates.present(norm) & wanted
        for names in lists:
            if not len(names.automaton):
                continue
            expected = sorted(names.automaton.iter(norm))
            assert sorted(prefilter.name_hits(names, aliases)) == expected
            named += bool(expected)
    assert named > 100  # the texts do name entities


def test_threads_scan_at_once_and_a_pickled_policy_leaves_it_behind(prefiltered) -> None:
    import pickle
    from concurrent.futures import ThreadPoolExecutor

    examples = [e.draft for r in prefiltered.rules for e in r.examples.fires][:200]
    alone = [check_rules(d, prefiltered) for d in examples]
    with ThreadPoolExecutor(4) as pool:  # one Hyperscan scratch per thread
        assert list(pool.map(lambda d: check_rules(d, prefiltered), examples)) == alone
    copy = pickle.loads(pickle.dumps(prefiltered))
    assert copy.__dict__["_prefilter"] is None
    assert [check_rules(d, copy) for d in examples] == alone


def test_a_long_batch_without_one_compiles_it_in_the_background(tmp_path) -> None:
    import json
    import os
    import subprocess
    import sys
    import time

    from chatbot.cli import POOL_FROM

    cache = tmp_path / "cache"
    drafts = tmp_path / "drafts.jsonl"
    texts = ["Vote for Ravi", "Join our edit-a-thon", "vote BJP"]
    drafts.write_text("".join(json.dumps({"id": str(i), "text": texts[i % 3]}) + "\n"
                              for i in range(POOL_FROM + 10)), encoding="utf-8")
    env = {**os.environ, "CHECKPOST_CACHE": str(cache)}
    command = [sys.executable, "-m", "chatbot", "check", "--batch", str(drafts), "--rules-only",
               "--policy", str(POLICY_DIR), "--processes", "1"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    # The output ended with this process, not with the compiler (which takes 10 s and more).
    assert not list(cache.glob("prefilter-*.hsdb"))
    started = time.monotonic()
    while not list(cache.glob("prefilter-*.hsdb")) and time.monotonic() - started < 240:
        time.sleep(0.5)
    assert list(cache.glob("prefilter-*.hsdb"))
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.stdout == first.stdout and second.returncode == first.returncode == 1
