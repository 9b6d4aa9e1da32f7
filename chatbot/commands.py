"""The chat command grammar both adapters share: `/checkpost …` in Slack, `!checkpost …` in Matrix.

An adapter strips its own prefix and hands the rest to `parse_command`; the result says what
the person asked for, or why the words could not be understood (a `CommandError` whose message
is the short answer to give them). Keeping the grammar here means the two platforms cannot
drift apart, and `help` is written once.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from chatbot.policy.model import ACCOUNTS, MediaDeclaration
from chatbot.policy.networks import NETWORKS


class CommandError(ValueError):
    """The words are not a command we understand; the message says what to type instead."""


@dataclass(frozen=True)
class Check:
    """`checkpost [--personal] [--media "SOURCE; LICENCE"]… [--context "…"] [--platform X]
    <draft>`."""

    text: str
    account: str = "official"
    media: tuple[MediaDeclaration, ...] = ()
    context: str = ""
    #: The network it goes to (`x`, `mastodon`, …), for its length limit; "" for the default.
    network: str = ""
    #: Said to the poster with the findings: why words that began like a command were read
    #: as a draft (`status 12 people came`). Advice only, so not part of the command's value.
    note: str = field(default="", compare=False)


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
class RecordMetrics:
    number: int
    text: str  # `likes=12 reposts=3 … notes`, parsed by the workflow's parse_metrics


@dataclass(frozen=True)
class Status:
    number: int


@dataclass(frozen=True)
class Pending:
    """`pending`: what waits for the comms team's decision (for comms members)."""


@dataclass(frozen=True)
class Mine:
    """`mine`: the person's own posts and where each stands."""


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
class ReportIncident:
    """`incident [N] URL [notes]`: N names the post when the URL cannot (an X reply)."""

    link: str
    notes: str = ""
    number: int | None = None


@dataclass(frozen=True)
class MarkIncidentStep:
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
    Check | Revise | Published | RecordMetrics | Status | Pending | Mine | Approve
    | RequestChanges | Withdraw | ReportIncident | MarkIncidentStep | Help | Empty
)

HELP = """\
checkpost checks a social-media draft against the CIS-A2K policy and sends it to the \
communications team for approval.

{p} <draft>                         check a draft and submit it (official account)
{p} --personal <draft>              …for your personal account
{p} --media "SOURCE; LICENCE" <draft>   declare an attached photo/video (repeat for each)
{p} --context "why now" <draft>     say why the post matters now (an event, a day)
{p} --platform x <draft>            check it fits a network (x, mastodon, bluesky, facebook,
                                     instagram, linkedin)
{p} revise N <new draft>            submit a new version of post N
{p} status N                        where post N stands
{p} mine                            your posts and where each stands
{p} pending                         what waits for a decision, oldest first (comms team)
{p} published N URL                 mark post N published (starts the reminders)
{p} metrics N likes=… reposts=… replies=… views=… [notes]   record its metrics
{p} approve N [--override "reason"] approve post N (comms team)
{p} changes N <comment>             ask for changes to post N (comms team)
{p} withdraw N [reason]             withdraw post N
{p} incident N URL [notes]          report a hateful comment under post N
{p} incident URL [notes]            …when the post is not known
{p} incident done ID STEP [note]    tick a step of an incident's checklist
{p} help                            this message

A command is only the form shown; anything else after {p} is a draft to check.

In the comms channel, 👍 on the bot's message for a post approves it and 👎 asks for changes."""

_NUMBER = re.compile(r"^#?(\d{1,9})$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_OPTION = re.compile(
    r"""^\s*(?P<flag>--personal|--official|--account(?:=|\s+)(?P<account>\S+)"""
    r"""|--media(?:=|\s+)(?P<media>"[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|\S+)"""
    r"""|--context(?:=|\s+)(?P<context>"[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|\S+)"""
    r"""|--(?:platform|network)(?:=|\s+)(?P<network>\S+))(?=\s|$)"""
)


def help_text(prefix: str) -> str:
    return HELP.format(p=prefix)


def parse_command(text: str) -> Command:
    """What the words after the command prefix ask for.

    A command is only its exact form (`status 12`, `published 12 https://…`, `help` alone):
    anything else is a draft, so "Status update: …" or "Help us proofread …" is checked, not
    run. Words too few to be a post (`status`, `published 12`) were an unfinished command,
    and the error says how to write it, or how to check them as a draft after all.
    """
    text = text.strip()
    if not text:
        return Empty()
    word, rest = _first_word(text)
    verb = word.lower()
    read = _FORMS.get(verb)
    if read is None:
        return parse_check(text)
    try:
        return read(rest)
    except _NotThisForm as not_this:
        usage = not_this.usage
    if verb in _HELP_WORDS and len(text.split()) <= _UNFINISHED_WORDS:
        return Help(rest)
    if len(text.split()) <= _UNFINISHED_WORDS:
        raise CommandError(f"Usage: {usage}. (To check these words as a draft instead, put "
                           "--official or --personal before them.)")
    check = parse_check(text)
    if _NUMBER.match(_first_word(rest)[0]):
        return replace(check, note=f"This was read as a draft; the command is `{usage}`.")
    return check


def parse_check(text: str) -> Check:
    """A draft with optional leading options; everything after the options is the draft."""
    account, media, context, network = "official", [], "", ""
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
        elif m.group("network") is not None:
            network = m.group("network").lower()
            if network not in NETWORKS:
                raise CommandError(f"--platform must be one of {', '.join(NETWORKS)}, "
                                   f"not {network!r}.")
        text = text[m.end():]
    draft = text.strip()
    if not draft:
        raise CommandError("Paste the draft after the command, e.g. `checkpost Join our "
                           "edit-a-thon on Saturday!`")
    return Check(draft, account, tuple(media), context, network)


#: A message of at most this many words that starts with a command word but is not in the
#: command's form is an unfinished command (`published 12`), not a post.
_UNFINISHED_WORDS = 3
_HELP_WORDS = ("help", "-h", "--help", "?")


class _NotThisForm(Exception):
    """The words after a command word are not that command's form; `usage` is the form."""

    def __init__(self, usage: str) -> None:
        super().__init__(usage)
        self.usage = usage


def _first_word(text: str) -> tuple[str, str]:
    parts = text.strip().split(None, 1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (text.strip(), "")


def _post_number(text: str, usage: str) -> tuple[int, str]:
    """The post number that must come first, and the words after it."""
    first, rest = _first_word(text)
    m = _NUMBER.match(first)
    if not m:
        raise _NotThisForm(usage)
    return int(m.group(1)), rest


def _help(rest: str) -> Help:
    if rest:
        raise _NotThisForm("help")
    return Help()


def _status(rest: str) -> Status:
    usage = "status N, where N is the post's number (e.g. status 42)"
    number, tail = _post_number(rest, usage)
    if tail:
        raise _NotThisForm(usage)
    return Status(number)


def _alone(command: Pending | Mine, usage: str) -> Callable[[str], Command]:
    """A command that is its word alone: any words after it make it something else."""
    def read(rest: str) -> Command:
        if rest:
            raise _NotThisForm(usage)
        return command

    return read


def _published(rest: str) -> Published:
    usage = "published N URL, where URL is the link to the live post (https://…)"
    number, url = _post_number(rest, usage)
    if not _URL.match(url):
        raise _NotThisForm(usage)
    return Published(number, url)


def _metrics(rest: str) -> RecordMetrics:
    usage = "metrics N likes=12 reposts=3 replies=4 views=900 [notes]"
    number, values = _post_number(rest, usage)
    if not values:
        raise _NotThisForm(usage)
    return RecordMetrics(number, values)


def _approve(rest: str) -> Approve:
    number, tail = _post_number(rest, 'approve N [--override "reason"]')
    m = re.match(r"^--override(?:=|\s+)(.+)$", tail, re.DOTALL)
    if m:
        reason = _unquote(m.group(1).strip())
        if not reason:
            raise CommandError('An override needs a reason: approve N --override "why".')
        return Approve(number, override_reason=reason)
    if tail.startswith("--override"):
        raise CommandError('An override needs a reason: approve N --override "why".')
    return Approve(number, comment=tail)


def _changes(rest: str) -> RequestChanges:
    return RequestChanges(*_post_number(rest, "changes N <comment>"))


def _withdraw(rest: str) -> Withdraw:
    return Withdraw(*_post_number(rest, "withdraw N [reason]"))


def _revise(rest: str) -> Revise:
    usage = "revise N <new draft>"
    number, draft = _post_number(rest, usage)
    if not draft:
        raise _NotThisForm(usage)
    return Revise(number, parse_check(draft))


def _incident(rest: str) -> ReportIncident | MarkIncidentStep:
    first, tail = _first_word(rest)
    if first.lower() == "done":
        usage = "incident done ID STEP [note], e.g. incident done 3 hide"
        try:
            parts = shlex.split(tail)
        except ValueError:
            parts = tail.split()
        if len(parts) < 2 or not _NUMBER.match(parts[0]):
            raise _NotThisForm(usage)
        return MarkIncidentStep(int(_NUMBER.match(parts[0]).group(1)), parts[1],
                                " ".join(parts[2:]))
    usage = ("incident [N] URL [notes], where URL links to the hateful comment and N is the "
             "number of the post it is under")
    number = None
    if (m := _NUMBER.match(first)) is not None:
        number = int(m.group(1))
        first, tail = _first_word(tail)
    if not _URL.match(first):
        raise _NotThisForm(usage)
    return ReportIncident(first, tail, number)


_FORMS: dict[str, Callable[[str], Command]] = {
    **dict.fromkeys(_HELP_WORDS, _help),
    "status": _status,
    "pending": _alone(Pending(), "pending, with nothing after it"),
    "mine": _alone(Mine(), "mine, with nothing after it"),
    "published": _published,
    "publish": _published,
    "metrics": _metrics,
    "approve": _approve,
    "changes": _changes,
    "request-changes": _changes,
    "reject": _changes,
    "withdraw": _withdraw,
    "revise": _revise,
    "incident": _incident,
}


#: Straight and curly quotes: Slack on phones and macOS turns "…" into “…”.
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


def _unquote(value: str) -> str:
    if len(value) >= 2 and _QUOTES.get(value[0]) == value[-1]:
        return value[1:-1]
    return value
