"""Any sequence of approvals, withdrawals, revisions, duplicates, publications and withdrawn
posts ends in a state the rules allow (hypothesis, stateful)."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from chatbot.workflow import PostState
from chatbot.workflow.posts import OPEN_STATES, state_for_votes
from tests.desk import (
    ANA,
    BEN,
    CHITRA,
    COMMS,
    OFFSETS,
    OUTSIDER,
    POSTER,
    Desk,
    draft,
    finding,
    verdict,
)

ACTORS = st.sampled_from([POSTER, ANA, BEN, CHITRA, OUTSIDER])
FINDINGS = st.sampled_from([(), (finding("snark", "warning"),), (finding("dispute", "error"),)])
URLS = st.sampled_from(["https://x.com/cis_a2k/status/1", "https://x.com/cis_a2k/status/2",
                        "https://facebook.com/cisa2k/posts/1"])


class PostLife(RuleBasedStateMachine):
    posts = Bundle("posts")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.desk: Desk | None = None
        self.keys = itertools.count(1)
        self.delivered: list[tuple[str, object, object]] = []  # key, call, first outcome
        self.changes = 0

    @initialize(required=st.integers(1, 3))
    def open_desk(self, required: int) -> None:
        self.desk = Desk(Path(self.tmp.name) / "c.db", approvals_required=required)

    def teardown(self) -> None:
        if self.desk:
            self.desk.close()
        self.tmp.cleanup()

    # --- events ------------------------------------------------------------------------------

    def deliver(self, call):
        key = f"ev-{next(self.keys)}"
        outcome = call(key)
        assert not outcome.duplicate
        event(str(outcome.code))
        self.changes += outcome.changed
        self.delivered.append((key, call, outcome))
        return outcome

    @rule(target=posts, poster=st.sampled_from([POSTER, ANA]), findings=FINDINGS)
    def submit(self, poster, findings):
        outcome = self.deliver(lambda key: self.desk.workflow.submit(
            draft(), verdict(*findings), poster=poster, key=key))
        return outcome.post.number

    @rule(post=posts, by=ACTORS, override=st.booleans())
    def approve(self, post, by, override):
        self.deliver(lambda key: self.desk.workflow.approve(
            post, by=by, override_reason="checked" if override else "", key=key))

    @rule(post=posts, by=ACTORS)
    def request_changes(self, post, by):
        self.deliver(lambda key: self.desk.workflow.request_changes(post, by=by, key=key))

    @rule(post=posts, by=ACTORS, kind=st.sampled_from([None, "approve", "changes"]))
    def withdraw_vote(self, post, by, kind):
        self.deliver(lambda key: self.desk.workflow.withdraw_vote(post, by=by, kind=kind,
                                                                  key=key))

    @rule(post=posts, by=ACTORS, findings=FINDINGS)
    def revise(self, post, by, findings):
        self.deliver(lambda key: self.desk.workflow.revise(
            post, draft("A new version"), verdict(*findings), by=by, key=key))

    @rule(post=posts, by=ACTORS, url=URLS)
    def publish(self, post, by, url):
        self.deliver(lambda key: self.desk.workflow.publish(post, url, by=by, key=key))

    @rule(post=posts, by=ACTORS)
    def withdraw(self, post, by):
        self.deliver(lambda key: self.desk.workflow.withdraw(post, by=by, key=key))

    @rule(data=st.data())
    def redeliver(self, data):
        if not self.delivered:
            return
        key, call, first = data.draw(st.sampled_from(self.delivered))
        before = self.dump()
        calls = len(self.desk.port.calls)

        again = call(key)

        assert again.duplicate and (again.code, again.ok, again.message) == (
            first.code, first.ok, first.message)
        assert self.dump() == before
        assert len(self.desk.port.calls) == calls

    @rule(seconds=st.sampled_from([0, 1800, 3600, 86400, 4 * 86400]))
    def time_passes(self, seconds):
        self.desk.clock.advance(seconds)
        self.desk.scheduler.run_due()

    @rule()
    def restart(self):
        self.desk.restart()

    # --- what must always hold ---------------------------------------------------------------

    @invariant()
    def states_follow_the_rules(self):
        if not self.desk:
            return
        for number in self.numbers():
            post = self.desk.workflow.post(number)
            votes = post.votes
            assert all(v.voter in COMMS and v.voter != post.poster for v in votes)
            assert len({v.voter for v in votes}) == len(votes)
            if post.state in OPEN_STATES:
                assert post.state is state_for_votes(
                    votes, has_errors=bool(post.current.errors),
                    approvals_required=self.desk.approvals_required)
                assert (post.approved_at is not None) == (post.state is PostState.APPROVED)
            if post.state is PostState.APPROVED:
                assert len(post.approvals) >= self.desk.approvals_required
                assert not post.current.errors or post.override is not None
            assert (post.state is PostState.PUBLISHED) <= bool(post.links)
            assert bool(post.links) <= (post.state in (PostState.PUBLISHED, PostState.WITHDRAWN))
            assert [v.number for v in post.versions] == list(range(1, len(post.versions) + 1))

    @invariant()
    def every_vote_ever_cast_was_a_comms_members_on_someone_elses_post(self):
        if not self.desk:
            return
        rows = self.desk.store.db.execute(
            "SELECT v.voter, p.poster FROM votes v JOIN posts p ON p.number = v.post").fetchall()
        comms = {str(p) for p in COMMS}
        assert all(voter in comms and voter != poster for voter, poster in rows)

    @invariant()
    def reminders_are_scheduled_once_per_link_sent_at_most_once_cancelled_when_withdrawn(self):
        if not self.desk:
            return
        db = self.desk.store.db
        per_link = db.execute("SELECT l.id, COUNT(r.id) FROM links l"
                              " LEFT JOIN reminders r ON r.link = l.id GROUP BY l.id").fetchall()
        assert all(count == len(OFFSETS) for _, count in per_link)
        waiting_on_withdrawn = db.execute(
            "SELECT COUNT(*) FROM reminders r JOIN posts p ON p.number = r.post"
            " WHERE p.state = 'withdrawn' AND r.sent_at IS NULL AND r.cancelled_at IS NULL"
        ).fetchone()[0]
        assert waiting_on_withdrawn == 0
        sent = Counter((r.post_number, r.link_network, r.seq)
                       for _, r in self.desk.port.of("remind"))
        assert all(n == 1 for n in sent.values())

    @invariant()
    def every_change_is_audited(self):
        if not self.desk:
            return
        entries = [e for e in self.desk.store.audit_log()
                   if not e.action.startswith("reminder-")]
        assert len(entries) == self.changes

    # --- helpers -----------------------------------------------------------------------------

    def numbers(self):
        return [r[0] for r in self.desk.store.db.execute("SELECT number FROM posts").fetchall()]

    def dump(self):
        return list(self.desk.store.db.conn.iterdump())


# PROPERTY_EXAMPLES=600 for a deeper search than the suite's quick one.
PostLife.TestCase.settings = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "40")), stateful_step_count=25,
    deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
test_any_sequence_of_events_ends_in_a_state_the_rules_allow = PostLife.TestCase
