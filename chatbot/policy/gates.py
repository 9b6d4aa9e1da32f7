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

if TYPE_CHECKING:
    import regex

    from chatbot.policy.names import NameList
    from chatbot.policy.pattern_literals import Item


class GatedPattern:
    """A pattern's source, its gate, and the pattern compiled on first use: one draft opens few
    gates, so a short-lived process compiles few of a policy's patterns (see policy/cache.py).

    The `regex` library parses a pattern in Python (a third of a millisecond each), but pickles
    a compiled one as the program its C core runs. A policy snapshot keeps each pattern's
    program, so a pattern first used in a new process is loaded, not parsed again."""

    __slots__ = ("_compiled", "_program", "gate", "source")

    def __init__(
        self,
        source: str,
        gate: frozenset[str] | None,  # None: always run
        compiled: regex.Pattern[str] | None = None,
        program: bytes | None = None,
    ) -> None:
        self.source = source
        self.gate = gate
        self._compiled = compiled
        self._program = program

    @property
    def pattern(self) -> regex.Pattern[str]:
        compiled = self._compiled
        if compiled is None:  # two threads may both compile it once; either result is the same
            compiled = self._compiled = _compile(self.source, self._program)
        return compiled

    def __reduce__(self) -> tuple:
        """Pickled (policy/cache.py's snapshot) with its program, compiled or not."""
        program = self._program
        if program is None and self._compiled is not None:
            program = pickle.dumps(self._compiled, protocol=pickle.HIGHEST_PROTOCOL)
        return GatedPattern, (self.source, self.gate, None, program)


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

    def spans(self, text: str, present: set[str] | None = None) -> list[tuple[int, int]]:
        """Every match's span, in order. `present` (from GateIndex) skips closed gates."""
        if present is None or self.gate is None:
            chosen: Iterable[GatedPattern] = (
                p for p in self.patterns
                if present is None or p.gate is None or not p.gate.isdisjoint(present)
            )
        else:
            opened = self.gate.intersection(present)
            if not opened:
                return []
            chosen = (self.patterns[i] for i in sorted({i for lit in opened
                                                         for i in self.by_literal[lit]}))
        found: list[tuple[int, int]] = []
        for gated in chosen:
            found.extend(m.span() for m in gated.pattern.finditer(text) if m.end() > m.start())
        found.sort()
        return found

    def search(self, text: str) -> bool:
        """Whether any pattern matches `text` (a short one: a medium's credit or licence); a
        pattern none of whose gate literals is in it cannot, and is not even compiled."""
        return any(
            gated.pattern.search(text)
            for gated in self.patterns
            if gated.gate is None or any(literal in text for literal in gated.gate)
        )

    @property
    def gates(self) -> Iterator[str]:
        for gated in self.patterns:
            if gated.gate:
                yield from gated.gate


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
    """Compile `source` with the gate its structure implies."""
    import regex

    return GatedPattern(source, required_literals(source), regex.compile(source))


def required_literals(source: str) -> frozenset[str] | None:
    """A set of literals one of which every match of `source` contains, or None if unsure.

    It reads the pattern text itself (`chatbot.policy.pattern_literals`), not a private parser
    of the standard library, and gives up (None: the pattern always runs) on any syntax it does
    not know for certain.
    """
    from chatbot.policy.pattern_literals import Unsure, parse

    try:
        items = parse(source)
    except Unsure:
        return None
    options = _sequence(items)
    return frozenset(options) if options else None


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
