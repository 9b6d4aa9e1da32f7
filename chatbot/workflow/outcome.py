"""What every workflow action answers: what happened and why, in words a person can read.

The workflow never raises for a person's mistake (an unknown post number, a vote from outside
the comms list, a bad metrics line). It returns an `Outcome` with `ok=False`, a `code` an
adapter can branch on, and a `message` it can show as is. Exceptions are kept for faults of
the program or the machine (a broken database), which no person can fix by trying again.

`changed` says whether the database changed; `duplicate` that the event's idempotency key was
seen before, so this is the earlier answer and nothing was done now (an adapter should not
notify anyone again).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chatbot.workflow.incidents import Incident
from chatbot.workflow.posts import Post


class Code(StrEnum):
    # done
    SUBMITTED = "submitted"
    REVISED = "revised"
    VOTE_RECORDED = "vote-recorded"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes-requested"
    VOTE_WITHDRAWN = "vote-withdrawn"
    PUBLISHED = "published"
    LINK_ADDED = "link-added"
    LINK_UPDATED = "link-updated"
    WITHDRAWN = "withdrawn"
    METRICS_RECORDED = "metrics-recorded"
    INCIDENT_RECORDED = "incident-recorded"
    STEP_DONE = "step-done"
    INCIDENT_CLOSED = "incident-closed"
    NOTHING_CHANGED = "nothing-changed"
    # refused: nothing changed
    UNKNOWN_POST = "unknown-post"
    UNKNOWN_INCIDENT = "unknown-incident"
    UNKNOWN_STEP = "unknown-step"
    NOT_COMMS = "not-comms"
    OWN_POST = "own-post"
    NOT_ALLOWED = "not-allowed"
    OTHER_PLATFORM = "other-platform"
    NEEDS_OVERRIDE = "needs-override"
    ALREADY_PUBLISHED = "already-published"
    POST_WITHDRAWN = "post-withdrawn"
    STALE_VERSION = "stale-version"
    NO_VOTE = "no-vote"
    NOT_PUBLISHED = "not-published"
    BAD_INPUT = "bad-input"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: Code
    message: str
    post: Post | None = None
    incident: Incident | None = None
    changed: bool = False
    duplicate: bool = False
    warnings: tuple[str, ...] = ()
    delivery_errors: tuple[str, ...] = ()

    @classmethod
    def done(cls, code: Code, message: str, **kwargs: Any) -> Outcome:
        return cls(True, code, message, changed=True, **kwargs)

    @classmethod
    def unchanged(cls, message: str, **kwargs: Any) -> Outcome:
        return cls(True, Code.NOTHING_CHANGED, message, **kwargs)

    @classmethod
    def refused(cls, code: Code, message: str, **kwargs: Any) -> Outcome:
        return cls(False, code, message, **kwargs)

    def to_json(self) -> dict[str, Any]:
        """What the idempotency table keeps: everything but the snapshots, which are reloaded."""
        return {
            "ok": self.ok,
            "code": str(self.code),
            "message": self.message,
            "changed": self.changed,
            "warnings": list(self.warnings),
            "post": self.post.number if self.post else None,
            "incident": self.incident.id if self.incident else None,
        }
