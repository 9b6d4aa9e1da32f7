"""Hateful comments under a post: the policy's checklist, and who did each step when.

The policy line is one sentence with five duties; each becomes a step comms can mark done, so
nothing is forgotten when the thread gets heated. Recording the incident is the first step
("note them"), so it is done at once by whoever reported it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from chatbot.messages import MessageRef
from chatbot.workflow.links import LinkError, is_comment_under, link_network
from chatbot.workflow.people import Person
from chatbot.workflow.wording import command

POLICY_LINE = (
    "If you see hateful comments from one user to another, note them, check with the "
    "Communications team member, and hide the hateful comments. Reach out to the person who "
    "was attacked and apologize for their experience. Provide email addresses to the team, "
    "if available."
)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    aliases: tuple[str, ...] = ()


CHECKLIST: tuple[Step, ...] = (
    Step("note", "Note the hateful comments: where, who wrote them, to whom", ("noted",)),
    Step("check-with-comms", "Check with the Communications team member",
         ("check", "comms", "checked")),
    Step("hide", "Hide the hateful comments", ("hidden",)),
    Step("reach-out", "Reach out to the person who was attacked and apologise for their "
         "experience", ("reach", "apologise", "apologize", "apology")),
    Step("emails", "Provide their e-mail addresses to the team, if available",
         ("email", "e-mail", "e-mails")),
)


@dataclass(frozen=True)
class StepState:
    step: Step
    done_by: Person | None = None
    done_at: float | None = None
    note: str = ""

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class Incident:
    id: int
    post_number: int | None
    link: str
    reporter: Person
    notes: str
    created_at: float
    steps: tuple[StepState, ...]
    closed_at: float | None = None
    comms_ref: MessageRef | None = None

    @property
    def open_steps(self) -> tuple[Step, ...]:
        return tuple(s.step for s in self.steps if not s.done)

    def checklist_text(self) -> str:
        """The checklist as plain text; adapters may render buttons from `steps` instead."""
        about = f" under post {self.post_number}" if self.post_number else ""
        lines = [f"Incident {self.id}: hateful comment{about}: {self.link}"]
        if self.notes:
            lines.append(f"Notes: {self.notes}")
        lines.append(f"Policy: “{POLICY_LINE}”")
        for i, s in enumerate(self.steps, 1):
            mark = "x" if s.done else " "
            who = f" — {s.done_by.user_id}" if s.done_by else ""
            note = f": {s.note}" if s.note else ""
            lines.append(f"[{mark}] {i}. {s.step.title}{who}{note}")
        if self.open_steps:
            lines.append(
                f"Mark a step done: {command(f'incident done {self.id} <step>')} "
                f"(step number or {', '.join(s.key for s in self.open_steps)})"
            )
        else:
            lines.append("All steps done.")
        return "\n".join(lines)


def find_step(name: str) -> Step | None:
    """A step by number (1–5), key or a short alias such as "hide" or "email"."""
    name = name.strip().lower()
    if name.isdigit() and 1 <= int(name) <= len(CHECKLIST):
        return CHECKLIST[int(name) - 1]
    return next((s for s in CHECKLIST if name == s.key or name in s.aliases), None)


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
