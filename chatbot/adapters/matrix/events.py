"""Matrix events as the adapter reads them: small dataclasses built from the raw JSON.

The adapter reads the raw event (nio's `Event.source`) rather than nio's event classes,
because nio's schemas lag the spec: in room version 11 and later a redaction's `redacts`
lives in its content, and an edit is only a message whose relation says so. Everything that
decides what the bot does (the `!checkpost` prefix, edits, threads, reaction keys) is read
here, in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PREFIX = "!checkpost"
THUMBS_UP = "👍"
THUMBS_DOWN = "👎"

_COMMAND = re.compile(r"^\s*!checkpost(?=\s|$)(.*)$", re.IGNORECASE | re.DOTALL)
# Emoji presentation selectors and skin tones: 👍️ and 👍🏽 are both 👍.
_EMOJI_VARIANTS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


@dataclass(frozen=True)
class Event:
    """One room event: who sent what, where, when (server milliseconds)."""

    room_id: str
    event_id: str
    sender: str
    type: str
    content: Mapping[str, Any]
    ts: int = 0
    state_key: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_raw(cls, room_id: str, raw: Mapping[str, Any]) -> Event | None:
        """The event, or None for something that is not a room event we can address."""
        event_id, sender, kind = raw.get("event_id"), raw.get("sender"), raw.get("type")
        if not (isinstance(event_id, str) and isinstance(sender, str) and isinstance(kind, str)):
            return None
        content = raw.get("content")
        return cls(
            room_id=room_id,
            event_id=event_id,
            sender=sender,
            type=kind,
            content=content if isinstance(content, Mapping) else {},
            ts=int(raw.get("origin_server_ts") or 0),
            state_key=raw.get("state_key") if isinstance(raw.get("state_key"), str) else None,
            raw=raw,
        )

    @property
    def relation(self) -> Mapping[str, Any]:
        rel = self.content.get("m.relates_to")
        return rel if isinstance(rel, Mapping) else {}


@dataclass(frozen=True)
class Message:
    """An `m.room.message`, or an edit of one (then `body` is the new text)."""

    event: Event
    msgtype: str
    body: str
    replaces: str | None = None
    thread_root: str | None = None

    @property
    def command(self) -> str | None:
        """The words after `!checkpost`, or None when the message is not for the bot."""
        return command_text(self.body)


@dataclass(frozen=True)
class Reaction:
    """An `m.reaction` annotation; `key` is normalised (👍️ and 👍🏽 read as 👍)."""

    event: Event
    target: str
    key: str


@dataclass(frozen=True)
class Redaction:
    event: Event
    redacts: str


def as_message(event: Event) -> Message | None:
    if event.type != "m.room.message":
        return None
    relation = event.relation
    rel_type = relation.get("rel_type")
    if rel_type == "m.replace" and isinstance(relation.get("event_id"), str):
        new = event.content.get("m.new_content")
        if not isinstance(new, Mapping):
            return None
        return Message(event, str(new.get("msgtype", "")), _text(new.get("body")),
                       replaces=relation["event_id"])
    body = _text(event.content.get("body"))
    if isinstance(relation.get("m.in_reply_to"), Mapping) and rel_type != "m.thread":
        body = strip_reply_fallback(body)
    thread = relation.get("event_id") if rel_type == "m.thread" else None
    return Message(event, str(event.content.get("msgtype", "")), body,
                   thread_root=thread if isinstance(thread, str) else None)


def as_reaction(event: Event) -> Reaction | None:
    if event.type != "m.reaction":
        return None
    relation = event.relation
    target, key = relation.get("event_id"), relation.get("key")
    if relation.get("rel_type") != "m.annotation" or not isinstance(target, str) \
            or not isinstance(key, str):
        return None
    return Reaction(event, target, normalise_key(key))


def as_redaction(event: Event) -> Redaction | None:
    """Room versions up to 10 put `redacts` at the top; 11 and later in the content."""
    if event.type != "m.room.redaction":
        return None
    redacts = event.content.get("redacts") or event.raw.get("redacts")
    return Redaction(event, redacts) if isinstance(redacts, str) else None


def is_own_join(event: Event, user_id: str) -> bool:
    return (event.type == "m.room.member" and event.state_key == user_id
            and event.content.get("membership") == "join")


def command_text(body: str) -> str | None:
    m = _COMMAND.match(body)
    return m.group(1).strip() if m else None


def normalise_key(key: str) -> str:
    return _EMOJI_VARIANTS.sub("", key).strip()


def strip_reply_fallback(body: str) -> str:
    """Drop the `> <@user> quoted text` lines some clients put before a reply's own words."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    return "\n".join(lines[index:]).lstrip("\n")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
