"""Who may do what to a post, and the refusal each one meets otherwise.

Each function returns None when the action may go ahead, or the `Outcome` that refuses it,
in the words of `wording`; none of them changes anything. `service.Workflow` asks them twice
where it matters: before the slow part of an action (checking a draft) and again inside the
transaction, where the answer counts.
"""

from __future__ import annotations

from collections.abc import Collection

from chatbot.workflow import wording
from chatbot.workflow.outcome import Code, Outcome
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Post, PostState, VoteKind


def refuse_vote(
    post: Post,
    voter: Person,
    kind: VoteKind | None,
    *,
    comms: Collection[Person],
    version: int | None = None,
    override_reason: str = "",
) -> Outcome | None:
    """Why this vote (or withdrawal of a vote, `kind=None`) must change nothing, or None.

    Checked in this order, so a person hears the most basic reason first: outsiders and the
    poster never count, then a final post, then a stale message, then the override rule.
    """
    n = post.number
    if voter not in comms:
        return Outcome.refused(Code.NOT_COMMS, wording.not_comms(n), post=post)
    if voter == post.poster:
        return Outcome.refused(Code.OWN_POST, wording.own_post(n), post=post)
    if voter.platform != post.platform:
        return Outcome.refused(Code.OTHER_PLATFORM, wording.decide_elsewhere(n, post.platform),
                               post=post)
    if final := refuse_final(post):
        return final
    if version is not None and version != post.current.number:
        return Outcome.refused(Code.STALE_VERSION,
                               wording.stale_version(n, version, post.current.number), post=post)
    if kind == "approve" and not override_reason and post.needs_override:
        return Outcome.refused(Code.NEEDS_OVERRIDE,
                               wording.needs_override(n, post.current.errors), post=post)
    return None


def refuse_final(post: Post) -> Outcome | None:
    """Decisions and revisions on a published or withdrawn post change nothing."""
    if post.state is PostState.PUBLISHED:
        return Outcome.refused(Code.ALREADY_PUBLISHED, wording.already_published(post.number),
                               post=post)
    if post.state is PostState.WITHDRAWN:
        return Outcome.refused(Code.POST_WITHDRAWN, wording.was_withdrawn(post.number), post=post)
    return None


def refuse_actor(post: Post, by: Person, doing: str, *,
                 comms: Collection[Person]) -> Outcome | None:
    """Marking a post published or withdrawing it: its poster's or a comms member's, on the
    post's own platform."""
    if by != post.poster and by not in comms:
        return Outcome.refused(Code.NOT_ALLOWED, wording.not_poster_or_comms(post.number, doing),
                               post=post)
    if by.platform != post.platform:
        return Outcome.refused(Code.OTHER_PLATFORM,
                               wording.act_elsewhere(post.number, post.platform, doing),
                               post=post)
    return None


def refuse_revision(post: Post, by: Person) -> Outcome | None:
    """Only the poster revises, and only an open post."""
    if by != post.poster:
        return Outcome.refused(Code.NOT_ALLOWED, wording.only_poster_revises(post.number),
                               post=post)
    return refuse_final(post)


def unknown_post(number: int) -> Outcome:
    """The refusal of anything done to a post number that does not exist."""
    return Outcome.refused(Code.UNKNOWN_POST, wording.unknown_post(number))
