"""Whole-process speed of the rules, side by side with their anchors, in one run.

    python bench/startup.py [--runs 15] [--batch FILE.jsonl] [--repeat 20]

1. One `chatbot check --rules-only` of examples/draft.txt (a fresh process each time; the
   policy cache warm, and cold), against the bare interpreter's start (`python -c pass`).
   Goal of the speed issue: at most 8× the bare start.
2. `chatbot check --batch` of FILE's drafts repeated REPEAT times (default: the dev set × 20,
   3,200 drafts), `--rules-only`, one process, against proselint on the same texts in one
   process (the `bench` extra). Goal: at least 10× proselint's throughput.
3. The same batch with the learned layer (`--no-llm`): drafts/s, and one draft's check with it.
Medians of RUNS for the short runs; the best of 3 for the batches (noise only slows a run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--batch", type=Path, default=REPO.parent / "shared/eval/dev.jsonl")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    draft = str(REPO / "examples" / "draft.txt")
    warm = tempfile.mkdtemp(prefix="checkpost-bench-cache-")
    check = [PY, "-m", "chatbot", "check", "--rules-only", "--file", draft]

    bare = _median([PY, "-c", "pass"], args.runs)
    _run(check, {"CHECKPOST_CACHE": warm})  # fill the cache once
    rules_warm = _median(check, args.runs, {"CHECKPOST_CACHE": warm})
    rules_cold = _median(check, max(3, args.runs // 3), cold=True)
    model_one = _median([PY, "-m", "chatbot", "check", "--no-llm", "--file", draft],
                        max(3, args.runs // 3), {"CHECKPOST_CACHE": warm})
    print("== one draft, whole process (median of runs)")
    print(f"bare interpreter (python -c pass):       {bare * 1000:7.0f} ms")
    print(f"chatbot check --rules-only, cache warm:  {rules_warm * 1000:7.0f} ms  "
          f"= {rules_warm / bare:4.1f}× bare (goal ≤ 8×)")
    print(f"chatbot check --rules-only, cache cold:  {rules_cold * 1000:7.0f} ms  "
          f"= {rules_cold / bare:4.1f}× bare")
    print(f"chatbot check --no-llm (rules + model):  {model_one * 1000:7.0f} ms")

    lines = [json.loads(x) for x in args.batch.read_text(encoding="utf-8").splitlines() if x]
    batch = Path(warm) / "batch.jsonl"
    with batch.open("w", encoding="utf-8") as out:
        for _ in range(args.repeat):
            for item in lines:
                out.write(json.dumps({k: item[k] for k in ("id", "account", "text", "media")
                                      if k in item}, ensure_ascii=False) + "\n")
    n = len(lines) * args.repeat
    rules_batch = min(_run([PY, "-m", "chatbot", "check", "--batch", str(batch), "--rules-only"],
                           {"CHECKPOST_CACHE": warm}) for _ in range(3))
    proselint = _proselint_process(batch)
    print(f"\n== batch of {n} drafts ({args.batch.name} × {args.repeat}), whole process, best of 3")
    print(f"chatbot check --batch --rules-only: {rules_batch:6.2f} s  "
          f"{n / rules_batch:8,.0f} drafts/s")
    if proselint:
        print(f"proselint, same texts, one process: {proselint:6.2f} s  {n / proselint:8,.0f} "
              f"drafts/s  → checkpost is {proselint / rules_batch:.1f}× proselint (goal ≥ 10×)")
    small = Path(warm) / "model.jsonl"
    small.write_text("".join(batch.read_text(encoding="utf-8").splitlines(True)[: len(lines)]),
                     encoding="utf-8")
    model_batch = _run([PY, "-m", "chatbot", "check", "--batch", str(small), "--no-llm"],
                       {"CHECKPOST_CACHE": warm})
    print(f"chatbot check --batch --no-llm (with the learned layer), {len(lines)} drafts: "
          f"{model_batch:6.2f} s  {len(lines) / model_batch:6.1f} drafts/s")


def _run(command: list[str], env: dict | None = None, cold: bool = False) -> float:
    extra = dict(env or {})
    if cold:
        extra["CHECKPOST_CACHE"] = tempfile.mkdtemp(prefix="checkpost-cold-")
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, env={**os.environ, **extra}, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _median(command: list[str], runs: int, env: dict | None = None, cold: bool = False) -> float:
    return statistics.median(_run(command, env, cold) for _ in range(runs))


def _proselint_process(batch: Path) -> float | None:
    script = (
        "import json,sys\n"
        "from proselint.checks import __register__\n"
        "from proselint.registry import CheckRegistry\n"
        "from proselint.tools import LintFile\n"
        "r = CheckRegistry(); r.register_many(__register__)\n"
        "for line in open(sys.argv[1], encoding='utf-8'):\n"
        "    LintFile('<draft>', json.loads(line)['text']).lint()\n"
    )
    probe = subprocess.run([PY, "-c", "import proselint"], capture_output=True)
    if probe.returncode != 0:
        print("proselint is not installed: pip install -e '.[bench]' to compare")
        return None
    return min(_run([PY, "-c", script, str(batch)]) for _ in range(3))


if __name__ == "__main__":
    main()
