"""Retention: forget old drafts' words, keep their numbers.

`chatbot purge --older-than 180d` removes, for posts untouched for that long, what people wrote:
the draft texts and contexts of every version, the LLM's rewrite and its findings' wording
(which quote the draft), and the notes of their incidents (which may hold e-mail addresses).
It keeps what the report counts: the post, its states and times, findings' labels and rules,
votes, links, metrics, reminders. Idempotency keys older than the cut-off go too; they only
guard against redelivery, which happens within minutes; so do the inbox entries and jobs done
before it (an inbox entry holds the request as Slack sent it, the draft's words included).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlite_utils import Database

from chatbot.store import Store
from chatbot.workflow.people import Person


@dataclass(frozen=True)
class PurgeResult:
    cutoff: float
    posts: tuple[int, ...]
    incidents: int
    keys: int
    dry_run: bool


def purge(
    store: Store, older_than: float, *, now: float, by: Person, dry_run: bool = False
) -> PurgeResult:
    """Purge the texts of posts last changed before `now - older_than` (and not purged yet)."""
    cutoff = now - older_than
    with store.transaction() as db:
        posts = tuple(r[0] for r in db.execute(
            "SELECT number FROM posts WHERE updated_at < ? AND purged_at IS NULL ORDER BY number",
            [cutoff]).fetchall())
        incidents = [r[0] for r in db.execute(
            "SELECT id FROM incidents WHERE updated_at < ? AND purged_at IS NULL", [cutoff]
        ).fetchall()]
        keys = db.execute("SELECT COUNT(*) FROM idempotency WHERE at < ?", [cutoff]).fetchone()[0]
        if not dry_run:
            for number in posts:
                _purge_post(store, db, number, now, by, older_than)
            for incident in incidents:
                _purge_incident(db, incident, now)
            db.execute("DELETE FROM idempotency WHERE at < ?", [cutoff])
            db.execute("DELETE FROM inbox WHERE done_at < ?", [cutoff])
            db.execute("DELETE FROM jobs WHERE done_at < ?", [cutoff])
    return PurgeResult(cutoff, posts, len(incidents), keys, dry_run)


def _purge_post(
    store: Store, db: Database, number: int, now: float, by: Person, older_than: float
) -> None:
    for row in db.execute("SELECT version, verdict FROM versions WHERE post = ?",
                          [number]).fetchall():
        db.execute(
            "UPDATE versions SET text = NULL, context = NULL, verdict = ?"
            " WHERE post = ? AND version = ?",
            [json.dumps(_scrub_verdict(json.loads(row[1]))), number, row[0]],
        )
    db.execute("UPDATE posts SET purged_at = ? WHERE number = ?", [now, number])
    db.execute("UPDATE audit SET why = '' WHERE post = ? AND action IN ('submitted', 'revised')",
               [number])
    store.audit(at=now, actor=str(by), platform=by.platform, action="purged", post=number,
                why=f"retention: untouched for more than {older_than / 86400:g} days")


def _scrub_verdict(verdict: dict) -> dict:
    """Keep each finding's rule, label, level and span; drop words that may quote the draft."""
    llm = {k: v for k, v in (verdict.get("llm") or {}).items() if k != "rewrite"}
    findings = [
        {**f, "message": "", "suggestion": ""} if f.get("source") == "llm" else f
        for f in verdict.get("findings", [])
    ]
    return {**verdict, "llm": llm, "findings": findings}


def _purge_incident(db: Database, incident: int, now: float) -> None:
    db.execute("UPDATE incidents SET notes = '', purged_at = ? WHERE id = ?", [now, incident])
    db.execute("UPDATE incident_steps SET note = '' WHERE incident = ?", [incident])
    db.execute("UPDATE audit SET why = '' WHERE incident = ?", [incident])
