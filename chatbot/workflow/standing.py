"""Where a post stands, worked out once: what `checkpost status` says and the comms message shows.

The status line (`wording.summary`), the state line of Slack's comms message and that of the
Matrix comms room say the same facts in their own words and markup: the state, how many
approvals it has of how many it needs, who approved or asked for changes (with their comments
and an override reason), whether error-level findings still need an override, where it went
live. Those facts, and the rules behind them (an old version's message is superseded; a post
published without any approval says so), are decided here, so a surface only chooses words.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.workflow.posts import OPEN_STATES, Link, Post, PostState, Version, Vote


@dataclass(frozen=True)
class PostStanding:
    """A post's standing, as of one version's message.

    `approvals` and `change_requests` are the votes on the current version (each with its
    comment, an approval with its override reason); `override` is the approval that overrode
    the error-level findings, if one did. `needs_override` is true while the current version
    has error-level findings and no approval overrides them (whatever the state: an approval
    would need one). `ever_approved` tells a published post that had approval from one marked
    published before any. `superseded_by` is the current version's number when the message
    is about an older one, whose votes no longer count; None otherwise.
    """

    number: int
    state: PostState
    required: int
    approvals: tuple[Vote, ...]
    change_requests: tuple[Vote, ...]
    override: Vote | None
    needs_override: bool
    links: tuple[Link, ...]
    ever_approved: bool
    superseded_by: int | None = None

    @property
    def open(self) -> bool:
        """Comms can still decide on it (pending, approved or with changes requested)."""
        return self.state in OPEN_STATES

    @property
    def decidable(self) -> bool:
        """The message may offer a decision: the post is open and it shows the newest version."""
        return self.open and self.superseded_by is None


def post_standing(post: Post, required: int, version: Version | None = None) -> PostStanding:
    """`post`'s standing with `required` approvals needed, as the message of `version` (by
    default the current one) should show it."""
    shown = version.number if version is not None else post.current.number
    return PostStanding(
        number=post.number,
        state=post.state,
        required=required,
        approvals=post.approvals,
        change_requests=post.change_requests,
        override=post.override,
        needs_override=post.needs_override,
        links=post.links,
        ever_approved=bool(post.approvals) or post.approved_at is not None,
        superseded_by=post.current.number if shown != post.current.number else None,
    )
