"""The life of a post: its states, its versions and votes, and the rules of who may decide.

A submitted draft becomes post N in `pending-approval`. Comms members vote on the current
version; the state of an open post is always a function of those votes (`state_for_votes`),
so withdrawing a vote or revising the draft can never leave a stale "approved" behind:

- a request for changes from any comms member holds until they withdraw it or the poster
  revises the draft;
- otherwise `approvals_required` distinct approvals make it `approved`, but a version with
  `error`-level findings needs at least one of those approvals to carry an override reason;
- a new version starts with no votes.

`published` and `withdrawn` are final for decisions: votes on them change nothing (see
`decisions` for who may decide, and the refusals). These functions are pure;
`service.Workflow` applies them inside a transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from chatbot.messages import MessageRef
from chatbot.policy.model import Draft, Finding, Verdict
from chatbot.workflow.people import Person


class PostState(StrEnum):
    PENDING = "pending-approval"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes-requested"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({PostState.PENDING, PostState.APPROVED, PostState.CHANGES_REQUESTED})

VoteKind = Literal["approve", "changes"]


@dataclass(frozen=True)
class Vote:
    voter: Person
    kind: VoteKind
    at: float
    comment: str = ""
    override_reason: str = ""


@dataclass(frozen=True)
class Version:
    """One text of a post, as submitted and checked. After a purge `draft.text` is empty."""

    number: int
    draft: Draft
    verdict: Verdict
    submitted_by: Person
    submitted_at: float
    comms_ref: MessageRef | None = None
    purged: bool = False

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.verdict.findings if f.level == "error")


@dataclass(frozen=True)
class Link:
    """Where the post went out: one per social network it was (cross-)posted on."""

    id: int
    network: str
    url: str
    published_by: Person
    published_at: float
    approved: bool


@dataclass(frozen=True)
class Post:
    number: int
    poster: Person
    state: PostState
    versions: tuple[Version, ...]
    votes: tuple[Vote, ...]
    links: tuple[Link, ...]
    created_at: float
    updated_at: float
    approved_at: float | None = None
    published_at: float | None = None
    withdrawn_at: float | None = None
    purged_at: float | None = None
    #: When it last began to wait for a decision (submitted, revised after a decision, an
    #: approval withdrawn); None when it does not wait (`pending-approval` only).
    waiting_since: float | None = None

    @property
    def platform(self) -> str:
        """The chat platform the post lives on: its poster's."""
        return self.poster.platform

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def approvals(self) -> tuple[Vote, ...]:
        return tuple(v for v in self.votes if v.kind == "approve")

    @property
    def change_requests(self) -> tuple[Vote, ...]:
        return tuple(v for v in self.votes if v.kind == "changes")

    @property
    def override(self) -> Vote | None:
        """The approval that overrode the current version's error findings, if any."""
        return next((v for v in self.approvals if v.override_reason), None)

    @property
    def needs_override(self) -> bool:
        """An approval of it must give a reason: the current version has error-level findings
        and no approval has overridden them yet."""
        return bool(self.current.errors) and self.override is None

    @property
    def blocking_labels(self) -> tuple[str, ...]:
        """The labels of the error-level findings that keep it from approval until an
        approval gives an override reason (none once one has)."""
        if not self.needs_override:
            return ()
        return tuple(sorted({f.label for f in self.current.errors}))

    def shown_in(self, ref: MessageRef) -> Version:
        """The version a comms message shows: the one it was posted for, or the current one
        (a message the post does not know of, e.g. from before it was recorded)."""
        return next((v for v in self.versions if v.comms_ref and v.comms_ref.id == ref.id),
                    self.current)

    def vote_of(self, person: Person) -> Vote | None:
        return next((v for v in self.votes if v.voter == person), None)


def state_for_votes(
    votes: Iterable[Vote], *, has_errors: bool, approvals_required: int
) -> PostState:
    """The state of an open post, given the votes on its current version."""
    votes = list(votes)
    if any(v.kind == "changes" for v in votes):
        return PostState.CHANGES_REQUESTED
    approvals = [v for v in votes if v.kind == "approve"]
    overridden = any(v.override_reason for v in approvals)
    if len(approvals) >= approvals_required and (not has_errors or overridden):
        return PostState.APPROVED
    return PostState.PENDING
