"""What both chat adapters share: a parsed command carried out, a reaction as a vote.

Slack and Matrix differ in how a request arrives (a slash command, a room message, a
reaction event, a redaction) and in how an answer looks (Block Kit, HTML); what a request
*means* is the same on both, and is decided here once: which workflow call a command makes,
what a 👍 or 👎 on a comms message does (and its removal, by whom), who may open a form to
decide on a post, which refusals of a reaction the reactor should hear about, the draft a
command describes, which post an edit of a draft's message revises, what an answer to a
draft says of where the post went (for a platform that answers a draft where it was
written), and how one bot's parts (store, port, workflow, reminder scheduler, checker) are
put together. An adapter parses its payloads into these calls and renders what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatbot.commands import (
    Approve,
    Check,
    Command,
    MarkIncidentStep,
    Mine,
    Pending,
    Published,
    RecordMetrics,
    ReportIncident,
    RequestChanges,
    Revise,
    Status,
    Withdraw,
)
from chatbot.notices import Notice
from chatbot.policy.model import Draft, Verdict
from chatbot.verdict import DraftError, validate
from chatbot.workflow import Code, Outcome, Person, ReminderScheduler, Workflow
from chatbot.workflow.decisions import refuse_vote
from chatbot.workflow.listing import Listing
from chatbot.workflow.nudges import NudgeScheduler
from chatbot.workflow.posts import Post, VoteKind
from chatbot.workflow.service import CheckDraft

if TYPE_CHECKING:
    from chatbot.config import Settings
    from chatbot.policy.rules import Policy
    from chatbot.ports import Port
    from chatbot.store import Store
    from chatbot.workflow.clock import Clock

#: Refusals of a reaction worth an answer: the reactor can do something about them (others,
#: such as a vote already recorded, are silent no-ops).
EXPLAINED_REFUSALS = frozenset({Code.NOT_COMMS, Code.OWN_POST, Code.NEEDS_OVERRIDE,
                                Code.STALE_VERSION, Code.ALREADY_PUBLISHED, Code.POST_WITHDRAWN,
                                Code.OTHER_PLATFORM})


def carry_out(workflow: Workflow, command: Command, *, by: Person, key: str | None,
              check: CheckDraft) -> Outcome | None:
    """The workflow call a parsed command asks for, made; None for `Help` and `Empty`, which
    an adapter answers itself (help text, a modal)."""
    match command:
        case Check():
            return workflow.submit(draft_of(command), check, poster=by, key=key)
        case Revise(number, draft):
            return workflow.revise(number, draft_of(draft), check, by=by, key=key)
        case Status(number):
            return workflow.status(number)
        case Published(number, url):
            return workflow.publish(number, url, by=by, key=key)
        case RecordMetrics(number, text):
            return workflow.record_metrics(number, text, by=by, key=key)
        case Approve(number, override_reason, comment):
            return workflow.approve(number, by=by, override_reason=override_reason,
                                    comment=comment, key=key)
        case RequestChanges(number, comment):
            return workflow.request_changes(number, by=by, comment=comment, key=key)
        case Withdraw(number, reason):
            return workflow.withdraw(number, by=by, reason=reason, key=key)
        case ReportIncident(link, notes, number):
            return workflow.report_incident(link, by=by, notes=notes, number=number, key=key)
        case MarkIncidentStep(incident_id, step, note):
            return workflow.mark_incident_step(incident_id, step, by=by, note=note, key=key)
    return None


#: The notices that the answer to a draft says itself, on a platform that answers a draft where
#: it was written (Matrix, in the message's thread): where the post goes for approval. That
#: platform's port does not send them to the poster again.
SAID_IN_THE_ANSWER = frozenset({"submitted", "revised"})
_DRAFT_CODES = frozenset({Code.SUBMITTED, Code.REVISED})


@dataclass(frozen=True)
class AnsweredDraft:
    """A `checkpost <draft>` or `revise N <draft>` carried out, and the notices its answer says
    (`said`: their words go in the answer), which the poster would otherwise get apart."""

    outcome: Outcome
    said: tuple[Notice, ...] = ()


def answer_draft(workflow: Workflow, command: Check | Revise, *, by: Person, key: str | None,
                 check: CheckDraft) -> AnsweredDraft:
    """A draft submitted or revised, for a platform that answers it in place: the outcome and
    what the answer says of where the post went (`SAID_IN_THE_ANSWER`), so the port need not
    keep the notice back while the answer is written."""
    outcome = carry_out(workflow, command, by=by, key=key, check=check)
    assert outcome is not None, "a draft is always carried out"
    post = outcome.post
    if not outcome.ok or post is None or outcome.code not in _DRAFT_CODES:
        return AnsweredDraft(outcome)
    return AnsweredDraft(outcome, (workflow.findings_notice(post),))


def post_of_draft_message(workflow: Workflow, key: str) -> int | None:
    """The post that the message with idempotency key `key` became (a draft submitted, or a
    revision), or None: an edit of such a message revises that post, and an edit of any other
    message runs its new words as a new command."""
    earlier = workflow.recall(key)
    if earlier is None or earlier.post is None or earlier.code not in _DRAFT_CODES:
        return None
    return earlier.post.number


def list_posts(workflow: Workflow, command: Pending | Mine, *, by: Person) -> Listing | Outcome:
    """`pending` (what waits for comms, for comms members) or `mine` (the asker's posts): the
    list, which the adapter renders with links to the comms messages, or a refusal."""
    if isinstance(command, Pending):
        return workflow.pending(by)
    return workflow.mine(by)


def check_of(draft: Draft) -> Check:
    """The `checkpost <draft>` command a form's draft amounts to (Slack's check form), so a
    form and a typed command are carried out the same way."""
    return Check(draft.text, draft.account, draft.media, draft.context, draft.network)


def draft_of(check: Check) -> Draft:
    """The draft a `checkpost <draft>` command describes (the grammar has checked the
    account; anything else is read as the official account, the stricter one)."""
    account = "personal" if check.account == "personal" else "official"
    return Draft(text=check.text, account=account, media=check.media, context=check.context,
                 network=check.network)


def draft_problem(command: Check | Revise) -> str:
    """Why this command's draft cannot be checked (empty, too long), or ""."""
    check = command.check if isinstance(command, Revise) else command
    try:
        validate(draft_of(check))
    except DraftError as exc:
        return f"Your draft could not be checked: {exc}."
    return ""


# --- reactions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReactionVote:
    """A 👍 or 👎 on the comms message that shows `version` of post `number`, as a vote."""

    number: int
    version: int
    outcome: Outcome


def vote_by_reaction(workflow: Workflow, message_id: str, kind: VoteKind, *, by: Person,
                     key: str | None) -> ReactionVote | None:
    """👍 approves, 👎 asks for changes, the version the message shows (so a reaction on a
    superseded message changes nothing); None when `message_id` is not one of our comms
    messages."""
    shown = workflow.find_comms_message(message_id)
    if shown is None:
        return None
    number, version = shown
    return ReactionVote(number, version, decide(workflow, kind, number, version, by=by,
                                                key=key))


def unvote_by_reaction(workflow: Workflow, message_id: str, kind: VoteKind, *, by: Person,
                       key: str | None) -> Outcome | None:
    """A removed 👍 or 👎 takes that vote back; None when `message_id` is not ours."""
    shown = workflow.find_comms_message(message_id)
    if shown is None:
        return None
    number, version = shown
    return workflow.withdraw_vote(number, by=by, kind=kind, version=version, key=key)


def unvote_counted(workflow: Workflow, number: int, version: int, kind: VoteKind, *,
                   voter: Person, by: Person, key: str | None) -> Outcome | None:
    """A reaction counted as `voter`'s vote on `version` of post `number`, removed by `by`:
    the vote is taken back when `by` is the voter or a comms member (a moderator removing
    someone's reaction); None, and nothing changes, when anyone else removed it. For a
    platform whose removal names only the reaction (a Matrix redaction), so the adapter
    remembers what each counted reaction was."""
    if by != voter and not workflow.is_comms(by):
        return None
    return workflow.withdraw_vote(number, by=voter, kind=kind, version=version, key=key)


# --- decisions from a button -----------------------------------------------------------------


def post_to_decide(workflow: Workflow, number: int, version: int, *,
                   by: Person) -> Post | Outcome:
    """Post `number`, when `by` may decide on its `version`; otherwise the refusal (no such
    post, not on the comms list, their own post, a final post, a superseded message). Asked
    before a platform opens a form for the decision, so nobody fills one in for nothing."""
    post = workflow.post(number)
    if post is None:
        return workflow.status(number)
    refusal = refuse_vote(post, by, None, comms=workflow.comms, version=version)
    return post if refusal is None else refusal


def decide(workflow: Workflow, kind: VoteKind, number: int, version: int, *, by: Person,
           key: str | None, comment: str = "", override_reason: str = "") -> Outcome:
    """`by`'s vote of `kind` on `version` of post `number`, the one a comms message showed (a
    reaction on it, or its button's form), so a vote on a superseded message changes nothing."""
    if kind == "approve":
        return workflow.approve(number, by=by, override_reason=override_reason,
                                comment=comment, version=version, key=key)
    return workflow.request_changes(number, by=by, comment=comment, version=version, key=key)


def refusal_to_explain(outcome: Outcome, override_hint: str) -> str | None:
    """What to tell someone whose reaction changed nothing, or None to stay silent (a success,
    a refusal they cannot act on). `override_hint` says how to give an override reason on this
    platform; it follows a refusal that needs one. A redelivery (`outcome.duplicate`) is the
    caller's to judge: a platform that drops a repeated send may answer again (a crash may
    have come before the first answer), one that cannot should not."""
    if outcome.ok or outcome.code not in EXPLAINED_REFUSALS:
        return None
    if outcome.code is Code.NEEDS_OVERRIDE:
        return f"{outcome.message} {override_hint}"
    return outcome.message


# --- one bot's parts -------------------------------------------------------------------------


@dataclass
class Core:
    """What an adapter drives: the workflow on one port, and the reminder scheduler beside it
    (the scheduler is woken by the workflow and runs the workflow's durable jobs)."""

    workflow: Workflow
    scheduler: ReminderScheduler


def build_core(settings: Settings, store: Store, port: Port, *,
               clock: Clock | None = None) -> Core:
    """The workflow and one scheduler loop for reminders, nudges (when
    CHECKPOST_NUDGE_AFTER is not 0) and the retries of failed jobs."""
    scheduler = ReminderScheduler(store, port, clock)
    workflow = Workflow.from_settings(settings, store, port, clock=clock,
                                      on_reminders_scheduled=scheduler.wake)
    scheduler.jobs = workflow.jobs
    if settings.nudge_after:
        scheduler.nudges = NudgeScheduler(store, port, clock, after=settings.nudge_after)
        scheduler.nudges.schedule_missing()
    return Core(workflow, scheduler)


def checker(settings: Settings, policy: Policy | None = None) -> CheckDraft:
    """Rules, the learned layer and the LLM review as the settings say, on the policy loaded
    once (from CHECKPOST_POLICY_DIR unless given)."""
    from chatbot.config import policy_path
    from chatbot.policy.loader import load_policy
    from chatbot.verdict import check

    loaded = policy or load_policy(policy_path(settings))

    def check_draft(draft: Draft) -> Verdict:
        return check(draft, loaded, settings)

    return check_draft
