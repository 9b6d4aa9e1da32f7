"""Reminders to check the reactions to a published post, and the scheduler that sends them.

On publish, one reminder per offset of `CHECKPOST_REMINDERS` (default now, +1 h, +24 h, +72 h)
is stored for each published link. The first repeats the policy's advice on reactions; the
later ones ask the poster to look again, note any major reaction and record the metrics.

Delivery is once, as far as the platform allows. The scheduler claims due reminders
(`claimed_at`) in one transaction, hands each to the port, and marks it sent after the port
returns. A crash in between leaves the reminder claimed: the next start claims it again and
sends it with the same key and `again` set, and the port keeps one copy (Matrix: the same
transaction id; Slack: it looks for the key in the message metadata of the direct chat
first). A claim older than `lease` seconds is also taken back, in case another process that
shares the file died holding it. A port that raises (the message certainly did not go out)
gets it back: the reminder is rescheduled `retry_after` later, up to `max_attempts` times,
then marked failed.

Reminders that fell due while the bot was down are sent once when it comes back, marked late
(due before this scheduler started, or more than `late_after` seconds ago). Withdrawing a
post cancels the reminders not yet sent.

The production loop sleeps on an Event until the next due time (at most `max_sleep`, a guard
against clock jumps), and `wake()` cuts the sleep short when a new reminder is stored. The same
loop retries the workflow's failed jobs when they fall due (`jobs`, see `workflow.jobs`) and
sends the nudges about posts that wait too long for a decision (`nudges`, see
`workflow.nudges`). Tests
call `run_due()` with a `ManualClock` instead, and never sleep.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from chatbot import pause
from chatbot.notices import ReminderNotice
from chatbot.ports import Port
from chatbot.store import Store
from chatbot.workflow.clock import Clock, SystemClock, utc_text
from chatbot.workflow.jobs import JobQueue
from chatbot.workflow.nudges import NudgeScheduler
from chatbot.workflow.people import Person
from chatbot.workflow.wording import command

log = logging.getLogger(__name__)

REACTIONS_ADVICE = (
    "Check the post immediately after posting and periodically after it goes up to see if "
    "there is any major reaction, positive or negative. Respond appropriately checking in with "
    "the team on any issues or problems."
)
MEASURE_ADVICE = "Measure and track your post taking note of any noteworthy metrics or responses."

SCHEDULER = Person("checkpost", "reminders")

# The reminders a scheduler may send: waiting, on a post of its platform that still stands.
# `run_due` and `next_due` share it, so the loop never waits for a reminder it will not claim.
_WAITING = """
    FROM reminders r JOIN posts p ON p.number = r.post JOIN links l ON l.id = r.link
    WHERE r.sent_at IS NULL AND r.cancelled_at IS NULL AND r.failed_at IS NULL
      AND p.state != 'withdrawn' AND p.platform = ?
"""
# When a waiting reminder may be claimed: when due, unless a live claim holds it (one made
# by this scheduler's life and younger than the lease); parameters: started_at, lease.
_CLAIMABLE_AT = """
    CASE WHEN r.claimed_at IS NULL OR r.claimed_at < ? THEN r.due_at
         ELSE MAX(r.due_at, r.claimed_at + ?) END
"""


def schedule_reminders(
    db: Database, post: int, link: int, published_at: float, offsets: Sequence[int]
) -> int:
    """Store one reminder per offset for a newly published link; returns how many."""
    for seq, offset in enumerate(offsets):
        db.execute(
            "INSERT OR IGNORE INTO reminders (post, link, seq, total, due_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [post, link, seq, len(offsets), published_at + offset],
        )
    return len(offsets)


def cancel_reminders(db: Database, post: int, now: float) -> int:
    """Cancel every reminder of `post` not yet sent; returns how many."""
    cursor = db.execute(
        "UPDATE reminders SET cancelled_at = ? WHERE post = ? AND sent_at IS NULL"
        " AND cancelled_at IS NULL AND failed_at IS NULL",
        [now, post],
    )
    return cursor.rowcount


def reminder_text(
    post: int, url: str, seq: int, total: int, late: bool, due_at: float, now: float
) -> str:
    """The words of a reminder, in the policy's wording."""
    lines = []
    if late:
        lines.append(
            f"(Late: this reminder was due {utc_text(due_at)}, {_ago(now - due_at)} ago, "
            "while checkpost was not running.)"
        )
    if seq == 0:
        lines += [
            f"Post {post} is up: {url}",
            "Check the reactions to your post now.",
            f"The policy: “{REACTIONS_ADVICE}”",
            "If you see hateful comments from one user to another, "
            f"{command('incident <link to the comment> [notes]')} sends the comms team the "
            "policy's checklist.",
        ]
    else:
        lines += [
            f"Reminder {seq + 1} of {total} for post {post}: {url}",
            "Check it again and note any major reaction, positive or negative, "
            "then record the metrics:",
            f"{command(metrics_command(post))} "
            "(start a note with “major:” to alert the comms team).",
            f"The policy: “{MEASURE_ADVICE}”",
        ]
    return "\n".join(lines)


def metrics_command(post: int) -> str:
    return f"metrics {post} likes=… reposts=… replies=… views=… notes…"


@dataclass(frozen=True)
class _Claimed:
    id: int
    poster: Person
    notice: ReminderNotice


class ReminderScheduler:
    """Sends due reminders through `port`, for the posts of `port.platform`."""

    def __init__(
        self,
        store: Store,
        port: Port,
        clock: Clock | None = None,
        *,
        late_after: float = 300.0,
        max_sleep: float = 300.0,
        max_attempts: int = 3,
        retry_after: float = 60.0,
        lease: float = 600.0,
        jobs: JobQueue | None = None,
        nudges: NudgeScheduler | None = None,
    ) -> None:
        self.store = store
        self.jobs = jobs
        self.nudges = nudges
        self.port = port
        self.clock = clock or SystemClock()
        self.late_after = late_after
        self.max_sleep = max_sleep
        self.max_attempts = max_attempts
        self.retry_after = retry_after
        self.lease = lease
        self.started_at = self.clock.now()
        self.wakeups = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self, now: float | None = None) -> list[ReminderNotice]:
        """Send every reminder due at `now`; returns those the port accepted."""
        now = self.clock.now() if now is None else now
        sent = []
        for claimed in self._claim(now):
            pause.at("claimed", "reminder")
            try:
                self.port.remind(claimed.poster, claimed.notice)
            except Exception as exc:
                log.warning("reminder %s for post %s not delivered: %s",
                            claimed.id, claimed.notice.post_number, exc)
                self._give_back(claimed, repr(exc), now)
            else:
                pause.at("sent", "reminder")
                self._mark_sent(claimed, self.clock.now())
                sent.append(claimed.notice)
        return sent

    def next_due(self) -> float | None:
        """When the next waiting reminder falls due, or None if none waits."""
        with self.store.reading() as db:
            row = db.execute(f"SELECT MIN({_CLAIMABLE_AT}) {_WAITING}",
                             [self.started_at, self.lease, self.port.platform]).fetchone()
        return row[0]

    def seconds_until_next(self, now: float | None = None) -> float:
        """How long the loop may sleep: until the next due reminder, at most `max_sleep`."""
        now = self.clock.now() if now is None else now
        due = self.next_due()
        others = (self.jobs.next_due() if self.jobs is not None else None,
                  self.nudges.next_due() if self.nudges is not None else None)
        for other in others:
            if other is not None:
                due = other if due is None else min(due, other)
        if due is None:
            return self.max_sleep
        return min(self.max_sleep, max(0.0, due - now))

    def wake(self) -> None:
        """A reminder was stored: look again now instead of at the end of the current sleep."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="checkpost-reminders",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.wakeups += 1
            self._wake.clear()  # before looking, so a wake() during run_due is not lost
            try:
                self.run_due()
                if self.nudges is not None:
                    self.nudges.run_due()
                if self.jobs is not None:
                    self.jobs.run_due()
                timeout = self.seconds_until_next()
            except Exception:
                log.exception("reminder scheduler: could not read or send reminders")
                timeout = min(self.max_sleep, 30.0)
            self._wake.wait(timeout)

    def _claim(self, now: float) -> list[_Claimed]:
        claimed = []
        with self.store.transaction() as db:
            rows = list(db.query(
                "SELECT r.id, r.post, r.seq, r.total, r.due_at, r.late, r.claimed_at, p.poster,"
                f" l.url, l.network AS link_network {_WAITING}"
                f" AND {_CLAIMABLE_AT} <= ? ORDER BY r.due_at",
                [self.port.platform, self.started_at, self.lease, now],
            ))
            for r in rows:
                late = bool(r["late"]) or r["due_at"] < self.started_at \
                    or now - r["due_at"] > self.late_after
                db.execute(
                    "UPDATE reminders SET claimed_at = ?, late = ?, attempts = attempts + 1"
                    " WHERE id = ?",
                    [now, int(late), r["id"]],
                )
                notice = ReminderNotice(
                    post_number=r["post"], url=r["url"], link_network=r["link_network"],
                    seq=r["seq"], total=r["total"], due_at=r["due_at"], late=late,
                    text=reminder_text(r["post"], r["url"], r["seq"], r["total"], late,
                                       r["due_at"], now),
                    command=metrics_command(r["post"]),
                    key=f"reminder-{r['id']}", again=r["claimed_at"] is not None,
                )
                claimed.append(_Claimed(r["id"], Person.parse(r["poster"]), notice))
        return claimed

    def _mark_sent(self, claimed: _Claimed, now: float) -> None:
        notice = claimed.notice
        with self.store.transaction() as db:
            db.execute("UPDATE reminders SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                       [now, claimed.id])
            self.store.audit(
                at=now, actor=str(SCHEDULER), platform=self.port.platform,
                action="reminder-sent", post=notice.post_number,
                why="late: fell due while checkpost was not running" if notice.late else "due",
                detail={"reminder": claimed.id, "seq": notice.seq, "due_at": notice.due_at,
                        **({"again": True} if notice.again else {})},
            )

    def _give_back(self, claimed: _Claimed, error: str, now: float) -> None:
        with self.store.transaction() as db:
            attempts = db.execute("SELECT attempts FROM reminders WHERE id = ?",
                                  [claimed.id]).fetchone()[0]
            if attempts >= self.max_attempts:
                db.execute("UPDATE reminders SET failed_at = ?, last_error = ? WHERE id = ?",
                           [now, error, claimed.id])
                action = "reminder-failed"
            else:
                db.execute(
                    "UPDATE reminders SET claimed_at = NULL, due_at = ?, last_error = ?"
                    " WHERE id = ?",
                    [now + self.retry_after * attempts, error, claimed.id],
                )
                action = "reminder-retry"
            self.store.audit(at=now, actor=str(SCHEDULER), platform=self.port.platform,
                             action=action, post=claimed.notice.post_number, why=error,
                             detail={"reminder": claimed.id, "attempts": attempts})


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"
