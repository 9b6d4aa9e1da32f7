"""A loaded policy: its rules, compiled, and what the engine needs beside them.

The YAML format is described in README.md § "The policy file format"; `chatbot.policy.loader`
turns files into a `Policy` and refuses anything it does not understand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from chatbot.policy.gates import GateIndex, TermGroup
from chatbot.policy.media import MediaVocabulary
from chatbot.policy.model import Account, Draft, Level, MediaDeclaration
from chatbot.policy.names import NameList

Where = Literal["own", "quoted", "any"]
Within = Literal["sentence", "text"]


@dataclass(frozen=True)
class Match:
    """What makes a rule fire.

    - `all`: groups of patterns; each group needs a hit, all in one window (a sentence, or the
      whole segment with `within: text`). The first group's hit anchors the finding's span.
    - `none`: patterns that, if found in the same window, excuse it (the neutral use).
    - `unless`: patterns that, found anywhere in the draft, excuse the whole draft.
    - `requires`: patterns one of which must be found somewhere in the draft (a personal post
      reaches the policy only when it brings CIS-A2K in).
    - `where`: the poster's own words, quoted (reposted) words, or either.
    - `reply`: only (True) or never (False) when the draft opens with an @handle.
    - `reply_to`: patterns one of which must match the handle the draft replies to, read as
      words (`@RajiniFansOfficial` → `rajini fans official`): who the reply is addressed to.
    - `media`: licence classes; the rule fires once for each medium in one of them.
    - `repost_of`: the rule fires when another rule found something in a quoted part.
    - `model`: the learned layer's head (named for its label) decides; `requires`, `unless`
      and the rule's accounts still say whether the draft is within the rule's reach.
    """

    all: tuple[TermGroup, ...] = ()
    none: tuple[TermGroup, ...] = ()
    unless: tuple[TermGroup, ...] = ()
    requires: tuple[TermGroup, ...] = ()
    within: Within = "sentence"
    where: Where = "any"
    reply: bool | None = None
    reply_to: tuple[TermGroup, ...] = ()
    media: tuple[str, ...] = ()
    repost_of: bool = False
    model: str = ""


@dataclass(frozen=True)
class Example:
    """A draft written beside a rule to show what it is for: one that must make it fire, or a
    near miss (the neutral use its `none:` or `unless:` exists for) that must not."""

    text: str
    account: Account = "official"
    media: tuple[MediaDeclaration, ...] = ()
    origin: str = ""  # "file:line" of the example, for the test that runs it

    @property
    def draft(self) -> Draft:
        return Draft(text=self.text, account=self.account, media=self.media)


@dataclass(frozen=True)
class Examples:
    """A rule's own examples (as proselint and Vale keep them); tests/test_rule_examples.py
    runs every one and fails a rule that has none of either kind."""

    fires: tuple[Example, ...] = ()
    passes: tuple[Example, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    level: Level
    message: str
    policy: str
    link: str
    accounts: tuple[str, ...]
    match: Match
    enabled: bool = True
    origin: str = ""  # "file:line", for messages about the rule itself
    examples: Examples = field(default_factory=Examples)

    def with_changes(self, **changes: object) -> Rule:
        return replace(self, **changes)


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    source: str
    rules: tuple[Rule, ...]
    label_levels: Mapping[str, Level]
    label_policy: Mapping[str, str]
    media: MediaVocabulary
    repost_markers: tuple[TermGroup, ...] = ()
    files: tuple[str, ...] = field(default_factory=tuple)
    gates: GateIndex = field(default_factory=lambda: GateIndex(()))
    name_lists: Mapping[str, NameList] = field(default_factory=dict)

    @property
    def active_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled)

    def matched_rules(self, account: str) -> tuple[Rule, ...]:
        """The active rules the engine matches on `account`'s drafts (a learned head decides
        the model rules), in policy order; worked out once per policy and account."""
        known = self._matched.get(account)
        if known is None:
            known = self._matched[account] = tuple(
                r for r in self.active_rules if account in r.accounts and not r.match.model
            )
        return known

    @cached_property
    def _matched(self) -> dict[str, tuple[Rule, ...]]:
        return {}

    @property
    def model_rules(self) -> tuple[Rule, ...]:
        """The active rules a learned head decides (the engine's matching skips them)."""
        return tuple(r for r in self.active_rules if r.match.model)
