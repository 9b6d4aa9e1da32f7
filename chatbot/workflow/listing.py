"""`checkpost pending` and `checkpost mine`: short lists of posts, as values an adapter renders.

The core decides what is listed, in which order, and the words of each line (`wording`); an
adapter turns each item's comms message (`comms_ref`) into a link of its platform (a Slack
permalink, a matrix.to link) and lays the lines out. Nothing here changes the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from chatbot.messages import MessageRef
from chatbot.workflow import post_rows, wording
from chatbot.workflow.people import Person
from chatbot.workflow.posts import OPEN_STATES, Post

#: At most this many posts in `mine`: every open one, then the newest of the others.
MINE_LIMIT = 15


@dataclass(frozen=True)
class Listed:
    """One post in a list: `standing` is the words after its number ("from U1, waiting 4 h
    10 min; blocking: …"); `comms_ref` the comms message of its current version, if shown."""

    number: int
    standing: str
    comms_ref: MessageRef | None
    waited: float | None
    blocking: tuple[str, ...]
    post: Post


@dataclass(frozen=True)
class Listing:
    """A list's title (which says when it is empty) and its items; `more` counts posts left out."""

    kind: Literal["pending", "mine"]
    title: str
    items: tuple[Listed, ...]
    more: int = 0


def pending(db: Database, platform: str, now: float) -> Listing:
    """What waits for a decision on `platform`, the longest waiting first."""
    items = []
    for number in post_rows.waiting_numbers(db, platform):
        post = post_rows.load_post(db, number)
        if post is None:
            continue
        waited = now - (post.waiting_since or post.current.submitted_at)
        blocking = post.blocking_labels
        items.append(Listed(number, wording.pending_standing(post.poster.user_id, waited,
                                                             blocking),
                            post.current.comms_ref, waited, blocking, post))
    return Listing("pending", wording.pending_title(len(items)), tuple(items))


def mine(db: Database, poster: Person, now: float) -> Listing:
    """The poster's posts, newest first: every open one, then the newest closed ones, at most
    `MINE_LIMIT` in all."""
    posts = [p for n in post_rows.numbers_of(db, poster) if (p := post_rows.load_post(db, n))]
    open_ = [p for p in posts if p.state in OPEN_STATES]
    room = max(0, MINE_LIMIT - len(open_))
    closed = [p for p in posts if p.state not in OPEN_STATES][:room]
    shown = sorted(open_ + closed, key=lambda p: -p.number)
    items = []
    for post in shown:
        waited = now - post.waiting_since if post.waiting_since is not None else None
        blocking = post.blocking_labels if post.state in OPEN_STATES else ()
        items.append(Listed(post.number, wording.mine_standing(post, waited, blocking),
                            post.current.comms_ref, waited, blocking, post))
    more = len(posts) - len(shown)
    return Listing("mine", wording.mine_title(len(items), more), tuple(items), more)
