"""What the core tells people through a port: a `Notice`, a `ReminderNotice` or a `NudgeNotice`.

The core composes the words (`text`, in the policy's wording, see `workflow.wording`); an
adapter may render them richer from the structured fields, but must not need to invent
content. These are values: they depend on the model (people, posts), never on a port.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatbot.messages import MessageRef
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Post


@dataclass(frozen=True)
class Notice:
    """Something a person or the comms team should know. `kind` lets an adapter pick a style:
    submitted, revised, approved, changes-requested, approval-lost, withdrawn,
    published, published-unapproved, major-reaction, comms-unreachable, routed. `actor` is who
    caused it, for an adapter that renders a mention; `text` names them by user id. `key` is
    the same every time this notice is sent again (a retried job): a platform that can drop a
    repeated send by an id (Matrix's transaction ids) should use it, and one that cannot should
    look for it first when `again` says an earlier attempt may have gone out (Slack: the
    message's metadata, see `adapters.slack.port`). `post` is the post as it
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
    again: bool = False


@dataclass(frozen=True)
class ReminderNotice:
    """One reminder to the poster to check the reactions to their published post.

    `seq` counts from 0 (the first reminder carries the policy's advice on reactions);
    `late` is true when it fell due while the bot was not running; `command` is the metrics
    command to suggest, without the platform's prefix (`/checkpost`, `!checkpost`). `key` and
    `again` mean what they mean on a `Notice`: a reminder claimed again after a crash keeps
    its key.
    """

    post_number: int
    url: str
    link_network: str
    seq: int
    total: int
    due_at: float
    late: bool
    text: str
    command: str
    key: str = ""
    again: bool = False


@dataclass(frozen=True)
class NudgeNotice:
    """A nudge to the comms team: post `post_number` has waited `waited` seconds for a decision.

    `thread` is the comms message of the post's current version, to reply under (None when it
    was never shown there: the nudge then goes to the channel/room itself). `seq` counts the
    nudges of this wait from 0; `blocking` names the labels of the error-level findings that
    still need an override. `key` is the same whenever this nudge is sent again, for a
    platform that can drop a repeated send.
    """

    post_number: int
    poster: Person
    waited: float
    seq: int
    late: bool
    blocking: tuple[str, ...]
    thread: MessageRef | None
    text: str
    key: str
