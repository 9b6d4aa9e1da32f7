"""The rule engine: a draft and a policy in, findings out. Pure, fast, and offline.

Each rule's pattern groups are compiled once at load; a draft is normalised once, each distinct
group is searched once over the whole normalised text, and rules then only compare positions
(same sentence? own words or quoted? excused?). That keeps a check well under a millisecond for
a typical post however many rules share a term list.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from chatbot.policy.gates import TermGroup, clause_score
from chatbot.policy.media import MediaItem, media_items
from chatbot.policy.model import ACCOUNTS, LABELS, Draft, Finding
from chatbot.policy.names import NameHit, NameList
from chatbot.policy.normalise import URL, Normalised, normalise
from chatbot.policy.rules import Policy, Rule
from chatbot.policy.structure import (
    REPLY,
    Segment,
    Structure,
    handle_words,
    parse_structure,
    sentences,
)

#: Labels whose presence in a quoted part makes the post a repost of a violation: everything
#: the first list of the policy forbids ("Do not retweet or repost anything that contains any
#: of the above"); the poster's own voice (org-voice) cannot be in someone else's words.
REPOSTABLE = frozenset(LABELS) - {"org-voice", "repost-of-violation"}


def check_rules(draft: Draft, policy: Policy) -> list[Finding]:
    """Every finding the policy's active rules make on `draft`, in the order of the text."""
    plan = _plan(policy, draft.account)
    context = _Context.of(draft, policy, plan.name_order)
    present = context.present
    prefiltered = context.candidates is not None and _prefiltered_plan(policy, draft.account)
    findings: list[Finding] = []
    quoted_hits: list[tuple[Rule, tuple[int, int]]] = []
    for rule in plan.media:
        for finding in _media_findings(rule, context.media):
            findings.append(finding)
            quoted = finding.span and context.structure.kind_at(finding.span[0]) == "quoted"
            if quoted and rule.label in REPOSTABLE:
                quoted_hits.append((rule, finding.span))
    rules = plan.rules
    if prefiltered:  # the rules one of whose key patterns may match, by the scan's numbers
        needs, mask, index = prefiltered.needs, prefiltered.always, prefiltered.index
        keys: set = context.candidates  # type: ignore[assignment]
    else:
        needs, mask, index = plan.needs, plan.always, plan.index
        keys = present
    for key in keys:
        bits = index.get(key)
        if bits:
            mask |= bits
    while mask:  # each rule a key literal opens, in policy order
        low = mask & -mask
        mask ^= low
        i = low.bit_length() - 1
        for clause in needs[i]:
            if clause.isdisjoint(present):
                break  # a group the rule needs cannot hit: not one of its literals is here
        else:
            hit = context.first_hit(rules[i])
            if hit is None:
                continue
            rule = rules[i]
            span, kind, named = hit
            findings.append(_finding(rule, span, named=named))
            if kind == "quoted" and rule.label in REPOSTABLE:
                quoted_hits.append((rule, span))
    if quoted_hits:
        first_span = min(span for _, span in quoted_hits)
        carried = sorted({r.label for r, _ in quoted_hits})
        for rule in plan.repost:
            findings.append(_finding(rule, first_span, carried=carried))
    return _deduplicate(findings)


@dataclass(frozen=True)
class _Plan:
    """The rules the engine matches on one account's drafts, worked out once per policy:
    media rules, repost rules, and the rules matched on the text, each with the groups that
    must all be able to hit (`all` and `requires`) and indexed by one clause of literals, so a
    draft visits only the rules one of whose key literals it contains. The order in which the
    rules are visited changes nothing: findings are sorted by place and rule at the end."""

    rules: tuple[Rule, ...]
    #: For each rule, the clauses of every group it needs: each must meet a draft it fires on.
    needs: tuple[tuple[frozenset[str], ...], ...]
    #: For each key literal, the rules (bit i for rules[i]) that it opens.
    index: dict[str, int]
    #: The rules with no key clause (a name list, a pattern without a gate): always visited.
    always: int
    media: tuple[Rule, ...]
    repost: tuple[Rule, ...]
    #: The name lists the rules read, in the order a rule-by-rule reading meets them (each
    #: rule's anchor, `unless`, `requires`, other groups, `none`). Where two lists name the
    #: same words, the first one's entity is the one a finding names: found in this fixed
    #: order, that does not depend on which rules a draft's gates let through.
    name_order: tuple[NameList, ...] = ()

    @classmethod
    def of(cls, matched: tuple[Rule, ...]) -> _Plan:
        rules = tuple(r for r in matched if not r.match.repost_of and not r.match.media)
        needs: list[tuple[frozenset[str], ...]] = []
        index: dict[str, int] = {}
        always = 0
        for i, rule in enumerate(rules):
            groups = (*rule.match.all, *rule.match.requires)
            clauses = list(dict.fromkeys(c for g in groups if g.gate is not None
                                         for c in g.clauses))
            needs.append(tuple(sorted(clauses, key=clause_score, reverse=True)))
            if not clauses:
                always |= 1 << i
                continue
            key = max(clauses, key=clause_score)
            for literal in key:
                index[literal] = index.get(literal, 0) | 1 << i
        order: dict[str, NameList] = {}
        for rule in matched:
            m = rule.match
            for group in (*m.all[:1], *m.unless, *m.requires, *m.all[1:], *m.none):
                for names in group.names:
                    order.setdefault(names.list_name, names)
        return cls(
            name_order=tuple(order.values()),
            rules=rules,
            needs=tuple(needs),
            index=index,
            always=always,
            media=tuple(r for r in matched if r.match.media and not r.match.repost_of),
            repost=tuple(r for r in matched if r.match.repost_of),
        )


@dataclass(frozen=True)
class _PrefilteredPlan:
    """A plan's index by the prefilter's numbers instead of literals: for each rule, the sets
    of pattern numbers of the groups it needs (one of each must be a candidate for the rule to
    fire; a group with a name list or a pattern the prefilter does not know has none), and for
    each number the rules whose key group holds it."""

    needs: tuple[tuple[frozenset[int], ...], ...]
    index: dict[int, int]
    always: int

    @classmethod
    def of(cls, plan: _Plan) -> _PrefilteredPlan:
        needs: list[tuple[frozenset[int], ...]] = []
        index: dict[int, int] = {}
        always = 0
        for i, rule in enumerate(plan.rules):
            sets = []
            for group in (*rule.match.all, *rule.match.requires):
                numbers = [p.number for p in group.patterns]
                if group.names or not numbers or None in numbers:
                    continue
                sets.append(frozenset(numbers))
            sets = list(dict.fromkeys(sets))
            needs.append(tuple(sorted(sets, key=len)))
            if not sets:
                always |= 1 << i
                continue
            for number in min(sets, key=len):
                index[number] = index.get(number, 0) | 1 << i
        return cls(needs=tuple(needs), index=index, always=always)


def _prefiltered_plan(policy: Policy, account: str) -> _PrefilteredPlan:
    plans = policy.__dict__.setdefault("_prefilter_plans", {})
    plan = plans.get(account)
    if plan is None:
        plan = plans[account] = _PrefilteredPlan.of(_plan(policy, account))
    return plan


def use_prefilter(policy: Policy, compile_if_missing: bool = True) -> bool:
    """Check the policy's drafts with one Hyperscan pass that says which patterns may match
    (`chatbot.policy.prefilter`): for a batch, several times faster than the literal gates
    alone, with the same findings. The database comes from the policy cache, or is compiled
    (some seconds for the shipped policy) when `compile_if_missing`. False when Hyperscan is
    not installed or the database is neither cached nor to be compiled."""
    if policy.__dict__.get("_prefilter") is not None:
        return True
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    from chatbot.policy.prefilter import Prefilter

    groups = _groups(policy)
    patterns = list({id(p): p for g in groups for p in g.patterns}.values())
    prefilter = Prefilter(patterns, tuple(policy.name_lists[k] for k in sorted(policy.name_lists)))
    if not prefilter.load(compile_if_missing):
        return False
    for group in groups:
        group.forget_numbers()
    policy.__dict__.pop("_prefilter_plans", None)
    policy.__dict__.pop("_marker_numbers", None)
    policy.__dict__["_prefilter"] = prefilter
    return True


def _marker_numbers(policy: Policy) -> frozenset[int] | None:
    """The prefilter's numbers of every repost marker's patterns, or None when one has none."""
    known = policy.__dict__.get("_marker_numbers", False)
    if known is False:
        numbers = [p.number for m in policy.repost_markers for p in m.patterns]
        known = None if None in numbers or any(m.names for m in policy.repost_markers) else (
            frozenset(numbers))
        policy.__dict__["_marker_numbers"] = known
    return known


def _groups(policy: Policy) -> list[TermGroup]:
    """Every pattern group of the policy that a draft's normalised text is searched with, in
    the policy's order."""
    found: dict[int, TermGroup] = {}
    for rule in policy.rules:
        m = rule.match
        for group in (*m.all, *m.requires, *m.none, *m.unless):
            found.setdefault(id(group), group)
    for group in (*policy.repost_markers, policy.media.credit):
        found.setdefault(id(group), group)
    return list(found.values())


def prepare(policy: Policy) -> None:
    """Work out the policy's plan for every account now, so a snapshot of the policy
    (`chatbot.policy.cache`) carries them: each costs tens of milliseconds, which a one-draft
    `chatbot check` would otherwise pay at every start."""
    for account in ACCOUNTS:
        _plan(policy, account)


def _plan(policy: Policy, account: str) -> _Plan:
    """The policy's plan for `account`, kept on the policy object (a fork inherits it)."""
    plans = policy.__dict__.get("_engine_plans")
    if plans is None:
        plans = policy.__dict__["_engine_plans"] = {}
    plan = plans.get(account)
    if plan is None:
        plan = plans[account] = _Plan.of(policy.matched_rules(account))
    return plan


@dataclass(frozen=True)
class Reach:
    """What the learned layer needs from the rules: which model rules may judge a draft, the
    parts of the draft (own words, quotes) to score apart, and the repost rules to add."""

    rules: tuple[Rule, ...]
    segments: tuple[Segment, ...]
    repost_rules: tuple[Rule, ...]


def model_reach(draft: Draft, policy: Policy) -> Reach:
    """The model rules whose account, `reply`, `requires` and `unless` let them judge `draft`."""
    candidates = [r for r in policy.model_rules if draft.account in r.accounts]
    if not candidates:
        return Reach((), (), ())
    context = _Context.of(draft, policy, _plan(policy, draft.account).name_order)
    return Reach(
        rules=tuple(r for r in candidates if context.in_reach(r)),
        segments=context.structure.segments,
        repost_rules=tuple(
            r
            for r in policy.active_rules
            if r.match.repost_of and draft.account in r.accounts and context.in_reach(r)
        ),
    )


class _Context:
    """One draft, normalised once; its structure, sentences and media worked out when a rule
    first needs them; with a cache of each pattern group's hits."""

    def __init__(self, draft: Draft, policy: Policy, norm: Normalised, present: set[str],
                 name_order: tuple[NameList, ...] = (),
                 candidates: set[int] | None = None) -> None:
        self.draft = draft
        #: The prefilter's candidates (also in `present`), when the policy has one; and the
        #: name lists' aliases its scan found (None: each list's automaton finds its own).
        self.candidates = candidates
        self.aliases: list[tuple[int, int]] | None = None
        self.name_order = name_order
        self.policy = policy
        self.norm = norm
        self.present = present
        self.hits: dict[int, list[tuple[int, int]]] = {}
        #: Each name list's hits, found once per draft; and the entity at each hit's span.
        self.names: dict[str, list[NameHit]] = {}
        self.entities: dict[tuple[int, int], str] = {}
        self.name_spans: dict[str, list[tuple[int, int]]] = {}
        self.entity_ranks: dict[tuple[int, int], int] = {}
        self._structure: Structure | None = None
        self._sentences: tuple[list[int], list[tuple[int, int]]] | None = None
        self._media: list[MediaItem] | None = None
        self._reply_words: str | None = None

    @classmethod
    def of(cls, draft: Draft, policy: Policy, name_order: tuple[NameList, ...] = ()) -> _Context:
        norm = normalise(draft.text)
        prefilter = policy.__dict__.get("_prefilter")
        if prefilter is None:
            return cls(draft, policy, norm, policy.gates.present(norm.text), name_order)
        found, candidates, aliases = prefilter.scan(norm.text)
        if prefilter.exact_literals:  # the scan found the gate literals too
            context = cls(draft, policy, norm, found, name_order, candidates)
            context.aliases = aliases
            return context
        present = policy.gates.present(norm.text)
        present.update(candidates)
        return cls(draft, policy, norm, present, name_order, candidates)

    @property
    def structure(self) -> Structure:
        structure = self._structure
        if structure is None:
            norm, present = self.norm, self.present
            markers = self.policy.repost_markers
            if self.candidates is not None:  # none can match unless one is a candidate
                numbers = _marker_numbers(self.policy)
                if numbers is not None and numbers.isdisjoint(self.candidates):
                    markers = ()
            marker = any(m.spans(norm.text, present) for m in markers)
            structure = self._structure = parse_structure(self.draft.text, marker)
        return structure

    @property
    def sentence_spans(self) -> list[tuple[int, int]]:
        return self._sentence_index()[1]

    @property
    def sentence_starts(self) -> list[int]:
        return self._sentence_index()[0]

    def _sentence_index(self) -> tuple[list[int], list[tuple[int, int]]]:
        known = self._sentences
        if known is None:
            spans = sentences(self.norm.text)
            known = self._sentences = ([s for s, _ in spans], spans)
        return known

    @property
    def media(self) -> list[MediaItem]:
        media = self._media
        if media is None:
            policy = self.policy
            media = self._media = media_items(self.norm, self.draft.media, policy.media,
                                              self.present)
        return media

    def first_hit(self, rule: Rule) -> tuple[tuple[int, int], str, list[str]] | None:
        """The span (original text), part (own/quoted) and the entities named in the window of
        the rule's first match, if any."""
        match = rule.match
        if (match.reply is not None or match.reply_to) and not self._addressed(rule):
            return None
        anchors = self._hits(match.all[0])
        if not anchors:
            return None
        for group in match.requires:
            if not self._hits(group):
                return None
        rest = match.all[1:]
        for group in rest:
            if not self._hits(group):
                return None  # no hit anywhere, so none in any anchor's window
        where = match.where
        for start, end in anchors:
            kind = self._kind(start)
            if where != "any" and kind != where:
                continue
            window = self._window(start, match.within, kind)
            if not all(self._inside(p, window) for p in rest):
                continue
            if any(self._inside(p, window) for p in match.none):
                continue
            if self._excused(match.unless):
                return None
            return self.norm.span(start, end), kind, self._named(match.all, window)
        return None

    def _kind(self, start: int) -> str:
        """Own words or quoted, at a normalised index."""
        origin = self.norm.origin
        if not origin:
            return "own"
        segments = self.structure.segments
        if len(segments) == 1:
            return segments[0].kind  # it spans the whole draft
        return self.structure.kind_at(origin[start])

    def _named(self, groups: tuple[TermGroup, ...], window: tuple[int, int]) -> list[str]:
        if any(group.names for group in groups):
            self._all_names()
        lo, hi = window
        named = [
            self.entities[span]
            for group in groups
            if group.names
            for span in self._hits(group)
            if lo <= span[0] and span[1] <= hi and span in self.entities
        ]
        return list(dict.fromkeys(named))

    def in_reach(self, rule: Rule) -> bool:
        """Whether the draft-wide conditions (`reply`, `unless`, `requires`) let `rule` fire."""
        match = rule.match
        if not self._addressed(rule):
            return False
        if self._excused(match.unless):
            return False
        return all(self._hits(p) for p in match.requires)

    def _excused(self, unless: tuple[TermGroup, ...]) -> bool:
        """Whether an `unless` pattern is anywhere in the draft: in its words, or in a link
        (URLs are masked for every other pattern, but a link to the FAQ for Article Subjects is
        what the policy asks a reply to give)."""
        if not unless:
            return False
        if any(self._hits(p) for p in unless):
            return True
        if "/" not in self.draft.text:
            return False
        links = " ".join(m.group(0).lower() for m in URL.finditer(self.draft.text))
        return bool(links) and any(p.search(links) for p in unless)

    def _addressed(self, rule: Rule) -> bool:
        """Whether the draft is (or is not) a reply as `reply` asks, to an account whose handle
        `reply_to` reads."""
        match, target = rule.match, self._reply_target()
        if match.reply is not None and (target is not None) != match.reply:
            return False
        if match.reply_to:
            words = self._reply_words
            if words is None:
                # Folded as the patterns are ("official" → "oficial": a repeated letter once).
                words = normalise(handle_words(target)).text if target else ""
                self._reply_words = words
            return bool(words) and any(p.search(words) for p in match.reply_to)
        return True

    def _reply_target(self) -> str | None:
        """The handle the draft opens with (the structure's `reply_to`, without the rest)."""
        if self._structure is not None:
            return self._structure.reply_to
        reply = REPLY.match(self.draft.text)
        return reply.group(1) if reply else None

    def _hits(self, pattern: TermGroup) -> list[tuple[int, int]]:
        found = self.hits.get(id(pattern))
        if found is None:
            found = pattern.spans(self.norm.text, self.present)
            if pattern.names:
                for names in pattern.names:
                    found = found + self._name_spans(names)
                found.sort()
            self.hits[id(pattern)] = found
        return found

    def _name_spans(self, names: NameList) -> list[tuple[int, int]]:
        spans = self.name_spans.get(names.list_name)
        if spans is None:
            found = None
            if self.aliases is not None:
                found = self.policy.__dict__["_prefilter"].name_hits(names, self.aliases)
            hits = names.find(self.norm, found)
            self.names[names.list_name] = hits
            # Where two lists name the same words, the one first in the plan's order keeps
            # them, whichever rule asked first (see `_all_names`).
            rank = self._rank(names)
            entities, ranks = self.entities, self.entity_ranks
            for hit in hits:
                span = (hit.start, hit.end)
                if span not in entities or rank < ranks[span]:
                    entities[span] = hit.entity.name
                    ranks[span] = rank
            spans = self.name_spans[names.list_name] = [(h.start, h.end) for h in hits]
        return spans

    def _rank(self, names: NameList) -> int:
        for i, each in enumerate(self.name_order):
            if each.list_name == names.list_name:
                return i
        return len(self.name_order)

    def _all_names(self) -> None:
        """Every list of the plan found, before a finding names an entity: which entity words
        two lists share belong to must not depend on the lists the gates let a draft read."""
        for names in self.name_order:
            self._name_spans(names)

    def _window(self, position: int, within: str, kind: str) -> tuple[int, int]:
        """The sentence around `position`, or the whole part (own or quoted) it belongs to."""
        if within == "sentence":
            spans = self.sentence_spans
            if spans:
                i = bisect.bisect_right(self.sentence_starts, position) - 1
                return spans[max(i, 0)]
        lo, hi = 0, len(self.norm.text)
        origin = self.norm.origin
        for segment in self.structure.segments:
            if segment.kind == kind and origin:
                seg_lo = bisect.bisect_left(origin, segment.start)
                seg_hi = bisect.bisect_left(origin, segment.end)
                if seg_lo <= position < seg_hi:
                    return seg_lo, seg_hi
        return lo, hi

    def _inside(self, pattern: TermGroup, window: tuple[int, int]) -> bool:
        lo, hi = window
        return any(lo <= s and e <= hi for s, e in self._hits(pattern))


def _media_findings(rule: Rule, items: list[MediaItem]) -> list[Finding]:
    """One finding per rule, pointing at the first credit line it concerns when there is one."""
    hit = [item for item in items if item.klass in rule.match.media]
    if not hit:
        return []
    located = [item.span for item in hit if item.span]
    details = "; ".join(dict.fromkeys(item.description for item in hit))
    return [_finding(rule, located[0] if located else None, detail=details)]


def _finding(
    rule: Rule,
    span: tuple[int, int] | None,
    detail: str = "",
    carried: list[str] | None = None,
    named: list[str] | None = None,
) -> Finding:
    message = rule.message
    if detail:
        message = f"{message} (media: {detail})"
    if named:
        message = f"{message} (named: {', '.join(named)})"
    if carried:
        message = f"{message} (the quoted part: {', '.join(carried)})"
    return Finding(
        rule=rule.id,
        label=rule.label,
        level=rule.level,
        message=message,
        policy=rule.policy,
        link=rule.link,
        span=span,
        source="rules",
    )


def _deduplicate(findings: list[Finding]) -> list[Finding]:
    """One finding per label and place: two rules seeing the same words say it once."""
    seen: set[tuple[str, tuple[int, int] | None]] = set()
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.span or (-1, -1), f.rule)):
        key = (finding.label, finding.span)
        if key in seen:
            continue
        seen.add(key)
        kept.append(finding)
    return kept
