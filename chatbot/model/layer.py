"""The learned layer as a judge: score a draft's parts with the heads its model rules name.

Which heads may judge a draft, with what policy line, message and level, is the policy's
business: a rule with `match: {model: incivility}` in `policies/*.yaml` (see the engine's
`model_reach`), so account scoping (LABELS.md § Personal accounts) is written where the rules'
is. Each part of the draft is scored on its own (the poster's words, and each quoted part, so a
quoted insult earns `repost-of-violation` as the rules' findings do). At or over the script's
`confident` cut a finding takes the rule's level; between the threshold and that cut it is a
`warning` for a person to judge. Like the LLM review, the layer only adds findings, and any
fault (a damaged heads file, an encoder that will not load) is a `failed` status with a reason
while the rules' verdict stands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from chatbot.config import Settings
from chatbot.model.encoder import EncoderError
from chatbot.model.heads import Head, Heads, HeadsError, load_heads
from chatbot.model.script import dominant_script
from chatbot.policy.engine import REPOSTABLE, Reach, model_reach
from chatbot.policy.model import Draft, Finding, ModelStatus
from chatbot.policy.rules import Policy, Rule
from chatbot.policy.structure import sentences

log = logging.getLogger(__name__)

#: Drafts embedded per call: the engine batches internally; this bounds memory on huge batches.
CHUNK = 64
#: How far under its cut a part's score may be and still have its sentences scored apart.
SCREEN = 0.25


@dataclass(frozen=True)
class _Part:
    """One part of one draft to score: its original-text bounds and whether it is quoted."""

    draft: int
    start: int
    end: int
    quoted: bool
    text: str
    script: str


def assess(
    drafts: Sequence[Draft], policy: Policy, settings: Settings
) -> list[tuple[ModelStatus, list[Finding]]]:
    """The learned layer's status and findings for each draft, in order. Whether the layer
    runs at all (`--rules-only`, CHECKPOST_MODEL=off) is decided by `chatbot.verdict`."""
    reaches = [model_reach(d, policy) for d in drafts]
    wanted = sorted({r.match.model for reach in reaches for r in reach.rules})
    if not wanted:
        return [(_status(reach), []) for reach in reaches]
    try:
        heads = load_heads(settings.model_heads or None)
        missing = [name for name in wanted if name not in heads.heads]
        if missing:
            raise HeadsError(f"{heads.path} has no head for {', '.join(missing)}")
        findings = _judge(drafts, reaches, heads)
    except (HeadsError, EncoderError) as exc:
        return [(ModelStatus("failed", str(exc)), []) for _ in drafts]
    except Exception as exc:  # a fault of ours must not take the rules' verdict down with it
        log.warning("the learned layer failed unexpectedly", exc_info=True)
        reason = f"the learned layer failed unexpectedly ({type(exc).__name__})"
        return [(ModelStatus("failed", reason), []) for _ in drafts]
    return [(_status(reach), found) for reach, found in zip(reaches, findings, strict=True)]


def _status(reach: Reach) -> ModelStatus:
    if not reach.rules:
        return ModelStatus("ok", "no model rule reaches this draft")
    return ModelStatus("ok", heads=tuple(sorted({r.match.model for r in reach.rules})))


def _judge(drafts: Sequence[Draft], reaches: list[Reach], heads: Heads) -> list[list[Finding]]:
    import numpy as np

    from chatbot.model.encoder import embed

    parts = [
        p for i, reach in enumerate(reaches) if reach.rules for p in _parts(i, drafts[i], reach)
    ]
    vectors = _embed_all([p.text for p in parts], embed) if parts else np.zeros((0, 0))
    results: list[list[Finding]] = [[] for _ in drafts]
    quoted_hits: dict[int, list[tuple[str, tuple[int, int]]]] = {}
    #: (part, head) → the part's probability, as the higher of its own and its best sentence's,
    #: and the span of that sentence.
    judged: dict[tuple[int, str], tuple[float, tuple[int, int]]] = {}
    for rule, part, vector in _candidates(parts, vectors, reaches):
        head = heads.heads[rule.match.model]
        key = (id(part), rule.match.model)
        if key not in judged:
            judged[key] = _judge_part(part, head, vector, embed)
        probability, span = judged[key]
        if probability < head.cut(part.script):
            continue
        level = rule.level if probability >= head.confident_cut(part.script) else "warning"
        if rule.level == "suggestion":
            level = "suggestion"
        results[part.draft].append(_finding(rule, span, probability, level, head, part.script))
        if part.quoted and rule.label in REPOSTABLE:
            quoted_hits.setdefault(part.draft, []).append((rule.label, span))
    for index, hits in quoted_hits.items():
        for rule in reaches[index].repost_rules:
            first = min(span for _, span in hits)
            carried = ", ".join(sorted({label for label, _ in hits}))
            results[index].append(
                Finding(
                    rule=rule.id,
                    label=rule.label,
                    level=rule.level,
                    message=f"{rule.message} (the quoted part: {carried}, by the learned layer)",
                    policy=rule.policy,
                    link=rule.link,
                    span=first,
                    source="model",
                )
            )
    return results


def _parts(index: int, draft: Draft, reach: Reach) -> list[_Part]:
    parts = []
    for segment in reach.segments or ():
        text = draft.text[segment.start : segment.end]
        if sum(ch.isalpha() for ch in text) < 3:
            continue
        parts.append(
            _Part(index, segment.start, segment.end, segment.kind == "quoted", text,
                  dominant_script(text))
        )
    return parts


def _candidates(parts: list[_Part], vectors, reaches: list[Reach]):
    """(rule, part, vector) for every rule that may judge a part (`where`: own, quoted, any)."""
    for part, vector in zip(parts, vectors, strict=True):
        for rule in reaches[part.draft].rules:
            kind = "quoted" if part.quoted else "own"
            if rule.match.where in ("any", kind):
                yield rule, part, vector


def _embed_all(texts: list[str], embed):
    import numpy as np

    unique = list(dict.fromkeys(texts))
    rows = [embed(unique[i : i + CHUNK]) for i in range(0, len(unique), CHUNK)]
    table = dict(zip(unique, np.concatenate(rows), strict=True))
    return np.stack([table[t] for t in texts])


def _judge_part(part: _Part, head: Head, vector, embed) -> tuple[float, tuple[int, int]]:
    """The part's probability and the span of its sentence that scores highest.

    Polite sentences around an insult dilute the whole part's score (measured: an insult alone
    0.83, the same after a thank-you 0.51), so a part that comes near its cut (within
    `SCREEN`) has its sentences embedded, and the best sentence's score counts when higher.
    A clean draft scores far below (about 0.05) and costs one embedding per part."""
    whole = float(head.probability(vector[None, :], [part.text])[0])
    spans = [
        (s, e) for s, e in sentences(part.text) if sum(c.isalpha() for c in part.text[s:e]) >= 3
    ]
    if not head.sentences or whole < head.cut(part.script) - SCREEN:
        return whole, _trim(part.text, part.start, (0, len(part.text)))
    if len(spans) <= 1:
        return whole, _trim(part.text, part.start, spans[0] if spans else (0, len(part.text)))
    texts = [part.text[s:e] for s, e in spans]
    scores = head.probability(embed(texts), texts)
    best = int(scores.argmax())
    return max(whole, float(scores[best])), _trim(part.text, part.start, spans[best])


def _trim(text: str, offset: int, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return offset + start, offset + end


def _finding(
    rule: Rule, span: tuple[int, int], probability: float, level: str, head: Head, script: str
) -> Finding:
    confident = head.confident_cut(script)
    how = (
        f"the learned layer's {head.label} score is {probability:.2f}"
        + (f", over its confident cut of {confident:.2f}" if probability >= confident
           else f", over its threshold of {head.cut(script):.2f}: a person should judge it")
    )
    return Finding(
        rule=rule.id,
        label=rule.label,
        level=level,  # type: ignore[arg-type]
        message=f"{rule.message} ({how})",
        policy=rule.policy,
        link=rule.link,
        span=span,
        source="model",
        score=round(probability, 3),
    )
