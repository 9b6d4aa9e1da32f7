"""Slack acknowledgement latency under load, and the time to the findings message.

    python bench/slack_latency.py [--concurrent 50] [--rounds 4] [--drafts FILE.jsonl]

Runs the real Slack app (Bolt behind waitress, workflow on a temporary SQLite file, the
reminder thread) on 127.0.0.1, its Web API pointed at the local server of
tests/servers/slack_api.py, rules only (no LLM endpoint). Each round sends CONCURRENT signed
`/checkpost <draft>` commands at once, from as many users, and measures:

- ack: from sending the command to Slack's HTTP answer (Slack's limit is 3 s);
- findings: from sending the command to the findings DM reaching the Web API server, i.e.
  check, store, comms message and DM all done.

Everything runs in this one process on this machine (the fake Slack too), so the figures are
pessimistic. Drafts come from ../shared/eval/dev.jsonl when present.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers.slack_api import RunningBot, SlackAPI, bot_settings  # noqa: E402

FALLBACK = [
    "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00 in Bengaluru!",
    "Our trainers love the ZenTab 12: use code WIKI15 for 15% off!",
    "Vote for Ravi in the city elections, he supports Wikipedia!",
    "Photos from our Mysuru workshop. Photo: Google Images",
    "Thank you to everyone who joined the Odia Wikisource proofreading sprint.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--drafts", type=Path, default=REPO.parent / "shared/eval/dev.jsonl")
    args = parser.parse_args()
    drafts = load_drafts(args.drafts)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" is the point

    with SlackAPI() as api, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        running = RunningBot(bot_settings(api, f"{tmp}/checkpost.db"), api)
        print(f"start-up (policy, store, Bolt, auth.test): {time.perf_counter() - started:.2f} s")
        try:
            one = measure(api, running, [drafts[0]], "U0WARM")
            print(f"one command alone: ack {ms(one[0][0])}, findings {ms(one[1][0])}")
            acks, findings = [], []
            for r in range(args.rounds):
                batch = [drafts[(r * args.concurrent + i) % len(drafts)]
                         for i in range(args.concurrent)]
                a, f = measure(api, running, batch, f"U0R{r}")
                acks += a
                findings += f
            print(f"\n{args.rounds} rounds of {args.concurrent} concurrent /checkpost commands "
                  f"({len(acks)} in all), rules only:")
            report("ack", acks)
            report("command → findings DM", findings)
        finally:
            running.stop()


def measure(api: SlackAPI, running: RunningBot, drafts: list[str], prefix: str
            ) -> tuple[list[float], list[float]]:
    """Send one command per draft at the same instant; (ack latencies, findings latencies)."""
    users = [f"{prefix}{i:05d}" for i in range(len(drafts))]
    gate = threading.Barrier(len(drafts))
    sent: dict[str, float] = {}
    acks: dict[str, float] = {}

    def send(user: str, draft: str) -> None:
        gate.wait()
        sent[user] = time.monotonic()
        reply = running.slack.command(user, draft)
        if reply.status != 200:
            raise SystemExit(f"{user}: HTTP {reply.status} {reply.body}")
        acks[user] = reply.elapsed

    threads = [threading.Thread(target=send, args=(u, d)) for u, d in zip(users, drafts,
                                                                          strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    api.wait_for(lambda: all(api.dms_to(u) for u in users), timeout=120,
                 what="every findings DM")
    findings = [api.dms_to(u)[0].at - sent[u] for u in users]
    return [acks[u] for u in users], findings


def report(name: str, values: list[float]) -> None:
    values = sorted(values)
    print(f"  {name:24} p50 {ms(pct(values, 50))}  p90 {ms(pct(values, 90))}  "
          f"p99 {ms(pct(values, 99))}  max {ms(values[-1])}  mean {ms(statistics.mean(values))}")


def pct(values: list[float], p: float) -> float:
    index = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def load_drafts(path: Path) -> list[str]:
    if not path.is_file():
        return FALLBACK
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            text = json.loads(line).get("text", "")
        except (ValueError, AttributeError):
            continue
        if text.strip() and len(text) < 2500:
            texts.append(text)
    return texts or FALLBACK


if __name__ == "__main__":
    main()
