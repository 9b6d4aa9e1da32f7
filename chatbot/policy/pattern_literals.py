"""A small, conservative reader of regular-expression text, for the gates in front of the rules.

The gates (`chatbot.policy.gates`) need to know which literal text a pattern cannot match
without. The standard library's parser that knows this is private (`re._parser`) and may change
in any release, and the `regex` library has no parser API, so this module reads the syntax our
policy patterns use: literals, escapes, groups (capturing, non-capturing, named, atomic),
lookarounds, alternation, character classes, anchors and quantifiers. Anything else (inline
verbose or case-insensitive flags, conditionals, `\\p{…}`, `\\x41`, back-references by name) raises
`Unsure`, and the caller gives that pattern no gate: it always runs, which is slower but never
wrong. A pattern that is not valid at all is the compiler's business, not this reader's.
"""

from __future__ import annotations

from dataclasses import dataclass


class Unsure(ValueError):
    """The pattern uses syntax this reader does not know for certain."""


@dataclass(frozen=True)
class Group:
    """A group every match goes through: `(…)`, `(?:…)`, `(?P<name>…)`, `(?>…)`."""

    items: list[Item]


@dataclass(frozen=True)
class Branch:
    """`a|b|c`: one of the branches matches."""

    branches: list[list[Item]]


@dataclass(frozen=True)
class Repeat:
    """An item under a quantifier, with its lower bound (`?` and `*` are 0, `+` is 1)."""

    low: int
    items: list[Item]


@dataclass(frozen=True)
class CharSet:
    """`[…]`: `chars` when it is a plain set of literal characters, else empty."""

    chars: frozenset[str]


@dataclass(frozen=True)
class Other:
    """Anything that can match without a literal: `.`, `\\b`, `\\w`, `^`, a lookaround."""


@dataclass(frozen=True)
class Anchor(Other):
    """An `Other` that matches no character at all, only a position: `^`, `$`, `\\b`, `\\B`,
    `\\A`, `\\Z`, a lookaround. What follows it starts where it stands (a gate's start
    literals look through it).

    `after`, when known, is where it can hold: right after one of these characters, or at the
    start of the text for "". `^` holds at the start or after a line break (with or without
    the multi-line flag: a superset is safe), `(?<=[\\n(])` after `\\n` or `(`."""

    after: frozenset[str] | None = None


#: One element of a parsed sequence; a plain `str` is one literal character.
Item = str | Group | Branch | Repeat | CharSet | Other

#: Escapes that match a class of characters or a position, never one literal character.
CLASS_ESCAPES = frozenset("dDsSwWbBAZ")
#: Those of them that match a position only.
POSITION_ESCAPES = frozenset("bBAZ")
#: Escapes that stand for one control character.
CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
#: Inline flags that change nothing about which literals a match needs (m, s, u, a, L).
HARMLESS_FLAGS = frozenset("msuaL")


def parse(pattern: str) -> list[Item]:
    """Parse `pattern` into a sequence of items, or raise `Unsure`."""
    reader = _Reader(pattern)
    items = reader.alternation()
    if reader.i != len(pattern):
        raise Unsure(f"unexpected {pattern[reader.i]!r} at {reader.i}")
    return items


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def alternation(self) -> list[Item]:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else [Branch(branches)]

    def sequence(self) -> list[Item]:
        items: list[Item] = []
        while self.peek() not in ("", "|", ")"):
            atom = self.atom()
            if atom is None:
                continue  # an inline flag group or a comment
            low = self.quantifier()
            items.append(atom if low is None else Repeat(low, [atom]))
        return items

    def atom(self) -> Item | None:
        ch = self.p[self.i]
        self.i += 1
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.charset()
        if ch == "\\":
            return self.escape()
        if ch == "^":
            return Anchor(frozenset({"", "\n"}))
        if ch == "$":
            return Anchor()
        if ch == ".":
            return Other()
        if ch in "*+?":
            raise Unsure(f"nothing to repeat at {self.i - 1}")
        if ch == "{" and self._quantifier_at(self.i - 1):
            raise Unsure(f"nothing to repeat at {self.i - 1}")
        return ch

    def group(self) -> Item | None:
        if self.peek() != "?":
            return self._group_body(Group)
        self.i += 1
        kind = self.peek()
        if kind == ":" or kind == ">":
            self.i += 1
            return self._group_body(Group)
        if kind in "=!":
            self.i += 1
            return self._group_body(_lookaround)
        if self.p.startswith("<=", self.i):
            self.i += 2
            return self._group_body(_lookbehind)
        if self.p.startswith("<!", self.i):
            self.i += 2
            return self._group_body(_lookaround)
        if self.p.startswith("P<", self.i):
            end = self.p.find(">", self.i)
            if end < 0:
                raise Unsure("unterminated group name")
            self.i = end + 1
            return self._group_body(Group)
        if kind == "#":
            end = self.p.find(")", self.i)
            if end < 0:
                raise Unsure("unterminated comment")
            self.i = end + 1
            return None
        return self._flags()

    def _flags(self) -> Item | None:
        start = self.i
        while self.peek().isalpha() or self.peek() == "-":
            self.i += 1
        flags = self.p[start:self.i].replace("-", "")
        if not flags or not set(flags) <= HARMLESS_FLAGS:
            raise Unsure(f"group syntax or flags {self.p[start - 2:self.i + 1]!r}")
        if self.peek() == ")":
            self.i += 1
            return None
        if self.peek() == ":":
            self.i += 1
            return self._group_body(Group)
        raise Unsure(f"group syntax at {start}")

    def _group_body(self, make: type[Group] | object) -> Item:
        items = self.alternation()
        if self.peek() != ")":
            raise Unsure("unbalanced parenthesis")
        self.i += 1
        return make(items)  # type: ignore[operator]

    def charset(self) -> CharSet:
        chars: set[str] = set()
        plain = True
        if self.peek() == "^":
            plain = False
            self.i += 1
        first = True
        while True:
            ch = self.peek()
            if ch == "":
                raise Unsure("unterminated character set")
            if ch == "]" and not first:
                self.i += 1
                break
            first = False
            self.i += 1
            if ch == "\\":
                escaped = self.p[self.i] if self.i < len(self.p) else ""
                self.i += 1
                if escaped in CLASS_ESCAPES:
                    plain = False
                    continue
                literal = _escaped_literal(escaped)
            elif ch == "[" and self.peek() in ":=.":
                raise Unsure("POSIX class or set operation")
            else:
                literal = ch
            if self.peek() == "-" and self.p[self.i + 1:self.i + 2] not in ("]", ""):
                plain = False  # a range: many characters, none required
                self.i += 1
                end = self.p[self.i]
                self.i += 1
                if end == "\\":
                    self.i += 1
                continue
            chars.add(literal)
        return CharSet(frozenset(chars) if plain else frozenset())

    def escape(self) -> Item:
        if self.i >= len(self.p):
            raise Unsure("trailing backslash")
        ch = self.p[self.i]
        self.i += 1
        if ch in POSITION_ESCAPES:
            return Anchor(frozenset({""})) if ch == "A" else Anchor()
        if ch in CLASS_ESCAPES:
            return Other()
        if ch.isdigit():
            return Other()  # a back-reference: whatever its group matched
        return _escaped_literal(ch)

    def quantifier(self) -> int | None:
        """The lower bound of a quantifier after an atom, or None when there is none."""
        ch = self.peek()
        if ch in ("?", "*", "+"):
            self.i += 1
            low = 1 if ch == "+" else 0
        elif ch == "{" and self._quantifier_at(self.i):
            end = self.p.index("}", self.i)
            body = self.p[self.i + 1:end]
            low = int(body.split(",")[0] or 0)
            self.i = end + 1
        else:
            return None
        if self.peek() in ("?", "+"):
            self.i += 1  # lazy or possessive: the same lower bound
        if self.peek() in ("?", "*", "+") or (self.peek() == "{" and self._quantifier_at(self.i)):
            raise Unsure("multiple repeat")
        return low

    def _quantifier_at(self, i: int) -> bool:
        """True when `{` at i opens `{m}`, `{m,}`, `{,n}` or `{m,n}` (else it is a literal)."""
        end = self.p.find("}", i)
        if end < 0:
            return False
        body = self.p[i + 1:end]
        low, comma, high = body.partition(",")
        if not (low or high):
            return False
        return (low == "" or low.isdigit()) and (high == "" or high.isdigit()) and (
            bool(comma) or low.isdigit()
        )


def _lookaround(items: list[Item]) -> Anchor:
    return Anchor()  # it reads text a match need not contain, and consumes none


def _lookbehind(items: list[Item]) -> Anchor:
    """`(?<=…)`: where it holds is known when it reads one character, or one of a set."""
    if len(items) == 1 and isinstance(items[0], str):
        return Anchor(frozenset(items))
    if len(items) == 1 and isinstance(items[0], CharSet) and items[0].chars:
        return Anchor(items[0].chars)
    return Anchor()


def _escaped_literal(ch: str) -> str:
    if ch in CONTROL_ESCAPES:
        return CONTROL_ESCAPES[ch]
    if ch.isascii() and ch.isalnum():
        raise Unsure(f"escape \\{ch}")  # \x41, \u0915, \p{…}, \N{…}, \g<1>, \k<…>: unsure
    return ch  # an escaped punctuation mark or non-ASCII character is itself
