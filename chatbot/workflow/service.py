"""The post workflow as the adapters drive it: submit, decide, publish, measure, report incidents.

Each action runs through `actions.ActionRunner`, one pattern that keeps the guarantees
everywhere (a seen idempotency key changes nothing; the change, its audit entry, the key and
the jobs of what people must be told commit together; the jobs run after the commit and a
failed delivery never undoes a change). Each action's change loads the post and applies the
rules of `posts`. Incidents are the `incident_desk`'s; `Workflow` hands them on.

People's mistakes come back as refusals (`Outcome.ok` false, see `outcome`), never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from chatbot import pause
from chatbot.config import Settings
from chatbot.notices import Notice
from chatbot.policy.model import Draft, Verdict
from chatbot.ports import Port
from chatbot.store import AuditEntry, Store
from chatbot.workflow import listing, post_rows, wording
from chatbot.workflow.actions import ActionRunner, Effect
from chatbot.workflow.clock import Clock, SystemClock
from chatbot.workflow.decisions import (
    refuse_actor,
    refuse_final,
    refuse_revision,
    refuse_vote,
    unknown_post,
)
from chatbot.workflow.incident_desk import IncidentDesk
from chatbot.workflow.incidents import Incident
from chatbot.workflow.jobs import Handler, Job, JobQueue, StoredJob, notice_data, notice_from
from chatbot.workflow.links import LinkError, link_network
from chatbot.workflow.metrics import Metrics, MetricsError, parse_metrics, record_metrics
from chatbot.workflow.nudges import follow_wait
from chatbot.workflow.outcome import Code, Outcome
from chatbot.workflow.people import Person, as_people, comms_from_settings
from chatbot.workflow.posts import (
    OPEN_STATES,
    Link,
    Post,
    PostState,
    Vote,
    VoteKind,
    state_for_votes,
)
from chatbot.workflow.reminders import cancel_reminders, schedule_reminders
from chatbot.workflow.standing import post_standing

log = logging.getLogger(__name__)

#: What checks a draft: the rules, the learned layer and the review, as configured.
CheckDraft = Callable[[Draft], Verdict]


class Workflow:
    """The life of posts, for one chat platform's port (several may share one store)."""

    def __init__(
        self,
        store: Store,
        port: Port,
        comms: Iterable[Person | str],
        *,
        approvals_required: int = 1,
        reminder_offsets: Sequence[int] = (0, 3600, 86400, 259200),
        clock: Clock | None = None,
        on_reminders_scheduled: Callable[[], None] | None = None,
        nudge_after: float = 0,
    ) -> None:
        """`nudge_after`: seconds a post may wait for a decision before comms are nudged
        (`CHECKPOST_NUDGE_AFTER`; 0, the default here, stores no nudges)."""
        if approvals_required < 1:
            raise ValueError("approvals_required must be at least 1")
        self.store = store
        self.port = port
        self.comms = as_people(comms)
        self.approvals_required = approvals_required
        self.reminder_offsets = tuple(reminder_offsets)
        self.nudge_after = nudge_after
        self.clock = clock or SystemClock()
        self.on_reminders_scheduled = on_reminders_scheduled
        self.jobs = JobQueue(store, port.platform, self.clock, on_retry=self._reminders_scheduled)
        self.actions = ActionRunner(store, self.jobs, self.clock)
        self.incidents = IncidentDesk(self.actions, store, port, self.comms)
        self._register_jobs()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        store: Store,
        port: Port,
        *,
        clock: Clock | None = None,
        on_reminders_scheduled: Callable[[], None] | None = None,
    ) -> Workflow:
        """The comms list of both platforms, CHECKPOST_APPROVALS_REQUIRED, _REMINDERS and
        _NUDGE_AFTER."""
        return cls(
            store, port, comms_from_settings(settings),
            approvals_required=settings.approvals_required,
            reminder_offsets=settings.reminders,
            clock=clock,
            on_reminders_scheduled=on_reminders_scheduled,
            nudge_after=settings.nudge_after,
        )

    def resume(self) -> list[StoredJob]:
        """Run what a previous process left undone: jobs not done (a post committed but never
        shown to comms, a poster never told, a failed delivery). Adapters call it once at
        start-up, beside the ack path; returns the jobs done now."""
        return self.jobs.resume()

    # --- reading ---------------------------------------------------------------------------

    def post(self, number: int) -> Post | None:
        with self.store.reading() as db:
            return post_rows.load_post(db, number)

    def status(self, number: int) -> Outcome:
        """`checkpost status N`: the post and a one-line summary of where it stands."""
        post = self.post(number)
        if post is None:
            return unknown_post(number)
        standing = post_standing(post, self.approvals_required)
        return Outcome(True, Code.NOTHING_CHANGED, wording.summary(standing), post=post)

    def pending(self, by: Person | str) -> listing.Listing | Outcome:
        """`checkpost pending`: what waits for the comms team on this platform, the longest
        waiting first; only for comms members (others are refused, and pointed to `mine`)."""
        if not self.is_comms(by):
            return Outcome.refused(Code.NOT_COMMS, wording.pending_not_comms())
        with self.store.reading() as db:
            return listing.pending(db, self.port.platform, self.clock.now())

    def mine(self, by: Person | str) -> listing.Listing:
        """`checkpost mine`: the person's own posts and where each stands."""
        with self.store.reading() as db:
            return listing.mine(db, Person.parse(by), self.clock.now())

    def find_comms_message(self, ref_id: str) -> tuple[int, int] | None:
        """(post number, version) shown by the adapter's comms message `ref_id`."""
        with self.store.reading() as db:
            return post_rows.find_comms_message(db, ref_id)

    def incident(self, incident_id: int) -> Incident | None:
        return self.incidents.incident(incident_id)

    def history(self, number: int) -> list[AuditEntry]:
        return self.store.audit_log(post=number)

    def recall(self, key: str) -> Outcome | None:
        """The answer given to the event with this key, if any: e.g. the post a Matrix
        `!checkpost` message became, when that message is later edited into a revision."""
        return self.actions.replay(key)

    def is_comms(self, person: Person | str) -> bool:
        return Person.parse(person) in self.comms

    # --- submitting ------------------------------------------------------------------------

    def submit(
        self, draft: Draft, verdict: Verdict | CheckDraft, *, poster: Person | str,
        key: str | None = None,
    ) -> Outcome:
        """A checked draft becomes post N, waiting for comms; comms see it, the poster is told.

        `verdict` is the checker's verdict, or a function that checks the draft (called only
        if the event is not a duplicate, so a redelivery does not run the LLM again).
        """
        poster = Person.parse(poster)
        if (earlier := self.actions.replay(key)) is not None:
            return earlier
        if not draft.text.strip():
            return self.actions.refuse("submit", key, Outcome.refused(Code.BAD_INPUT,
                                                             wording.empty_draft()))
        checked = verdict(draft) if callable(verdict) else verdict

        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            number = post_rows.insert_post(db, poster, now)
            post_rows.insert_version(db, number, 1, draft, checked, poster, now)
            self.actions.audit(now, poster, "submitted", post=number, why=draft.context,
                               detail=_verdict_detail(1, checked))
            post = _load(db, number)
            return (
                Outcome.done(Code.SUBMITTED, wording.submitted(number, checked), post=post),
                self._route(post) + self._follow_wait(db, post, now),
            )

        return self.actions.run("submit", key, change)

    def revise(
        self, number: int, draft: Draft, verdict: Verdict | CheckDraft, *, by: Person | str,
        key: str | None = None,
    ) -> Outcome:
        """The poster's new text for post N: checked again, votes reset, history kept."""
        by = Person.parse(by)
        if (earlier := self.actions.replay(key)) is not None:
            return earlier
        if not draft.text.strip():
            return self.actions.refuse("revise", key, Outcome.refused(Code.BAD_INPUT,
                                                             wording.empty_draft()))
        post = self.post(number)
        if post is None:
            return self.actions.refuse("revise", key, unknown_post(number))
        if refusal := refuse_revision(post, by):
            return self.actions.refuse("revise", key, refusal)
        checked = verdict(draft) if callable(verdict) else verdict

        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            post = post_rows.load_post(db, number)
            if post is None:
                return unknown_post(number), []
            if refusal := refuse_revision(post, by):
                return refusal, []
            version = post.current.number + 1
            post_rows.insert_version(db, number, version, draft, checked, by, now)
            post_rows.set_state(db, post, PostState.PENDING, now)
            self.actions.audit(now, by, "revised", post=number, why=draft.context,
                               detail={**_verdict_detail(version, checked),
                                       "previous_state": str(post.state),
                                       "votes_reset": len(post.votes)})
            revised = _load(db, number)
            effects = self._route(revised) + self._follow_wait(db, revised, now)
            if post.current.comms_ref:
                effects.insert(0, self._update_comms(post))
            return (
                Outcome.done(Code.REVISED, wording.revised(number, version, checked),
                             post=revised),
                effects,
            )

        return self.actions.run("revise", key, change)

    # --- deciding --------------------------------------------------------------------------

    def approve(
        self, number: int, *, by: Person | str, override_reason: str = "", comment: str = "",
        version: int | None = None, key: str | None = None,
    ) -> Outcome:
        """A comms member's approval (👍). `override_reason` lets a post with error-level
        findings be approved; it is recorded. `version` is the version the member saw (from
        the message they reacted to), so a vote on a superseded message changes nothing."""
        return self._vote(number, Person.parse(by), "approve", comment, override_reason.strip(),
                          version, key)

    def request_changes(
        self, number: int, *, by: Person | str, comment: str = "", version: int | None = None,
        key: str | None = None,
    ) -> Outcome:
        """A comms member asks for changes (👎); it holds until withdrawn or the poster revises."""
        return self._vote(number, Person.parse(by), "changes", comment, "", version, key)

    def withdraw_vote(
        self, number: int, *, by: Person | str, kind: VoteKind | None = None,
        version: int | None = None, key: str | None = None,
    ) -> Outcome:
        """A removed reaction: the member's vote of that `kind` (any kind if None) is gone."""
        by = Person.parse(by)

        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            post = post_rows.load_post(db, number)
            if post is None:
                return unknown_post(number), []
            if refusal := refuse_vote(post, by, None, comms=self.comms, version=version):
                return refusal, []
            vote = post.vote_of(by)
            if vote is None or (kind is not None and vote.kind != kind):
                return Outcome.refused(Code.NO_VOTE, wording.no_vote_to_withdraw(number, kind),
                                       post=post), []
            post_rows.delete_vote(db, post, by, vote.kind)
            return self._after_votes(db, post, now, by, "vote-withdrawn",
                                     why=f"withdrew {wording.vote_name(vote.kind)}")

        return self.actions.run("withdraw-vote", key, change)

    def _vote(
        self, number: int, by: Person, kind: VoteKind, comment: str, override_reason: str,
        version: int | None, key: str | None,
    ) -> Outcome:
        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            post = post_rows.load_post(db, number)
            if post is None:
                return unknown_post(number), []
            if refusal := refuse_vote(post, by, kind, comms=self.comms, version=version,
                                      override_reason=override_reason):
                return refusal, []
            earlier = post.vote_of(by)
            kept_reason = earlier.override_reason if earlier and earlier.kind == kind else ""
            note, reason = comment, override_reason or kept_reason
            if not post.current.errors:  # nothing to override: a reason given is a comment
                note, reason = comment or override_reason, ""
            vote = Vote(by, kind, now, note, reason)
            if earlier and (earlier.kind, earlier.comment, earlier.override_reason) == (
                    vote.kind, vote.comment, vote.override_reason):
                return Outcome.unchanged(wording.vote_already_recorded(number, kind),
                                         post=post), []
            post_rows.put_vote(db, post, vote)
            return self._after_votes(
                db, post, now, by, kind, why=vote.override_reason or vote.comment,
                detail={"comment": vote.comment, "override_reason": vote.override_reason},
            )

        return self.actions.run(kind, key, change)

    def _after_votes(
        self, db: Database, before: Post, now: float, by: Person, action: str, why: str,
        detail: dict[str, Any] | None = None,
    ) -> tuple[Outcome, list[Effect]]:
        """Recompute the state from the votes, record it, and say what it means."""
        post = _load(db, before.number)
        state = state_for_votes(post.votes, has_errors=bool(post.current.errors),
                                approvals_required=self.approvals_required)
        if state is not post.state:
            post_rows.set_state(db, post, state, now)
            post = _load(db, before.number)
        self.actions.audit(now, by, action, post=post.number, why=why,
                           detail={**(detail or {}), "version": post.current.number,
                                   "state": str(post.state), "previous_state": str(before.state),
                                   "approvals": len(post.approvals)})
        effects: list[Effect] = [self._update_comms(post), *self._follow_wait(db, post, now)]
        if post.state is not before.state:
            effects.append(self._tell_poster_of_decision(post, by))
        return self._vote_outcome(before, post, by), effects

    def _vote_outcome(self, before: Post, post: Post, by: Person) -> Outcome:
        if post.state is PostState.APPROVED and before.state is not PostState.APPROVED:
            return Outcome.done(Code.APPROVED, wording.approved(post), post=post)
        if (post.state is PostState.CHANGES_REQUESTED
                and before.state is not PostState.CHANGES_REQUESTED):
            return Outcome.done(Code.CHANGES_REQUESTED, wording.changes_requested(post.number),
                                post=post)
        vote = post.vote_of(by)
        if vote is None:
            return Outcome.done(Code.VOTE_WITHDRAWN,
                                wording.vote_withdrawn(post, self.approvals_required), post=post)
        return Outcome.done(Code.VOTE_RECORDED,
                            wording.vote_recorded(post, vote, self.approvals_required), post=post)

    # --- publishing and withdrawing --------------------------------------------------------

    def publish(
        self, number: int, url: str, *, by: Person | str, key: str | None = None
    ) -> Outcome:
        """Post N is live at `url` (one link per social platform). Reminders start.

        The poster or a comms member may mark it. An unapproved post can be marked published,
        since it is already out, but comms are warned and the outcome carries the warning.
        Giving another URL for a platform already recorded corrects that link.
        """
        by = Person.parse(by)

        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            post = post_rows.load_post(db, number)
            if post is None:
                return unknown_post(number), []
            if refusal := refuse_actor(post, by, "mark it published", comms=self.comms):
                return refusal, []
            if post.state is PostState.WITHDRAWN:
                return refuse_final(post), []
            try:
                network = link_network(url)
            except LinkError as exc:
                return Outcome.refused(Code.BAD_INPUT, str(exc), post=post), []
            url_ = url.strip()
            existing = next((k for k in post.links if k.network == network), None)
            if existing and existing.url == url_:
                return Outcome.unchanged(wording.already_published_at(number, network, url_),
                                         post=post), []
            if existing:
                post_rows.update_link_url(db, existing.id, url_)
                post_rows.touch(db, number, now)
                self.actions.audit(now, by, "link-updated", post=number,
                                   why=f"was {existing.url}",
                                   detail={"network": network, "url": url_})
                return Outcome.done(Code.LINK_UPDATED, wording.link_updated(number, network, url_),
                                    post=_load(db, number)), []
            return self._add_link(db, post, network, url_, by, now)

        return self.actions.run("publish", key, change)

    def _add_link(
        self, db: Database, post: Post, network: str, url: str, by: Person, now: float
    ) -> tuple[Outcome, list[Effect]]:
        approved = post.approved_at is not None and post.state in (
            PostState.APPROVED, PostState.PUBLISHED)
        link = post_rows.add_link(db, post.number, network, url, by, now, approved)
        if post.state is not PostState.PUBLISHED:
            post_rows.set_state(db, post, PostState.PUBLISHED, now)
        count = schedule_reminders(db, post.number, link, now, self.reminder_offsets)
        warning = "" if approved else wording.published_unapproved(post.number, post.state)
        self.actions.audit(now, by, "published", post=post.number, why=warning,
                           detail={"network": network, "url": url, "approved": approved,
                                   "reminders": count})
        published = _load(db, post.number)
        follow_wait(db, published, now, self.nudge_after)
        effects: list[Effect] = [self._update_comms(published), ("wake the reminder scheduler",
                                                                 self._reminders_scheduled)]
        if not approved:
            effects.append(self._alert(Notice(
                "published-unapproved",
                wording.published_unapproved_alert(post.number, network, post.state,
                                                   by.user_id, url),
                post.number, url, actor=by)))
        if by != post.poster:
            effects.append(self._tell(post.poster, Notice(
                "published", wording.published_by_other(by.user_id, post.number, network, url),
                post.number, url, actor=by)))
        return (
            Outcome.done(Code.PUBLISHED if post.state is not PostState.PUBLISHED
                         else Code.LINK_ADDED,
                         wording.marked_published(post.number, network, url,
                                                  self.reminder_offsets), post=published,
                         warnings=(warning,) if warning else ()),
            effects,
        )

    def withdraw(
        self, number: int, *, by: Person | str, reason: str = "", key: str | None = None
    ) -> Outcome:
        """Post N will not go out, or was taken down: decisions stop, reminders are cancelled."""
        by = Person.parse(by)

        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            post = post_rows.load_post(db, number)
            if post is None:
                return unknown_post(number), []
            if refusal := refuse_actor(post, by, "withdraw it", comms=self.comms):
                return refusal, []
            if post.state is PostState.WITHDRAWN:
                return refuse_final(post), []
            post_rows.set_state(db, post, PostState.WITHDRAWN, now)
            cancelled = cancel_reminders(db, number, now)
            self.actions.audit(now, by, "withdrawn", post=number, why=reason,
                               detail={"previous_state": str(post.state),
                                       "reminders_cancelled": cancelled})
            withdrawn = _load(db, number)
            follow_wait(db, withdrawn, now, self.nudge_after)
            effects: list[Effect] = [self._update_comms(withdrawn)]
            if by != post.poster:
                effects.append(self._tell(post.poster, Notice(
                    "withdrawn", wording.withdrawn_by(by.user_id, number, reason), number,
                    actor=by)))
            return Outcome.done(Code.WITHDRAWN, wording.withdrawn(number, cancelled),
                                post=withdrawn), effects

        return self.actions.run("withdraw", key, change)

    # --- after publishing ------------------------------------------------------------------

    def record_metrics(
        self, number: int, metrics: Metrics | str, *, by: Person | str, key: str | None = None
    ) -> Outcome:
        """`checkpost metrics N likes=… reposts=… replies=… notes`; a "major" note alerts comms."""
        by = Person.parse(by)
        if isinstance(metrics, str):
            try:
                metrics = parse_metrics(metrics)
            except MetricsError as exc:
                return self.actions.refuse("metrics", key,
                                           Outcome.refused(Code.BAD_INPUT, str(exc)))
        parsed = metrics

        def change(db: Database, now: float) -> tuple[Outcome, list[Effect]]:
            post = post_rows.load_post(db, number)
            if post is None:
                return unknown_post(number), []
            if by != post.poster and by not in self.comms:
                return Outcome.refused(Code.NOT_ALLOWED, wording.metrics_not_allowed(number),
                                       post=post), []
            if not post.links:
                return Outcome.refused(Code.NOT_PUBLISHED, wording.not_published(number),
                                       post=post), []
            link = _link_for(post, parsed.network)
            if parsed.network and link is None:
                where = ", ".join(k.network for k in post.links)
                return Outcome.refused(Code.BAD_INPUT,
                                       wording.no_link_on(number, parsed.network, where),
                                       post=post), []
            record_metrics(db, number, link.id if link else None, parsed, by, now)
            post_rows.touch(db, number, now)
            self.actions.audit(now, by, "metrics", post=number, why=parsed.notes,
                               detail={**parsed.numbers, "major": parsed.major})
            effects: list[Effect] = []
            if parsed.major:
                url = link.url if link else post.links[0].url
                effects.append(self._alert(Notice(
                    "major-reaction", wording.major_reaction(number, url, by.user_id,
                                                             parsed.notes),
                    number, url, actor=by)))
            return Outcome.done(Code.METRICS_RECORDED,
                                wording.metrics_recorded(number, parsed.summary(), parsed.major),
                                post=_load(db, number)), effects

        return self.actions.run("metrics", key, change)

    # --- incidents: see `incident_desk` ----------------------------------------------------

    def report_incident(
        self, link: str, *, by: Person | str, notes: str = "", number: int | None = None,
        key: str | None = None,
    ) -> Outcome:
        """`checkpost incident [N] <link> [notes]`: see `IncidentDesk.report`."""
        return self.incidents.report(link, by=by, notes=notes, number=number, key=key)

    def mark_incident_step(
        self, incident_id: int, step: str, *, by: Person | str, note: str = "",
        key: str | None = None,
    ) -> Outcome:
        """`checkpost incident done ID STEP`: see `IncidentDesk.mark_step`."""
        return self.incidents.mark_step(incident_id, step, by=by, note=note, key=key)

    # --- jobs: what people are told, durably --------------------------------------------------

    def _route(self, post: Post) -> list[Effect]:
        """The poster's findings, then the post to comms: two jobs, so neither waits for, nor
        is lost with, the other."""
        where = {"post": post.number, "version": post.current.number}
        return [Job("tell-findings", where), Job("show-post", where)]

    def _update_comms(self, post: Post) -> Job:
        """Re-render the comms message of the post's current version (as it stands when the
        job runs, so a late retry never shows an old state)."""
        return Job("update-comms", {"post": post.number, "version": post.current.number})

    def _tell(self, person: Person, notice: Notice) -> Job:
        return Job("tell", {"person": str(person), "notice": notice_data(notice)})

    def _alert(self, notice: Notice) -> Job:
        return Job("alert-comms", {"notice": notice_data(notice)})

    def _register_jobs(self) -> None:
        def fixed(what: str) -> Callable[[StoredJob], str]:
            return lambda job: what

        self.jobs.handlers.update({
            "tell-findings": Handler(self._job_tell_findings,
                                     fixed("send the poster the findings")),
            "show-post": Handler(self._job_show_post, fixed("show the post to comms")),
            "update-comms": Handler(self._job_update_comms, fixed("update the comms message")),
            "tell": Handler(self._job_tell, lambda job: f"tell {job.data['person']}"),
            "alert-comms": Handler(self._job_alert, fixed("alert comms")),
        })

    def _job_tell_findings(self, job: StoredJob) -> None:
        post = self.post(job.data["post"])
        if post is None:
            return
        self.port.tell(post.poster, replace(self.findings_notice(post, job.data["version"]),
                                            key=f"job-{job.id}", again=job.attempts > 1))

    def findings_notice(self, post: Post, version: int | None = None) -> Notice:
        """What the poster is told with the findings of `version` (by default the current
        one): where it goes for approval. A platform that answers a draft where it was written
        says this in that answer, and its port does not send it again (`chat.answer_draft`)."""
        version = version or post.current.number
        return Notice("submitted" if version == 1 else "revised",
                      wording.goes_to_comms(post.number, version, self.port.comms_where),
                      post.number, post=post)

    def _job_show_post(self, job: StoredJob) -> None:
        """Show the version to comms and remember where, once: a version already shown, or
        superseded, or a post no longer open, is left alone. The poster hears of a first
        failure, and of the success that follows it."""
        number, version = job.data["post"], job.data["version"]
        post = self.post(number)
        if (post is None or post.current.number != version or post.state not in OPEN_STATES
                or post.current.comms_ref is not None):
            return
        try:
            ref = self.port.show_to_comms(post, again=job.attempts > 1)
        except Exception:
            if not job.last_error:
                self.jobs.add_and_run([self._tell(post.poster, Notice(
                    "comms-unreachable", wording.comms_unreachable(number, version), number))])
            raise
        pause.at("sent", "show-post")
        follow = [self._tell(post.poster, Notice(
            "routed", wording.routed(number, version, ref.where or self.port.comms_where),
            number))] if job.last_error else []
        with self.store.transaction() as db:
            post_rows.set_comms_ref(db, number, version, ref)
            ids = self.jobs.add(db, follow, self.clock.now())
        self.jobs.run(ids)

    def _job_update_comms(self, job: StoredJob) -> None:
        post = self.post(job.data["post"])
        if post is None:
            return
        shown = next((v for v in post.versions if v.number == job.data["version"]), None)
        if shown is not None and shown.comms_ref is not None:
            self.port.update_comms_message(shown.comms_ref, post)

    def _job_tell(self, job: StoredJob) -> None:
        self.port.tell(Person.parse(job.data["person"]),
                       notice_from(job.data["notice"], job))

    def _job_alert(self, job: StoredJob) -> None:
        self.port.alert_comms(notice_from(job.data["notice"], job))

    def _tell_poster_of_decision(self, post: Post, by: Person) -> Effect:
        n = post.number
        if post.state is PostState.APPROVED:
            notice = Notice("approved", wording.approved_notice(n), n, actor=by)
        elif post.state is PostState.CHANGES_REQUESTED:
            notice = Notice("changes-requested",
                            wording.changes_requested_notice(n, post.change_requests), n,
                            actor=by)
        else:
            notice = Notice("approval-lost", wording.approval_lost(post, self.approvals_required),
                            n, actor=by)
        return self._tell(post.poster, notice)

    def _follow_wait(self, db: Database, post: Post, now: float) -> list[Effect]:
        """The post's nudges made to match its wait (see `nudges.follow_wait`); a wake-up of
        the scheduler when one was stored."""
        if follow_wait(db, post, now, self.nudge_after):
            return [("wake the scheduler for a nudge", self._reminders_scheduled)]
        return []

    def _reminders_scheduled(self) -> None:
        if self.on_reminders_scheduled is not None:
            self.on_reminders_scheduled()


def _load(db: Database, number: int) -> Post:
    post = post_rows.load_post(db, number)
    assert post is not None, f"post {number} vanished inside its own transaction"
    return post


def _verdict_detail(version: int, verdict: Verdict) -> dict[str, Any]:
    return {"version": version, "verdict": verdict.verdict,
            "labels": sorted(verdict.labels), "policy_version": verdict.policy_version}


def _link_for(post: Post, network: str) -> Link | None:
    if network:
        return next((k for k in post.links if k.network == network), None)
    return post.links[0] if len(post.links) == 1 else None
