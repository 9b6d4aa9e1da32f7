"""Merge the hand list's foreign entries (tools/names_hand.yaml, country other than IN) into the
shipped name lists the way tools/build_names.py merges hand entries, without the source
repositories: hand aliases first, then the shipped entry's own; handles and hashtags added; an
alias two entities share dropped from both. Parties gain their hand hashtags.

    python tools/merge_hand_names.py

A full rebuild (`build_names.py --sources DIR`) gives the same entries.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import build_names as B  # noqa: E402


def merge_politicians(hand: dict, names: Path) -> int:
    path = names / "politicians.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data["entries"]
    stop = {B.fold(w) for w in hand["stop_list"]}
    allow = {B.fold(w) for w in hand["person_single_word_allow"]}
    changed = 0
    for h in hand["politicians"]:
        if h.get("country") == "IN":
            continue
        for new in B.split_case(h, "politician", "hand", party=h.get("party", "")):
            for a in new["aliases"]:
                if (a if new["case"] else B.fold(a)) in stop:
                    raise SystemExit(f"{new['name']}: {a!r} is on the stop list")
                if len(B.fold(a).split()) == 1 and B.fold(a) not in allow:
                    raise SystemExit(f"{new['name']}: one-word {a!r} is not on the allow list")
            old = [e for e in entries if e["case"] == new["case"] and (
                B.fold(e["name"]) == B.fold(new["name"]) or (
                    not new["case"] and e["country"] == new["country"]
                    and {B.fold(a) for a in e["aliases"]} & {B.fold(a) for a in new["aliases"]}))]
            for e in old:
                B.add_aliases(new, e["aliases"])
                B.add_handles(new, e["handles"])
                for t in e["hashtags"]:
                    if t.casefold() not in {x.casefold() for x in new["hashtags"]}:
                        new["hashtags"].append(t)
                new["wikidata"] = new["wikidata"] or e["wikidata"]
                new["party"] = new.get("party") or e.get("party", "")
                entries.remove(e)
            new.pop("_label", None)
            changed += not any(new == e for e in old)
            entries.append(new)
    owners: dict[str, set[str]] = {}
    for e in entries:
        for a in e["aliases"]:
            owners.setdefault(B.fold(a), set()).add(e["name"])
    shared = {a for a, n in owners.items() if len(n) > 1}
    for e in entries:
        e["aliases"] = [a for a in e["aliases"] if B.fold(a) not in shared]
    _stamp(data["sources"], hand, "politicians")
    B.write(names, "politicians", "politician", data["built"], data["sources"], entries)
    return changed


def merge_party_hashtags(hand: dict, names: Path) -> None:
    path = names / "parties.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for h in hand["parties"]:
        if h.get("country") == "IN":
            continue
        for e in data["entries"]:
            if e["name"] == h["name"] and not e["case"]:
                for t in h.get("hashtags", []):
                    if t.casefold() not in {x.casefold() for x in e["hashtags"]}:
                        e["hashtags"].append(t)
    _stamp(data["sources"], hand, "parties")
    B.write(names, "parties", "party", data["built"], data["sources"], data["entries"])


def _stamp(sources: list, hand: dict, section: str) -> None:
    for s in sources:
        if s["name"] == "hand":
            s["rows_read"] = s["entries_kept"] = len(hand[section])
            s["commit"] = B.hand_commit(ROOT / "tools" / "names_hand.yaml")


def main() -> None:
    hand = yaml.safe_load((ROOT / "tools" / "names_hand.yaml").read_text(encoding="utf-8"))
    names = ROOT / "policies" / "names"
    print(f"politician entries changed or added: {merge_politicians(hand, names)}")
    merge_party_hashtags(hand, names)


if __name__ == "__main__":
    main()
