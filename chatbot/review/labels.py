"""What each label means to the model, and which policy line a finding with that label cites.

The meanings are the "the draft…" column of ../shared/eval/LABELS.md, so the model is told the
same thing the people who labelled the drafts were told. The policy lines are quoted exactly from
the CIS-A2K Best Practices page (policies/best-practices.txt): a finding shows the poster
the line itself, not our paraphrase of it.
"""

from __future__ import annotations

from chatbot.policy.model import LABELS

#: Label → what a draft with that label does (LABELS.md, "the draft…").
MEANINGS: dict[str, str] = {
    "product-endorsement": (
        "praises, recommends or promotes a commercial product, brand, app or service (not "
        "free-knowledge tools such as Wikipedia, Commons, Wikidata, OpenStreetMap, Kiwix, or "
        "free-licence tools)"
    ),
    "political-endorsement": (
        "supports or opposes a political party, candidate or politician, asks people to vote a "
        "certain way, or takes a partisan side"
    ),
    "dispute": "argues with, calls out, or picks a fight with another account",
    "article-subject-complaint": (
        "tries to evaluate or resolve a complaint by a celebrity or fans about a Wikipedia article "
        "(promises a fix, says who is right, says \"we corrected it\") instead of pointing to the "
        "FAQ for Article Subjects"
    ),
    "sarcasm": "says the opposite of what it means to mock or needle",
    "snark": "is snide, condescending, dismissive or unfriendly in tone, even if literal",
    "repost-of-violation": (
        "reposts, retweets or quotes someone else's content that itself breaks one of these rules"
    ),
    "media-license": (
        "attaches or credits media that is not owned or co-owned by CIS-A2K, public domain, CC0, "
        "or used with written permission of its author (CC BY-SA and other licences count as a "
        "problem too)"
    ),
    "non-neutral": (
        "takes a side on a contested topic, or uses promotional or loaded language that breaks "
        "the neutrality pillar"
    ),
    "incivility": "insults, belittles or attacks people",
    "org-voice": (
        "on a personal account, speaks for the organisation (\"At CIS-A2K, we…\") or could be "
        "confused with official messaging, without clearance"
    ),
}

_PILLARS = (
    "Remember the “five pillars” of Wikipedia’s fundamental principles, especially neutrality "
    "and civility."
)

#: Label → the line of the policy it breaks, for the official account.
POLICY_LINES: dict[str, str] = {
    "product-endorsement": "Do not endorse any products",
    "political-endorsement": "Do not endorse any political candidates",
    "dispute": "Do not engage in any dispute with other accounts",
    "article-subject-complaint": (
        "Do not evaluate or attempt to resolve complaints by celebrities or their fans about "
        "edits to a Wikipedia article. Direct them to the FAQ for Article Subjects."
    ),
    "sarcasm": "Do not post sarcasm",
    "snark": "Do not post “snarky” or in unfriendly tones",
    "repost-of-violation": "Do not retweet or repost anything that contains any of the above",
    "media-license": (
        "Do not post media that is not either owned or co-owned by CIS-A2K (such as photos we "
        "take), in the public domain or licensed under CC0. An exception is media used with "
        "permission from the author. That permission may come in any written form (such as an "
        "email)."
    ),
    "non-neutral": _PILLARS,
    "incivility": _PILLARS,
    "org-voice": (
        "Do not post anything on your personal accounts that could be confused with CIS-A2K "
        "official messaging."
    ),
}

_OWN_BUSINESS = (
    "CIS-A2K employees’ social media accounts are their business—unless they are used in ways "
    "that inhibit their ability to do their jobs."
)

#: On a personal account the official list does not apply; these labels reach it through the
#: later sections of the page (LABELS.md, "Personal accounts"), so a finding cites that section.
PERSONAL_POLICY_LINES: dict[str, str] = {
    "dispute": (
        "Please do not take on angry critics or engage with members of the press in discussions "
        "about CIS-A2K on social media or the comments sections of websites."
    ),
    "political-endorsement": (
        "If you post political opinions on social media, please refrain from mentioning CIS-A2K "
        "or CIS-A2K projects."
    ),
    "snark": _OWN_BUSINESS,
    "incivility": _OWN_BUSINESS,
}

def policy_line(label: str, account: str) -> str:
    """The policy line a finding with `label` cites on `account` (official or personal)."""
    if account == "personal" and label in PERSONAL_POLICY_LINES:
        return PERSONAL_POLICY_LINES[label]
    return POLICY_LINES[label]


def describe_labels() -> str:
    """The label list as the prompt shows it: one `- label: meaning` line each, in policy order."""
    return "\n".join(f"- {label}: the draft {MEANINGS[label]}" for label in LABELS)
