"""Nudges to the comms team about a post that has waited too long for a decision.

A post waits for a decision while it is `pending-approval`; `posts.waiting_since` says since
when (its submission, or the moment it came back to comms: a revision after a decision, an
approval withdrawn). When a wait begins, `follow_wait` stores its first nudge, due
`CHECKPOST_NUDGE_AFTER` later (default 4 h; 0 stores none); when a wait ends (a decision, a
withdrawal, publication) it cancels the nudge not yet sent. The workflow calls it after every
change of state, in the change's transaction.

The scheduler claims due nudges and marks them sent in one transaction, stores the next one a
day later (`again_after`) in the same transaction, then hands the nudge to the port, which
replies in the thread of the post's comms message. So a nudge is sent at most once, even if
two processes share the file or the bot restarts, and a post waiting for days is nudged once
a day. The claim also checks that the post still waits, and for the same wait, so a nudge
whose cancellation was somehow missed is never sent. A port that raises gets it back
(`retry_after` later, up to `max_attempts`, then failed), as reminders do; nudges that fell due
while the bot was down go out once when it comes back, marked late (the words say how long the
post has waited by then). It runs on the reminder scheduler's loop (`ReminderScheduler.nudges`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlite_utils import Database

from chatbot.notices import NudgeNotice
from chatbot.ports import Port
from chatbot.store import Store
from chatbot.workflow import post_rows, wording
from chatbot.workflow.clock import Clock, SystemClock
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Post, PostState

log = logging.getLogger(__name__)

AGAIN_AFTER = 86400.0
SCHEDULER = Person("checkpost", "nudges")

# The nudges a scheduler may send: waiting, about a post of its platform that still waits, and
# for the same wait. `run_due` and `next_due` share it.
_WAITING = """
    FROM nudges n JOIN posts p ON p.number = n.post
    WHERE n.sent_at IS NULL AND n.cancelled_at IS NULL AND n.failed_at IS NULL
      AND p.state = 'pending-approval' AND p.waiting_since = n.waiting_since AND p.platform = ?
"""


def follow_wait(db: Database, post: Post, now: float, after: float) -> bool:
    """Make the post's nudges match its wait, inside the caller's transaction: cancel those of
    a wait that is over, store the first of a wait that began (none when `after` is 0).
    Returns whether a nudge was stored, so the caller can wake the scheduler."""
    waiting = post.state is PostState.PENDING and post.waiting_since is not None
    db.execute(
        "UPDATE nudges SET cancelled_at = ? WHERE post = ? AND sent_at IS NULL"
        " AND cancelled_at IS NULL AND failed_at IS NULL AND (? = 0 OR waiting_since != ?)",
        [now, post.number, int(waiting), post.waiting_since or 0.0],
    )
    if not waiting or after <= 0:
        return False
    assert post.waiting_since is not None
    cursor = db.execute(
        "INSERT OR IGNORE INTO nudges (post, waiting_since, seq, due_at) VALUES (?, ?, 0, ?)",
        [post.number, post.waiting_since, post.waiting_since + after],
    )
    return cursor.rowcount == 1


@dataclass(frozen=True)
class _Claimed:
    id: int
    notice: NudgeNotice


class NudgeScheduler:
    """Sends due nudges through `port`, for the posts of `port.platform`."""

    def __init__(
        self,
        store: Store,
        port: Port,
        clock: Clock | None = None,
        *,
        after: float = 4 * 3600.0,
        again_after: float = AGAIN_AFTER,
        late_after: float = 300.0,
        max_attempts: int = 3,
        retry_after: float = 60.0,
    ) -> None:
        self.store = store
        self.port = port
        self.clock = clock or SystemClock()
        self.after = after
        self.again_after = again_after
        self.late_after = late_after
        self.max_attempts = max_attempts
        self.retry_after = retry_after
        self.started_at = self.clock.now()

    def schedule_missing(self) -> int:
        """At start-up: store the first nudge of every waiting post of this platform that has
        none for its wait (posts from before nudges existed, or waiting while they were off),
        and move the first nudges not yet sent to the `after` now configured. Returns how many
        were stored."""
        if self.after <= 0:
            return 0
        with self.store.transaction() as db:
            db.execute(
                "UPDATE nudges SET due_at = waiting_since + ? WHERE seq = 0 AND attempts = 0"
                " AND sent_at IS NULL AND cancelled_at IS NULL AND failed_at IS NULL"
                " AND post IN (SELECT number FROM posts WHERE platform = ?)",
                [self.after, self.port.platform])
            cursor = db.execute(
                "INSERT OR IGNORE INTO nudges (post, waiting_since, seq, due_at)"
                " SELECT p.number, p.waiting_since, 0, p.waiting_since + ? FROM posts p"
                " WHERE p.state = 'pending-approval' AND p.platform = ?"
                " AND p.waiting_since IS NOT NULL AND NOT EXISTS (SELECT 1 FROM nudges n"
                " WHERE n.post = p.number AND n.waiting_since = p.waiting_since)",
                [self.after, self.port.platform],
            )
            return cursor.rowcount

    def run_due(self, now: float | None = None) -> list[NudgeNotice]:
        """Send every nudge due at `now`; returns those the port accepted."""
        now = self.clock.now() if now is None else now
        sent = []
        for claimed in self._claim(now):
            try:
                self.port.nudge_comms(claimed.notice)
            except Exception as exc:
                log.warning("nudge %s about post %s not delivered: %s", claimed.id,
                            claimed.notice.post_number, exc)
                self._give_back(claimed, repr(exc), now)
            else:
                sent.append(claimed.notice)
        return sent

    def next_due(self) -> float | None:
        """When the next waiting nudge falls due, or None if none waits."""
        with self.store.reading() as db:
            row = db.execute(f"SELECT MIN(n.due_at) {_WAITING}", [self.port.platform]).fetchone()
        return row[0]

    def _claim(self, now: float) -> list[_Claimed]:
        claimed = []
        with self.store.transaction() as db:
            rows = list(db.query(
                f"SELECT n.id, n.post, n.waiting_since, n.seq, n.due_at, n.late {_WAITING}"
                " AND n.due_at <= ? ORDER BY n.due_at",
                [self.port.platform, now],
            ))
            for r in rows:
                post = post_rows.load_post(db, r["post"])
                assert post is not None, "a nudge's post is a foreign key"
                late = bool(r["late"]) or r["due_at"] < self.started_at \
                    or now - r["due_at"] > self.late_after
                db.execute("UPDATE nudges SET sent_at = ?, late = ?, attempts = attempts + 1"
                           " WHERE id = ?", [now, int(late), r["id"]])
                db.execute(
                    "INSERT OR IGNORE INTO nudges (post, waiting_since, seq, due_at)"
                    " VALUES (?, ?, ?, ?)",
                    [r["post"], r["waiting_since"], r["seq"] + 1, now + self.again_after])
                waited = now - r["waiting_since"]
                self.store.audit(
                    at=now, actor=str(SCHEDULER), platform=self.port.platform,
                    action="nudge-sent", post=r["post"],
                    why="late: fell due while checkpost was not running" if late else "due",
                    detail={"nudge": r["id"], "seq": r["seq"], "due_at": r["due_at"],
                            "waited": waited},
                )
                blocking = post.blocking_labels
                claimed.append(_Claimed(r["id"], NudgeNotice(
                    post_number=post.number, poster=post.poster, waited=waited, seq=r["seq"],
                    late=late, blocking=blocking, thread=post.current.comms_ref,
                    text=wording.nudge(post.number, waited, blocking, r["seq"]),
                    key=f"nudge-{post.number}-{r['waiting_since']!r}-{r['seq']}",
                )))
        return claimed

    def _give_back(self, claimed: _Claimed, error: str, now: float) -> None:
        with self.store.transaction() as db:
            row = db.execute("SELECT attempts, post, waiting_since, seq FROM nudges"
                             " WHERE id = ?", [claimed.id]).fetchone()
            attempts, post, since, seq = row
            if attempts >= self.max_attempts:
                db.execute("UPDATE nudges SET failed_at = ?, last_error = ? WHERE id = ?",
                           [now, error, claimed.id])
                action = "nudge-failed"
            else:  # it goes out later instead, and the next one is counted from then
                db.execute("DELETE FROM nudges WHERE post = ? AND waiting_since = ? AND seq = ?"
                           " AND sent_at IS NULL", [post, since, seq + 1])
                db.execute("UPDATE nudges SET sent_at = NULL, due_at = ?, last_error = ?"
                           " WHERE id = ?", [now + self.retry_after * attempts, error,
                                             claimed.id])
                action = "nudge-retry"
            self.store.audit(at=now, actor=str(SCHEDULER), platform=self.port.platform,
                             action=action, post=claimed.notice.post_number, why=error,
                             detail={"nudge": claimed.id, "attempts": attempts})
