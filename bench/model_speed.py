"""Speed of the learned layer beside the rules alone, in one process, on the same drafts.

    python bench/model_speed.py [FILE.jsonl] [--singles 60]

Prints the encoder's load time, one draft's check (p50/p99 over SINGLES drafts, rules alone
and rules + model), and a batch's drafts/s through `check_many` (which embeds in batches), with
the anchors of the checker issue beside them: about 9 drafts/s in a batch, 110 ms for one
draft, 30 ms to load, on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chatbot.config import load_settings  # noqa: E402
from chatbot.policy.loader import load_policy  # noqa: E402
from chatbot.policy.model import Draft  # noqa: E402
from chatbot.verdict import check, check_many  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path,
                        default=REPO.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--singles", type=int, default=60)
    args = parser.parse_args()
    items = [json.loads(x) for x in args.file.read_text(encoding="utf-8").splitlines() if x]
    drafts = [Draft(i["text"], i.get("account", "official")) for i in items]
    policy = load_policy(REPO / "policies")
    settings = replace(load_settings(env={}, dotenv=False), model_on=True)

    from chatbot.model import encoder

    started = time.perf_counter()
    encoder.embed(["warm up"])
    print(f"encoder load and first embedding: {(time.perf_counter() - started) * 1000:.0f} ms "
          "(anchor: 30 ms to load)")
    singles = drafts[: args.singles]
    for label, use_model in (("rules alone", False), ("rules + model", True)):
        times = []
        for draft in singles:
            t = time.perf_counter()
            check(draft, policy, settings, use_llm=False, use_model=use_model)
            times.append(time.perf_counter() - t)
        times.sort()
        print(f"one draft, {label:<13}: p50 {statistics.median(times) * 1000:7.1f} ms, "
              f"p99 {times[min(len(times) - 1, int(len(times) * 0.99))] * 1000:7.1f} ms"
              + ("   (anchor: 110 ms for one draft)" if use_model else ""))
    t = time.perf_counter()
    verdicts = check_many(drafts, policy, settings, use_llm=False, use_model=True)
    elapsed = time.perf_counter() - t
    status = {v.model.status for v in verdicts}
    print(f"batch of {len(drafts)} drafts, rules + model: {len(drafts) / elapsed:.1f} drafts/s "
          f"({elapsed:.1f} s; model status {sorted(status)})   (anchor: about 9 drafts/s)")


if __name__ == "__main__":
    main()
