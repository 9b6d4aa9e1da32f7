"""Rules and review combined into one Verdict.

The rules decide; the LLM review can only add. Its findings are appended after the rules' own,
and nothing it says can remove a rule's finding or turn a failing verdict into a pass: the
verdict is computed from the combined findings, so an LLM answer of "approve" has no lever.
"""

from __future__ import annotations

from chatbot.config import Settings
from chatbot.policy.engine import check_rules
from chatbot.policy.model import Draft, ReviewStatus, Verdict
from chatbot.policy.rules import Policy


class DraftError(ValueError):
    """The draft cannot be checked as given (empty, or too long to be a post)."""


#: Longer than any platform's post (X: 25,000 for premium, LinkedIn 3,000, Facebook 63,206).
MAX_DRAFT_CHARS = 70_000


def check(draft: Draft, policy: Policy, settings: Settings, use_llm: bool = True) -> Verdict:
    """Check `draft` against `policy`, and with the LLM review when asked and configured."""
    validate(draft)
    findings = check_rules(draft, policy)
    if not use_llm:
        status = ReviewStatus("skipped", "LLM review turned off (--no-llm)")
        extra = []
    else:
        from chatbot.review import review_tone

        status, extra = review_tone(draft, settings, _levels(policy))
    return Verdict(
        findings=tuple(findings) + tuple(extra),
        llm=status,
        policy_version=policy.version,
    )


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
