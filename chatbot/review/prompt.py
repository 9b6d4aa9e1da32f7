"""The chat messages for one review, built from `prompts/tone-review.txt`.

The template has a `[system]` and a `[user]` section and named placeholders ({labels},
{account}, {draft}, {media}, {context}). The poster's words only ever go into the user message,
inside <draft>, <context> and <media> blocks, with any such tags in them defused, so a draft can
neither close its block early nor pose as our instructions.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from chatbot.policy.model import Draft
from chatbot.review.failure import ReviewFailed
from chatbot.review.labels import describe_labels

TEMPLATE_NAME = "tone-review.txt"
#: The canonical template lives in the repository's prompts/ so people can find and edit it;
#: an identical copy ships inside the package for installs without the repository around it.
TEMPLATE_PATHS = (
    Path(__file__).resolve().parents[2] / "prompts" / TEMPLATE_NAME,
    Path(__file__).resolve().with_name(TEMPLATE_NAME),
)

PLACEHOLDER = re.compile(r"\{(labels|account|draft|media|context)\}")
SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)
#: An opening or closing delimiter tag, however spaced or cased: `<draft>`, `</ Draft >`, `<media`.
DELIMITER_TAG = re.compile(r"<(\s*/?\s*)(draft|context|media)\b", re.IGNORECASE)

ACCOUNTS = {
    "official": "official (the CIS-A2K account)",
    "personal": "personal (a staff member's own account)",
}


def render_messages(draft: Draft) -> list[dict[str, str]]:
    """The system and user messages asking the model to review `draft`."""
    values = {
        "labels": describe_labels(),
        "account": ACCOUNTS.get(draft.account, draft.account),
        "draft": defuse(draft.text),
        "context": defuse(draft.context.strip()) or "(none given)",
        "media": defuse(
            "\n".join(f"{m.source}; {m.license or '(no licence given)'}" for m in draft.media)
        )
        or "(no media)",
    }
    return [
        {"role": role, "content": PLACEHOLDER.sub(lambda m: values[m.group(1)], body)}
        for role, body in sections(load_template())
    ]


def defuse(text: str) -> str:
    """Escape delimiter tags in the poster's text so it cannot break out of its block."""
    return DELIMITER_TAG.sub(lambda m: "&lt;" + m.group(1) + m.group(2), text)


def sections(template: str) -> list[tuple[str, str]]:
    """Split the template into (role, body) pairs, before any placeholder is filled."""
    parts = SECTION.split(template)
    pairs = [(parts[i], parts[i + 1].strip("\n")) for i in range(1, len(parts) - 1, 2)]
    if [role for role, _ in pairs] != ["system", "user"]:
        raise ReviewFailed(f"prompt template {TEMPLATE_NAME} needs a [system] then a [user] part")
    return pairs


@cache
def load_template() -> str:
    """The template text: the repository's prompts/ first, then the copy inside the package."""
    for path in TEMPLATE_PATHS:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise ReviewFailed(f"prompt template {TEMPLATE_NAME} not found in prompts/ or the package")
