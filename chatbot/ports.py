"""What the core asks of a chat platform.

The workflow never imports Slack or Matrix. When it needs to reach a person it calls a `Port`,
which each adapter implements (Block Kit for Slack, HTML for Matrix), with what it says in
`notices` and the handles it returns in `messages`. The tests' in-memory port is
`tests/doubles.py`.

Rules every implementation keeps:
- Calls come after the state change is committed, never inside a database transaction, and
  may come from the reminder thread as well as from request handlers.
- A method raises only when the message certainly did not go out (the core keeps the job and
  tries again later; see `workflow.jobs`). The core catches and logs it; a person's action
  is never undone because a notification failed. A message may be sent again after a crash
  (at least once), marked by `again` and a stable key, so a platform that can drop a repeated
  send, or find that it went out, should.
- `platform` names the people and posts this port can reach (`Person.platform`); the core
  sends it nothing for another platform.
"""

from __future__ import annotations

from typing import Protocol

from chatbot.messages import MessageRef
from chatbot.notices import Notice, NudgeNotice, ReminderNotice
from chatbot.workflow.incidents import Incident
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Post


class Port(Protocol):
    """The small interface each chat adapter implements for the core."""

    platform: str
    #: How people name the comms channel/room ("<#C0123>", "#comms:example.org"), known before
    #: anything is sent there (the poster's findings do not wait for the comms message).
    comms_where: str

    def show_to_comms(self, post: Post, *, again: bool = False) -> MessageRef:
        """Post this version of the post to the comms channel/room for approval. `again`: an
        earlier attempt may have gone out (return that message rather than post another)."""
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

    def nudge_comms(self, nudge: NudgeNotice) -> None:
        """Tell comms that a post has waited too long for a decision: a reply in the thread of
        its comms message (`nudge.thread`), or in the channel/room when it has none."""
        ...

    def show_incident_to_comms(self, incident: Incident, *, again: bool = False) -> MessageRef:
        """Post an incident and its checklist to comms, with a way to mark each step done
        (`again` as for `show_to_comms`)."""
        ...

    def update_incident_message(self, ref: MessageRef, incident: Incident) -> None:
        """Re-render an incident's checklist after a step was marked done."""
        ...


class PortError(RuntimeError):
    """A port could not deliver a message (the core keeps the job and tries again later)."""
