"""The answer we ask the model for, and the three ways of asking for it.

Servers differ: OpenAI and recent vLLM/llama.cpp take a strict JSON schema, others only
`{"type": "json_object"}`, and some reject `response_format` outright. The modes are tried in
this order (see `client.py`), and the parser reads all three the same way.
"""

from __future__ import annotations

from typing import Any, Literal

from chatbot.policy.model import LABELS

Mode = Literal["json_schema", "json_object", "text"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "text")

#: `{"findings": [{"label", "quote", "explanation", "suggestion"}], "rewrite": string|null}`;
#: strict mode wants every property required and no extra ones.
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "label": {"type": "string", "enum": list(LABELS)},
                    "quote": {"type": "string"},
                    "explanation": {"type": "string"},
                    "suggestion": {"type": "string"},
                },
                "required": ["label", "quote", "explanation", "suggestion"],
                "additionalProperties": False,
            },
        },
        "rewrite": {"type": ["string", "null"]},
    },
    "required": ["findings", "rewrite"],
    "additionalProperties": False,
}


def response_format(mode: Mode) -> dict[str, Any] | None:
    """The `response_format` argument for `mode`, or None to send none at all."""
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": "tone_review", "strict": True, "schema": ANSWER_SCHEMA},
        }
    if mode == "json_object":
        return {"type": "json_object"}
    return None
