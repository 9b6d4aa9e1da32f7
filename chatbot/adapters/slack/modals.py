"""The two modals: checking a draft (`/checkpost` with no text, "Check this post"), and a
comms member's decision from the Approve / Request changes buttons.

A modal carries what its submission needs in `private_metadata` (post, version, where the
message is), because the submission arrives as a separate request with no other context.
Slack limits titles to 24 characters and text inputs to 3,000.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chatbot.adapters.slack.blocks import context, section
from chatbot.adapters.slack.mrkdwn import escape, mention
from chatbot.policy.model import Draft, MediaDeclaration
from chatbot.policy.networks import NETWORKS
from chatbot.workflow.posts import Post, VoteKind

CHECK_VIEW = "checkpost_check"
DECISION_VIEW = "checkpost_decide"
INPUT_LIMIT = 3000

View = dict[str, Any]


def check_modal(text: str = "") -> View:
    """Draft, account, the network it goes to, media with their licences, and context: what
    `chatbot check` asks. The network is optional: left empty, CHECKPOST_PLATFORM's (if set)
    is the one the draft's length is checked against."""
    draft_input: dict[str, Any] = {"type": "plain_text_input", "action_id": "value",
                                   "multiline": True, "max_length": INPUT_LIMIT,
                                   "placeholder": _plain("The post as it will go out")}
    if text.strip():
        draft_input["initial_value"] = text[:INPUT_LIMIT]
    official = {"text": _plain("Official CIS-A2K account"), "value": "official"}
    personal = {"text": _plain("My personal account"), "value": "personal"}
    return {
        "type": "modal",
        "callback_id": CHECK_VIEW,
        "title": _plain("Check a post"),
        "submit": _plain("Check and submit"),
        "close": _plain("Cancel"),
        "blocks": [
            _input("draft", "Draft", draft_input),
            _input("account", "Account", {"type": "radio_buttons", "action_id": "value",
                                          "options": [official, personal],
                                          "initial_option": official}),
            _input("network", "Network", {
                "type": "static_select", "action_id": "value",
                "placeholder": _plain("Where it goes (checks its length)"),
                "options": [{"text": _plain(f"{n.title} ({n.limit:,} {n.unit})"), "value": name}
                            for name, n in NETWORKS.items()]},
                optional=True,
                hint="Over the network's limit is a suggestion with the count, as the network "
                     "counts it (X counts each link as 23)."),
            _input("media", "Media and licences", {
                "type": "plain_text_input", "action_id": "value", "multiline": True,
                "placeholder": _plain("Ravi Hegde via Wikimedia Commons; CC0")},
                optional=True,
                hint="One line per photo, video or clip: SOURCE; LICENCE. Allowed: CIS-A2K's "
                     "own, public domain, CC0, or the author's written permission."),
            _input("context", "Context", {"type": "plain_text_input", "action_id": "value",
                                          "placeholder": _plain("Why now: an event, a day")},
                   optional=True, hint="Why the post matters now; kept with the post."),
        ],
    }


def read_check(view: View) -> Draft:
    """The draft a submitted check modal describes."""
    values = view.get("state", {}).get("values", {})
    account = (_value(values, "account", "selected_option") or {}).get("value", "official")
    media = tuple(MediaDeclaration.parse(line) for line in
                  (_value(values, "media") or "").splitlines() if line.strip())
    network = (_value(values, "network", "selected_option") or {}).get("value", "")
    return Draft(text=_value(values, "draft") or "",
                 account="personal" if account == "personal" else "official",
                 media=media, context=(_value(values, "context") or "").strip(),
                 network=network if network in NETWORKS else "")


@dataclass(frozen=True)
class Decision:
    post: int
    version: int
    kind: VoteKind
    channel: str
    message_ts: str
    comment: str = ""
    override_reason: str = ""


def needs_override(post: Post, kind: VoteKind) -> bool:
    return kind == "approve" and post.needs_override


def decision_modal(post: Post, kind: VoteKind, channel: str, message_ts: str) -> View:
    """Approve (with the override reason when error findings need one) or ask for changes."""
    version = post.current
    errors = version.errors
    summary = (f"Post {post.number}, version {version.number}, by "
               f"{mention(post.poster.user_id)}: "
               + (f"{len(errors)} error-level finding(s) "
                  f"({escape(', '.join(sorted({f.label for f in errors})))})."
                  if errors else "no error-level findings."))
    blocks: list[dict[str, Any]] = [section(summary)]
    if needs_override(post, kind):
        blocks.append(_input("override", "Override reason", {
            "type": "plain_text_input", "action_id": "value", "multiline": True,
            "max_length": INPUT_LIMIT}, hint="Why this post may go out despite its error-level "
            "findings. It is recorded with your approval."))
    blocks.append(_input("comment", "Comment" if kind == "approve" else "What should change?", {
        "type": "plain_text_input", "action_id": "value", "multiline": True,
        "max_length": INPUT_LIMIT}, optional=kind == "approve",
        hint="The poster reads this." if kind == "changes" else "Optional; the poster reads it."))
    blocks.append(context("Your decision is recorded with your name and the time."))
    meta = {"post": post.number, "version": version.number, "kind": kind, "channel": channel,
            "ts": message_ts}
    return {
        "type": "modal",
        "callback_id": DECISION_VIEW,
        "title": _plain(f"Approve post {post.number}" if kind == "approve"
                        else "Request changes"),
        "submit": _plain("Approve" if kind == "approve" else "Request changes"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def read_decision(view: View) -> Decision:
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view.get("state", {}).get("values", {})
    kind: VoteKind = "approve" if meta.get("kind") == "approve" else "changes"
    return Decision(
        post=int(meta["post"]), version=int(meta["version"]), kind=kind,
        channel=str(meta.get("channel", "")), message_ts=str(meta.get("ts", "")),
        comment=(_value(values, "comment") or "").strip(),
        override_reason=(_value(values, "override") or "").strip(),
    )


def has_override_field(view: View) -> bool:
    return "override" in view.get("state", {}).get("values", {}) or any(
        b.get("block_id") == "override" for b in view.get("blocks", []))


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str = "") -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": _plain(label),
                             "element": element, "optional": optional}
    if hint:
        block["hint"] = _plain(hint)
    return block


def _value(values: dict[str, Any], block_id: str, field: str = "value") -> Any:
    return values.get(block_id, {}).get("value", {}).get(field)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}
