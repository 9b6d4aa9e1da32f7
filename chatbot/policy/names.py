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
"""

from __future__ import annotations

import bisect
import json
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
    #: (folded alias, entity, the spelling an exact alias must have in the original, or "").
    aliases: tuple[tuple[str, Named, str], ...] = field(default=(), repr=False)

    def find(self, norm: Normalised) -> list[NameHit]:
        """Every whole-word mention and @handle of an entity in `norm`, in order."""
        hits = []
        text = norm.text
        if len(self.automaton):
            for end_index, number in self.automaton.iter(text):
                alias, entity, exact = self.aliases[number]
                start, end = end_index - len(alias) + 1, end_index + 1
                if not _boundary(text, start - 1):
                    continue
                if not (_boundary(text, end) or _takes_suffixes(alias)):
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
    aliases: list[tuple[str, Named, str]] = []
    handles: dict[str, Named] = {}
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
            _add_alias(automaton, aliases, alias, entity, exact, folds)
        for handle in entry.get("handles", ()):
            handles[str(handle).lstrip("@").lower()] = entity
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
    aliases: list[tuple[str, Named, str]],
    alias: str,
    entity: Named,
    exact: bool,
    folds: dict,
) -> None:
    folded = folds.get(alias)
    if not isinstance(folded, str):
        folded = folds[alias] = normalise(alias).text.strip()
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
    aliases.append((folded, entity, plain if exact else ""))


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
