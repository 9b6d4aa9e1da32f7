"""The core's outgoing work as durable jobs: what it still has to tell people, in the store.

A change that must reach someone (show a post to comms, send the poster the findings, update
a comms message, tell a person, alert comms, show an incident) writes a job in the same
transaction as the change. After the commit the same thread runs those jobs at once, so a
person's answer still comes straight back; what did not finish stays in the `jobs` table:

- a port that raised (the message certainly did not go out): the job is due again after
  `retry_after × attempts` seconds, run by the scheduler's loop (`run_due`), until
  `max_attempts`, then marked failed;
- a process that died before a job was marked done: `resume()` at start-up runs every job
  of this platform not done (failed ones included: a restart is the operator's retry).

A job is marked done after its port call returns, so a crash between the two sends that
message again on restart: delivery is at least once. Each job's notice carries a key made
from its id, and `again` from its second attempt on: the Matrix port turns the key into a
transaction id, so the homeserver keeps one copy; the Slack port, which has no such id,
looks for the key in the recent messages' metadata before it sends again. The comms message
of a post is recorded on the post, so it is shown once. Within one
process a job runs on one thread at a time.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from chatbot import pause
from chatbot.notices import Notice
from chatbot.store import Store
from chatbot.workflow.clock import Clock
from chatbot.workflow.people import Person

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = 60.0


@dataclass(frozen=True)
class Job:
    """A job to write: `kind` names its handler, `data` is JSON (numbers, ids, texts)."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class StoredJob:
    id: int
    kind: str
    data: dict[str, Any]
    attempts: int  # counting the one now running
    created_at: float
    last_error: str  # of the attempt before, if it failed


@dataclass(frozen=True)
class Handler:
    """What a kind of job does (`run`), and how a failure of it is described to people."""

    run: Callable[[StoredJob], None]
    describe: Callable[[StoredJob], str]


class JobQueue:
    """The jobs of one platform (`platform`), run by the handlers its workflow registers."""

    def __init__(self, store: Store, platform: str, clock: Clock, *,
                 max_attempts: int = MAX_ATTEMPTS, retry_after: float = RETRY_AFTER,
                 on_retry: Callable[[], None] | None = None) -> None:
        self.store = store
        self.platform = platform
        self.clock = clock
        self.max_attempts = max_attempts
        self.retry_after = retry_after
        self.on_retry = on_retry
        self.handlers: dict[str, Handler] = {}
        self._running: set[int] = set()
        self._lock = threading.Lock()

    # --- writing ---------------------------------------------------------------------------

    def add(self, db: Database, jobs: Iterable[Job], now: float) -> list[int]:
        """Write jobs inside the caller's transaction; returns their ids, to `run` after it.

        They are due for the background loop only `retry_after` from now: until then they
        belong to the thread that made them (or to `resume`, if that thread's process died).
        """
        ids = []
        for job in jobs:
            if job.kind not in self.handlers:
                raise ValueError(f"no handler for jobs of kind {job.kind!r}")
            cursor = db.execute(
                "INSERT INTO jobs (platform, kind, data, created_at, due_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [self.platform, job.kind, json.dumps(job.data), now, now + self.retry_after])
            ids.append(int(cursor.lastrowid or 0))
        return ids

    def add_and_run(self, jobs: Iterable[Job]) -> tuple[str, ...]:
        with self.store.transaction() as db:
            ids = self.add(db, jobs, self.clock.now())
        return self.run(ids)

    # --- running ---------------------------------------------------------------------------

    def run(self, ids: Iterable[int]) -> tuple[str, ...]:
        """Run these jobs now, in order; returns what could not be done, for the outcome."""
        errors = []
        for job_id in ids:
            if error := self._run_one(job_id):
                errors.append(error)
        return tuple(errors)

    def run_due(self, now: float | None = None) -> list[int]:
        """Run the jobs whose retry is due; returns the ids of those done."""
        now = self.clock.now() if now is None else now
        with self.store.reading() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE platform = ? AND done_at IS NULL"
                " AND failed_at IS NULL AND due_at <= ? ORDER BY id",
                [self.platform, now]).fetchall()]
        return [i for i in ids if not self._run_one(i)]

    def resume(self) -> list[StoredJob]:
        """At start-up: run every job of this platform not done; returns those done now."""
        with self.store.reading() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE platform = ? AND done_at IS NULL ORDER BY id",
                [self.platform]).fetchall()]
        done = []
        for job_id in ids:
            job = self._load(job_id)
            if job is not None and not self._run_one(job_id):
                done.append(job)
        if done:
            log.info("ran %d job(s) left over from before the start", len(done))
        return done

    def next_due(self) -> float | None:
        with self.store.reading() as db:
            row = db.execute("SELECT MIN(due_at) FROM jobs WHERE platform = ?"
                             " AND done_at IS NULL AND failed_at IS NULL",
                             [self.platform]).fetchone()
        return row[0]

    def waiting(self) -> list[StoredJob]:
        """Jobs not done (for tests and the operator)."""
        with self.store.reading() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE platform = ? AND done_at IS NULL ORDER BY id",
                [self.platform]).fetchall()]
        return [job for i in ids if (job := self._load(i)) is not None]

    def _run_one(self, job_id: int) -> str:
        with self._lock:
            if job_id in self._running:
                return ""
            self._running.add(job_id)
        try:
            return self._attempt(job_id)
        finally:
            with self._lock:
                self._running.discard(job_id)

    def _attempt(self, job_id: int) -> str:
        with self.store.transaction() as db:
            db.execute("UPDATE jobs SET attempts = attempts + 1, failed_at = NULL"
                       " WHERE id = ? AND done_at IS NULL", [job_id])
        job = self._load(job_id)
        if job is None:
            return ""
        handler = self.handlers[job.kind]
        try:
            handler.run(job)
        except Exception as exc:
            what = handler.describe(job)
            log.warning("could not %s (job %d, attempt %d): %s", what, job.id, job.attempts,
                        exc)
            self._failed(job, repr(exc))
            return f"could not {what}: {exc}"
        pause.at("sent", job.kind)
        with self.store.transaction() as db:
            db.execute("UPDATE jobs SET done_at = ? WHERE id = ?", [self.clock.now(), job_id])
        return ""

    def _failed(self, job: StoredJob, error: str) -> None:
        now = self.clock.now()
        with self.store.transaction() as db:
            if job.attempts >= self.max_attempts:
                db.execute("UPDATE jobs SET failed_at = ?, last_error = ? WHERE id = ?",
                           [now, error, job.id])
            else:
                db.execute("UPDATE jobs SET due_at = ?, last_error = ? WHERE id = ?",
                           [now + self.retry_after * job.attempts, error, job.id])
        if job.attempts < self.max_attempts and self.on_retry is not None:
            self.on_retry()

    def _load(self, job_id: int) -> StoredJob | None:
        with self.store.reading() as db:
            row = db.execute("SELECT id, kind, data, attempts, created_at, last_error FROM jobs"
                             " WHERE id = ? AND done_at IS NULL", [job_id]).fetchone()
        if row is None:
            return None
        return StoredJob(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5])


# --- what jobs carry -------------------------------------------------------------------------


def notice_data(notice: Notice) -> dict[str, Any]:
    return {"kind": notice.kind, "text": notice.text, "post": notice.post_number,
            "url": notice.url, "incident": notice.incident_id,
            "actor": str(notice.actor) if notice.actor else None}


def notice_from(data: dict[str, Any], job: StoredJob | None = None) -> Notice:
    """The notice a job carries; sent by `job`, it has the job's key, and `again` after a
    first attempt (which may have gone out before the process died)."""
    return Notice(data["kind"], data["text"], data.get("post"), data.get("url") or "",
                  data.get("incident"),
                  Person.parse(data["actor"]) if data.get("actor") else None,
                  key=f"job-{job.id}" if job else "", again=bool(job and job.attempts > 1))
