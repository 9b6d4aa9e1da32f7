"""Incidents and their ticked steps as rows: reading an `Incident` back and writing its changes.

The model (the checklist, `Incident`) is `incidents`; this is its SQL, as `post_rows` is the
posts'. Every writer here expects to run inside `Store.transaction()`; none commits on its own.
"""

from __future__ import annotations

from sqlite_utils import Database

from chatbot.messages import MessageRef
from chatbot.workflow.incidents import CHECKLIST, Incident, Step, StepState
from chatbot.workflow.links import LinkError, is_comment_under, link_network
from chatbot.workflow.people import Person


def insert_incident(
    db: Database, post: int | None, link: str, reporter: Person, notes: str, now: float
) -> int:
    cursor = db.execute(
        "INSERT INTO incidents (post, link, reporter, platform, notes, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [post, link, str(reporter), reporter.platform, notes, now, now],
    )
    return int(cursor.lastrowid or 0)


def mark_step(db: Database, incident: int, step: Step, by: Person, note: str, now: float) -> None:
    db.execute(
        "INSERT INTO incident_steps (incident, step, done_by, done_at, note)"
        " VALUES (?, ?, ?, ?, ?)",
        [incident, step.key, str(by), now, note],
    )
    db.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", [now, incident])


def close_incident(db: Database, incident: int, now: float) -> None:
    db.execute("UPDATE incidents SET closed_at = ? WHERE id = ?", [now, incident])


def set_incident_ref(db: Database, incident: int, ref: MessageRef) -> None:
    db.execute(
        "UPDATE incidents SET comms_ref = ?, comms_where = ? WHERE id = ?",
        [ref.id, ref.where, incident],
    )


def load_incident(db: Database, incident_id: int) -> Incident | None:
    row = next(iter(db.query("SELECT * FROM incidents WHERE id = ?", [incident_id])), None)
    if row is None:
        return None
    done = {
        r["step"]: r
        for r in db.query("SELECT * FROM incident_steps WHERE incident = ?", [incident_id])
    }
    steps = tuple(
        StepState(s, Person.parse(d["done_by"]), d["done_at"], d["note"])
        if (d := done.get(s.key)) else StepState(s)
        for s in CHECKLIST
    )
    ref = MessageRef(row["comms_ref"], row["comms_where"] or "") if row["comms_ref"] else None
    return Incident(
        id=row["id"],
        post_number=row["post"],
        link=row["link"],
        reporter=Person.parse(row["reporter"]),
        notes=row["notes"],
        created_at=row["created_at"],
        steps=steps,
        closed_at=row["closed_at"],
        comms_ref=ref,
    )


def incidents_of(db: Database, post: int) -> list[Incident]:
    ids = [r[0] for r in db.execute(
        "SELECT id FROM incidents WHERE post = ? ORDER BY id", [post]).fetchall()]
    return [i for i in (load_incident(db, n) for n in ids) if i is not None]


def incidents_between(db: Database, since: float | None, until: float | None) -> list[Incident]:
    """Incidents reported in [since, until) (either bound may be open), oldest first."""
    ids = [r[0] for r in db.execute(
        "SELECT id FROM incidents WHERE created_at >= ? AND created_at < ? ORDER BY id",
        [since if since is not None else float("-inf"),
         until if until is not None else float("inf")]).fetchall()]
    return [i for i in (load_incident(db, n) for n in ids) if i is not None]


def post_for_comment_link(db: Database, link: str) -> int | None:
    """The post whose published link the comment's link is under (Facebook, Instagram,
    LinkedIn and YouTube comment links are), if any; an X reply has an address of its own and
    needs the number (`incident N URL`)."""
    try:
        network = link_network(link)
    except LinkError:
        return None
    best, best_score = None, 0
    for post, url in db.execute("SELECT post, url FROM links WHERE network = ? ORDER BY id",
                                [network]).fetchall():
        if (score := is_comment_under(link, url)) > best_score:
            best, best_score = post, score
    return best
