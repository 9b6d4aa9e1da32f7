"""Whole-process speed of the rules, side by side with their anchors, in one run.

    python bench/startup.py [--runs 21] [--batch FILE.jsonl] [--repeat 20] [--rounds 3]

1. One `chatbot check --rules-only` of examples/draft.txt (a fresh process each time; the
   policy cache warm, and cold), against the bare interpreter's start (`python -c pass`).
   The two alternate run by run, so a shared machine's load falls on both alike. Goal of the
   speed issue: at most 8× the bare start.
2. `chatbot check --batch` of FILE's drafts repeated REPEAT times (default: the dev set × 20,
   3,200 drafts), `--rules-only`, against proselint on the same texts (the `bench` extra),
   after a first batch whose background process compiles the Hyperscan prefilter into the cache,
   alternating round by round: one process each (`--processes 1`), then two processes each
   (checkpost's default for so long a batch; proselint on a pool of two). Goal: at least 10×
   proselint.
3. The same batch with the learned layer (`--no-llm`): drafts/s, and one draft's check with it.

Wall time is what a user waits; CPU time (user + system, of the child) is printed beside it
because on a shared machine it moves less with other processes' load. Medians of RUNS for the
short runs; the best of ROUNDS for the batches (noise only slows a run). Before timing, the
package's bytecode is compiled (`compileall`), as an installed package has it: where
PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile checkpost's sources.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
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
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--batch", type=Path, default=REPO.parent / "shared/eval/dev.jsonl")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    compileall.compile_dir(REPO / "chatbot", quiet=1)
    print(f"machine: {os.cpu_count()} cores, load average {_load()} at the start")
    draft = str(REPO / "examples" / "draft.txt")
    warm = tempfile.mkdtemp(prefix="checkpost-bench-cache-")
    check = [PY, "-m", "chatbot", "check", "--rules-only", "--file", draft]

    _run(check, {"CHECKPOST_CACHE": warm})  # fill the cache once
    bare, rules_warm = _alternate([PY, "-c", "pass"], {}, check, {"CHECKPOST_CACHE": warm},
                                  args.runs)
    cold_runs = max(3, args.runs // 3)
    rules_cold = _median([_run(check, cold=True) for _ in range(cold_runs)])
    model_one = _median([_run([PY, "-m", "chatbot", "check", "--no-llm", "--file", draft],
                              {"CHECKPOST_CACHE": warm}) for _ in range(cold_runs)])
    print(f"\n== one draft, whole process (median of {args.runs}; wall, and CPU in brackets)")
    print(f"bare interpreter (python -c pass):       {_ms(bare)}")
    print(f"chatbot check --rules-only, cache warm:  {_ms(rules_warm)}  = "
          f"{rules_warm[0] / bare[0]:4.1f}× bare ({rules_warm[1] / bare[1]:.1f}× in CPU) "
          f"(goal ≤ 8×)")
    print(f"chatbot check --rules-only, cache cold:  {_ms(rules_cold)}  = "
          f"{rules_cold[0] / bare[0]:4.1f}× bare (median of {cold_runs})")
    print(f"chatbot check --no-llm (rules + model):  {_ms(model_one)}  (median of {cold_runs})")

    lines = [json.loads(x) for x in args.batch.read_text(encoding="utf-8").splitlines() if x]
    batch = Path(warm) / "batch.jsonl"
    with batch.open("w", encoding="utf-8") as out:
        for _ in range(args.repeat):
            for item in lines:
                out.write(json.dumps({k: item[k] for k in ("id", "account", "text", "media")
                                      if k in item}, ensure_ascii=False) + "\n")
    n = len(lines) * args.repeat
    print(f"\n== batch of {n} drafts ({args.batch.name} × {args.repeat}), whole process, best "
          f"of {args.rounds} alternating rounds (wall; CPU of all processes in brackets)")
    # A user's first long batch is checked with the literal gates while a background process
    # compiles the policy's Hyperscan prefilter into the cache (chatbot/policy/prefilter.py);
    # the rounds are timed once it is there, as every later batch runs.
    first = _run([PY, "-m", "chatbot", "check", "--batch", str(batch), "--rules-only",
                  "--processes", "1"], {"CHECKPOST_CACHE": warm})
    started = time.perf_counter()
    while not list(Path(warm).glob("prefilter-*.hsdb")) and time.perf_counter() - started < 300:
        time.sleep(0.2)
    print(f"first batch (no prefilter yet; it compiles in the background): {first[0]:6.2f} s "
          f"({first[1]:.2f} s); the prefilter was cached {time.perf_counter() - started:.1f} s "
          "after it ended")
    for processes in (1, 2):
        rules_batch, proselint = _batches(batch, warm, args.rounds, processes)
        each = "one process each" if processes == 1 else "two processes each"
        print(f"-- {each}")
        print(f"chatbot check --batch --rules-only --processes {processes}: "
              f"{rules_batch[0]:6.2f} s ({rules_batch[1]:.2f} s)  "
              f"{n / rules_batch[0]:8,.0f} drafts/s")
        if proselint:
            print(f"proselint, same texts, {processes} process(es):            "
                  f"{proselint[0]:6.2f} s ({proselint[1]:.2f} s)  "
                  f"{n / proselint[0]:8,.0f} drafts/s")
            print(f"→ checkpost is {proselint[0] / rules_batch[0]:.1f}× proselint's throughput "
                  f"({proselint[1] / rules_batch[1]:.1f}× in CPU) (goal ≥ 10×)")
    small = Path(warm) / "model.jsonl"
    small.write_text("".join(batch.read_text(encoding="utf-8").splitlines(True)[: len(lines)]),
                     encoding="utf-8")
    model_batch = _run([PY, "-m", "chatbot", "check", "--batch", str(small), "--no-llm"],
                       {"CHECKPOST_CACHE": warm})
    print(f"chatbot check --batch --no-llm (with the learned layer), {len(lines)} drafts: "
          f"{model_batch[0]:6.2f} s  {len(lines) / model_batch[0]:6.1f} drafts/s")
    print(f"\nload average {_load()} at the end")


Timing = tuple[float, float]  # wall seconds, CPU seconds of the child


def _run(command: list[str], env: dict | None = None, cold: bool = False) -> Timing:
    extra = dict(env or {})
    if cold:
        extra["CHECKPOST_CACHE"] = tempfile.mkdtemp(prefix="checkpost-cold-")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, env={**os.environ, **extra}, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _alternate(first: list[str], first_env: dict, second: list[str], second_env: dict,
               runs: int) -> tuple[Timing, Timing]:
    a, b = [], []
    for _ in range(runs):
        a.append(_run(first, first_env))
        b.append(_run(second, second_env))
    return _median(a), _median(b)


def _median(timings: list[Timing]) -> Timing:
    return (statistics.median(t[0] for t in timings), statistics.median(t[1] for t in timings))


def _batches(batch: Path, cache: str, rounds: int,
             processes: int) -> tuple[Timing, Timing | None]:
    check = [PY, "-m", "chatbot", "check", "--batch", str(batch), "--rules-only",
             "--processes", str(processes)]
    has_proselint = subprocess.run([PY, "-c", "import proselint"],
                                   capture_output=True).returncode == 0
    if not has_proselint:
        print("proselint is not installed: pip install -e '.[bench]' to compare")
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(_run(check, {"CHECKPOST_CACHE": cache}))
        if has_proselint:
            theirs.append(_run([PY, "-c", _PROSELINT, str(batch), str(processes)]))
    best = min(ours)
    return best, (min(theirs) if theirs else None)


#: proselint over the batch's texts, in one process or a pool (forked after registering).
_PROSELINT = (
    "import json, sys, multiprocessing\n"
    "from proselint.checks import __register__\n"
    "from proselint.registry import CheckRegistry\n"
    "from proselint.tools import LintFile\n"
    "r = CheckRegistry(); r.register_many(__register__)\n"
    "def lint(text): return len(LintFile('<draft>', text).lint())\n"
    "texts = [json.loads(line)['text'] for line in open(sys.argv[1], encoding='utf-8')]\n"
    "if sys.argv[2] == '1':\n"
    "    for text in texts: lint(text)\n"
    "else:\n"
    "    with multiprocessing.get_context('fork').Pool(int(sys.argv[2])) as pool:\n"
    "        list(pool.imap(lint, texts, chunksize=64))\n"
)


def _ms(timing: Timing) -> str:
    return f"{timing[0] * 1000:5.0f} ms ({timing[1] * 1000:4.0f} ms)"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
