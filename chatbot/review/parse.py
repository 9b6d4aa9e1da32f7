"""Read the model's answer: one JSON object of findings and an optional rewrite.

The parser is tolerant about where the JSON sits (bare, in a ```json fence, after a sentence of
preamble) because servers without structured output wrap it freely, and strict about what it
means: labels outside our list are dropped and counted, extra keys (`"approve": true`) are
ignored, and nothing in an answer can do more than add a finding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from chatbot.policy.model import LABELS
from chatbot.review.failure import ReviewFailed

FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class ProposedFinding:
    """One finding as the model proposed it, label already checked against LABELS."""

    label: str
    quote: str
    explanation: str
    suggestion: str


@dataclass(frozen=True)
class Answer:
    """What a well-formed answer holds, plus notes on what was dropped from it and why."""

    findings: tuple[ProposedFinding, ...]
    rewrite: str | None
    notes: tuple[str, ...] = field(default=())


def parse_answer(content: str) -> Answer:
    """Parse the model's reply text; raise ReviewFailed when it is not an answer at all."""
    data = extract_json(content)
    if not isinstance(data, dict):
        raise ReviewFailed("the model's answer is JSON but not an object with findings")
    raw_findings = data.get("findings", [])
    if raw_findings is None:
        raw_findings = []
    if not isinstance(raw_findings, list):
        raise ReviewFailed("the model's answer has 'findings' that is not a list")
    findings: list[ProposedFinding] = []
    unknown: list[str] = []
    malformed = 0
    for raw in raw_findings:
        finding = read_finding(raw)
        if finding is None:
            malformed += 1
        elif finding.label not in LABELS:
            unknown.append(finding.label)
        elif finding not in findings:
            findings.append(finding)
    rewrite = data.get("rewrite")
    rewrite = rewrite.strip() or None if isinstance(rewrite, str) else None
    return Answer(tuple(findings), rewrite, tuple(notes_on(unknown, malformed)))


def extract_json(content: str) -> Any:
    """The first JSON value in `content`: the whole text, a fenced block, or the first object."""
    text = content.strip()
    if not text:
        raise ReviewFailed("the model's answer was empty")
    try:
        return json.loads(text)
    except ValueError:
        pass
    for block in FENCE.findall(text):
        try:
            return json.loads(block)
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        return value
    raise ReviewFailed("the model's answer is not JSON")


def read_finding(raw: object) -> ProposedFinding | None:
    """One finding from its JSON, or None when it lacks a label; other fields may be missing."""
    if not isinstance(raw, dict):
        return None
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        return None
    return ProposedFinding(
        label=re.sub(r"[\s_]+", "-", label.strip().lower()),
        quote=_text(raw.get("quote")),
        explanation=_text(raw.get("explanation")).strip(),
        suggestion=_text(raw.get("suggestion")).strip(),
    )


def notes_on(unknown: list[str], malformed: int) -> list[str]:
    """What was dropped, for the status reason: `dropped 1 finding with unknown label 'rude'`."""
    notes = []
    if unknown:
        names = ", ".join(repr(_short(label)) for label in dict.fromkeys(unknown))
        plural = "s" if len(set(unknown)) > 1 else ""
        notes.append(f"dropped {_count(len(unknown))} with unknown label{plural} {names}")
    if malformed:
        notes.append(f"dropped {_count(malformed)} without a label")
    return notes


def _count(n: int) -> str:
    return f"{n} finding" if n == 1 else f"{n} findings"


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
