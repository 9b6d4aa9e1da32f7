"""The policy cache: a second load is the same policy, a damaged or stale cache is rebuilt, and
a cache never hides a broken policy file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chatbot.policy import cache
from chatbot.policy.engine import check_rules
from chatbot.policy.loader import PolicyError, load_policy
from chatbot.policy.model import Draft

REPO = Path(__file__).resolve().parent.parent
DRAFTS = [
    "Use code WIKI15 for 15% off the ZenTab 12, the best tablet ever!",
    "Proud to stand with @SenWarren on this one.",
    "Vоte for ВJP this time!",
    "Join our Kannada Wikisource proofreading drive on Saturday.",
]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHECKPOST_CACHE", str(folder))
    return folder


def labels(policy) -> list[list[tuple[str, tuple]]]:
    return [[(f.rule, f.span) for f in check_rules(Draft(t), policy)] for t in DRAFTS]


def test_a_second_load_reads_the_cache_and_finds_the_same(cache_dir):
    first = load_policy(REPO / "policies")
    written = sorted(p.name.split("-")[0] for p in cache_dir.glob("*.json"))
    assert written == ["folded", "gates"]
    second = load_policy(REPO / "policies")
    uncompiled = [p for p in second.rules[0].match.all[0].patterns if p._compiled is None]
    assert uncompiled, "with a cache hit, patterns wait to be compiled until a draft needs them"
    assert labels(second) == labels(first)
    assert second.version == first.version


def test_a_damaged_cache_is_ignored_and_rebuilt(cache_dir):
    expected = labels(load_policy(REPO / "policies"))
    for path in cache_dir.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["entries"] = {k: [] for k in data["entries"]}  # every gate emptied, checksum stale
        path.write_text(json.dumps(data), encoding="utf-8")
    assert labels(load_policy(REPO / "policies")) == expected
    for path in cache_dir.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert cache.read(path.name.split("-")[0], data["key"]) is not None


def test_garbage_in_the_cache_file_is_ignored(cache_dir):
    expected = labels(load_policy(REPO / "policies"))
    for path in cache_dir.glob("*.json"):
        path.write_bytes(b"\x00\xffnot json")
    assert labels(load_policy(REPO / "policies")) == expected


def test_a_bad_pattern_is_reported_even_when_an_old_cache_exists(cache_dir, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(REPO / "policies", policies)
    load_policy(policies)
    base = policies / "cis-a2k.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "'\\b(reposting|", "'\\b((reposting|", 1), encoding="utf-8")
    with pytest.raises(PolicyError, match="bad regular expression"):
        load_policy(policies)


def test_an_unwritable_cache_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CHECKPOST_CACHE", str(blocker / "cache"))
    policy = load_policy(REPO / "policies")
    assert [f.label for f in check_rules(Draft(DRAFTS[0]), policy)]
