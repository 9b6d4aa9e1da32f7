"""The chat command grammar both adapters share: `/checkpost …` in Slack, `!checkpost …` in Matrix.

An adapter strips its own prefix and hands the rest to `parse_command`; the result says what
the person asked for, or why the words could not be understood (a `CommandError` whose message
is the short answer to give them). Keeping the grammar here means the two platforms cannot
drift apart, and `help` is written once.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from chatbot.policy.model import ACCOUNTS, MediaDeclaration


class CommandError(ValueError):
    """The words are not a command we understand; the message says what to type instead."""


@dataclass(frozen=True)
class Check:
    """`checkpost [--personal] [--media "SOURCE; LICENCE"]… [--context "…"] <draft>`."""

    text: str
    account: str = "official"
    media: tuple[MediaDeclaration, ...] = ()
    context: str = ""


@dataclass(frozen=True)
class Revise:
    """`checkpost revise N <new draft>`: a new version of post N (same options as Check)."""

    number: int
    check: Check


@dataclass(frozen=True)
class Published:
    number: int
    url: str


@dataclass(frozen=True)
class MetricsCommand:
    number: int
    text: str  # `likes=12 reposts=3 … notes`, parsed by the workflow's parse_metrics


@dataclass(frozen=True)
class Status:
    number: int


@dataclass(frozen=True)
class Approve:
    number: int
    override_reason: str = ""
    comment: str = ""


@dataclass(frozen=True)
class RequestChanges:
    number: int
    comment: str = ""


@dataclass(frozen=True)
class Withdraw:
    number: int
    reason: str = ""


@dataclass(frozen=True)
class Incident:
    link: str
    notes: str = ""


@dataclass(frozen=True)
class IncidentStep:
    incident_id: int
    step: str
    note: str = ""


@dataclass(frozen=True)
class Help:
    topic: str = ""


@dataclass(frozen=True)
class Empty:
    """No text at all: Slack opens its modal; Matrix answers with help."""


Command = (
    Check | Revise | Published | MetricsCommand | Status | Approve | RequestChanges | Withdraw
    | Incident | IncidentStep | Help | Empty
)

HELP = """\
checkpost checks a social-media draft against the CIS-A2K policy and sends it to the \
communications team for approval.

{p} <draft>                         check a draft and submit it (official account)
{p} --personal <draft>              …for your personal account
{p} --media "SOURCE; LICENCE" <draft>   declare an attached photo/video (repeat for each)
{p} --context "why now" <draft>     say why the post matters now (an event, a day)
{p} revise N <new draft>            submit a new version of post N
{p} status N                        where post N stands
{p} published N URL                 mark post N published (starts the reminders)
{p} metrics N likes=… reposts=… replies=… views=… [notes]   record its metrics
{p} approve N [--override "reason"] approve post N (comms team)
{p} changes N <comment>             ask for changes to post N (comms team)
{p} withdraw N [reason]             withdraw post N
{p} incident URL [notes]            report a hateful comment under a post
{p} incident done ID STEP [note]    tick a step of an incident's checklist
{p} help                            this message

In the comms channel, 👍 on the bot's message for a post approves it and 👎 asks for changes."""

_NUMBER = re.compile(r"^#?(\d{1,9})$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_OPTION = re.compile(
    r"""^\s*(?P<flag>--personal|--official|--account(?:=|\s+)(?P<account>\S+)"""
    r"""|--media(?:=|\s+)(?P<media>"[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|\S+)"""
    r"""|--context(?:=|\s+)(?P<context>"[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|\S+))(?=\s|$)"""
)


def help_text(prefix: str) -> str:
    return HELP.format(p=prefix)


def parse_command(text: str) -> Command:
    """What the words after the command prefix ask for."""
    text = text.strip()
    if not text:
        return Empty()
    word, _, rest = text.partition(" ")
    verb = word.lower()
    rest = rest.strip()
    if verb in ("help", "-h", "--help", "?"):
        return Help(rest)
    if verb == "status":
        return Status(_number(rest, "status N"))
    if verb in ("published", "publish"):
        number, url = _number_and_rest(rest, "published N URL")
        if not _URL.match(url):
            raise CommandError("Usage: published N URL, where URL is the link to the live post "
                               "(https://…).")
        return Published(number, url)
    if verb == "metrics":
        number, values = _number_and_rest(rest, "metrics N likes=… reposts=… replies=…")
        if not values:
            raise CommandError("Usage: metrics N likes=12 reposts=3 replies=4 views=900 "
                               "[notes]")
        return MetricsCommand(number, values)
    if verb == "approve":
        return _approve(rest)
    if verb in ("changes", "request-changes", "reject"):
        number, comment = _number_and_rest(rest, "changes N <comment>")
        return RequestChanges(number, comment)
    if verb == "withdraw":
        number, reason = _number_and_rest(rest, "withdraw N [reason]")
        return Withdraw(number, reason)
    if verb == "revise":
        number, draft = _number_and_rest(rest, "revise N <new draft>")
        return Revise(number, parse_check(draft))
    if verb == "incident":
        return _incident(rest)
    return parse_check(text)


def parse_check(text: str) -> Check:
    """A draft with optional leading options; everything after the options is the draft."""
    account, media, context = "official", [], ""
    while True:
        m = _OPTION.match(text)
        if not m:
            break
        flag = m.group("flag")
        if flag == "--personal":
            account = "personal"
        elif flag == "--official":
            account = "official"
        elif m.group("account") is not None:
            account = m.group("account").lower()
            if account not in ACCOUNTS:
                raise CommandError(f"--account must be {' or '.join(ACCOUNTS)}, not {account!r}.")
        elif m.group("media") is not None:
            media.append(MediaDeclaration.parse(_unquote(m.group("media"))))
        elif m.group("context") is not None:
            context = _unquote(m.group("context"))
        text = text[m.end():]
    draft = text.strip()
    if not draft:
        raise CommandError("Paste the draft after the command, e.g. `checkpost Join our "
                           "edit-a-thon on Saturday!`")
    return Check(draft, account, tuple(media), context)


def _approve(rest: str) -> Approve:
    number, tail = _number_and_rest(rest, 'approve N [--override "reason"]')
    m = re.match(r"^--override(?:=|\s+)(.+)$", tail, re.DOTALL)
    if m:
        reason = _unquote(m.group(1).strip())
        if not reason:
            raise CommandError('An override needs a reason: approve N --override "why".')
        return Approve(number, override_reason=reason)
    if tail.startswith("--override"):
        raise CommandError('An override needs a reason: approve N --override "why".')
    return Approve(number, comment=tail)


def _incident(rest: str) -> Incident | IncidentStep:
    first, _, tail = rest.partition(" ")
    if first.lower() == "done":
        try:
            parts = shlex.split(tail)
        except ValueError:
            parts = tail.split()
        if len(parts) < 2 or not _NUMBER.match(parts[0]):
            raise CommandError("Usage: incident done ID STEP [note], e.g. incident done 3 hide")
        return IncidentStep(int(_NUMBER.match(parts[0]).group(1)), parts[1], " ".join(parts[2:]))
    if not _URL.match(first):
        raise CommandError("Usage: incident URL [notes], where URL links to the hateful "
                           "comment (https://…).")
    return Incident(first, tail.strip())


def _number(text: str, usage: str) -> int:
    m = _NUMBER.match(text.strip())
    if not m:
        raise CommandError(f"Usage: {usage} (N is the post's number, e.g. 42).")
    return int(m.group(1))


def _number_and_rest(text: str, usage: str) -> tuple[int, str]:
    first, _, rest = text.strip().partition(" ")
    return _number(first, usage), rest.strip()


#: Straight and curly quotes: Slack on phones and macOS turns "…" into “…”.
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


def _unquote(value: str) -> str:
    if len(value) >= 2 and _QUOTES.get(value[0]) == value[-1]:
        return value[1:-1]
    return value
