"""The incident desk: hateful comments under a post, reported and worked through.

`checkpost incident [N] URL [notes]` records an incident and shows comms the policy's
checklist; `checkpost incident done ID STEP` ticks a step. Each action runs through the
`ActionRunner` like a post's, with its own jobs (show the incident to comms, update that
message). The checklist and the incident's rows are in `incidents`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlite_utils import Database

from chatbot.ports import Port
from chatbot.store import Store
from chatbot.workflow import post_rows, wording
from chatbot.workflow.actions import ActionRunner, Effect
from chatbot.workflow.decisions import unknown_post
from chatbot.workflow.incident_rows import (
    close_incident,
    insert_incident,
    load_incident,
    post_for_comment_link,
    set_incident_ref,
)
from chatbot.workflow.incident_rows import mark_step as mark_step_done
from chatbot.workflow.incidents import CHECKLIST, Incident, find_step
from chatbot.workflow.jobs import Handler, Job, StoredJob
from chatbot.workflow.links import LinkError, link_network
from chatbot.workflow.outcome import Code, Outcome
from chatbot.workflow.people import Person


class IncidentDesk:
    """Incidents for one chat platform's port; comms members may tick any incident's steps."""

    def __init__(self, actions: ActionRunner, store: Store, port: Port,
                 comms: Collection[Person]) -> None:
        self.actions = actions
        self.store = store
        self.port = port
        self.comms = comms
        self.actions.jobs.handlers.update({
            "show-incident": Handler(self._job_show_incident,
                                     _fixed("show the incident to comms")),
            "update-incident": Handler(self._job_update_incident,
                                       _fixed("update the incident message")),
        })

    def incident(self, incident_id: int) -> Incident | None:
        with self.store.reading() as db:
            return load_incident(db, incident_id)

    def report(
        self, link: str, *, by: Person | str, notes: str = "", number: int | None = None,
        key: str | None = None,
    ) -> Outcome:
        """`checkpost incident <link> [notes]`: a hateful comment seen under a post.

        Comms get the policy's checklist; the post is the one given, or the one whose
        published link the comment's address starts with.
        """
        by = Person.parse(by)
        try:
            link_network(link)
        except LinkError as exc:
            return self.actions.refuse("incident", key, Outcome.refused(
                Code.BAD_INPUT, wording.bad_comment_link(str(exc))))

        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            post = number
            if post is not None and post_rows.load_post(db, post) is None:
                return unknown_post(post), []
            if post is None:
                post = post_for_comment_link(db, link)
            incident_id = insert_incident(db, post, link.strip(), by, notes, now)
            mark_step_done(db, incident_id, CHECKLIST[0], by, "recorded with checkpost", now)
            self.actions.audit(now, by, "incident-reported", post=post, incident=incident_id,
                               why=notes, detail={"link": link.strip()})
            incident = _load_incident(db, incident_id)
            return (
                Outcome.done(Code.INCIDENT_RECORDED, wording.incident_recorded(incident_id, post),
                             incident=incident),
                [Job("show-incident", {"incident": incident.id})],
            )

        return self.actions.run("incident", key, change)

    def mark_step(
        self, incident_id: int, step: str, *, by: Person | str, note: str = "",
        key: str | None = None,
    ) -> Outcome:
        """Tick one step of an incident's checklist (by number, key or alias, e.g. "hide")."""
        by = Person.parse(by)
        found = find_step(step)

        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            incident = load_incident(db, incident_id)
            if incident is None:
                return Outcome.refused(Code.UNKNOWN_INCIDENT,
                                       wording.unknown_incident(incident_id)), []
            if found is None:
                return Outcome.refused(Code.UNKNOWN_STEP,
                                       wording.unknown_step(step, (s.key for s in CHECKLIST)),
                                       incident=incident), []
            if by != incident.reporter and by not in self.comms:
                return Outcome.refused(Code.NOT_ALLOWED, wording.not_reporter_or_comms(),
                                       incident=incident), []
            state = next(s for s in incident.steps if s.step == found)
            if state.done:
                done_by = state.done_by.user_id if state.done_by else "?"
                return Outcome.unchanged(wording.step_already_done(found.title, done_by),
                                         incident=incident), []
            mark_step_done(db, incident_id, found, by, note, now)
            closed = len(incident.open_steps) == 1
            if closed:
                close_incident(db, incident_id, now)
            self.actions.audit(now, by, "incident-step", post=incident.post_number,
                               incident=incident_id, why=note,
                               detail={"step": found.key, "closed": closed})
            incident = _load_incident(db, incident_id)
            effects: list[Effect] = []
            if incident.comms_ref:
                effects.append(Job("update-incident", {"incident": incident_id}))
            if closed:
                return Outcome.done(Code.INCIDENT_CLOSED, wording.incident_closed(incident_id),
                                    incident=incident), effects
            return Outcome.done(Code.STEP_DONE,
                                wording.step_done(incident_id, found.title,
                                                  len(incident.open_steps)),
                                incident=incident), effects

        return self.actions.run("incident-step", key, change)

    # --- jobs ------------------------------------------------------------------------------

    def _job_show_incident(self, job: StoredJob) -> None:
        incident = self.incident(job.data["incident"])
        if incident is None or incident.comms_ref is not None:
            return
        ref = self.port.show_incident_to_comms(incident, again=job.attempts > 1)
        with self.store.transaction() as db:
            set_incident_ref(db, incident.id, ref)

    def _job_update_incident(self, job: StoredJob) -> None:
        incident = self.incident(job.data["incident"])
        if incident is not None and incident.comms_ref is not None:
            self.port.update_incident_message(incident.comms_ref, incident)


def _fixed(what: str) -> Callable[[StoredJob], str]:
    return lambda job: what


def _load_incident(db: Database, incident_id: int) -> Incident:
    incident = load_incident(db, incident_id)
    assert incident is not None, f"incident {incident_id} vanished inside its own transaction"
    return incident
