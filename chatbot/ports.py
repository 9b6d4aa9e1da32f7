"""What the core asks of a chat platform, and an in-memory platform for tests.

The workflow never imports Slack or Matrix. When it needs to reach a person it calls a `Port`,
which each adapter implements (Block Kit for Slack, HTML for Matrix). The core composes the
words (`Notice.text`, `ReminderNotice.text`, in the policy's wording); an adapter may render
them richer from the structured fields, but must not need to invent content.

Rules every implementation keeps:
- Calls come after the state change is committed, never inside a database transaction, and
  may come from the reminder thread as well as from request handlers.
- A method raises only when the message certainly did not go out (the core keeps the job and
  tries again later; see `workflow.jobs`). The core catches and logs it; a person's action
  is never undone because a notification failed. A message may be sent again after a crash
  (at least once), so a platform that can drop a repeated send should.
- `platform` names the people and posts this port can reach (`Person.platform`); the core
  sends it nothing for another platform.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from chatbot.workflow.incidents import Incident
    from chatbot.workflow.people import Person
    from chatbot.workflow.posts import Post


@dataclass(frozen=True)
class MessageRef:
    """An adapter's handle on a message it posted: opaque `id` (e.g. `C123/1700.1` or a Matrix
    `!room/$event`), and `where`, a human name for the place ("#comms") used in replies."""

    id: str
    where: str = ""


@dataclass(frozen=True)
class Notice:
    """Something a person or the comms team should know. `kind` lets an adapter pick a style:
    submitted, revised, approved, changes-requested, approval-lost, withdrawn,
    published, published-unapproved, major-reaction, comms-unreachable, routed. `actor` is who
    caused it, for an adapter that renders a mention; `text` names them by user id. `key` is
    the same every time this notice is sent again (a retried job): a platform that can drop a
    repeated send by an id (Matrix's transaction ids) should use it. `post` is the post as it
    stood when the notice was sent, where the notice is about one (the poster's findings are
    rendered from it); it is not stored with a job, which keeps only `post_number`."""

    kind: str
    text: str
    post_number: int | None = None
    url: str = ""
    incident_id: int | None = None
    actor: Person | None = None
    key: str = ""
    post: Post | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ReminderNotice:
    """One reminder to the poster to check the reactions to their published post.

    `seq` counts from 0 (the first reminder carries the policy's advice on reactions);
    `late` is true when it fell due while the bot was not running; `command` is the metrics
    command to suggest, without the platform's prefix (`/checkpost`, `!checkpost`).
    """

    post_number: int
    url: str
    link_platform: str
    seq: int
    total: int
    due_at: float
    late: bool
    text: str
    command: str


class Port(Protocol):
    """The small interface each chat adapter implements for the core."""

    platform: str
    #: How people name the comms channel/room ("<#C0123>", "#comms:example.org"), known before
    #: anything is sent there (the poster's findings do not wait for the comms message).
    comms_where: str

    def show_to_comms(self, post: Post) -> MessageRef:
        """Post this version of the post to the comms channel/room for approval."""
        ...

    def update_comms_message(self, ref: MessageRef, post: Post) -> None:
        """Re-render an earlier comms message: its state, votes, or that it was superseded
        (`ref` differs from `post.current.comms_ref`)."""
        ...

    def tell(self, person: Person, notice: Notice) -> None:
        """A direct message to one person (the poster, usually)."""
        ...

    def alert_comms(self, notice: Notice) -> None:
        """A message to the comms channel/room that is not about approving a post."""
        ...

    def remind(self, person: Person, reminder: ReminderNotice) -> None:
        """A direct message asking the poster to check the reactions to their post."""
        ...

    def show_incident_to_comms(self, incident: Incident) -> MessageRef:
        """Post an incident and its checklist to comms, with a way to mark each step done."""
        ...

    def update_incident_message(self, ref: MessageRef, incident: Incident) -> None:
        """Re-render an incident's checklist after a step was marked done."""
        ...


class PortError(RuntimeError):
    """A port could not deliver a message (raised by `MemoryPort` when told to fail)."""


@dataclass
class Call:
    method: str
    args: tuple[Any, ...]


@dataclass
class MemoryPort:
    """A `Port` that records every call instead of talking to a platform; the core's tests use it.

    `fail` names methods that should raise `PortError` (to test delivery failures);
    `wait_for` lets a test block until the reminder thread made a call, without sleeping.
    """

    platform: str = "memory"
    comms_where: str = "#comms"
    fail: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._changed = threading.Condition()

    def show_to_comms(self, post: Post) -> MessageRef:
        ref = MessageRef(f"comms-{next(self._ids)}", "#comms")
        self._record("show_to_comms", post)
        return ref

    def update_comms_message(self, ref: MessageRef, post: Post) -> None:
        self._record("update_comms_message", ref, post)

    def tell(self, person: Person, notice: Notice) -> None:
        self._record("tell", person, notice)

    def alert_comms(self, notice: Notice) -> None:
        self._record("alert_comms", notice)

    def remind(self, person: Person, reminder: ReminderNotice) -> None:
        self._record("remind", person, reminder)

    def show_incident_to_comms(self, incident: Incident) -> MessageRef:
        ref = MessageRef(f"incident-{next(self._ids)}", "#comms")
        self._record("show_incident_to_comms", incident)
        return ref

    def update_incident_message(self, ref: MessageRef, incident: Incident) -> None:
        self._record("update_incident_message", ref, incident)

    # --- for tests -------------------------------------------------------------------------

    def of(self, method: str) -> list[tuple[Any, ...]]:
        """The arguments of every successful call of `method`, in order."""
        with self._changed:
            return [c.args for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._changed:
            self.calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until `method` has been called `count` times (a condition, not a sleep)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: sum(c.method == method for c in self.calls) >= count, timeout
            )

    def _record(self, method: str, *args: Any) -> None:
        if method in self.fail:
            raise PortError(f"{method} failed (MemoryPort told to fail)")
        with self._changed:
            self.calls.append(Call(method, args))
            self._changed.notify_all()
