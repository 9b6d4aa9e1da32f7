"""The workflow's SQLite file, through sqlite-utils: schema, migrations, transactions,
idempotency keys and the audit log.

One file (`CHECKPOST_DB`) holds everything, in WAL mode so the report and purge commands can
read while a bot writes. Opening a store runs the migrations it has not seen yet, each in its
own transaction, and records them in `schema_version`; a file written by a newer checkpost is
refused rather than guessed at.

Every change of state happens inside `Store.transaction()` (one `BEGIN IMMEDIATE` … `COMMIT`,
so two processes never both decide on the same post), together with its audit entry and,
when the change came from a platform event, the event's idempotency key and result. A
redelivered event finds its key and changes nothing.

The inbox is the durable intake in front of that: an adapter stores each request it is about
to acknowledge (`accept`: its idempotency key, kind, raw payload and when) and only then
acknowledges it; the entry is marked done by `remember`, in the transaction that applies it,
so a process killed anywhere between the acknowledgement and the commit finds the entry
waiting when it starts again (`inbox_waiting`), and one killed after the commit finds it done.

The connection is shared by the request threads and the reminder thread; a re-entrant lock
serialises them (SQLite serialises writers anyway, and the workload is a few events a minute).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database


class StoreError(RuntimeError):
    """The database cannot be used as it is; the message says why and what to do."""


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    apply: Callable[[Database], None]


@dataclass(frozen=True)
class InboxEntry:
    """A request an adapter acknowledged: `payload` is what the platform sent, as JSON."""

    key: str
    kind: str
    payload: dict[str, Any]
    received_at: float
    attempts: int
    done_at: float | None
    last_error: str


@dataclass(frozen=True)
class AuditEntry:
    at: float
    actor: str
    platform: str
    action: str
    post: int | None
    incident: int | None
    why: str
    detail: dict[str, Any]


class Store:
    """An open checkpost database. Use as a context manager or call `close()`."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._reads = 0  # open reading() blocks; guarded by _lock
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        self.db = Database(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self.db.enable_wal()
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic change: commit on success, roll back on any exception.

        Nested use joins the outer transaction (through a savepoint), so a helper that writes
        can be called both on its own and inside a larger change.
        """
        with self._lock:
            conn = self.db.conn
            if self._reads:
                raise RuntimeError("a change inside Store.reading() would be rolled back")
            if conn.in_transaction:
                with self.db.atomic():
                    yield self.db
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[Database]:
        """Reads that see one snapshot of the file and no other thread's half-done change."""
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:
                yield self.db
                return
            conn.execute("BEGIN")
            self._reads += 1
            try:
                yield self.db
            finally:
                self._reads -= 1
                conn.execute("ROLLBACK")

    def ping(self) -> None:
        """Ask the database a trivial question; raises when it cannot answer (a health check)."""
        with self.reading() as db:
            db.execute("SELECT 1").fetchone()

    # --- idempotency -----------------------------------------------------------------------

    def recall(self, key: str | None) -> dict[str, Any] | None:
        """The stored result of the event with this key, or None if it was never handled."""
        if not key:
            return None
        with self.reading() as db:
            row = db.execute("SELECT result FROM idempotency WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else None

    def remember(self, key: str | None, action: str, result: dict[str, Any], at: float) -> None:
        """Record an event's result; call inside the transaction that made its change.

        The inbox entry of the same key, if any, is marked done here too: the change, its key
        and the entry's completion commit together or not at all."""
        if not key:
            return
        self.db.execute(
            "INSERT INTO idempotency (key, action, result, at) VALUES (?, ?, ?, ?)",
            [key, action, json.dumps(result), at],
        )
        self.db.execute("UPDATE inbox SET done_at = ? WHERE key = ? AND done_at IS NULL",
                        [at, key])

    # --- the inbox: requests acknowledged, and whether they are done -------------------------

    def accept(self, key: str, kind: str, payload: dict[str, Any], at: float) -> bool:
        """Store a request before acknowledging it; False if its key was stored before (a
        redelivery: acknowledge it again, but it is, or was, handled already)."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO inbox (key, kind, payload, received_at)"
                " VALUES (?, ?, ?, ?)", [key, kind, json.dumps(payload), at])
            return cursor.rowcount == 1

    def inbox_entry(self, key: str) -> InboxEntry | None:
        with self.reading() as db:
            row = db.execute(f"SELECT {_INBOX_COLUMNS} FROM inbox WHERE key = ?",
                             [key]).fetchone()
        return _inbox_entry(row) if row else None

    def inbox_waiting(self) -> list[InboxEntry]:
        """Entries acknowledged and not done, oldest first."""
        with self.reading() as db:
            rows = db.execute(f"SELECT {_INBOX_COLUMNS} FROM inbox WHERE done_at IS NULL"
                              " ORDER BY received_at, rowid").fetchall()
        return [_inbox_entry(row) for row in rows]

    def inbox_started(self, key: str) -> int:
        """Count an attempt at handling the entry (before it runs); returns the count."""
        with self.transaction() as db:
            db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE key = ?", [key])
            row = db.execute("SELECT attempts FROM inbox WHERE key = ?", [key]).fetchone()
        return row[0] if row else 0

    def inbox_done(self, key: str, at: float, error: str = "") -> None:
        """Mark an entry done that changed nothing (or whose change failed: `error`)."""
        with self.transaction() as db:
            db.execute("UPDATE inbox SET done_at = ?, last_error = ?"
                       " WHERE key = ? AND done_at IS NULL", [at, error, key])

    # --- adapters' own small state (a Matrix sync token, a device id) ----------------------

    def get_state(self, key: str) -> str | None:
        with self.reading() as db:
            row = db.execute("SELECT value FROM bot_state WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def put_state(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO bot_state (key, value) VALUES (?, ?)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])

    # --- audit -----------------------------------------------------------------------------

    def audit(
        self,
        *,
        at: float,
        actor: str,
        platform: str,
        action: str,
        why: str = "",
        post: int | None = None,
        incident: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append who did what, when, from where and why; call inside the change's transaction."""
        self.db.execute(
            "INSERT INTO audit (at, actor, platform, action, post, incident, why, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [at, actor, platform, action, post, incident, why, json.dumps(detail or {})],
        )

    def audit_log(self, post: int | None = None) -> list[AuditEntry]:
        """The audit entries, oldest first; only those of one post when `post` is given."""
        sql = "SELECT at, actor, platform, action, post, incident, why, detail FROM audit"
        params: list[Any] = []
        if post is not None:
            sql += " WHERE post = ?"
            params.append(post)
        with self.reading() as db:
            rows = db.execute(sql + " ORDER BY id", params).fetchall()
        return [AuditEntry(*row[:7], detail=json.loads(row[7])) for row in rows]

    # --- schema ----------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        with self.reading() as db:
            row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return row[0] or 0

    def _migrate(self) -> None:
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version"
                " (version INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        current = self.schema_version
        latest = MIGRATIONS[-1].version
        if current > latest:
            raise StoreError(
                f"{self.path} has schema version {current}, but this checkpost knows only up to "
                f"{latest}; upgrade checkpost or point CHECKPOST_DB at another file"
            )
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            with self.transaction() as db:  # re-checked inside: another process may be first
                if db.execute("SELECT 1 FROM schema_version WHERE version = ?",
                              [migration.version]).fetchone():
                    continue
                migration.apply(db)
                db.execute(
                    "INSERT INTO schema_version (version, summary, applied_at)"
                    " VALUES (?, ?, datetime('now'))",
                    [migration.version, migration.summary],
                )


_INBOX_COLUMNS = "key, kind, payload, received_at, attempts, done_at, last_error"


def _inbox_entry(row: tuple[Any, ...]) -> InboxEntry:
    key, kind, payload, received_at, attempts, done_at, last_error = row
    return InboxEntry(key, kind, json.loads(payload), received_at, attempts, done_at, last_error)


def _statements(*sql: str) -> Callable[[Database], None]:
    def apply(db: Database) -> None:
        for statement in sql:
            db.execute(statement)

    return apply


# Times are REAL seconds since the epoch (UTC); people's ids are `platform:user_id` strings.
_V1 = _statements(
    """CREATE TABLE posts (
        number INTEGER PRIMARY KEY AUTOINCREMENT,
        poster TEXT NOT NULL,
        platform TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending-approval', 'approved',
            'changes-requested', 'published', 'withdrawn')),
        current_version INTEGER NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        approved_at REAL,
        published_at REAL,
        withdrawn_at REAL,
        purged_at REAL
    )""",
    """CREATE TABLE versions (
        post INTEGER NOT NULL REFERENCES posts(number),
        version INTEGER NOT NULL,
        text TEXT,
        account TEXT NOT NULL,
        context TEXT,
        media TEXT NOT NULL DEFAULT '[]',
        verdict TEXT NOT NULL,
        policy_version TEXT NOT NULL DEFAULT '',
        error_count INTEGER NOT NULL,
        submitted_by TEXT NOT NULL,
        submitted_at REAL NOT NULL,
        comms_ref TEXT,
        comms_where TEXT,
        PRIMARY KEY (post, version)
    )""",
    "CREATE UNIQUE INDEX versions_by_comms_ref ON versions(comms_ref)"
    " WHERE comms_ref IS NOT NULL",
    """CREATE TABLE votes (
        post INTEGER NOT NULL,
        version INTEGER NOT NULL,
        voter TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('approve', 'changes')),
        comment TEXT NOT NULL DEFAULT '',
        override_reason TEXT NOT NULL DEFAULT '',
        at REAL NOT NULL,
        PRIMARY KEY (post, version, voter),
        FOREIGN KEY (post, version) REFERENCES versions(post, version)
    )""",
    """CREATE TABLE links (
        id INTEGER PRIMARY KEY,
        post INTEGER NOT NULL REFERENCES posts(number),
        platform TEXT NOT NULL,
        url TEXT NOT NULL,
        published_by TEXT NOT NULL,
        published_at REAL NOT NULL,
        approved INTEGER NOT NULL,
        UNIQUE (post, platform)
    )""",
    """CREATE TABLE reminders (
        id INTEGER PRIMARY KEY,
        post INTEGER NOT NULL REFERENCES posts(number),
        link INTEGER NOT NULL REFERENCES links(id),
        seq INTEGER NOT NULL,
        total INTEGER NOT NULL,
        due_at REAL NOT NULL,
        sent_at REAL,
        late INTEGER NOT NULL DEFAULT 0,
        cancelled_at REAL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        failed_at REAL,
        UNIQUE (link, seq)
    )""",
    "CREATE INDEX reminders_waiting ON reminders(due_at)"
    " WHERE sent_at IS NULL AND cancelled_at IS NULL AND failed_at IS NULL",
    """CREATE TABLE metrics (
        id INTEGER PRIMARY KEY,
        post INTEGER NOT NULL REFERENCES posts(number),
        link INTEGER REFERENCES links(id),
        recorded_by TEXT NOT NULL,
        at REAL NOT NULL,
        likes INTEGER,
        reposts INTEGER,
        replies INTEGER,
        views INTEGER,
        reach INTEGER,
        notes TEXT NOT NULL DEFAULT '',
        major INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        post INTEGER REFERENCES posts(number),
        link TEXT NOT NULL,
        reporter TEXT NOT NULL,
        platform TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        closed_at REAL,
        purged_at REAL,
        comms_ref TEXT,
        comms_where TEXT
    )""",
    """CREATE TABLE incident_steps (
        incident INTEGER NOT NULL REFERENCES incidents(id),
        step TEXT NOT NULL,
        done_by TEXT NOT NULL,
        done_at REAL NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (incident, step)
    )""",
    """CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        action TEXT NOT NULL,
        result TEXT NOT NULL,
        at REAL NOT NULL
    )""",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        platform TEXT NOT NULL,
        action TEXT NOT NULL,
        post INTEGER,
        incident INTEGER,
        why TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX audit_by_post ON audit(post)",
    "CREATE TABLE bot_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

# The inbox (requests acknowledged, not yet done) and the jobs (what the core still has to
# tell people). Posts that comms never saw (committed, then the process died, or the channel
# was unreachable) become jobs to show them, so start-up routing is one case of running jobs.
_V2 = _statements(
    """CREATE TABLE inbox (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        received_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        done_at REAL,
        last_error TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX inbox_waiting ON inbox(received_at) WHERE done_at IS NULL",
    """CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at REAL NOT NULL,
        due_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        done_at REAL,
        failed_at REAL
    )""",
    "CREATE INDEX jobs_waiting ON jobs(platform, due_at) WHERE done_at IS NULL",
    """INSERT INTO jobs (platform, kind, data, created_at, due_at)
        SELECT p.platform, 'show-post',
               json_object('post', p.number, 'version', p.current_version),
               p.updated_at, p.updated_at
        FROM posts p JOIN versions v ON v.post = p.number AND v.version = p.current_version
        WHERE v.comms_ref IS NULL
          AND p.state IN ('pending-approval', 'approved', 'changes-requested')""",
)

# A reminder is claimed (`claimed_at`) before it is sent and marked sent after the port
# returns, so a crash in between leaves it claimed: the next start sends it again with the
# same key, which the port uses to keep one copy (see `workflow.reminders`).
_V3 = _statements("ALTER TABLE reminders ADD COLUMN claimed_at REAL")

# How long a post has waited for a decision (`posts.waiting_since`: when it last began to wait,
# NULL when it does not), and the nudges to comms about a post that waits too long. A post
# already waiting is taken to wait since its current version was submitted.
_V4 = _statements(
    "ALTER TABLE posts ADD COLUMN waiting_since REAL",
    """UPDATE posts SET waiting_since = (
            SELECT v.submitted_at FROM versions v
            WHERE v.post = posts.number AND v.version = posts.current_version)
        WHERE state = 'pending-approval'""",
    """CREATE TABLE nudges (
        id INTEGER PRIMARY KEY,
        post INTEGER NOT NULL REFERENCES posts(number),
        waiting_since REAL NOT NULL,
        seq INTEGER NOT NULL,
        due_at REAL NOT NULL,
        sent_at REAL,
        late INTEGER NOT NULL DEFAULT 0,
        cancelled_at REAL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        failed_at REAL,
        UNIQUE (post, waiting_since, seq)
    )""",
    "CREATE INDEX nudges_waiting ON nudges(due_at)"
    " WHERE sent_at IS NULL AND cancelled_at IS NULL AND failed_at IS NULL",
)

# The social network a post goes to is its `network`, never its `platform` (the chat platform
# a post and its people live on): links say so, and each version keeps the network it was
# checked for (`--platform x`), so its findings can be read again in that light.
_V5 = _statements(
    "ALTER TABLE links RENAME COLUMN platform TO network",
    "ALTER TABLE versions ADD COLUMN network TEXT NOT NULL DEFAULT ''",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "posts, versions, votes, links, reminders, metrics, incidents, "
                 "idempotency keys, audit log, bot state", _V1),
    Migration(2, "the inbox of acknowledged requests, the jobs of outgoing messages", _V2),
    Migration(3, "reminders claimed before they are sent", _V3),
    Migration(4, "how long a post has waited for a decision, and the nudges about it", _V4),
    Migration(5, "links name their network; versions keep the network they were checked for",
              _V5),
)
