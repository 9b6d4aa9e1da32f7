"""The vocabulary every part of checkpost shares: drafts, findings and their labels and levels.

These are plain dataclasses so the workflow, the store and the adapters can hold and serialise
them without knowing how a finding was produced (a rule or the LLM review).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: The labels of ../shared/eval/LABELS.md, in the order the policy page gives them.
LABELS: tuple[str, ...] = (
    "product-endorsement",
    "political-endorsement",
    "dispute",
    "article-subject-complaint",
    "sarcasm",
    "snark",
    "repost-of-violation",
    "media-license",
    "non-neutral",
    "incivility",
    "org-voice",
)

Level = Literal["error", "warning", "suggestion"]
LEVELS: tuple[str, ...] = ("error", "warning", "suggestion")
Account = Literal["official", "personal"]
ACCOUNTS: tuple[str, ...] = ("official", "personal")


@dataclass(frozen=True)
class MediaDeclaration:
    """What the poster says about one attached photo, video or clip."""

    source: str
    license: str = ""

    @classmethod
    def parse(cls, value: str) -> MediaDeclaration:
        """Read the CLI's `--media "SOURCE; LICENSE"` form (the licence may be left out)."""
        source, _, licence = value.partition(";")
        return cls(source=source.strip(), license=licence.strip())


@dataclass(frozen=True)
class Draft:
    """A post as the poster gave it: its text, account, media, why now, and the network it
    goes to (`x`, `mastodon`, … of `chatbot.policy.networks`; empty: CHECKPOST_PLATFORM's)."""

    text: str
    account: Account = "official"
    media: tuple[MediaDeclaration, ...] = ()
    context: str = ""
    network: str = ""


@dataclass(frozen=True)
class Finding:
    """One thing the poster should change, with the policy line it comes from.

    `span` is `[start, end)` in the draft's original text, or None when the finding is about the
    draft as a whole (a missing licence) or an LLM quote that could not be found in the draft.
    """

    rule: str
    label: str
    level: Level
    message: str
    policy: str
    link: str = ""
    span: tuple[int, int] | None = None
    source: Literal["rules", "model", "llm"] = "rules"
    suggestion: str = ""
    located: bool = True
    #: The learned layer's probability for its label; None for rules and the LLM review.
    score: float | None = None

    def to_json(self) -> dict:
        # Written out rather than `asdict`, which deep-copies every field: a batch of
        # thousands of drafts spent a tenth of its time there.
        data = {
            "rule": self.rule,
            "label": self.label,
            "level": self.level,
            "message": self.message,
            "policy": self.policy,
            "link": self.link,
            "span": list(self.span) if self.span else None,
            "source": self.source,
            "suggestion": self.suggestion,
            "located": self.located,
        }
        if self.score is not None:
            data["score"] = self.score
        return data

    @classmethod
    def from_json(cls, data: dict) -> Finding:
        span = data.get("span")
        return cls(
            rule=data["rule"],
            label=data["label"],
            level=data["level"],
            message=data["message"],
            policy=data.get("policy", ""),
            link=data.get("link", ""),
            span=tuple(span) if span else None,
            source=data.get("source", "rules"),
            suggestion=data.get("suggestion", ""),
            located=data.get("located", True),
            score=data.get("score"),
        )


@dataclass(frozen=True)
class ReviewStatus:
    """How the LLM tone review went: `ok`, `skipped` (no endpoint) or `failed` (with why)."""

    status: Literal["ok", "skipped", "failed"]
    reason: str = ""
    model: str = ""
    rewrite: str | None = None

    def to_json(self) -> dict:
        data: dict = {"status": self.status, "reason": self.reason}
        if self.model:
            data["model"] = self.model
        if self.rewrite:
            data["rewrite"] = self.rewrite
        return data


@dataclass(frozen=True)
class ModelStatus:
    """How the learned layer went: `ok` (with the heads that ran), `off`, or `failed` (why)."""

    status: Literal["ok", "off", "failed"]
    reason: str = ""
    heads: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"status": self.status, "reason": self.reason, "heads": list(self.heads)}

    @classmethod
    def from_json(cls, data: dict | None) -> ModelStatus:
        if not data:  # a verdict stored before the learned layer existed
            return cls("off", "checked before the learned layer existed")
        return cls(
            status=data.get("status", "off"),
            reason=data.get("reason", ""),
            heads=tuple(data.get("heads", ())),
        )


@dataclass(frozen=True)
class Verdict:
    """Rules and review combined; any `error`-level finding fails it, whoever made it."""

    findings: tuple[Finding, ...] = ()
    llm: ReviewStatus = field(default_factory=lambda: ReviewStatus("skipped", "not requested"))
    policy_version: str = ""
    model: ModelStatus = field(default_factory=lambda: ModelStatus("off", "not requested"))

    @property
    def passed(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "needs-changes"

    @property
    def labels(self) -> set[str]:
        return {f.label for f in self.findings}

    def to_json(self) -> dict:
        return {
            "verdict": self.verdict,
            "findings": [f.to_json() for f in self.findings],
            "model": self.model.to_json(),
            "llm": self.llm.to_json(),
            "policy_version": self.policy_version,
        }

    @classmethod
    def from_json(cls, data: dict) -> Verdict:
        llm = data.get("llm") or {}
        return cls(
            findings=tuple(Finding.from_json(f) for f in data.get("findings", [])),
            llm=ReviewStatus(
                status=llm.get("status", "skipped"),
                reason=llm.get("reason", ""),
                model=llm.get("model", ""),
                rewrite=llm.get("rewrite"),
            ),
            policy_version=data.get("policy_version", ""),
            model=ModelStatus.from_json(data.get("model")),
        )
