"""Rules, the learned layer and the review combined into one Verdict.

The rules decide; the learned layer and the LLM review can only add. Their findings are
appended after the rules' own, and nothing they say can remove a rule's finding or turn a
failing verdict into a pass: the verdict is computed from the combined findings, so an LLM
answer of "approve" has no lever.
"""

from __future__ import annotations

from collections.abc import Sequence

from chatbot.config import Settings
from chatbot.policy.engine import check_rules
from chatbot.policy.model import Draft, Finding, ModelStatus, ReviewStatus, Verdict
from chatbot.policy.rules import Policy


class DraftError(ValueError):
    """The draft cannot be checked as given (empty, or too long to be a post)."""


#: Longer than any platform's post (X: 25,000 for premium, LinkedIn 3,000, Facebook 63,206).
MAX_DRAFT_CHARS = 70_000


def check(
    draft: Draft,
    policy: Policy,
    settings: Settings,
    use_llm: bool = True,
    use_model: bool = True,
) -> Verdict:
    """Check `draft` against `policy`, with the learned layer unless it is off, and with the
    LLM review when asked and configured."""
    return check_many([draft], policy, settings, use_llm=use_llm, use_model=use_model)[0]


def check_many(
    drafts: Sequence[Draft],
    policy: Policy,
    settings: Settings,
    use_llm: bool = True,
    use_model: bool = True,
) -> list[Verdict]:
    """Check several drafts at once: the learned layer embeds them in batches, which is several
    times faster than one by one. Every draft must be valid (`validate` raises DraftError)."""
    for draft in drafts:
        validate(draft)
    rules = [check_rules(draft, policy) for draft in drafts]
    learned = _learned(drafts, policy, settings, use_model)
    verdicts = []
    for draft, found, (model_status, model_findings) in zip(drafts, rules, learned, strict=True):
        if not use_llm:
            status, extra = ReviewStatus("skipped", "turned off with --no-llm or --rules-only"), []
        else:
            from chatbot.review import review_tone

            status, extra = review_tone(draft, settings, _levels(policy))
        verdicts.append(
            Verdict(
                findings=tuple(found) + tuple(model_findings) + tuple(extra)
                + _fit(draft, settings),
                llm=status,
                policy_version=policy.version,
                model=model_status,
            )
        )
    return verdicts


def _learned(
    drafts: Sequence[Draft], policy: Policy, settings: Settings, use_model: bool
) -> list[tuple[ModelStatus, list[Finding]]]:
    if not use_model or not settings.model_on:
        switch = "--rules-only" if not use_model else "CHECKPOST_MODEL=off"
        return [(ModelStatus("off", f"turned off with {switch}"), []) for _ in drafts]
    from chatbot.model.layer import assess  # keeps numpy and the encoder off --rules-only

    return assess(drafts, policy, settings)


def _fit(draft: Draft, settings: Settings) -> tuple[Finding, ...]:
    """The network's length, when the draft names one or CHECKPOST_PLATFORM does."""
    name = draft.network or settings.network
    if not name:
        return ()
    from chatbot.policy.networks import fit_finding, network

    try:
        found = fit_finding(draft.text, network(name))
    except ValueError as exc:
        raise DraftError(str(exc)) from None
    return (found,) if found else ()


def validate(draft: Draft) -> None:
    if not draft.text or not draft.text.strip():
        raise DraftError("the draft is empty: paste the text of the post you want to check")
    if len(draft.text) > MAX_DRAFT_CHARS:
        raise DraftError(
            f"the draft is {len(draft.text):,} characters long; a post is at most "
            f"{MAX_DRAFT_CHARS:,}. Check it in parts."
        )


def _levels(policy: Policy) -> dict[str, str]:
    return dict(policy.label_levels)
