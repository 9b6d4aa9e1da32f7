"""The policy cache: a second load is the same policy, a damaged or stale cache is rebuilt, and
a cache never hides a broken policy file."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
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
    drop_snapshots(cache_dir)  # so the load goes on to the per-pattern caches
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
    drop_snapshots(cache_dir)
    for path in cache_dir.glob("*.json"):
        path.write_bytes(b"\x00\xffnot json")
    assert labels(load_policy(REPO / "policies")) == expected


def drop_snapshots(folder: Path) -> None:
    for path in folder.glob("policy-*.pickle"):
        path.unlink()


# --- the policy snapshot ---------------------------------------------------------------------


def built(monkeypatch) -> list[str]:
    """The policy files read as YAML from now on (none when the snapshot serves the load)."""
    from chatbot.policy import loader

    read: list[str] = []
    real = loader._read
    monkeypatch.setattr(loader, "_read", lambda path: read.append(str(path)) or real(path))
    return read


def test_a_second_load_comes_from_the_snapshot_without_reading_yaml(cache_dir, monkeypatch):
    first = load_policy(REPO / "policies")
    assert len(list(cache_dir.glob("policy-*.pickle"))) == 1
    read = built(monkeypatch)
    second = load_policy(REPO / "policies")
    assert read == []
    assert labels(second) == labels(first)
    assert second.version == first.version
    assert [r.id for r in second.rules] == [r.id for r in first.rules]


def test_the_snapshot_carries_the_rule_plans_so_a_warm_start_works_none_out(cache_dir,
                                                                              monkeypatch):
    from chatbot.policy import engine

    load_policy(REPO / "policies")
    made: list[int] = []
    real = engine._Plan.of
    monkeypatch.setattr(engine._Plan, "of", lambda rules: made.append(1) or real(rules))
    second = load_policy(REPO / "policies")
    for account in ("official", "personal"):
        check_rules(Draft("Vote for our candidate!", account=account), second)
    assert made == []


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "garbage", "empty"])
def test_a_damaged_snapshot_is_rebuilt(cache_dir, monkeypatch, damage):
    expected = labels(load_policy(REPO / "policies"))
    (snapshot,) = cache_dir.glob("policy-*.pickle")
    data = snapshot.read_bytes()
    snapshot.write_bytes({
        "truncated": data[: len(data) // 2],
        "flipped byte": data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:],
        "garbage": b"\x00\xff not a snapshot",
        "empty": b"",
    }[damage])
    read = built(monkeypatch)
    assert labels(load_policy(REPO / "policies")) == expected
    assert read, "the damaged snapshot was not used: the policy was built again"
    read.clear()
    assert labels(load_policy(REPO / "policies")) == expected
    assert read == [], "and its snapshot was written again, whole"


def test_a_snapshot_under_another_key_is_not_used(cache_dir, tmp_path, monkeypatch):
    """A snapshot whose header names another key (another policy's, renamed into place) is
    never taken for this policy's."""
    other = tmp_path / "other"
    shutil.copytree(REPO / "policies", other)
    base = other / "cis-a2k.yaml"
    base.write_text(base.read_text(encoding="utf-8") + "\n# another policy\n", encoding="utf-8")
    expected = labels(load_policy(REPO / "policies"))
    (ours,) = cache_dir.glob("policy-*.pickle")
    load_policy(other)
    (theirs,) = set(cache_dir.glob("policy-*.pickle")) - {ours}
    shutil.copyfile(theirs, ours)
    read = built(monkeypatch)
    assert labels(load_policy(REPO / "policies")) == expected
    assert read


def test_a_changed_name_list_is_not_served_from_the_snapshot(cache_dir, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(REPO / "policies", policies)
    draft = Draft("Vote for Zorblax Quintana, the only leader who cares!")
    before = check_rules(draft, load_policy(policies))
    names = policies / "names" / "politicians.json"
    data = json.loads(names.read_text(encoding="utf-8"))
    data["entries"].append({"name": "Zorblax Quintana", "aliases": [], "country": "IN"})
    names.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    after = check_rules(draft, load_policy(policies))
    assert "(named: Zorblax Quintana)" in " ".join(f.message for f in after)
    assert "Zorblax" not in " ".join(f.message for f in before)


def test_a_snapshot_others_may_write_is_not_unpickled(cache_dir, monkeypatch):
    load_policy(REPO / "policies")
    (snapshot,) = cache_dir.glob("policy-*.pickle")
    snapshot.chmod(0o666)
    read = built(monkeypatch)
    load_policy(REPO / "policies")
    assert read
    assert snapshot.stat().st_mode & 0o022 == 0, "rebuilt as the user's own file"


def test_every_rule_example_finds_the_same_with_and_without_the_snapshot(cache_dir, tmp_path,
                                                                       monkeypatch):
    without = tmp_path / "a-file"
    without.write_text("not a directory")
    monkeypatch.setenv("CHECKPOST_CACHE", str(without / "cache"))
    uncached = load_policy(REPO / "policies")
    monkeypatch.setenv("CHECKPOST_CACHE", str(cache_dir))
    load_policy(REPO / "policies")
    snapshot = load_policy(REPO / "policies")
    assert list(cache_dir.glob("policy-*.pickle"))
    drafts = [e.draft for r in uncached.rules for e in (*r.examples.fires, *r.examples.passes)]
    drafts += [Draft(t) for t in DRAFTS]
    assert len(drafts) > 100
    assert [check_rules(d, snapshot) for d in drafts] == [check_rules(d, uncached) for d in drafts]


def test_a_rules_only_check_imports_no_model_chat_or_yaml_library(cache_dir):
    """`chatbot check --rules-only` with a warm cache: no numpy or encoder, no LLM client, no
    chat SDK, no database layer, and no YAML parser (the snapshot serves the policy)."""
    probe = (
        "import runpy, sys, atexit\n"
        "atexit.register(lambda: print('MODULES', ' '.join(sorted(sys.modules)),"
        " file=sys.stderr))\n"
        "sys.argv = ['chatbot', 'check', '--rules-only', '--file', 'examples/draft.txt']\n"
        "runpy.run_module('chatbot', run_name='__main__')\n"
    )
    env = {**os.environ, "CHECKPOST_CACHE": str(cache_dir)}
    for _ in range(2):  # the first run writes the snapshot, the second reads it
        result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env,
                                capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    modules = set(result.stderr.split("MODULES ", 1)[1].split())
    roots = {m.split(".")[0] for m in modules}
    for heavy in ("numpy", "openai", "slack_bolt", "slack_sdk", "nio", "sqlite_utils", "yaml",
                  "icu", "onnxruntime", "httpx", "sqlite3"):
        assert heavy not in roots, f"{heavy} was imported by a rules-only check"
    assert not any(m.startswith(("chatbot.workflow", "chatbot.adapters", "chatbot.model",
                                 "chatbot.review")) for m in modules)


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


def test_patterns_from_the_snapshot_load_their_program_instead_of_parsing(cache_dir,
                                                                        monkeypatch):
    import regex

    load_policy(REPO / "policies")
    policy = load_policy(REPO / "policies")
    monkeypatch.setattr(regex, "compile", lambda *a, **k: pytest.fail("parsed again"))
    assert labels(policy)


def test_a_pattern_whose_program_is_damaged_or_another_ones_is_compiled_from_its_source():
    from chatbot.policy.gates import GatedPattern, gated

    other = pickle.dumps(gated(r"\bvote\b").pattern)
    for program in (b"garbage", other[: len(other) // 2], other):
        pattern = GatedPattern(r"\bbest\b", frozenset({"best"}), program=program)
        assert pattern.pattern.pattern == r"\bbest\b"
        assert pattern.pattern.search("the best one")


def test_the_cache_keeps_the_most_recently_used_files_of_a_kind(cache_dir):
    """Each edit of a policy makes a new key and a snapshot of megabytes: the folder must not
    grow without bound, and the snapshot in use must not be the one that goes."""
    cache.write_snapshot("policy", "k-in-use", {"n": -1})
    os.utime(cache_dir / "policy-k-in-use.pickle", (1, 1))  # the oldest of all
    for n in range(cache.KEEP + 2):
        if n == cache.KEEP - 1:  # the folder is full: reading it marks the old one used
            assert cache.read_snapshot("policy", "k-in-use") == {"n": -1}
        cache.write_snapshot("policy", f"k{n}", {"n": n})
        os.utime(cache_dir / f"policy-k{n}.pickle", (100 + n, 100 + n))
    kept = {p.name for p in cache_dir.glob("policy-*")}
    assert len(kept) == cache.KEEP
    assert "policy-k-in-use.pickle" in kept
    assert {"policy-k0.pickle", "policy-k1.pickle", "policy-k2.pickle"}.isdisjoint(kept)
    cache.write("gates", "g", {"a": ["x"]})
    assert cache.read("gates", "g") == {"a": ["x"]}  # another kind is counted apart
