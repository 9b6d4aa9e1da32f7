"""Slack's text markup, both ways: what people typed into plain text, our words into mrkdwn.

Slack sends message and command text with `&`, `<`, `>` escaped and links, mentions and
channels wrapped in angle brackets (`<https://x.org|x.org>`, `<@U123>`). The checker must see
the draft as the poster wrote it, so `plain_text` undoes that. Going out, anything a person
wrote (a draft, a comment, an override reason) is escaped, so it cannot ping `@channel` or
forge a link; only mentions we put in ourselves stay live.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatbot.workflow.wording import typed_as

COMMAND = "/checkpost"

_WRAPPED = re.compile(r"<([^<>]*)>")
_ESCAPED_CHANNEL = re.compile(r"&lt;#([CGD][A-Z0-9]+)&gt;")
#: A Slack user id, as the core writes people in its words.
USER_ID = re.compile(r"\b[UW][A-Z0-9]{2,}\b")


def plain_text(text: str) -> str:
    """Slack's wire format → the text the person typed (links to what they showed, etc.)."""
    return _unescape(_WRAPPED.sub(_unwrap, text or ""))


def escape(text: str) -> str:
    """Anything a person wrote, made inert inside mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def say(text: str, people: Iterable[str] = ()) -> str:
    """The core's words (`Notice.text`, `Outcome.message`) as mrkdwn for Slack.

    Escapes the text, then makes live again only what the core put there on purpose: the
    Slack user ids in `people` become mentions, the comms channel (`MessageRef.where`, written
    `<#C123>`) a channel link, and `checkpost …` commands get Slack's slash.
    """
    known = set(people)
    out = escape(text)
    out = _ESCAPED_CHANNEL.sub(lambda m: f"<#{m.group(1)}>", out)
    if known:
        out = USER_ID.sub(lambda m: mention(m.group(0)) if m.group(0) in known else m.group(0),
                           out)
    return slash_commands(out)


def slash_commands(text: str) -> str:
    """The core's commands (`wording.command`) as typed in Slack: `/checkpost …`."""
    return typed_as(text, COMMAND)


def _unwrap(m: re.Match[str]) -> str:
    inner = m.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):  # <@U123> or <@U123|ana>
        return "@" + (label or target[1:])
    if target.startswith("#"):  # <#C123|general>
        return "#" + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!subteam^S123|@team>
        return label or "@" + target[1:].split("^")[0]
    if target.startswith("mailto:"):
        return label or target[len("mailto:"):]
    return label or target


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
