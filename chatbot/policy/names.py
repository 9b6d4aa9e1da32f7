"""Who and what a draft names: politicians, parties and brands, from lists built on open data.

Knowing who is named is most of the political judgement (measured on drafts written blind to
the rules: a plain list of parties and politicians finds 10 of 12 political endorsements); the
rules then ask whether a side is taken about them in the same sentence. A name list is a data
file (`policies/names/*.json`, built by `tools/build_names.py` with each source's repository,
commit and licence) that a policy names under `names:` and a rule uses like a term list
(`$politicians`). Its aliases are plain strings, matched as whole words on the normalised text
by one Aho-Corasick automaton per list, so thousands of names cost one pass in C. An alias
marked `case: true` ("Jio", "Ola") must also match the poster's own capitals. An @handle is
masked for every other rule, but a mention of or reply to a listed handle names its owner.

A list writes each name once; the matcher also knows the other ways the same name is written:
initials spaced or not ("D. K. Shivakumar", "D.K. Shivakumar", "DK Shivakumar") and the end
of an Indic name as a case ending rewrites it (Tamil ஸ்டாலின் → ஸ்டாலினை, Malayalam
വിജയൻ → വിജയന്റെ, கழகம் → கழகத்தின்).
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from chatbot.policy.normalise import HANDLE, Normalised, normalise

KINDS = ("politician", "party", "brand")


class NameListError(ValueError):
    """A name list cannot be read; `line` is where in the file, when known."""

    def __init__(self, file: str, line: int, problem: str) -> None:
        self.file, self.line, self.problem = file, line, problem
        super().__init__(f"{file}:{line}: {problem}")


@dataclass(frozen=True)
class Named:
    """One entity a name list knows: what a finding calls it."""

    name: str
    kind: str
    party: str = ""
    country: str = ""

    def __reduce__(self) -> tuple:
        # Thousands of these are in a policy snapshot: as arguments they unpickle twice as
        # fast as the default, a state dict per entity.
        return Named, (self.name, self.kind, self.party, self.country)


@dataclass(frozen=True)
class NameHit:
    start: int  # in the normalised text
    end: int
    entity: Named


@dataclass
class NameList:
    """A list's entities, their aliases in one automaton, and where the list came from."""

    list_name: str
    kind: str
    file: str
    sources: tuple[dict, ...]
    entities: tuple[Named, ...]
    #: Each alias's number in `aliases`: an automaton of ints is no Python object per alias,
    #: so the policy snapshot (policy/cache.py) holding it loads fast.
    automaton: ahocorasick.Automaton = field(repr=False)
    handles: dict[str, Named] = field(repr=False)
    #: (folded alias, entity, the spelling an exact alias must have in the original or "",
    #: what must follow an inflection stem: "" for a whole alias, `_VOWEL` or `_SIGN` for a
    #: vowel sign, else the letters of an oblique ending such as த்).
    aliases: tuple[tuple[str, Named, str, str], ...] = field(default=(), repr=False)

    def find(self, norm: Normalised,
             found: list[tuple[int, int]] | None = None) -> list[NameHit]:
        """Every whole-word mention and @handle of an entity in `norm`, in order. `found`:
        the aliases' occurrences as the automaton would yield them, (index of the last
        character, alias number), from a pass that found them already (the prefilter's)."""
        hits = []
        text = norm.text
        if found is None and len(self.automaton):
            found = self.automaton.iter(text)
        if found:
            for end_index, number in found:
                alias, entity, exact, follows = self.aliases[number]
                start, end = end_index - len(alias) + 1, end_index + 1
                if not _boundary(text, start - 1):
                    continue
                if follows:
                    if not _follows(text, end, follows):
                        continue
                elif not (_boundary(text, end) or _takes_suffixes(alias)):
                    continue
                if exact and not _same_in_original(norm, start, end, exact):
                    continue
                hits.append(NameHit(start, end, entity))
        if self.handles and "@" in norm.original:
            hits.extend(self._handles(norm))
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    def _handles(self, norm: Normalised) -> list[NameHit]:
        found = []
        for m in HANDLE.finditer(norm.original):
            entity = self.handles.get(m.group(0)[1:].split("@")[0].lower())
            if entity is None or not norm.origin:
                continue
            at = bisect.bisect_left(norm.origin, m.start())
            end = bisect.bisect_left(norm.origin, m.end())
            found.append(NameHit(at, max(end, at + 1), entity))
        return found


def load_name_list(
    path: Path, list_name: str, only_hashtags: bool = False, folded: dict | None = None
) -> NameList:
    """Read and check one list file; a fault names the file and line and what to do.

    `only_hashtags` keeps just the entities' campaign hashtags (`#ImWithHer`, `#KhelaHobe`):
    a campaign's own hashtag takes a side by itself, so a rule may fire on it alone.
    `folded` maps aliases to their normalised form, as worked out before (policy/cache.py);
    new ones are added to it."""
    folds = folded if folded is not None else {}
    file = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NameListError(file, 0, f"cannot read the name list: {exc}") from None
    except UnicodeDecodeError as exc:
        raise NameListError(file, 0, f"the name list is not UTF-8: {exc}") from None
    except json.JSONDecodeError as exc:
        raise NameListError(file, exc.lineno, f"not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise NameListError(file, 1, 'a name list is an object with an "entries" list')
    kind = data.get("kind")
    if kind not in KINDS:
        raise NameListError(file, 1, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    sources = data.get("sources")
    if not isinstance(sources, list) or not all(
        isinstance(s, dict) and s.get("licence") for s in sources
    ):
        raise NameListError(file, 1, "every list records its sources, each with its licence")
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    aliases: list[tuple[str, Named, str, str]] = []
    handles: dict[str, Named] = {}
    later: list[tuple[str, Named, str]] = []
    entities = []
    for number, entry in enumerate(data["entries"], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise NameListError(file, 1, f"entry {number}: needs a name")
        entity = Named(
            name=entry["name"],
            kind=kind,
            party=str(entry.get("party") or ""),
            country=str(entry.get("country") or ""),
        )
        entities.append(entity)
        for tag in entry.get("hashtags", ()):
            _add_alias(automaton, aliases, "#" + str(tag).lstrip("#"), entity, False, folds)
        if only_hashtags:
            continue
        exact = bool(entry.get("case"))
        # In the list's order: when two spellings fold alike ("Tata", "TATA"), the first
        # decides which one an exact match needs, whatever the hash seed.
        for alias in dict.fromkeys([entry["name"], *entry.get("aliases", ())]):
            _add_alias(automaton, aliases, alias, entity, exact, folds, later)
        for handle in entry.get("handles", ()):
            handles[str(handle).lstrip("@").lower()] = entity
    _add_spellings(automaton, aliases, later)
    if len(automaton):
        automaton.make_automaton()
    return NameList(
        list_name=list_name,
        kind=kind,
        file=file,
        sources=tuple(sources),
        entities=tuple(entities),
        automaton=automaton,
        handles=handles,
        aliases=tuple(aliases),
    )


def _add_alias(
    automaton: ahocorasick.Automaton,
    aliases: list[tuple[str, Named, str, str]],
    alias: str,
    entity: Named,
    exact: bool,
    folds: dict,
    later: list | None = None,
) -> None:
    folded = _fold(alias, folds)
    if len(folded) < 2 or not any(ch.isalpha() for ch in folded):
        return
    plain = unicodedata.normalize("NFKC", alias).strip()
    if len(folded) <= 4 and len(folded) < len(plain):
        # Folding read a doubled letter once ("UUP" → "up", "AAP" → "ap"): so short a form
        # would match ordinary words, so it must be written as the list writes it.
        exact = True
    if folded in automaton:  # the first entity to claim an alias keeps it
        return
    automaton.add_word(folded, len(aliases))
    aliases.append((folded, entity, plain if exact else "", ""))
    if exact or alias.startswith("#") or later is None:
        return
    # Other spellings of the same name come after every alias a list writes, so that one
    # never takes a written alias from another entity.
    for spelling in _initials_spellings(plain):
        later.append((_fold(spelling, folds), entity, ""))
    for stem, follows in _inflection_stems(folded):
        later.append((stem, entity, follows))
    for spelling in _initials_spellings(plain):
        later.extend((stem, entity, follows)
                     for stem, follows in _inflection_stems(_fold(spelling, folds)))


def _add_spellings(automaton: ahocorasick.Automaton, aliases: list, later: list) -> None:
    for folded, entity, follows in later:
        if len(folded) >= 2 and folded not in automaton:
            automaton.add_word(folded, len(aliases))
            aliases.append((folded, entity, "", follows))


def _fold(alias: str, folds: dict) -> str:
    folded = folds.get(alias)
    if not isinstance(folded, str):
        folded = folds[alias] = normalise(alias).text.strip()
    return folded


#: Initials at the start of a name, each one to four letters and marks and a dot: "D.", "Y.S.",
#: "ಡಿ.", "எம்.".
_INITIALS = re.compile(r"^((?:[^\s.]{1,4}\.\s*){1,3})(?![^\s.]{1,4}\.)(\S.*)$")


def _initials_spellings(alias: str) -> list[str]:
    """The other ways people space a name's initials: "D. K. Shivakumar", "D.K. Shivakumar",
    "D.K.Shivakumar", "D K Shivakumar", "DK Shivakumar". Without dots only when no initial is
    a word in itself ("A. Raja" is not "a raja")."""
    m = _INITIALS.match(alias)
    if not m:
        return []
    initials = [i for i in re.split(r"[.\s]+", m.group(1)) if i]
    rest = m.group(2)
    if not initials or any(i.isdigit() for i in initials):
        return []
    out = [". ".join(initials) + ". " + rest, ".".join(initials) + ". " + rest,
           ".".join(initials) + "." + rest]
    if not any(i.casefold() in ("a", "i") for i in initials):
        out.append(" ".join(initials) + " " + rest)
        if len(initials) > 1:
            out.append("".join(initials) + " " + rest)
    return [o for o in dict.fromkeys(out) if o != alias]


#: What must follow a stem whose virama a case ending replaced (a vowel sign), or whose
#: chillu it replaced (a vowel sign or a virama).
_VOWEL = "\u0300"
_SIGN = "\u0301"
_VIRAMAS = frozenset("\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d4d")
#: Malayalam chillu letters and the consonant a case ending writes in their place
#: (സർക്കാർ → സർക്കാരിന്റെ, വിജയൻ → വിജയന്റെ).
_CHILLU = {"\u0d7a": "\u0d23", "\u0d7b": "\u0d28", "\u0d7c": "\u0d30", "\u0d7d": "\u0d32",
           "\u0d7e": "\u0d33", "\u0d7f": "\u0d15"}


def _inflection_stems(folded: str) -> list[tuple[str, str]]:
    """An Indic alias's other endings, as (stem, what must follow it).

    A name ending in a consonant with virama takes its case ending as a vowel sign in the
    virama's place (Tamil ஸ்டாலின் → ஸ்டாலினை, காங்கிரஸ் → காங்கிரஸின்; Malayalam
    കോൺഗ്രസ് → കോൺഗ്രസിന്റെ); a Malayalam chillu turns back into its consonant. A Tamil
    name of several words ending in -ம் takes the oblique -த்த- or drops the -ம் before the
    next word (தமிழக வெற்றிக் கழகம் → கழகத்தின், கழக மாநாடு); Malayalam -ം takes -ത്ത-.
    Stems shorter than four letters are not used: too many words begin so."""
    if len(folded) < 5 or not ("\u0900" <= folded[-1] <= "\u0dff"):
        return []
    last = folded[-1]
    if last in _VIRAMAS:
        stems = [(folded[:-1], _VOWEL)]
        if folded.endswith("\u0bae\u0bcd") and " " in folded:
            stems.append((folded[:-2], "\u0ba4\u0bcd"))
        return stems
    if last in _CHILLU:
        return [(folded[:-1] + _CHILLU[last], _SIGN)]
    if last == "\u0d02" and " " in folded:
        return [(folded[:-1], "\u0d24\u0d4d\u0d24")]
    return []


def _follows(text: str, end: int, follows: str) -> bool:
    """True when what comes after a stem is the ending the stem needs."""
    if follows in (_VOWEL, _SIGN):
        mark = end < len(text) and unicodedata.category(text[end])[0] == "M"
        return mark and (follows == _SIGN or text[end] not in _VIRAMAS)
    return text.startswith(follows, end) or (
        _boundary(text, end) and follows.startswith("\u0ba4"))


def _boundary(text: str, index: int) -> bool:
    """True when text[index] does not continue a word (letters, marks and digits do)."""
    if index < 0 or index >= len(text):
        return True
    return unicodedata.category(text[index])[0] not in "LMN"


def _takes_suffixes(alias: str) -> bool:
    """Indic languages write case endings onto a name (মমতা বন্দ্যোপাধ্যায়ের, ठाकरेंना, ಮೋದಿಯವರ):
    an alias in an Indic script of four or more letters may be followed by more letters."""
    return len(alias) >= 4 and "\u0900" <= alias[-1] <= "\u0dff"


def _same_in_original(norm: Normalised, start: int, end: int, exact: str) -> bool:
    lo, hi = norm.span(start, end)
    return unicodedata.normalize("NFKC", norm.original[lo:hi]) == exact
