"""Posts, versions, votes and links as rows: reading a `Post` back and writing its changes.

Every writer here expects to run inside `Store.transaction()`; none commits on its own.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from chatbot.messages import MessageRef
from chatbot.policy.model import Draft, MediaDeclaration, Verdict
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Link, Post, PostState, Version, Vote, VoteKind


def load_post(db: Database, number: int) -> Post | None:
    row = _one(db, "SELECT * FROM posts WHERE number = ?", [number])
    if row is None:
        return None
    versions = tuple(
        _version(r)
        for r in _all(db, "SELECT * FROM versions WHERE post = ? ORDER BY version", [number])
    )
    votes = tuple(
        Vote(Person.parse(r["voter"]), r["kind"], r["at"], r["comment"], r["override_reason"])
        for r in _all(
            db,
            "SELECT * FROM votes WHERE post = ? AND version = ? ORDER BY at, voter",
            [number, row["current_version"]],
        )
    )
    links = tuple(
        Link(r["id"], r["network"], r["url"], Person.parse(r["published_by"]),
             r["published_at"], bool(r["approved"]))
        for r in _all(db, "SELECT * FROM links WHERE post = ? ORDER BY id", [number])
    )
    return Post(
        number=row["number"],
        poster=Person.parse(row["poster"]),
        state=PostState(row["state"]),
        versions=versions,
        votes=votes,
        links=links,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        approved_at=row["approved_at"],
        published_at=row["published_at"],
        withdrawn_at=row["withdrawn_at"],
        purged_at=row["purged_at"],
        waiting_since=row["waiting_since"],
    )


def post_numbers(db: Database, since: float | None = None, until: float | None = None) -> list[int]:
    """Posts submitted in [since, until), oldest first."""
    return [
        r[0]
        for r in db.execute(
            "SELECT number FROM posts WHERE created_at >= ? AND created_at < ? ORDER BY number",
            [since if since is not None else float("-inf"),
             until if until is not None else float("inf")],
        ).fetchall()
    ]


def waiting_numbers(db: Database, platform: str) -> list[int]:
    """Posts of `platform` that wait for a decision, the longest waiting first."""
    return [r[0] for r in db.execute(
        "SELECT number FROM posts WHERE state = 'pending-approval' AND platform = ?"
        " ORDER BY waiting_since, number", [platform]).fetchall()]


def numbers_of(db: Database, poster: Person) -> list[int]:
    """The posts `poster` submitted, newest first."""
    return [r[0] for r in db.execute(
        "SELECT number FROM posts WHERE poster = ? ORDER BY number DESC",
        [str(poster)]).fetchall()]


def find_comms_message(db: Database, ref_id: str) -> tuple[int, int] | None:
    """The (post, version) an adapter's comms message shows, e.g. for a reaction on it."""
    row = db.execute(
        "SELECT post, version FROM versions WHERE comms_ref = ?", [ref_id]
    ).fetchone()
    return (row[0], row[1]) if row else None


def insert_post(db: Database, poster: Person, now: float) -> int:
    cursor = db.execute(
        "INSERT INTO posts (poster, platform, state, current_version, created_at, updated_at,"
        " waiting_since) VALUES (?, ?, ?, 1, ?, ?, ?)",
        [str(poster), poster.platform, PostState.PENDING, now, now, now],
    )
    return int(cursor.lastrowid or 0)


def insert_version(
    db: Database, post: int, version: int, draft: Draft, verdict: Verdict, by: Person, now: float
) -> None:
    db.execute(
        "INSERT INTO versions (post, version, text, account, context, network, media, verdict,"
        " policy_version, error_count, submitted_by, submitted_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            post, version, draft.text, draft.account, draft.context, draft.network,
            json.dumps([{"source": m.source, "license": m.license} for m in draft.media]),
            json.dumps(verdict.to_json()), verdict.policy_version,
            sum(f.level == "error" for f in verdict.findings), str(by), now,
        ],
    )
    db.execute(
        "UPDATE posts SET current_version = ?, updated_at = ? WHERE number = ?",
        [version, now, post],
    )


def set_comms_ref(db: Database, post: int, version: int, ref: MessageRef) -> None:
    db.execute(
        "UPDATE versions SET comms_ref = ?, comms_where = ? WHERE post = ? AND version = ?",
        [ref.id, ref.where, post, version],
    )


def set_state(db: Database, post: Post, state: PostState, now: float) -> None:
    """Move a post to `state`, keeping the time stamps the report needs consistent with it.

    `approved_at` is the moment the post last became approved; it is cleared when the post
    falls back to waiting, and kept through publication. `waiting_since` is the moment it
    began to wait for a decision: kept while it waits (a revision of a waiting post does not
    restart the wait), cleared when it stops.
    """
    fields: dict[str, Any] = {"state": str(state), "updated_at": now}
    if state is PostState.PENDING:
        fields["waiting_since"] = (post.waiting_since or now
                                   if post.state is PostState.PENDING else now)
    else:
        fields["waiting_since"] = None
    if state is PostState.APPROVED and post.state is not PostState.APPROVED:
        fields["approved_at"] = now
    elif state in (PostState.PENDING, PostState.CHANGES_REQUESTED):
        fields["approved_at"] = None
    elif state is PostState.PUBLISHED and post.published_at is None:
        fields["published_at"] = now
    elif state is PostState.WITHDRAWN:
        fields["withdrawn_at"] = now
    db["posts"].update(post.number, fields)


def touch(db: Database, post: int, now: float) -> None:
    db.execute("UPDATE posts SET updated_at = ? WHERE number = ?", [now, post])


def put_vote(db: Database, post: Post, vote: Vote) -> None:
    db.execute(
        "INSERT OR REPLACE INTO votes (post, version, voter, kind, comment, override_reason, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [post.number, post.current.number, str(vote.voter), vote.kind, vote.comment,
         vote.override_reason, vote.at],
    )


def delete_vote(db: Database, post: Post, voter: Person, kind: VoteKind) -> None:
    db.execute(
        "DELETE FROM votes WHERE post = ? AND version = ? AND voter = ? AND kind = ?",
        [post.number, post.current.number, str(voter), kind],
    )


def add_link(
    db: Database, post: int, network: str, url: str, by: Person, now: float, approved: bool
) -> int:
    cursor = db.execute(
        "INSERT INTO links (post, network, url, published_by, published_at, approved)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [post, network, url, str(by), now, int(approved)],
    )
    return int(cursor.lastrowid or 0)


def update_link_url(db: Database, link_id: int, url: str) -> None:
    db.execute("UPDATE links SET url = ? WHERE id = ?", [url, link_id])


def _version(row: dict[str, Any]) -> Version:
    media = tuple(MediaDeclaration(m["source"], m.get("license", ""))
                  for m in json.loads(row["media"]))
    ref = MessageRef(row["comms_ref"], row["comms_where"] or "") if row["comms_ref"] else None
    return Version(
        number=row["version"],
        draft=Draft(text=row["text"] or "", account=row["account"], media=media,
                    context=row["context"] or "", network=row["network"] or ""),
        verdict=Verdict.from_json(json.loads(row["verdict"])),
        submitted_by=Person.parse(row["submitted_by"]),
        submitted_at=row["submitted_at"],
        comms_ref=ref,
        purged=row["text"] is None,
    )


def _one(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    return next(iter(db.query(sql, params)), None)


def _all(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(db.query(sql, params))
