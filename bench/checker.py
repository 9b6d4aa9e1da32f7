"""Rules-only figures for the checker: accuracy on a labelled file and speed against proselint.

    python bench/checker.py [FILE.jsonl] [--repeat 20] [--policy DIR]

Prints `chatbot eval`'s table for FILE (default ../shared/eval/dev.jsonl), then checks every
draft of FILE repeated REPEAT times in this one process and prints the per-draft p50 and p99
and drafts/s; then runs proselint (the `bench` extra: pip install -e ".[bench]") on the same
texts in the same process for comparison, alternating round by round so a shared machine's
load falls on both alike; the machine's cores and load average are printed with the figures.
Start-up (loading the policy: its snapshot, or building it) is timed separately. `--policy`
times another policy (a copy with every rule doubled, say, to see how the engine scales).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chatbot.policy.engine import check_rules, use_prefilter  # noqa: E402
from chatbot.policy.loader import load_policy  # noqa: E402
from chatbot.policy.model import Draft, MediaDeclaration  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path,
                        default=REPO.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--policy", type=Path, default=REPO / "policies",
                        help="policy file or directory to time (default: the shipped one)")
    parser.add_argument("--no-prefilter", action="store_true",
                        help="time the literal gates alone, without the Hyperscan pass that "
                        "a batch uses (chatbot/policy/prefilter.py)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate checkpost and proselint this many times; the best "
                        "round of each counts (a shared VM's noise only ever slows a round)")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, load average {_load()} at the start")
    print(f"== accuracy, rules only: chatbot eval {args.file} --no-llm")
    subprocess.run([sys.executable, "-m", "chatbot", "eval", str(args.file), "--no-llm",
                    "--policy", str(args.policy)], cwd=REPO, check=False)

    drafts = [_draft(json.loads(line)) for line in args.file.open(encoding="utf-8") if line.strip()]
    started = time.perf_counter()
    policy = load_policy(args.policy)
    load_s = time.perf_counter() - started
    prefilter_line = "prefilter: off (--no-prefilter)"
    if not args.no_prefilter:
        started = time.perf_counter()
        if use_prefilter(policy):
            prefilter = policy.__dict__["_prefilter"]
            prefilter_line = (
                f"prefilter: Hyperscan, {len(prefilter.patterns) - prefilter.fallback} of "
                f"{len(prefilter.patterns)} patterns ({prefilter.fallback} keep their literal "
                f"gates), ready in {(time.perf_counter() - started) * 1000:.0f} ms (from the "
                "cache, or compiled)")
        else:
            prefilter_line = "prefilter: unavailable (hyperscan not installed)"
    texts = drafts * args.repeat
    best_rules, best_proselint, times = float("inf"), float("inf"), []
    for _ in range(args.rounds):
        round_times, rules_s = _time_rules(texts, policy)
        if rules_s < best_rules:
            best_rules, times = rules_s, round_times
        proselint_s = _proselint([d.text for d in texts])
        if proselint_s is not None:
            best_proselint = min(best_proselint, proselint_s)
    times.sort()
    print(f"\n== speed, rules only: {len(drafts)} drafts × {args.repeat} = {len(texts)} checks, "
          f"median {statistics.median(len(d.text) for d in drafts):.0f} characters, "
          f"best of {args.rounds} rounds")
    print(f"policy load: {load_s * 1000:.0f} ms (once per process; from the snapshot when "
          "the cache holds one for these files)")
    print(prefilter_line)
    print(f"per draft: p50 {_pct(times, 50) * 1000:.3f} ms, p99 {_pct(times, 99) * 1000:.3f} ms, "
          f"max {times[-1] * 1000:.3f} ms")
    print(f"throughput: {len(texts) / best_rules:,.0f} drafts/s ({best_rules:.2f} s)")
    if best_proselint < float("inf"):
        print(f"proselint on the same {len(texts)} texts: {best_proselint:.2f} s "
              f"({len(texts) / best_proselint:,.0f} drafts/s); checkpost is "
              f"{best_proselint / best_rules:.1f}× its throughput (goal ≥ 10×)")
    print(f"load average {_load()} at the end")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _time_rules(texts: list[Draft], policy) -> tuple[list[float], float]:
    times = []
    whole = time.perf_counter()
    for draft in texts:
        t = time.perf_counter()
        check_rules(draft, policy)
        times.append(time.perf_counter() - t)
    return times, time.perf_counter() - whole


def _draft(item: dict) -> Draft:
    media = tuple(MediaDeclaration(m.get("source", ""), m.get("license", ""))
                  for m in item.get("media") or [])
    return Draft(item["text"], item.get("account", "official"), media)


def _pct(sorted_times: list[float], pct: float) -> float:
    return sorted_times[min(len(sorted_times) - 1, int(len(sorted_times) * pct / 100))]


def _proselint(texts: list[str]) -> float | None:
    try:
        from proselint.checks import __register__
        from proselint.registry import CheckRegistry
        from proselint.tools import LintFile
    except ImportError:
        print("proselint is not installed: pip install -e '.[bench]' to compare")
        return None
    registry = CheckRegistry()
    registry.register_many(__register__)
    started = time.perf_counter()
    for text in texts:
        LintFile("<draft>", text).lint()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
