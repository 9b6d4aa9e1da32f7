"""Cheap gates in front of the rules' regular expressions, so a check stays well under 2 ms.

A backtracking regex engine tries every alternative of a term list at every position of the
draft; with a few thousand alternatives that is milliseconds per draft. But nearly every
pattern needs some literal text to match at all (`\\b(use|apply) my code\\b` needs "code";
`\\b(jio|airtel)\\b` needs "jio" or "airtel"). Each pattern therefore carries its gate: a set
of literals one of which must occur in the text. One Aho-Corasick pass (pyahocorasick, in C)
finds every gate literal present in a draft, and only the patterns whose gate is open run.
A pattern with no usable literal (`\\d+ ?\\w+`), or whose syntax the reader of pattern text
(`chatbot.policy.pattern_literals`) is unsure of, has no gate and always runs.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ahocorasick

from chatbot.policy.prefilter import PREFILTERED

if TYPE_CHECKING:
    import regex

    from chatbot.policy.names import NameList
    from chatbot.policy.pattern_literals import Item


#: A pattern whose start literals occur at more places than this in a draft is searched as a
#: whole (one `finditer`), not tried at each place: past a dozen or so, that is faster.
MAX_STARTS = 12


class GatedPattern:
    """A pattern's source, its gates, and the pattern compiled on first use: one draft opens few
    gates, so a short-lived process compiles few of a policy's patterns (see policy/cache.py).

    - `gate`: literals one of which every match contains (None: the pattern always runs); the
      policy's one Aho-Corasick pass finds which are in a draft, and indexes patterns by them.
    - `clauses`: more such sets, each of which must also meet the draft (`(we|our team) (fixed|
      updated)` needs one of the first words *and* one of the second), checked before running.
    - `starts`: literals one of which every match *begins* with, or None. The pattern is then
      tried only where one of them stands in the draft (`match` at each place, in order, as
      `finditer` would find them), not at every position of the draft.
    - `after`: for a pattern without start literals, the characters after which every match
      begins ("" for the start of the text): `(?:^|(?<=[\\n(]))…` is tried at the start, after
      each line break and after each `(`. A gate's literal in every match keeps it non-empty.

    The `regex` library parses a pattern in Python (a third of a millisecond each), but pickles
    a compiled one as the program its C core runs. A policy snapshot keeps each pattern's
    program, so a pattern first used in a new process is loaded, not parsed again."""

    __slots__ = ("_compiled", "_program", "_strong_starts", "_weak_starts", "after", "clauses",
                 "gate", "number", "source", "starts")

    def __init__(
        self,
        source: str,
        gate: frozenset[str] | None,  # None: always run
        compiled: regex.Pattern[str] | None = None,
        program: bytes | None = None,
        clauses: tuple[frozenset[str], ...] = (),
        starts: frozenset[str] | None = None,
        after: frozenset[str] | None = None,
    ) -> None:
        self.source = source
        self.gate = gate
        self._compiled = compiled
        self._program = program
        self.clauses = clauses if gate is not None else ()
        self.starts = starts if gate is not None else None
        self.after = after if gate is not None and self.starts is None else None
        # Short start literals (`we`, `u`, `[.!?]`) stand nearly everywhere: they are not put in
        # the policy's automaton (every draft would yield dozens of them), but looked for in
        # the draft itself when the pattern runs.
        self._strong_starts = frozenset(x for x in self.starts or () if not weak(x))
        self._weak_starts = tuple(sorted(x for x in self.starts or () if weak(x)))
        #: The pattern's number in the policy's prefilter (`chatbot.policy.prefilter`), when
        #: one is loaded and took the pattern: a draft whose scan did not name it cannot match.
        self.number: int | None = None

    @property
    def pattern(self) -> regex.Pattern[str]:
        compiled = self._compiled
        if compiled is None:  # two threads may both compile it once; either result is the same
            compiled = self._compiled = _compile(self.source, self._program)
        return compiled

    def opens(self, present: set[str]) -> bool:
        """Whether every gate of the pattern meets `present` (all that a match could need), or,
        where `present` holds a prefilter's candidates, whether this pattern is one of them."""
        number = self.number
        if number is not None and PREFILTERED in present:
            return number in present
        gate = self.gate
        if gate is None:
            return True
        if gate.isdisjoint(present):
            return False
        for clause in self.clauses:  # noqa: SIM110 (a loop: no generator per call)
            if clause.isdisjoint(present):
                return False
        return True

    def spans(self, text: str, present: set[str] | None = None) -> list[tuple[int, int]]:
        """The spans of `finditer`'s non-empty matches on `text`, in order. With `present` (the
        gate literals in `text`) and start literals, the pattern is only tried where a match
        can begin: at each place, in order, resuming after a match, which finds exactly the
        matches `finditer` finds (a match at a place is the one a search reaching it makes;
        `\\b`, `^` and look-behinds read the text before the place, as in a search)."""
        if self.starts is not None and present is not None:
            opened = self._strong_starts.intersection(present)
            if self._weak_starts:
                opened = opened.union([x for x in self._weak_starts if x in text])
            if not opened:
                return []
            places: list[int] = []
            find = text.find
            for literal in opened:
                i = find(literal)
                while i >= 0:
                    places.append(i)
                    i = find(literal, i + 1)
            if len(places) <= MAX_STARTS:
                if len(opened) > 1:
                    places = sorted(set(places))
                return self._spans_at(text, places)
        elif self.after is not None:
            places = [0] if "" in self.after else []
            find = text.find
            for ch in self.after:
                if ch:
                    i = find(ch)
                    while i >= 0:
                        places.append(i + 1)
                        i = find(ch, i + 1)
            if len(places) <= MAX_STARTS:
                places = sorted(set(places))
                return self._spans_at(text, places)
        return [m.span() for m in self.pattern.finditer(text) if m.end() > m.start()]

    def _spans_at(self, text: str, places: list[int]) -> list[tuple[int, int]]:
        """The non-empty matches tried at `places` (sorted), each resuming after the last."""
        match = self.pattern.match
        found: list[tuple[int, int]] = []
        end = 0
        for place in places:
            if place < end:
                continue
            m = match(text, place)
            if m is not None:
                span = m.span()
                if span[1] > place:
                    found.append(span)
                    end = span[1]
        return found

    def __getstate__(self) -> tuple:
        """Pickled (policy/cache.py's snapshot) with its program, compiled or not, and with
        the start literals already sorted, so loading a snapshot repeats no work per pattern."""
        program = self._program
        if program is None and self._compiled is not None:
            program = pickle.dumps(self._compiled, protocol=pickle.HIGHEST_PROTOCOL)
        return (self.source, self.gate, program, self.clauses, self.starts, self.after,
                self._strong_starts, self._weak_starts)

    def __setstate__(self, state: tuple) -> None:
        (self.source, self.gate, self._program, self.clauses, self.starts, self.after,
         self._strong_starts, self._weak_starts) = state
        self._compiled = None
        self.number = None


def _compile(source: str, program: bytes | None) -> regex.Pattern[str]:
    """`source` compiled: from its program when it has one that is this very pattern's."""
    import regex

    if program is not None:
        try:
            compiled = pickle.loads(program)
        except Exception:  # not a program this regex library can load: parse the source
            compiled = None
        if isinstance(compiled, regex.Pattern) and compiled.pattern == source:
            return compiled
    return regex.compile(source)


@dataclass(frozen=True)
class TermGroup:
    """A rule's list of patterns: any one of them matching is a hit."""

    patterns: tuple[GatedPattern, ...]
    #: Name lists (`$politicians`) whose entities also count as hits; the engine finds them,
    #: since a list needs the draft's original text (capitals, @handles) as well.
    names: tuple[NameList, ...] = ()
    #: Every pattern's gate together, or None when some pattern always runs.
    gate: frozenset[str] | None = field(init=False)
    #: For each gate literal, the patterns it opens (indices, in order).
    by_literal: dict[str, tuple[int, ...]] = field(init=False)
    #: Sets of literals each of which a hit needs one of (`gate` the first): the k-th clause of
    #: each pattern together. Empty when some pattern always runs.
    clauses: tuple[frozenset[str], ...] = field(init=False)

    def __post_init__(self) -> None:
        gates = [p.gate for p in self.patterns]
        always = self.names or any(g is None for g in gates)
        union = None if always else frozenset().union(*gates)
        index: dict[str, list[int]] = {}
        for i, g in enumerate(gates):
            for literal in g or ():
                index.setdefault(literal, []).append(i)
        object.__setattr__(self, "gate", union)
        object.__setattr__(self, "by_literal", {k: tuple(v) for k, v in index.items()})
        clauses: list[frozenset[str]] = []
        if union is not None and self.patterns:
            clauses.append(union)
            for k in range(MAX_CLAUSES):
                chosen = [(p.clauses[k] if k < len(p.clauses) else p.gate) for p in self.patterns]
                clauses.append(frozenset().union(*chosen))  # type: ignore[arg-type]
        object.__setattr__(self, "clauses", tuple(_minimal(clauses)))

    def opens(self, present: set[str]) -> bool:
        """Whether the group could hit a draft whose gate literals are `present`."""
        if self.gate is None:
            return True
        for clause in self.clauses:  # noqa: SIM110 (a loop: no generator per call)
            if clause.isdisjoint(present):
                return False
        return True

    def spans(self, text: str, present: set[str] | None = None) -> list[tuple[int, int]]:
        """Every match's span, in order. `present` (from GateIndex) skips closed gates; with a
        prefilter's candidates in it, only they (and patterns it does not know) run."""
        if present is None:
            chosen: Iterable[GatedPattern] = self.patterns
        elif PREFILTERED in present and (table := self._numbered()) is not None:
            numbers, where, others = table
            hit = numbers.intersection(present)
            if not hit and not others:
                return []
            patterns = self.patterns
            if len(hit) == 1 and not others:
                chosen = (patterns[where[next(iter(hit))]],)
            else:
                chosen = [patterns[i] for i in sorted([*(where[n] for n in hit),
                                                       *(i for i in others
                                                         if patterns[i].opens(present))])]
        elif self.gate is None:
            chosen = (p for p in self.patterns if p.opens(present))
        else:
            opened = self.gate.intersection(present)
            if not opened:
                return []
            by_literal = self.by_literal
            if len(opened) == 1:
                numbers: Iterable[int] = by_literal[next(iter(opened))]
            else:
                numbers = sorted({i for lit in opened for i in by_literal[lit]})
            patterns = self.patterns
            chosen = (patterns[i] for i in numbers if patterns[i].opens(present))
        found: list[tuple[int, int]] = []
        for gated in chosen:
            spans = gated.spans(text, present)
            if spans:
                found += spans
        if len(found) > 1:
            found.sort()
        return found

    def _numbered(self) -> tuple[frozenset[int], dict[int, int], tuple[int, ...]] | None:
        """The prefilter's numbers of the group's patterns, the index of each, and the indices
        of the patterns without one (worked out once the prefilter has numbered them)."""
        table = self.__dict__.get("_table")
        if table is None:
            where = {p.number: i for i, p in enumerate(self.patterns) if p.number is not None}
            others = tuple(i for i, p in enumerate(self.patterns) if p.number is None)
            table = self.__dict__["_table"] = (frozenset(where), where, others)
        return table

    def forget_numbers(self) -> None:
        """Drop the table `_numbered` keeps (the prefilter numbered the patterns anew)."""
        self.__dict__.pop("_table", None)

    def search(self, text: str) -> bool:
        """Whether any pattern matches `text` (a short one: a medium's credit or licence); a
        pattern whose gates its literals do not meet (found in one pass of the group's own
        automaton) cannot, and is not even compiled."""
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = GateIndex(self.gates)
        present = index.present(text)
        return any(gated.pattern.search(text) for gated in self.patterns if gated.opens(present))

    def __getstate__(self) -> dict:
        """Pickled without the automaton `search` builds for itself, nor the prefilter's
        table (`_numbered`)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_index", "_table")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    @property
    def gates(self) -> Iterator[str]:
        """Every literal any gate of any pattern reads (all go into the policy's automaton)."""
        for gated in self.patterns:
            if gated.gate:
                yield from gated.gate
                for clause in gated.clauses:
                    yield from clause
                yield from gated._strong_starts


class GateIndex:
    """All gate literals of a policy in one automaton: `present(text)` is one pass in C."""

    def __init__(self, literals: Iterable[str]) -> None:
        # Each word stores its number in `literals`: no Python object per word in the
        # automaton, so the policy snapshot holding it loads in a fraction of the time.
        self.literals = tuple(sorted(set(literals)))
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for number, literal in enumerate(self.literals):
            self.automaton.add_word(literal, number)
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()

    def present(self, text: str) -> set[str]:
        if self.empty:
            return set()
        literals = self.literals
        return {literals[number] for _, number in self.automaton.iter(text)}


def gated(source: str) -> GatedPattern:
    """Compile `source` with the gates its structure implies."""
    import regex

    gate, clauses, starts, after = requirements(source)
    return GatedPattern(source, gate, regex.compile(source), clauses=clauses, starts=starts,
                        after=after)


Requirements = tuple[
    frozenset[str] | None, tuple[frozenset[str], ...], frozenset[str] | None,
    frozenset[str] | None,
]


def requirements(source: str) -> Requirements:
    """`source`'s gate (`required_literals`), its further clauses, its start literals, and
    the characters after which every match begins (`GatedPattern.after`).

    Every clause is a set of literals one of which every match contains; the start literals
    are a set one of which every match begins with. Any syntax the reader is unsure of gives
    the pattern no gate at all: it always runs, searched as a whole."""
    from chatbot.policy.pattern_literals import Unsure, parse

    try:
        items = parse(source)
    except Unsure:
        return None, (), None, None
    options = _sequence(items)
    if not options:
        return None, (), None, None
    gate = frozenset(options)
    starts = _starts(items)
    if starts is not None and sum(weak(x) for x in starts) > MAX_WEAK_STARTS:
        starts = None
    # A clause is as rare as its commonest literal: one with a short literal (`s`, `we`, a
    # space) is met by nearly every draft, and would only fill the automaton's output.
    extra = [c for c in [starts or frozenset(), *_clauses(items)] if c and not any(map(weak, c))]
    clauses = tuple(c for c in _minimal([gate, *extra]) if c != gate)[:MAX_CLAUSES]
    return gate, clauses, starts, None if starts is not None else _after(items)


#: A literal this short is in nearly every draft of its script.
WEAK_BELOW = 3
#: A pattern that may begin with more short literals than this is searched as a whole.
MAX_WEAK_STARTS = 16


def weak(literal: str) -> bool:
    """Whether a literal is too short to tell drafts apart (a gate of one is rarely shut)."""
    return len(literal) < WEAK_BELOW


def required_literals(source: str) -> frozenset[str] | None:
    """A set of literals one of which every match of `source` contains, or None if unsure.

    It reads the pattern text itself (`chatbot.policy.pattern_literals`), not a private parser
    of the standard library, and gives up (None: the pattern always runs) on any syntax it does
    not know for certain.
    """
    return requirements(source)[0]


#: At most this many clauses besides a pattern's gate (each costs a set test per draft).
MAX_CLAUSES = 3


def clause_score(clause: frozenset[str]) -> tuple[int, int]:
    """How rarely a draft meets a clause, guessed: longer literals, and fewer of them."""
    return (min(len(x) for x in clause), -len(clause))


def _minimal(clauses: Iterable[frozenset[str]]) -> list[frozenset[str]]:
    """`clauses` without repeats and without any clause that a smaller one implies (a draft
    that meets {a} meets {a, b}), in their order."""
    kept: list[frozenset[str]] = []
    for clause in dict.fromkeys(clauses):
        if any(other <= clause for other in kept):
            continue
        kept = [other for other in kept if not clause <= other]
        kept.append(clause)
    return kept


def _clauses(items: list[Item]) -> list[frozenset[str]]:
    """Clauses every match of the sequence meets, best first: one for each part that every
    match goes through (a literal run, a required group), at most MAX_CLAUSES + 1 of them."""
    from chatbot.policy.pattern_literals import Branch, CharSet, Group, Repeat

    found: list[frozenset[str]] = []
    run = ""
    for item in items:
        if isinstance(item, str):
            run += item
            continue
        if run:
            found.append(frozenset({run}))
            run = ""
        if isinstance(item, Group):
            found.extend(_clauses(item.items))
        elif isinstance(item, Branch):
            found.extend(_branch_clauses(item.branches))
        elif isinstance(item, Repeat) and item.low >= 1:
            found.extend(_clauses(item.items))
        elif isinstance(item, CharSet) and item.chars:
            found.append(frozenset(item.chars))
    if run:
        found.append(frozenset({run}))
    return sorted(_minimal(found), key=clause_score, reverse=True)[: MAX_CLAUSES + 1]


def _branch_clauses(branches: list[list[Item]]) -> list[frozenset[str]]:
    """Clauses of an alternation: a match goes through one branch, so any choice of one
    clause from each branch, put together, is a clause; the k-th best of each are taken."""
    each = [_clauses(branch) for branch in branches]
    if not all(each):
        return []  # a branch that needs no literal: the alternation can match without one
    return [
        frozenset().union(*(c[min(k, len(c) - 1)] for c in each))
        for k in range(max(len(c) for c in each))
    ]


def _starts(items: list[Item]) -> frozenset[str] | None:
    """Literals one of which every match of the sequence begins with, or None if unsure: its
    first item that consumes text must be a literal run, a set of characters, or a group or
    alternation whose every branch begins so."""
    from chatbot.policy.pattern_literals import Anchor, Branch, CharSet, Group, Repeat

    for i, item in enumerate(items):
        if isinstance(item, Anchor) or (isinstance(item, Group) and _empty(item.items)):
            continue  # matches a position only: the match begins with what follows
        if isinstance(item, str):
            run = ""
            for following in items[i:]:
                if not isinstance(following, str):
                    break
                run += following
            return frozenset({run})
        if isinstance(item, CharSet):
            return frozenset(item.chars) if item.chars else None
        if isinstance(item, Group):
            return _starts(item.items)
        if isinstance(item, Branch):
            options: set[str] = set()
            for branch in item.branches:
                found = _starts(branch)
                if not found:
                    return None
                options |= found
            return frozenset(options)
        if isinstance(item, Repeat) and item.low >= 1:
            return _starts(item.items)
        if isinstance(item, Repeat):  # optional (`(the )?most`): it, or what follows it
            inside, after = _starts(item.items), _starts(items[i + 1:])
            return inside | after if inside and after else None
        return None  # `.`, `\\w`, an optional part, a back-reference: unsure
    return None


def _after(items: list[Item]) -> frozenset[str] | None:
    """Where every match of the sequence begins, when its first item is a position known by
    what precedes it (`^`, `(?<=\\n)`, or an alternation of such): see `GatedPattern.after`."""
    from chatbot.policy.pattern_literals import Anchor, Branch, Group

    if not items:
        return None
    first = items[0]
    if isinstance(first, Anchor):
        return first.after
    if isinstance(first, Group):
        return _after(first.items) if len(first.items) == 1 else None
    if isinstance(first, Branch):
        places: set[str] = set()
        for branch in first.branches:
            found = _after(branch) if len(branch) == 1 else None
            if found is None:
                return None
            places |= found
        return frozenset(places)
    return None


def _empty(items: list[Item]) -> bool:
    """Whether the sequence only ever matches a position (anchors and look-arounds)."""
    from chatbot.policy.pattern_literals import Anchor, Branch, Group

    for item in items:
        if isinstance(item, Anchor):
            continue
        if isinstance(item, Group) and _empty(item.items):
            continue
        if isinstance(item, Branch) and all(_empty(b) for b in item.branches):
            continue
        return False
    return True


def _sequence(items: list[Item]) -> set[str] | None:
    """The best gate of a sequence: its longest literal run, or a required group's options."""
    candidates: list[set[str]] = []
    run = ""
    for item in items:
        if isinstance(item, str):
            run += item
            continue
        if run:
            candidates.append({run})
            run = ""
        option = _element(item)
        if option:
            candidates.append(option)
    if run:
        candidates.append({run})
    if not candidates:
        return None
    return max(candidates, key=lambda s: (min(len(x) for x in s), -len(s)))


def _element(item: Item) -> set[str] | None:
    from chatbot.policy.pattern_literals import Branch, CharSet, Group, Repeat

    if isinstance(item, Group):
        return _sequence(item.items)
    if isinstance(item, Branch):
        return _alternatives(item.branches)
    if isinstance(item, Repeat):
        return _sequence(item.items) if item.low >= 1 else None
    if isinstance(item, CharSet):
        return set(item.chars) if item.chars else None
    return None  # an anchor, a lookaround, \b or \w, a range: matches without a literal


def _alternatives(branches: list[list[Item]]) -> set[str] | None:
    options: set[str] = set()
    for branch in branches:
        found = _sequence(branch)
        if not found:
            return None  # an alternative with no literal: the group can match without one
        options |= found
    return options
