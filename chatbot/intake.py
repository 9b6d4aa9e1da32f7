"""The durable intake: each request stored before it is acknowledged, then handled once.

An adapter that must acknowledge a request before doing its work (Slack: within 3 s, over
HTTP or Socket Mode) calls `accept` first, which stores the request in the store's inbox
(its idempotency key, kind, raw payload, when), and only then acknowledges it; `start` hands
the entry to the worker pool. The work goes through the workflow with the same key, and the
transaction that applies the change also marks the entry done (`Store.remember`), so:

- killed after the acknowledgement and before the work, or during it: the entry is still
  waiting, and `resume()` at the next start handles it;
- killed after the commit: the entry is done, and a redelivery of the request finds the key;
- a request whose work changes nothing (a reaction on another message) is marked done when
  its handler returns; handling it again after a crash would change nothing either.

An entry that was started `MAX_ATTEMPTS` times and never finished (a request that kills the
process) is given up, with a line in the log, so one bad request cannot stop every start.
Nothing here knows which platform the requests come from.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from chatbot import pause
from chatbot.store import InboxEntry, Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class Intake:
    """Stores requests before their acknowledgement; runs `handle(entry)` for each, once."""

    def __init__(self, store: Store, handle: Callable[[InboxEntry], None], pool: Executor,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.handle = handle
        self.pool = pool
        self.clock = clock
        self._running: set[str] = set()
        self._lock = threading.Lock()

    def accept(self, key: str, kind: str, payload: dict[str, Any]) -> bool:
        """Store a request; call before acknowledging it. False: a redelivery of one stored
        before (acknowledge it all the same; `start` will not do it twice)."""
        new = self.store.accept(key, kind, payload, self.clock())
        pause.at("stored", kind)
        return new

    def start(self, key: str) -> None:
        """Work on a stored entry on the pool, unless it is done or already in hand."""
        with self._lock:
            if key in self._running:
                return
            self._running.add(key)
        try:
            self.pool.submit(self._work, key)
        except BaseException:
            self._release(key)
            raise

    def resume(self) -> list[str]:
        """At start-up: every entry acknowledged and not done, back to work; their keys."""
        waiting = self.store.inbox_waiting()
        if waiting:
            log.info("handling %d request(s) acknowledged before the restart", len(waiting))
        for entry in waiting:
            self.start(entry.key)
        return [entry.key for entry in waiting]

    def _work(self, key: str) -> None:
        try:
            entry = self.store.inbox_entry(key)
            if entry is None or entry.done_at is not None:
                return
            pause.at("acked", entry.kind)
            if entry.attempts >= MAX_ATTEMPTS:
                log.error("giving up on %s (%s): started %d times, never finished", key,
                          entry.kind, entry.attempts)
                self.store.inbox_done(key, self.clock(), "given up")
                return
            self.store.inbox_started(key)
            error = ""
            try:
                self.handle(entry)
            except Exception as exc:
                log.exception("could not handle %s (%s)", key, entry.kind)
                error = repr(exc)
            self.store.inbox_done(key, self.clock(), error)
        finally:
            self._release(key)

    def _release(self, key: str) -> None:
        with self._lock:
            self._running.discard(key)
