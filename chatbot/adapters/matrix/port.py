"""`MatrixPort`: how the core reaches people on Matrix.

Posts go to the comms room as HTML notices and are re-rendered with `m.replace` edits; notices
and reminders go to a direct chat with the person, which the bot opens (and remembers) the
first time it needs one, and opens again if the old one is gone.

The port's methods are synchronous and run on handler threads and on the reminder thread;
each hands its requests to the connection's event loop and waits (see `transport`). Sends
that must not be repeated carry a transaction id derived from what they are (this post's
version, this reminder), so a retry — by nio, by us, or by the reminder scheduler after a
failure — is stored once by the homeserver.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from chatbot.chat import SAID_IN_THE_ANSWER
from chatbot.display_names import DisplayNames
from chatbot.messages import MessageRef
from chatbot.notices import Notice, NudgeNotice, ReminderNotice
from chatbot.ports import PortError
from chatbot.workflow.incidents import Incident
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Post

from . import html, lists
from .state import BotState
from .transport import Connection, MatrixError

PLATFORM = "matrix"

#: Errors that mean a remembered direct chat can no longer be used.
_ROOM_GONE = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN"})


@dataclass
class CommsRoom:
    """The configured comms room: its id once joined, and a name for people ("#comms:…")."""

    configured: str
    room_id: str | None = None
    where: str = "the comms room"


class MatrixPort:
    platform = PLATFORM

    def __init__(self, conn: Connection, state: BotState, comms: CommsRoom,
                 approvals_required: int = 1) -> None:
        self.conn = conn
        self.state = state
        self.comms = comms
        self.approvals_required = approvals_required
        self.names = DisplayNames(lambda user_id: self._run(self.conn.display_name(user_id)))
        self._dm_locks: dict[str, threading.Lock] = {}
        self._dm_guard = threading.Lock()

    @property
    def comms_where(self) -> str:
        return self.comms.where

    # --- the comms room --------------------------------------------------------------------

    def show_to_comms(self, post: Post, *, again: bool = False) -> MessageRef:
        # `again` needs nothing here: the same transaction id makes the homeserver keep one
        room = self._comms_room()
        version = post.current
        rendered = self.named(html.comms_message(post, version, self.approvals_required))
        event_id = self._run(self.conn.send(
            room, html.notice_content(rendered),
            txn=self.txn("comms", str(post.number), str(version.number))))
        return MessageRef(f"{room}/{event_id}", self.comms.where)

    def update_comms_message(self, ref: MessageRef, post: Post) -> None:
        room, event_id = split_ref(ref)
        rendered = self.named(html.comms_message(post, post.shown_in(ref),
                                                 self.approvals_required))
        self._run(self.conn.send(room, html.replacement(event_id, rendered)))

    def alert_comms(self, notice: Notice) -> None:
        self._run(self.conn.send(self._comms_room(),
                                 html.notice_content(self.named(html.notice(notice))),
                                 txn=self.txn("alert", notice.key) if notice.key else None))

    def nudge_comms(self, nudge: NudgeNotice) -> None:
        """In the thread of the post's comms message (or the comms room, if it has none)."""
        rendered = self.named(lists.nudge(nudge))
        if nudge.thread is None:
            room, relates_to = self._comms_room(), None
        else:
            room, event_id = split_ref(nudge.thread)
            relates_to = html.in_thread(event_id)
        self._run(self.conn.send(room, html.notice_content(rendered, relates_to=relates_to),
                                 txn=self.txn("nudge", nudge.key)))

    def show_incident_to_comms(self, incident: Incident, *, again: bool = False) -> MessageRef:
        room = self._comms_room()
        event_id = self._run(self.conn.send(
            room, html.notice_content(self.named(html.incident(incident))),
            txn=self.txn("incident", str(incident.id))))
        return MessageRef(f"{room}/{event_id}", self.comms.where)

    def update_incident_message(self, ref: MessageRef, incident: Incident) -> None:
        room, event_id = split_ref(ref)
        self._run(self.conn.send(room, html.replacement(event_id,
                                                        self.named(html.incident(incident)))))

    # --- people ----------------------------------------------------------------------------

    def tell(self, person: Person, notice: Notice) -> None:
        if notice.kind in SAID_IN_THE_ANSWER:
            return  # a Matrix draft is answered in its thread, which says this (`answer_draft`)
        self._direct(person, html.notice_content(self.named(html.notice(notice))),
                     txn=self.txn("notice", notice.key) if notice.key else None)

    def remind(self, person: Person, reminder: ReminderNotice) -> None:
        self._direct(person, html.notice_content(html.reminder(reminder)),
                     txn=self.txn("remind", str(reminder.post_number), reminder.link_network,
                                  str(reminder.seq)))

    def direct_room(self, user_id: str) -> str:
        """The direct chat with `user_id`, opened now if there is none."""
        with self._dm_lock(user_id):
            room = self.state.direct_room(user_id)
            if room is None:
                room = self._run(self.conn.create_direct_room(user_id))
                self.state.set_direct_room(user_id, room)
            return room

    def _direct(self, person: Person, content: dict[str, Any], txn: str | None = None) -> None:
        if person.platform != PLATFORM:
            raise PortError(f"{person} is not a Matrix user")
        user_id = person.user_id
        room = self.direct_room(user_id)
        try:
            self._run(self.conn.send(room, content, txn=txn))
        except MatrixError as exc:
            if exc.code not in _ROOM_GONE:
                raise
            with self._dm_lock(user_id):  # the bot was removed from it: open a new one
                if self.state.direct_room(user_id) == room:
                    self.state.set_direct_room(user_id, "")
            room = self.direct_room(user_id)
            self._run(self.conn.send(room, content, txn=f"{txn}.2" if txn else None))

    def forget_direct_room(self, user_id: str, room_id: str) -> None:
        """`user_id` left `room_id`; if it was their direct chat, the next message opens another."""
        with self._dm_lock(user_id):
            if self.state.direct_room(user_id) == room_id:
                self.state.set_direct_room(user_id, "")

    def named(self, rendered: html.Rendered) -> html.Rendered:
        """People in `rendered` by display name (looked up once, then cached), as pills."""
        return html.named(rendered, self.names.name)

    # --- machinery -------------------------------------------------------------------------

    def txn(self, *parts: str) -> str:
        return txn_id(self.state.install_id, *parts)

    def _comms_room(self) -> str:
        if not self.comms.room_id:
            raise PortError(f"the bot is not in the comms room {self.comms.configured}; "
                            "invite it there")
        return self.comms.room_id

    def _run(self, coro: Any) -> Any:
        return self.conn.call(coro)

    def _dm_lock(self, user_id: str) -> threading.Lock:
        with self._dm_guard:
            return self._dm_locks.setdefault(user_id, threading.Lock())


def txn_id(install_id: str, *parts: str) -> str:
    """A transaction id that is the same every time the same thing is sent from this database
    (URL-safe and short, whatever the parts hold)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"checkpost.{install_id}.{parts[0] if parts else 'x'}.{digest}"


def split_ref(ref: MessageRef) -> tuple[str, str]:
    room, sep, event = ref.id.partition("/$")
    if not sep:
        raise PortError(f"{ref.id!r} is not a Matrix message reference")
    return room, "$" + event
