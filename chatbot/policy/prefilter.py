"""One pass in C that says which of a policy's patterns may match a draft (Hyperscan).

Every rule pattern is written in the `regex` library's syntax and run by it. Hyperscan (Intel's
multi-pattern matcher, BSD; the `hyperscan` wheel bundles it) scans a text once for thousands
of patterns at the same time, but knows a smaller syntax and reads `\\w`, `\\b` and `\\d` its
own way. So each pattern is *loosened* into a Hyperscan expression that matches wherever the
pattern can match, and possibly more (a superset):

- `\\b`, `\\B`, `\\A`, `\\Z` and look-arounds are dropped (a condition less: more matches);
  atomic groups become plain groups; lazy and possessive quantifiers greedy ones;
- `\\w`, `\\d`, `\\s` and their negations, and `[…]` classes holding them, become explicit
  classes that agree with the `regex` library on ASCII and accept every character beyond it
  (the libraries' Unicode tables differ in version and in what a word character is: a vowel
  sign is one for `regex`, not for Hyperscan);
- a literal character is written as `\\x{…}`, so no character means syntax by accident.

Anything the reader does not know for certain (inline flags, back-references, `\\p{…}`,
nested sets, a named character it cannot read) raises `Unsure`: that pattern is not in the
database and keeps its literal gates (`chatbot.policy.gates`), as do patterns Hyperscan
refuses even in its prefilter mode (`HS_FLAG_PREFILTER`, which itself may loosen a pattern
further). The engine then runs the exact `regex` pattern only where the scan found a candidate,
so findings are exactly those of running every pattern; `tests/test_prefilter.py` pins that
every real match of every rule example is among the candidates.
"""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path

_HERE = Path(__file__).resolve().parent


class Unsure(ValueError):
    """The pattern uses syntax the translation does not know for certain."""


MAX_CODE = 0x10FFFF
#: A bounded repeat up to this many is kept; a longer one loses its bounds (`braces`).
SMALL_REPEAT = 4


def _ascii(predicate) -> frozenset[int]:
    return frozenset(c for c in range(128) if predicate(chr(c)))


def _ascii_sets() -> dict[str, frozenset[int]]:
    import regex

    sets = {}
    for name in "wds":
        compiled = regex.compile("\\" + name)
        sets[name] = _ascii(lambda ch, p=compiled: p.match(ch) is not None)
    return sets


_ASCII: dict[str, frozenset[int]] | None = None


def _class_escape(letter: str) -> tuple[frozenset[int], bool]:
    """The ASCII members of `\\w`, `\\d`, `\\s` (lower case) or of their negations (upper
    case); every non-ASCII character counts as a member of either (True: beyond ASCII too)."""
    global _ASCII
    if _ASCII is None:
        _ASCII = _ascii_sets()
    members = _ASCII[letter.lower()]
    if letter.isupper():
        members = frozenset(range(128)) - members
    return members, True


def _literal(ch: str) -> str:
    """One literal character in Hyperscan syntax: an ASCII letter or digit as itself, a letter
    or mark of another script as itself (UTF-8: a third of the length of `\\x{…}`, and
    Hyperscan limits an expression's length), anything else as `\\x{…}`."""
    if ch.isascii():
        return ch if ch.isalnum() or ch in _PLAIN else _hex(ord(ch))
    if unicodedata.category(ch)[0] in "LMN":
        return ch
    return _hex(ord(ch))


#: ASCII characters that mean nothing special outside a class (in the default syntax, which
#: reads spaces and `#` as themselves).
_PLAIN = frozenset(" !\"#%&',-/:;<=>@_`~")


def _hex(code: int) -> str:
    return f"\\x{{{code:x}}}"


def _ranges(codes: set[int] | frozenset[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for code in sorted(codes):
        if out and out[-1][1] == code - 1:
            out[-1] = (out[-1][0], code)
        else:
            out.append((code, code))
    return out


def _class_text(codes: set[int], fuzzy: bool, negated: bool) -> str:
    """A Hyperscan class of the characters in `codes`, or of those not in them (`negated`).
    `fuzzy`: the set came from `\\w`, `\\d` or `\\s` (or their negations), whose ASCII members
    are exact but whose others are not known here: then every non-ASCII character is in the
    class, negated or not (a superset either way)."""
    ascii_codes = {c for c in codes if c < 128}
    high = _ranges({c for c in codes if c >= 128})
    if negated:
        pieces = _ranges(set(range(128)) - ascii_codes)
        pieces += [(0x80, MAX_CODE)] if fuzzy else _complement(high)
    else:
        pieces = _ranges(ascii_codes) + ([(0x80, MAX_CODE)] if fuzzy else high)
    pieces = _without_surrogates(_merged(pieces))
    if not pieces:
        raise Unsure("a class that matches nothing")
    body = "".join(_hex(a) if a == b else f"{_hex(a)}-{_hex(b)}" for a, b in pieces)
    return f"[{body}]"


def _merged(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(pieces):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _complement(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The non-ASCII code points outside `pieces` (sorted, each ≥ 0x80)."""
    out: list[tuple[int, int]] = []
    low = 0x80
    for a, b in pieces:
        if a > low:
            out.append((low, a - 1))
        low = max(low, b + 1)
    if low <= MAX_CODE:
        out.append((low, MAX_CODE))
    return out


def _without_surrogates(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """UTF-8 has no surrogate code points, and Hyperscan refuses a class naming one."""
    out: list[tuple[int, int]] = []
    for a, b in pieces:
        if b < 0xD800 or a > 0xDFFF:
            out.append((a, b))
            continue
        if a < 0xD800:
            out.append((a, 0xD7FF))
        if b > 0xDFFF:
            out.append((0xE000, b))
    return out


#: Escapes for one control character, as the `regex` library reads them.
_CONTROL = {"n": 10, "t": 9, "r": 13, "f": 12, "v": 11, "a": 7}


def translate(pattern: str) -> str:
    """A Hyperscan expression matching wherever `pattern` (regex syntax) can match, or raise
    `Unsure`. An empty result means the pattern may match anywhere (it is not worth a slot)."""
    branches = translate_branches(pattern)
    return "" if "" in branches else "|".join(branches)


def translate_branches(pattern: str) -> list[str]:
    """`translate` of each top-level alternative of `pattern`: Hyperscan limits the size of
    one expression, and the branches of a long term list go in as expressions of their own
    (with the same number: any of them matching names the pattern)."""
    reader = _Reader(pattern)
    branches = [reader.sequence()]
    while reader.peek() == "|":
        reader.i += 1
        branches.append(reader.sequence())
    if reader.i != len(pattern):
        raise Unsure(f"unexpected {pattern[reader.i]!r} at {reader.i}")
    return branches


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.p[j] if j < len(self.p) else ""

    def alternation(self) -> str:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        # `|` binds loosest, and every caller puts the alternation in a group of its own.
        return "|".join(branches)

    def sequence(self) -> str:
        parts: list[str] = []
        while self.peek() not in ("", "|", ")"):
            atom = self.atom()
            quantifier = self.quantifier()
            if atom is None:  # a position only (dropped): its quantifier goes with it
                continue
            parts.append(atom + quantifier)
        return "".join(parts)

    def quantifier(self) -> str:
        ch = self.peek()
        if ch in ("*", "+", "?"):
            self.i += 1
            found = ch
        elif ch == "{":
            found = self.braces()
            if found is None:
                return ""
        else:
            return ""
        if self.peek() in ("?", "+"):  # lazy or possessive: the same texts can match
            self.i += 1
        if self.peek() in ("*", "+", "?", "{") and (self.peek() != "{" or self._is_braces()):
            raise Unsure("a quantifier after a quantifier")
        return found

    def _is_braces(self) -> bool:
        saved = self.i
        try:
            return self.braces() is not None
        finally:
            self.i = saved

    def braces(self) -> str | None:
        """`{n}`, `{n,}`, `{n,m}`, `{,m}` as `{…}` Hyperscan reads; None (nothing read) when
        the brace is a literal one, as the `regex` library takes it."""
        j = self.p.find("}", self.i)
        if j < 0:
            return None
        body = self.p[self.i + 1 : j]
        low, comma, high = body.partition(",")
        if not (low.isdigit() or (comma and low == "")) or not (high == "" or high.isdigit()):
            return None
        if not low and not high:
            return None
        if not body.replace(",", "").isascii():
            return None
        self.i = j + 1
        least = int(low or "0")
        most = int(low) if not comma else (int(high) if high else None)
        if most is not None and most <= SMALL_REPEAT:
            return f"{{{least},{most}}}"
        # A long bounded repeat (`[^.!?]{0,100}`) is an automaton state per step for Hyperscan,
        # and a wide class in UTF-8 is several: compiling one such pattern took 47 s. Without
        # its bound it matches more texts, never fewer, and costs nothing.
        return "*" if least == 0 else "+"

    def atom(self) -> str | None:
        ch = self.p[self.i]
        self.i += 1
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.escape()
        if ch == ".":
            return "[^\\x{a}]"
        if ch == "^":
            return "^"
        if ch == "$":
            return None  # dropped: a match that needs the end is still found without it
        if ch in "*+?":
            raise Unsure("a quantifier with nothing before it")
        if ch == "{" and self.i - 1 == 0:
            raise Unsure("a brace at the start")
        return _literal(ch)

    def group(self) -> str | None:
        p = self.p
        if p.startswith("?", self.i):
            if p.startswith("?:", self.i) or p.startswith("?>", self.i):
                self.i += 2
            elif p.startswith("?P<", self.i) or (
                p.startswith("?<", self.i) and p[self.i + 2 : self.i + 3] not in ("=", "!")
            ):
                j = p.find(">", self.i)
                if j < 0:
                    raise Unsure("an unclosed group name")
                self.i = j + 1
            elif any(p.startswith(x, self.i) for x in ("?=", "?!", "?<=", "?<!")):
                self.i += 3 if p.startswith("?<", self.i) else 2
                self.alternation()  # read, and dropped
                self._close()
                return None
            else:
                raise Unsure(f"group syntax {p[self.i : self.i + 3]!r}")
        inside = self.alternation()
        self._close()
        return f"(?:{inside})"

    def _close(self) -> None:
        if self.peek() != ")":
            raise Unsure("an unclosed group")
        self.i += 1

    def escape(self) -> str | None:
        if self.i >= len(self.p):
            raise Unsure("a trailing backslash")
        ch = self.p[self.i]
        self.i += 1
        if ch in "bBAZ":
            return None
        if ch in "wWdDsS":
            members, fuzzy = _class_escape(ch)
            return _class_text(set(members), fuzzy, negated=False)
        return _literal(chr(self._code(ch)))

    def _code(self, ch: str) -> int:
        """The code point an escape (after its backslash, `ch` read) stands for."""
        if ch in _CONTROL:
            return _CONTROL[ch]
        if ch == "x":
            return self._hex_digits(2)
        if ch == "u":
            return self._hex_digits(4)
        if ch == "U":
            return self._hex_digits(8)
        if ch == "N":
            if self.peek() != "{":
                raise Unsure("\\N without a name")
            j = self.p.find("}", self.i)
            if j < 0:
                raise Unsure("\\N{ unclosed")
            name = self.p[self.i + 1 : j]
            self.i = j + 1
            try:
                return ord(unicodedata.lookup(name))
            except KeyError:
                raise Unsure(f"unknown character name {name!r}") from None
        if ch.isascii() and ch.isalnum():
            raise Unsure(f"escape \\{ch}")  # a back-reference, \p, \m, \L, \G, \X, …
        return ord(ch)

    def _hex_digits(self, count: int) -> int:
        digits = self.p[self.i : self.i + count]
        if len(digits) != count or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise Unsure("a short hexadecimal escape")
        self.i += count
        return int(digits, 16)

    def char_class(self) -> str:
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        codes: set[int] = set()
        fuzzy = False  # a class escape is in it: its non-ASCII members are not known
        first = True
        while True:
            if self.i >= len(self.p):
                raise Unsure("an unclosed class")
            ch = self.p[self.i]
            if ch == "]" and not first:
                self.i += 1
                break
            first = False
            if ch == "[":
                raise Unsure("a nested set or a POSIX class")
            low = self._class_member()
            if low is None:
                continue
            if isinstance(low, tuple):  # \w and the like
                members, more = low
                codes |= members
                fuzzy = fuzzy or more
                continue
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                high = self._class_member()
                if not isinstance(high, int) or high < low:
                    raise Unsure("a range that is not from one character to another")
                codes.update(range(low, high + 1))
            else:
                codes.add(low)
        if len(codes) > 5000 and not fuzzy:
            raise Unsure("a very large class")
        return _class_text(codes, fuzzy, negated)

    def _class_member(self) -> int | tuple[frozenset[int], bool] | None:
        ch = self.p[self.i]
        self.i += 1
        if ch != "\\":
            return ord(ch)
        if self.i >= len(self.p):
            raise Unsure("a trailing backslash")
        ch = self.p[self.i]
        self.i += 1
        if ch in "wWdDsS":
            return _class_escape(ch)
        if ch == "b":
            return 8  # a backspace inside a class
        if ch in "BAZ":
            raise Unsure(f"\\{ch} inside a class")
        return self._code(ch)


# --- the database ---------------------------------------------------------------------------

#: In a draft's set of gate literals (`GateIndex.present`), this marks that the numbers of the
#: patterns that may match are in it too: a pattern with a number and no number there cannot
#: match. Literals are strings, so no literal is ever taken for a number.
PREFILTERED = -1
#: An expression this long (bytes) is compiled alone first, to see whether Hyperscan takes it.
LONG_EXPRESSION = 3000
#: Hyperscan refuses an expression longer than this ("Pattern length exceeds limit"): such a
#: pattern keeps its gates (the translation writes each top-level branch on its own).
LONGEST = 8000
#: The cache file's format; a new one is a new key.
FORMAT = 2
_MAGIC = b"checkpost-prefilter\n"


class Prefilter:
    """The Hyperscan database of a policy's patterns, numbered in the policy's order.

    Built when a process has many drafts to check (`enable`), not when the policy loads: it
    takes some seconds to compile, so it is kept in the policy cache (`prefilter-KEY.hsdb`,
    keyed by the expressions and the Hyperscan version), and a one-draft `chatbot check`
    never reads it. Numbers go on the patterns themselves (`GatedPattern.number`)."""

    def __init__(self, patterns: list, name_lists: tuple = ()) -> None:
        """`patterns` get numbers 0…P-1. The literals their gates still read, and the
        aliases of the policy's name lists, go into the same database, so the one scan also
        finds what the literal gates' and the name lists' automata would find: each pattern's
        strong start literals (`GatedPattern.spans` tries it where they stand), and every
        gate literal of a pattern the translation is unsure of (its gates decide alone)."""
        self.patterns = patterns
        self.name_lists = tuple(n for n in name_lists if len(n.automaton))
        #: The numbers of the patterns in the database, and why the others are not.
        self.numbers: list[int] = []
        self.unsure: dict[str, int] = {}
        #: Numbers from `literal_base` on are the gate literals, in order; from `alias_base`
        #: on each name list's aliases, numbered as its automaton numbers them, from its base.
        self.literals: tuple[str, ...] = ()
        self.literal_base = len(patterns)
        self.alias_base = self.literal_base
        self.name_bases: dict[str, tuple[int, int]] = {}
        self.refused: list[int] = []
        #: Whether the scan finds every literal and alias (Hyperscan refused none of them).
        self.exact_literals = False
        self._database = None
        self._scratch = None
        #: Hyperscan's scratch space serves one scan at a time: each thread has its own.
        self._local = threading.local()

    def _translated(self) -> list[tuple[int, bytes, int]]:
        """Every expression of the database, (number, expression, kind); fills in the
        numbers, the literals and the bases (a quarter of a second for the shipped policy,
        so it is done only to compile: a cached database comes with them)."""
        found: list[tuple[int, bytes, int]] = []
        numbers: list[int] = []
        unsure: dict[str, int] = {}
        for number, gated in enumerate(self.patterns):
            try:
                branches = translate_branches(gated.source)
            except Unsure as why:
                reason = str(why).split(" at ")[0]
                unsure[reason] = unsure.get(reason, 0) + 1
                continue
            if "" in branches:
                unsure["matches anywhere"] = unsure.get("matches anywhere", 0) + 1
                continue
            if any(len(b.encode("utf-8")) > LONGEST for b in branches):
                unsure["too long"] = unsure.get("too long", 0) + 1
                continue
            found += [(number, b.encode("utf-8"), PATTERN) for b in dict.fromkeys(branches)]
            numbers.append(number)
        numbered = set(numbers)
        literals = {x for p in self.patterns for x in p._strong_starts}
        for number, gated in enumerate(self.patterns):
            if number not in numbered:
                literals.update(_gate_literals(gated))
        self.numbers, self.unsure, self.literals = numbers, unsure, tuple(sorted(literals))
        self.alias_base = self.literal_base + len(self.literals)
        found += [(number, _literal_expression(literal), LITERAL)
                  for number, literal in enumerate(self.literals, start=self.literal_base)]
        base = self.alias_base
        self.name_bases = {}
        for names in self.name_lists:
            top = 0
            for alias, number in names.automaton.items():
                found.append((base + number, _literal_expression(alias), ALIAS))
                top = max(top, number + 1)
            self.name_bases[names.list_name] = (base, base + top)
            base += top
        return found

    @property
    def key(self) -> str:
        """What the database depends on: the code that translates and gates patterns, the
        Hyperscan version, each pattern's source and each name list's aliases."""
        import hashlib

        import hyperscan

        digest = hashlib.sha256(f"{FORMAT}|{hyperscan.__version__}|{_flags()}".encode())
        for module in ("prefilter.py", "gates.py", "pattern_literals.py"):
            digest.update((_HERE / module).read_bytes())
        for gated in self.patterns:
            digest.update(gated.source.encode("utf-8") + b"\0")
        for names in self.name_lists:
            digest.update(f"\1{names.list_name}\0".encode())
            for alias, number in names.automaton.items():
                digest.update(f"{number}\0{alias}\0".encode())
        return digest.hexdigest()

    def load(self, compile_if_missing: bool = True) -> bool:
        """Read the database from the cache, or compile (and keep) it; False when neither
        (no cache and not `compile_if_missing`)."""
        import hyperscan

        key = self.key
        known = _read(key)
        if known is not None and not self._took(known[0]):
            known = None
        if known is None:
            if not compile_if_missing:
                return False
            refused, blob = self._compile()
            known = (self._header(refused), blob)
            _write(key, *known)
        header, blob = known
        refused = self.refused = header["refused"]
        for gated in self.patterns:
            gated.number = None
        if not blob:
            return True  # Hyperscan took none of the patterns: every one keeps its gates
        self._database = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
        self._scratch = hyperscan.Scratch(self._database)
        refused_set = set(refused)
        for number in self.numbers:
            if number not in refused_set:
                self.patterns[number].number = number
        # A refused pattern's gates decide alone: the scan must find all their literals.
        known_literals = set(self.literals)
        self.exact_literals = not any(n >= self.literal_base for n in refused) and all(
            known_literals.issuperset(_gate_literals(self.patterns[n])) for n in refused)
        return True

    def _header(self, refused: list[int]) -> dict:
        return {"refused": refused, "numbers": self.numbers, "unsure": self.unsure,
                "literals": list(self.literals),
                "name_bases": {k: list(v) for k, v in self.name_bases.items()}}

    def _took(self, header: dict) -> bool:
        """Take the numbers, literals and bases a cached database was compiled with; False
        (and nothing taken) when they are not of the shape `_header` writes."""
        try:
            numbers, unsure = header["numbers"], header["unsure"]
            literals, bases, refused = header["literals"], header["name_bases"], header["refused"]
            shaped = (
                all(type(n) is int and 0 <= n < len(self.patterns) for n in numbers)
                and all(type(n) is int for n in refused)
                and all(type(k) is str and type(v) is int for k, v in unsure.items())
                and all(type(x) is str and x for x in literals)
                and set(bases) == {n.list_name for n in self.name_lists}
                and all(len(v) == 2 and all(type(x) is int for x in v) for v in bases.values())
            )
        except (AttributeError, KeyError, TypeError):
            return False
        if not shaped:
            return False
        self.numbers, self.unsure, self.literals = list(numbers), dict(unsure), tuple(literals)
        self.alias_base = self.literal_base + len(self.literals)
        self.name_bases = {k: (v[0], v[1]) for k, v in bases.items()}
        return True

    @property
    def fallback(self) -> int:
        """How many patterns keep their literal gates: unsure of, or refused by Hyperscan."""
        return len(self.patterns) - len(self.numbers) + len(self.refused)

    def _compile(self) -> tuple[list[int], bytes]:
        """The database of every expression Hyperscan takes; those it refuses, one by one."""
        import hyperscan

        flags = {PATTERN: _flags(), LITERAL: _literal_flags(True), ALIAS: _literal_flags(False)}
        triples = [(n, e, flags[f]) for n, e, f in self._translated()]

        def refuses(number: int, expression: bytes, flag: int) -> bool:
            alone = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            try:
                alone.compile(expressions=[expression], ids=[number], flags=[flag])
            except hyperscan.error:
                return True
            return False

        def compiled(kept: list[tuple[int, bytes, int]]):
            database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            database.compile(expressions=[e for _, e, _ in kept], ids=[n for n, _, _ in kept],
                             flags=[f for _, _, f in kept])
            return database

        # A long expression is the likeliest to be refused ("Pattern length exceeds limit"):
        # tried alone first, so one of them does not cost a second compile of everything.
        refused = {n for n, e, f in triples if len(e) > LONG_EXPRESSION and refuses(n, e, f)}
        kept = [t for t in triples if t[0] not in refused]
        if not kept:
            return sorted(refused), b""
        try:
            database = compiled(kept)
        except hyperscan.error:  # find the others it refuses, and compile the rest
            refused |= {n for n, e, f in kept if refuses(n, e, f)}
            kept = [t for t in triples if t[0] not in refused]
            if not kept:
                return sorted(refused), b""
            database = compiled(kept)
        return sorted(refused), hyperscan.dumpb(database)

    def candidates(self, text: str) -> set[int]:
        """The numbers of the patterns that may match `text`, and PREFILTERED."""
        return self.scan(text)[1]

    def scan(self, text: str) -> tuple[set, set[int], list[tuple[int, int]]]:
        """One pass over `text`: the set of the numbers of the patterns that may match it,
        PREFILTERED, and the gate literals in it (`GateIndex.present`'s set); the numbers
        and PREFILTERED alone; and every alias occurrence, as (number, index of its last
        character), in no set order."""
        found: set = {PREFILTERED}
        numbers: set[int] = {PREFILTERED}
        aliases: list[tuple[int, int]] = []
        if self._database is None or not text:
            return found, numbers, aliases
        add, add_number, literals = found.add, numbers.add, self.literals
        literal_base, alias_base = self.literal_base, self.alias_base
        occurrence = aliases.append

        def seen(number: int, start: int, end: int, flags: int, context: object) -> None:
            if number < literal_base:
                add(number)
                add_number(number)
            elif number < alias_base:
                add(literals[number - literal_base])
            else:
                occurrence((number, end))

        data = text.encode("utf-8")
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._scratch.clone()
        self._database.scan(data, match_event_handler=seen, scratch=scratch)
        if aliases and len(data) != len(text):  # byte offsets to character indices
            aliases = [(n, len(data[:end].decode("utf-8")) - 1) for n, end in aliases]
        else:
            aliases = [(n, end - 1) for n, end in aliases]
        return found, numbers, aliases

    def name_hits(self, names, aliases: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
        """What `names.automaton.iter(text)` yields, (end index, alias number), from a scan's
        `aliases`; None when the scan does not know the list (its automaton does the work)."""
        bounds = self.name_bases.get(names.list_name)
        if bounds is None or not self.exact_literals:
            return None
        base, top = bounds
        return [(end, n - base) for n, end in aliases if base <= n < top]

    def __reduce__(self) -> tuple:
        """A pickled policy (a snapshot, a process started by spawning) leaves its prefilter
        behind: it unpickles as None, and the policy's drafts are checked with its gates."""
        return _nothing, ()


def _gate_literals(gated) -> set[str]:
    """Every literal a pattern's gates read: its gate, its clauses, its start literals."""
    found = set(gated.gate or ())
    for clause in gated.clauses:
        found.update(clause)
    found.update(gated._strong_starts)
    return found


#: The kinds of expression: a rule pattern's (loosened), a gate literal, a name list's alias.
PATTERN, LITERAL, ALIAS = 0, 1, 2


def _literal_expression(literal: str) -> bytes:
    return "".join(_literal(ch) for ch in literal).encode("utf-8")


def _literal_flags(once: bool) -> int:
    """A literal's flags: a gate literal is reported once; an alias at every occurrence."""
    import hyperscan

    return hyperscan.HS_FLAG_UTF8 | (hyperscan.HS_FLAG_SINGLEMATCH if once else 0)


def _flags() -> int:
    import hyperscan

    return (hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP
            | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY)


def _nothing() -> None:
    return None


def _read(key: str) -> tuple[dict, bytes] | None:
    import hashlib

    from chatbot.policy.cache import cache_dir, read_header

    path = cache_dir() / f"prefilter-{key[:32]}.hsdb"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    found = read_header(data, _MAGIC)
    if found is None:
        return None
    header, start = found
    blob = data[start:]
    if header.get("key") != key or header.get("sha256") != hashlib.sha256(blob).hexdigest():
        return None
    return header, blob


def _write(key: str, header: dict, blob: bytes) -> None:
    from chatbot.policy.cache import framed, write_atomically

    write_atomically("prefilter", f"prefilter-{key[:32]}.hsdb",
                     framed(_MAGIC, {**header, "key": key}, blob))
