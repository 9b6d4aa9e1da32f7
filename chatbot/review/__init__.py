"""The LLM tone review: a second reader for what word lists cannot judge (snark, sarcasm, tone).

`review_tone` asks an OpenAI-compatible model about one draft and turns its answer into
findings. It can only add findings: nothing in a model's answer can remove a rule's finding or
approve a post, and every fault becomes `ReviewStatus("failed", reason)` with no findings, so
the rules' verdict stands whatever the model or the network does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from chatbot.config import Settings
from chatbot.policy.model import Draft, Finding, Level, ReviewStatus
from chatbot.review.failure import ReviewFailed
from chatbot.review.labels import policy_line
from chatbot.review.locate import locate
from chatbot.review.parse import ProposedFinding, parse_answer
from chatbot.review.prompt import render_messages

__all__ = ["review_tone"]

log = logging.getLogger(__name__)

NOT_CONFIGURED = "no LLM endpoint configured: set OPENAI_BASE_URL or OPENAI_API_KEY"


def review_tone(
    draft: Draft, settings: Settings, levels: Mapping[str, Level]
) -> tuple[ReviewStatus, list[Finding]]:
    """Review `draft`'s tone with the configured model, within `settings.llm_timeout` seconds.

    `levels` maps each label to the level our policy gives it: a finding's level comes from our
    policy, not from the model. Returns the status (`ok`, `skipped` when no endpoint is set,
    `failed` with a reason) and the findings, which are empty unless the status is `ok`.
    """
    if not settings.llm_configured:
        return ReviewStatus("skipped", NOT_CONFIGURED), []
    # Imported here to keep `openai` off the rules-only path; the budget starts before it.
    from chatbot.review.client import Budget, complete

    budget = Budget(settings.llm_timeout)
    try:
        answer = parse_answer(complete(render_messages(draft), settings, budget))
        findings = [to_finding(proposed, draft, levels) for proposed in answer.findings]
    except ReviewFailed as failure:
        return failed(failure.reason, settings), []
    except Exception as error:  # a fault of ours must not take the rules' verdict down with it
        log.warning("LLM review failed unexpectedly", exc_info=True)
        return failed(f"the review failed unexpectedly ({type(error).__name__})", settings), []
    status = ReviewStatus(
        "ok", reason="; ".join(answer.notes), model=settings.llm_model, rewrite=answer.rewrite
    )
    return status, findings


def failed(reason: str, settings: Settings) -> ReviewStatus:
    """A failed status whose reason cannot leak the API key, whatever the server echoed."""
    if settings.openai_api_key:
        reason = reason.replace(settings.openai_api_key, "***")
    return ReviewStatus("failed", reason, model=settings.llm_model)


def to_finding(proposed: ProposedFinding, draft: Draft, levels: Mapping[str, Level]) -> Finding:
    """A Finding for one proposed by the model, pointed at its quote when the quote is found."""
    span = locate(proposed.quote, draft.text)
    return Finding(
        rule=f"llm-{proposed.label}",
        label=proposed.label,
        level=levels.get(proposed.label, "warning"),
        message=proposed.explanation or f"The tone review flagged this draft as {proposed.label}.",
        policy=policy_line(proposed.label, draft.account),
        span=span,
        source="llm",
        suggestion=proposed.suggestion,
        located=span is not None,
    )
