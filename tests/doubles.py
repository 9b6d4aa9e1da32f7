"""Test doubles of the core's collaborators: `MemoryPort`, a port that records its calls."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from chatbot.messages import MessageRef
from chatbot.notices import Notice, NudgeNotice, ReminderNotice
from chatbot.ports import PortError
from chatbot.workflow.incidents import Incident
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Post


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

    def show_to_comms(self, post: Post, *, again: bool = False) -> MessageRef:
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

    def nudge_comms(self, nudge: NudgeNotice) -> None:
        self._record("nudge_comms", nudge)

    def show_incident_to_comms(self, incident: Incident, *, again: bool = False) -> MessageRef:
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
