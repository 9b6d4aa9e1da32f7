"""Matrix latency figures against a local Synapse: drafts in a burst, and 👍 to the poster.

    python bench/matrix_latency.py [--drafts 100] [--users 5] [--approvals 20]

Starts a Synapse homeserver on 127.0.0.1 in a temporary directory (the test helper,
`matrix-synapse` from the test extra), registers the bot, USERS staff members and a comms
member, and runs the bot in this process, rules only (no LLM). Then:

0. One staff member sends 20 drafts one at a time (each after the last answer): the time
   from `!checkpost` to the findings when nothing queues.
1. Each staff member sends DRAFTS/USERS `!checkpost <draft>` messages in their own room with
   the bot, all at once. For each draft: the time from just before it is sent to the moment
   its sender's client sees the bot's findings (through a long-polling sync, as a person's
   client would), and the same by the server's clocks (the answer's `origin_server_ts` minus
   the draft's), which leaves out the client's side. p50, p90, p99, max.
2. The comms member reacts 👍 to APPROVALS of those posts, one after the other; for each, the
   time from just before the reaction is sent to the moment the poster's client sees "Post N
   is approved" in their direct chat with the bot.

Drafts come from ../shared/eval/dev.jsonl when it is there (cycled), else a few built in.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chatbot.adapters.matrix.bot import MatrixBot  # noqa: E402
from chatbot.config import Settings  # noqa: E402
from tests.servers.synapse import ClientLoop, MatrixUser, Synapse  # noqa: E402

FALLBACK = [
    "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00!",
    "Our trainers love the ZenTab 12: use code WIKI15 for 15% off!",
    "Thanks to everyone at the Pune edit-a-thon! Photos on Commons soon.",
    "Happy International Mother Language Day! Write in your language on Wikipedia today.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=100)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--approvals", type=int, default=20)
    args = parser.parse_args()
    texts = _drafts(args.drafts)

    with tempfile.TemporaryDirectory(prefix="checkpost-bench-") as tmp:
        started = time.monotonic()
        server = Synapse.start(Path(tmp) / "synapse")
        print(f"Synapse {server.url} ready in {time.monotonic() - started:.1f} s")
        loop = ClientLoop()
        try:
            run(server, loop, Path(tmp), texts, args.users, args.approvals)
        finally:
            loop.close()
            server.stop()


def run(server: Synapse, loop: ClientLoop, tmp: Path, texts: list[str], n_users: int,
        n_approvals: int) -> None:
    bot_account = server.register("checkpost")
    bot_id = bot_account.user_id
    ana = MatrixUser(server, server.register("ana"), loop)
    staff = [MatrixUser(server, server.register(f"staff{i}"), loop) for i in range(n_users)]
    comms = ana.create_room(name="Comms", invite=[bot_id])
    settings = Settings(
        db_path=str(tmp / "checkpost.db"), policy_dir=str(REPO / "policies"),
        reminders=(3600,), matrix_homeserver=server.url, matrix_user_id=bot_id,
        matrix_password=bot_account.password, matrix_comms_room=comms,
        matrix_comms_users=(ana.user_id,))
    bot = MatrixBot(settings)
    bot.start()
    rooms = {}
    for user in staff:
        room = rooms[user.user_id] = user.create_room(invite=[bot_id])
        user.wait_for(lambda r, e, room=room: r == room and e.get("state_key") == bot_id
                      and e["content"].get("membership") == "join", what="the bot joining")
    watchers = {u.user_id: Watcher(u) for u in [*staff, ana]}
    for w in watchers.values():
        w.start()

    def answered(event_id: str) -> Callable[[dict[str, Any]], bool]:
        return lambda e: e["sender"] == bot_id and _reply_to(e) == event_id

    # 0. one draft at a time: the latency without queueing
    alone = []
    first = staff[0]
    for text in texts[:20]:
        t0 = time.monotonic()
        event_id = first.say(rooms[first.user_id], f"!checkpost {text}")
        seen, _ = watchers[first.user_id].first(answered(event_id), timeout=60)
        alone.append((seen - t0) * 1000)
    print(f"\n== {len(alone)} drafts one at a time (rules only), each sent after the last "
          "answer")
    _figures("!checkpost → findings seen by the poster's client", alone)
    skip = {int(b.split()[1]) for _, e in watchers[first.user_id].events_seen()
            if e["sender"] == bot_id and (b := _body(e)).startswith("Post ")}

    # 1. the burst
    sent: dict[str, tuple[float, str]] = {}
    lock = threading.Lock()

    def send_all(user: MatrixUser, mine: list[str]) -> None:
        for text in mine:
            t0 = time.monotonic()
            event_id = user.say(rooms[user.user_id], f"!checkpost {text}")
            with lock:
                sent[event_id] = (t0, user.user_id)

    shares = [texts[i::n_users] for i in range(n_users)]
    threads = [threading.Thread(target=send_all, args=(u, share))
               for u, share in zip(staff, shares, strict=True)]
    cpu_before = _cpu_seconds(server.process.pid)
    burst_start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    send_time = time.monotonic() - burst_start
    answers = {e: watchers[user_id].first(answered(e), timeout=300)
               for e, (_, user_id) in sent.items()}
    burst_total = time.monotonic() - burst_start
    cpu_after = _cpu_seconds(server.process.pid)
    client = [(answers[e][0] - sent[e][0]) * 1000 for e in sent]
    server_side = [answers[e][1]["origin_server_ts"] - watchers[u].origin_ts(e)
                   for e, (_, u) in sent.items()]
    print(f"\n== {len(sent)} drafts from {n_users} users in one burst (rules only): sent in "
          f"{send_time:.1f} s, the last answered {burst_total:.1f} s after the first was sent")
    _figures("!checkpost → findings seen by the poster's client", client)
    _figures("!checkpost → findings, by the server's timestamps", server_side)
    if cpu_before is not None and cpu_after is not None:
        busy = cpu_after - cpu_before
        print(f"Synapse used {busy:.1f} s of CPU in those {burst_total:.1f} s "
              f"({busy / burst_total:.0%} of one core; it runs on one): it is what the burst "
              f"waits for. {3 * len(sent)} events were sent (each draft, its answer, its comms "
              "message).")

    # 2. 👍 → the poster's notice
    posters = {int(_body(answer).split()[1]): sent[e][1] for e, (_, answer) in answers.items()}
    comms_watch = watchers[ana.user_id]

    def shown() -> dict[int, dict[str, Any]]:
        return {int(b.split()[1]): e for _, e in comms_watch.events_seen()
                if e["sender"] == bot_id and (b := _body(e)).startswith("Post ")
                and " · version 1 ·" in b}

    comms_watch.until(lambda: len(set(shown()) - skip) >= len(posters), timeout=120)
    candidates = sorted((n, e["event_id"]) for n, e in shown().items()
                        if n in posters and "error-level findings" not in _body(e))
    latencies = []
    for number, message in candidates[:n_approvals]:
        t0 = time.monotonic()
        ana.react(comms, message, "👍")
        seen, _ = watchers[posters[number]].first(
            lambda e, n=number: e["sender"] == bot_id
            and _body(e).startswith(f"✅ Post {n} is approved"), timeout=60)
        latencies.append((seen - t0) * 1000)
    print(f"\n== 👍 in the comms room → the poster's client sees the notice in the direct "
          f"chat ({len(latencies)} posts without error findings, one after the other)")
    _figures("👍 → poster's notice", latencies)

    for w in watchers.values():
        w.stop()
    bot.stop()


class Watcher:
    """Syncs one user's client in a loop and timestamps every event as it is first seen."""

    def __init__(self, user: MatrixUser) -> None:
        self.user = user
        self._seen: list[tuple[float, dict[str, Any]]] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            before = len(self.user.events)
            self.user.sync(timeout_ms=1000)
            now = time.monotonic()
            with self._cond:
                self._seen += [(now, e) for _, e in self.user.events[before:]]
                self._cond.notify_all()

    def first(self, match: Callable[[dict[str, Any]], bool],
              timeout: float) -> tuple[float, dict[str, Any]]:
        """When the first event that `match`es was seen, and the event (waits for it)."""
        found: list[tuple[float, dict[str, Any]]] = []

        def look() -> bool:
            found[:] = [next(((t, e) for t, e in self._seen if match(e)), (0.0, {}))]
            return bool(found[0][1])

        self.until(look, timeout)
        return found[0]

    def until(self, condition: Callable[[], bool], timeout: float) -> None:
        with self._cond:
            if not self._cond.wait_for(condition, timeout):
                raise AssertionError(f"{self.user.user_id}: not seen within {timeout} s")

    def events_seen(self) -> list[tuple[float, dict[str, Any]]]:
        with self._cond:
            return list(self._seen)

    def origin_ts(self, event_id: str) -> int:
        with self._cond:
            return next(e["origin_server_ts"] for _, e in self._seen if e["event_id"] == event_id)


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc (None elsewhere than Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _figures(name: str, values_ms: list[float]) -> None:
    values = sorted(values_ms)
    if not values:
        print(f"{name}: no data")
        return

    def pct(p: float) -> float:
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]

    print(f"{name}: n={len(values)}  p50 {pct(50):.0f} ms  p90 {pct(90):.0f} ms  "
          f"p99 {pct(99):.0f} ms  max {values[-1]:.0f} ms  mean {statistics.mean(values):.0f} ms")


def _drafts(count: int) -> list[str]:
    path = REPO.parent / "shared" / "eval" / "dev.jsonl"
    texts = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    texts = texts or FALLBACK
    return [texts[i % len(texts)] for i in range(count)]


def _body(event: dict[str, Any]) -> str:
    return str((event.get("content") or {}).get("body", ""))


def _reply_to(event: dict[str, Any]) -> str | None:
    relation = (event.get("content") or {}).get("m.relates_to") or {}
    return (relation.get("m.in_reply_to") or {}).get("event_id")


if __name__ == "__main__":
    main()
