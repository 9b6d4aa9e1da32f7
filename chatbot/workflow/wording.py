"""Every sentence the workflow says to a person, in one place, and how it writes a command.

The workflow's answers (`Outcome.message`), its notices (`Notice.text`) and its reminders are
plain text in the policy's wording, read the same in a terminal, Slack and Matrix. A command
the person should type is written with `command(...)` as `` `checkpost …` ``, a marked span;
each adapter shows it as typed on its platform (`/checkpost …`, `!checkpost …`) with
`typed_as`, so no adapter has to find commands in the text on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chatbot.policy.model import Finding, Verdict
from chatbot.workflow.posts import Post, PostState, Vote
from chatbot.workflow.standing import PostStanding, post_standing

#: The platform-neutral name of the command; the mark `command` writes starts with it.
COMMAND = "checkpost"
_MARK = f"`{COMMAND}"


def command(words: str) -> str:
    """A command to type, e.g. `command("published 3 URL")` → `` `checkpost published 3 URL` ``."""
    return f"{_MARK} {words}`"


def typed_as(text: str, prefix: str) -> str:
    """`text` with each command written by `command` as typed on a platform: `prefix` (such as
    `/checkpost` or `!checkpost`) in place of the neutral `checkpost`."""
    pieces = text.split(_MARK)
    out = [pieces[0]]
    for piece in pieces[1:]:
        whole_word = not piece[:1] or not (piece[0].isalnum() or piece[0] == "_")
        out.append((f"`{prefix}" if whole_word else _MARK) + piece)
    return "".join(out)


# --- submitting ------------------------------------------------------------------------------


def empty_draft() -> str:
    return "The draft is empty; write the post's text."


def unknown_post(number: int) -> str:
    return f"There is no post {number}; check the number in the bot's reply to your draft."


def submitted(number: int, verdict: Verdict) -> str:
    return (f"Post {number} is submitted: {findings_line(verdict)} It waits for the comms "
            "team's approval.")


def revised(number: int, version: int, verdict: Verdict) -> str:
    return (f"Post {number} is now version {version}: {findings_line(verdict)} Earlier votes "
            "are reset; it waits for the comms team's approval again.")


def goes_to_comms(number: int, version: int, where: str) -> str:
    """To the poster with their findings: where the post waits."""
    return f"Post {number} (version {version}) goes to {where} for approval."


def comms_unreachable(number: int, version: int) -> str:
    return (f"Post {number} (version {version}) could not be shown to the comms team yet; it "
            "is saved, and checkpost tries again and tells you when they have it.")


def routed(number: int, version: int, where: str) -> str:
    """After `comms_unreachable`: the comms team has it now."""
    return f"Post {number} (version {version}) is now in {where} for approval."


def findings_line(verdict: Verdict) -> str:
    if not verdict.findings:
        return "no findings."
    errors = sum(f.level == "error" for f in verdict.findings)
    return (f"{len(verdict.findings)} finding(s), {errors} of them error-level"
            f" ({', '.join(sorted(verdict.labels))}).")


# --- deciding --------------------------------------------------------------------------------


def vote_name(kind: str) -> str:
    return "approval" if kind == "approve" else "change request"


def no_vote_to_withdraw(number: int, kind: str | None) -> str:
    what = {"approve": "approval", "changes": "change request", None: "vote"}[kind]
    return f"You have no {what} on post {number} to withdraw; nothing changed."


def vote_already_recorded(number: int, kind: str) -> str:
    return f"Your {vote_name(kind)} of post {number} is already recorded; nothing changed."


def approved(post: Post) -> str:
    who = ", ".join(v.voter.user_id for v in post.approvals)
    return f"Post {post.number} is approved (by {who}); the poster can publish it."


def changes_requested(number: int) -> str:
    return f"Changes are requested on post {number}; the poster is told."


def vote_withdrawn(post: Post, required: int) -> str:
    return (f"Your vote on post {post.number} is withdrawn. "
            + summary(post_standing(post, required)))


def vote_recorded(post: Post, vote: Vote, required: int) -> str:
    return (f"Your {vote_name(vote.kind)} of post {post.number} is recorded. "
            + summary(post_standing(post, required)))


def approved_notice(number: int) -> str:
    """To the poster: their post may go out."""
    return (f"Post {number} is approved; publish it, then mark it with "
            f"{command(f'published {number} URL')}.")


def changes_requested_notice(number: int, requests: Sequence[Vote]) -> str:
    comments = "; ".join(f"{v.voter.user_id}: {v.comment}" if v.comment else v.voter.user_id
                         for v in requests)
    return (f"Changes are requested on post {number} ({comments}). Revise the draft to submit "
            "a new version.")


def approval_lost(post: Post, required: int) -> str:
    return (f"Post {post.number} waits for approval again: "
            + summary(post_standing(post, required)))


def not_comms(number: int) -> str:
    return (f"Only the comms team decides on posts, and you are not on its list: nothing "
            f"changed on post {number}.")


def own_post(number: int) -> str:
    return (f"You submitted post {number}, so your vote does not count: another comms member "
            "must decide on it. Nothing changed.")


def decide_elsewhere(number: int, platform: str) -> str:
    return f"Post {number} was submitted on {platform}; decide on it there. Nothing changed."


def stale_version(number: int, shown: int, current: int) -> str:
    return (f"That message shows version {shown} of post {number}, which the poster has since "
            f"revised (now version {current}); decide on the newest message. Nothing changed.")


def needs_override(number: int, errors: Sequence[Finding]) -> str:
    labels = ", ".join(sorted({f.label for f in errors}))
    return (f"Post {number} has {len(errors)} error-level finding(s) ({labels}). It can be "
            "approved only with an override reason, which is recorded. Nothing changed.")


def already_published(number: int) -> str:
    return f"Post {number} is already published; nothing changed."


def was_withdrawn(number: int) -> str:
    return f"Post {number} was withdrawn; nothing changed."


def not_poster_or_comms(number: int, doing: str) -> str:
    return f"Only the poster of post {number} or a comms member can {doing}; nothing changed."


def act_elsewhere(number: int, platform: str, doing: str) -> str:
    return f"Post {number} was submitted on {platform}; {doing} there. Nothing changed."


def only_poster_revises(number: int) -> str:
    return f"Only the poster of post {number} can revise it; nothing changed."


def summary(standing: PostStanding) -> str:
    """`checkpost status N`: where the post stands (`post_standing`), in one line."""
    n = standing.number
    match standing.state:
        case PostState.PENDING:
            text = (f"Post {n} waits for approval: {len(standing.approvals)} of "
                    f"{standing.required} approval(s).")
            if standing.needs_override:
                text += " Its error-level findings need an override reason to approve."
            return text
        case PostState.APPROVED:
            return f"Post {n} is approved; it can be published."
        case PostState.CHANGES_REQUESTED:
            who = ", ".join(v.voter.user_id for v in standing.change_requests)
            return f"Post {n} has changes requested (by {who}); it waits for a new version."
        case PostState.PUBLISHED:
            return f"Post {n} is published: " + ", ".join(k.url for k in standing.links) + "."
        case PostState.WITHDRAWN:
            return f"Post {n} was withdrawn."
    return f"Post {n} is {standing.state}."


# --- publishing and withdrawing --------------------------------------------------------------


def already_published_at(number: int, platform: str, url: str) -> str:
    return (f"Post {number} is already recorded as published on {platform} at {url}; nothing "
            "changed.")


def link_updated(number: int, platform: str, url: str) -> str:
    return f"Post {number}'s {platform} link is now {url}."


def published_unapproved(number: int, state: PostState) -> str:
    """The warning in the outcome of marking an unapproved post published."""
    return (f"Post {number} was published without the comms team's approval (it was "
            f"{state}); the comms team is told.")


def published_unapproved_alert(number: int, platform: str, state: PostState, by: str,
                               url: str) -> str:
    return (f"Post {number} was published on {platform} without approval (it was {state}), "
            f"marked by {by}: {url}")


def published_by_other(by: str, number: int, platform: str, url: str) -> str:
    return (f"{by} marked post {number} published on {platform}: {url}. Reminders to check "
            "the reactions will follow.")


def marked_published(number: int, platform: str, url: str, offsets: Iterable[int]) -> str:
    when = ", ".join(offset_name(o) for o in offsets) or "none"
    return (f"Post {number} is marked published on {platform}: {url}. Reminders to check the "
            f"reactions: {when}.")


def withdrawn_by(by: str, number: int, reason: str) -> str:
    return f"{by} withdrew post {number}" + (f": {reason}" if reason else ".")


def withdrawn(number: int, cancelled: int) -> str:
    return (f"Post {number} is withdrawn"
            + (f" and its {cancelled} pending reminder(s) cancelled." if cancelled else "."))


def offset_name(seconds: int) -> str:
    """When a reminder comes, after publication: "now", "in 1 hour", "in 3 days"."""
    if seconds == 0:
        return "now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            return f"in {count} {unit}{'s' if count != 1 else ''}"
    raise AssertionError("unreachable: every whole number of seconds divides by 1")


# --- metrics ---------------------------------------------------------------------------------


def metrics_not_allowed(number: int) -> str:
    return f"Only the poster of post {number} or a comms member can record its metrics."


def not_published(number: int) -> str:
    return (f"Post {number} is not published yet; mark it first with "
            f"{command(f'published {number} URL')}.")


def no_link_on(number: int, platform: str, where: str) -> str:
    return f"Post {number} has no {platform} link; it was published on {where}."


def major_reaction(number: int, url: str, by: str, notes: str) -> str:
    return f"Major reaction on post {number} ({url}), noted by {by}: {notes}"


def metrics_recorded(number: int, summary_: str, major: bool) -> str:
    return (f"Metrics for post {number} recorded: {summary_}."
            + (" The comms team is alerted to the major reaction." if major else ""))


# --- incidents -------------------------------------------------------------------------------


def bad_comment_link(problem: str) -> str:
    """A link that is not a comment's: the links module's words, about a comment."""
    return problem.replace("published post's", "comment's")


def incident_recorded(incident_id: int, post: int | None) -> str:
    return (f"Incident {incident_id} is recorded" + (f" under post {post}" if post else "")
            + "; the comms team has the policy's checklist."
            + ("" if post else " It is not tied to a post: to file it under one (an X reply's "
               "link cannot say which), write `incident N URL`."))


def unknown_incident(incident_id: int) -> str:
    return f"There is no incident {incident_id}; check the number in the comms message."


def unknown_step(step: str, steps: Iterable[str]) -> str:
    names = ", ".join(f"{i} {key}" for i, key in enumerate(steps, 1))
    return f"{step!r} is not a step of the checklist; use one of: {names}."


def not_reporter_or_comms() -> str:
    return "Only whoever reported the incident or a comms member can tick its steps."


def step_already_done(title: str, by: str) -> str:
    return f"“{title}” was already done by {by}; nothing changed."


def incident_closed(incident_id: int) -> str:
    return f"Incident {incident_id}: every step is done."


def step_done(incident_id: int, title: str, left: int) -> str:
    return f"Incident {incident_id}: “{title}” done; {left} step(s) left."


# --- what changed in a revision (see `revision_diff`) ------------------------------------------


def revision_changes(before: int) -> str:
    """The heading over a revision's diff in its comms message."""
    return f"What changed since version {before}, the one comms last saw"


def revision_nothing_changed(before: int) -> str:
    return (f"Nothing changed since version {before}: the same text, account, media and "
            "findings.")


def revision_same_text(before: int) -> str:
    return f"The text is the same as in version {before}."


def revision_spacing_only(before: int) -> str:
    return f"The words are the same as in version {before}; only spaces or line breaks changed."


def revision_text_purged(before: int) -> str:
    return (f"The text of version {before} has been purged, so what changed in it cannot be "
            "shown.")


def revision_cut(changes_left: int) -> str:
    return (f"…the diff stops here, with {changes_left} change(s) not shown or not in full; "
            "the new draft above is complete.")


def revision_account(old: str, new: str) -> str:
    return f"Account: {old} → {new}."


REVISION_MEDIA_GONE = "Media taken out"
REVISION_MEDIA_NEW = "Media added"
REVISION_FINDINGS_GONE = "Findings gone"
REVISION_FINDINGS_NEW = "New findings"
REVISION_FINDINGS_UNCHECKED = "Not checked this time (that judge did not run on the new version)"


# --- waiting: nudges and the lists of posts --------------------------------------------------


def waited(seconds: float) -> str:
    """How long something has waited, to the minute: "25 min", "4 h 10 min", "2 d 3 h"."""
    minutes = max(0, int(seconds)) // 60
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min" if mins else "under a minute"


def nudge(number: int, waited_for: float, blocking: Sequence[str], seq: int) -> str:
    """To comms, in the post's thread: it has waited too long for a decision."""
    text = f"Post {number} has waited {waited(waited_for)} for a decision."
    if blocking:
        text += (f" Its error-level findings ({', '.join(blocking)}) need an override reason "
                 "to approve it.")
    if seq:
        text += f" (Nudge {seq + 1}.)"
    return text + " checkpost asks again in a day while it waits."


def pending_title(count: int) -> str:
    if not count:
        return "Nothing waits for a decision."
    return (f"{count} post{'s' if count != 1 else ''} wait{'' if count != 1 else 's'} for a "
            "decision, the longest waiting first:")


def mine_title(count: int, more: int) -> str:
    if not count:
        return f"You have no posts yet; {command('<draft>')} checks and submits one."
    shown = f"Your posts, newest first ({count} of {count + more}):" if more else \
        "Your posts, newest first:"
    return shown


def pending_standing(poster: str, waited_for: float, blocking: Sequence[str]) -> str:
    """One line of `checkpost pending`, after the post's number."""
    blocked = (f"blocking: {', '.join(blocking)} (approve with an override reason)"
               if blocking else "nothing blocks approval")
    return f"from {poster}, waiting {waited(waited_for)}; {blocked}"


def mine_standing(post: Post, waited_for: float | None, blocking: Sequence[str]) -> str:
    """One line of `checkpost mine`, after the post's number: where it stands."""
    match post.state:
        case PostState.PENDING:
            text = "waits for the comms team's decision"
            if waited_for is not None:
                text += f" ({waited(waited_for)} so far)"
            if blocking:
                text += f"; its error-level findings ({', '.join(blocking)}) need an override"
            return text
        case PostState.CHANGES_REQUESTED:
            who = ", ".join(v.voter.user_id for v in post.change_requests)
            return (f"changes requested by {who}: "
                    f"{command(f'revise {post.number} <new draft>')}")
        case PostState.APPROVED:
            return f"approved: publish it, then {command(f'published {post.number} URL')}"
        case PostState.PUBLISHED:
            return "published on " + ", ".join(k.network for k in post.links)
        case PostState.WITHDRAWN:
            return "withdrawn"
    return str(post.state)


def pending_not_comms() -> str:
    return (f"Only the comms team's members see what waits for them; {command('mine')} lists "
            "your own posts.")
