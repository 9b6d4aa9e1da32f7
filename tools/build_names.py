"""Build the name lists in policies/names/ from open data and tools/names_hand.yaml.

    python tools/build_names.py --sources DIR --out policies/names

DIR holds the source repositories as git directories: /work/.mirror-style `OWNER+NAME/repo`
bare dirs, or plain `git clone`s named NAME or OWNER+NAME. Every file is read with
`git show COMMIT:PATH` at the commit pinned in SOURCES below, so a rebuild from the same
repositories gives the same lists (only the `built` date changes; pass --date to pin it).
What each list holds, the precision rules and the sources' licences: policies/names/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BUILT_BY = "python tools/build_names.py --sources DIR --out policies/names"

# name -> (repository, commit, licence)
SOURCES = {
    "congress-legislators": ("unitedstates/congress-legislators",
                             "dfa9622263dd4c8d08636926e498f1845704d7eb", "CC0-1.0"),
    "congress-legislators (gh-pages)": ("unitedstates/congress-legislators",
                                        "61c9ce6a4b093e76e1244a53ada21d8d30981f42", "CC0-1.0"),
    "mp-lookup": ("dfe-analytical-services/mp-lookup",
                  "793ea661826202d050e95291e6f64021ce6c94d1", "none stated"),
    "elections (Lok Sabha 2024)": ("arjunswaj/elections",
                                   "c001eabf969724bd6f38a629576191a5cc077d80", "none stated"),
    "india-lok-sabha (17th)": ("every-politician-scrapers/india-lok-sabha",
                               "3e7bde7adc89c73f442a479a98565ba6bcccb262", "none stated"),
    "india-ministers (2022)": ("every-politician-scrapers/india-ministers",
                               "66f344bbf207d35eaa3225edf5584ae0bb164fe8", "none stated"),
    "name-suggestion-index": ("osmlab/name-suggestion-index",
                              "c8b272ef0f882ee76c5ac8bd2912d5db4d63cf30", "BSD-3-Clause"),
    "simple-icons": ("simple-icons/simple-icons",
                     "34c22501f9ac9f22b12f825677ccbab1fb22e14b", "CC0-1.0"),
}

# Names in Cyrillic, Chinese, Japanese or Korean script are not kept (not this project's readers).
CJK = re.compile(r"[\u0400-\u04ff\u3040-\u9fff\uac00-\ud7af]")
INDIC_LANGS = ("hi", "mr", "bn", "as", "pa", "gu", "or", "ta", "te", "kn", "ml", "ur")


# ---------------------------------------------------------------------------------------------
# Reading sources


class Repo:
    def __init__(self, sources_dir: Path, name: str):
        self.name = name
        self.repository, self.commit, self.licence = SOURCES[name]
        self.git_dir = find_git_dir(sources_dir, self.repository)
        self.paths: list[str] = []
        self.rows_read = 0
        self.entries_kept = 0

    def show(self, path: str) -> str:
        self.paths.append(path)
        out = subprocess.run(["git", "--git-dir", str(self.git_dir), "show",
                              f"{self.commit}:{path}"], capture_output=True, check=True)
        return out.stdout.decode("utf-8-sig")

    def ls(self, prefix: str) -> list[str]:
        out = subprocess.run(["git", "--git-dir", str(self.git_dir), "ls-tree", "-r",
                              "--name-only", self.commit, prefix],
                             capture_output=True, text=True, check=True)
        return out.stdout.split()

    def record(self) -> dict:
        return {"name": self.name, "repository": self.repository, "commit": self.commit,
                "paths": sorted(dict.fromkeys(self.paths)), "licence": self.licence,
                "rows_read": self.rows_read, "entries_kept": self.entries_kept}


def find_git_dir(sources_dir: Path, repository: str) -> Path:
    owner, name = repository.split("/")
    for cand in (f"{owner}+{name}/repo", f"{owner}+{name}", name):
        d = sources_dir / cand
        if (d / ".git").is_dir():
            return d / ".git"
        if (d / "HEAD").is_file() and (d / "objects").is_dir():
            return d
    sys.exit(f"build_names: no git directory for {repository} under {sources_dir} "
             f"(looked for {owner}+{name}/repo, {owner}+{name}, {name})")


# ---------------------------------------------------------------------------------------------
# Normalising and checking aliases


def fold(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def clean(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def words(s: str) -> list[str]:
    return fold(s).split()


class Rules:
    def __init__(self, hand: dict):
        self.stop = {fold(w) for w in hand["stop_list"]}
        self.allow = {fold(w) for w in hand["person_single_word_allow"]}
        self.dropped: list[tuple[str, str, str]] = []  # (list, alias, why)

    def alias_ok(self, alias: str, *, kind: str, case: bool, owner: str) -> bool:
        f = fold(alias)
        key = alias if case else f
        if not f:
            return False
        if key in self.stop:
            self.dropped.append((kind, f"{alias} ({owner})", "stop list"))
            return False
        if kind == "politician" and len(f.split()) == 1 and f not in self.allow:
            self.dropped.append((kind, f"{alias} ({owner})", "one word, not on the allow list"))
            return False
        if len(f) < 2 or (len(f) < 3 and not case):
            self.dropped.append((kind, f"{alias} ({owner})", "too short"))
            return False
        return True


def entry(name, aliases, *, kind, case=False, handles=(), hashtags=(), country="", wikidata=None,
          source="hand", party=None, alias_name=True) -> dict:
    e = {"name": clean(name), "aliases": [], "handles": [], "hashtags": [], "case": case}
    if kind == "politician":
        e["party"] = party or ""
    e["country"] = country
    e["wikidata"] = wikidata
    e["source"] = source
    if not alias_name:
        e["_label"] = True
    add_aliases(e, [name, *aliases] if alias_name else list(aliases))
    add_handles(e, handles)
    for h in hashtags:
        h = clean(h).lstrip("#")
        if h and h.casefold() not in {x.casefold() for x in e["hashtags"]}:
            e["hashtags"].append(h)
    return e


def add_aliases(e: dict, aliases) -> None:
    seen = {a if e["case"] else fold(a) for a in e["aliases"]}
    for a in aliases:
        a = clean(a)
        k = a if e["case"] else fold(a)
        if a and k not in seen:
            seen.add(k)
            e["aliases"].append(a)


def add_handles(e: dict, handles) -> None:
    for h in handles:
        h = h.strip().lstrip("@").lower()
        if h and re.fullmatch(r"[a-z0-9_]{1,15}", h) and h not in e["handles"]:
            e["handles"].append(h)


def finish(entries: list[dict], rules: Rules, kind: str) -> list[dict]:
    """Drop aliases the rules refuse, then aliases two different entities share, then empty
    entries. Entries with the same name are one entity split by case and may share aliases."""
    for e in entries:
        e["aliases"] = [a for a in e["aliases"]
                        if rules.alias_ok(a, kind=kind, case=e["case"], owner=e["name"])]
    owners: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        for a in e["aliases"]:
            owners[fold(a)].add(e["name"])
    shared = {a for a, names in owners.items() if len(names) > 1}
    for a in sorted(shared):
        rules.dropped.append((kind, f"{a} ({', '.join(sorted(owners[a]))})",
                              "shared by different entries"))
    out = []
    for e in entries:
        e["aliases"] = [a for a in e["aliases"] if fold(a) not in shared]
        out.append(e)
    # The name must survive as an alias of the entity, unless it is only a label ("Labour
    # Party (UK)") or a common word kept in case-sensitive forms ("Ola", "Jio").
    named = {e["name"] for e in out if fold(e["name"]) in {fold(a) for a in e["aliases"]}}
    named |= {e["name"] for e in out if e["case"] and e["aliases"]}
    kept = []
    for e in out:
        label = e.pop("_label", False)
        if e["aliases"] and (label or e["name"] in named):
            kept.append(e)
        else:
            rules.dropped.append((kind, e["name"], "the name itself was refused; entry dropped"))
    return kept


def split_case(h: dict, kind: str, source: str, **extra) -> list[dict]:
    """A hand entry becomes one case-folded entry and, when it has `case_aliases`, a second
    case-sensitive entry of the same entity."""
    common = dict(kind=kind, country=h.get("country", ""), wikidata=h.get("wikidata"),
                  source=source, alias_name=h.get("alias_name", True), **extra)
    out = [entry(h["name"], h.get("aliases", []), handles=h.get("handles", []),
                 hashtags=h.get("hashtags", []), case=bool(h.get("case", False)), **common)]
    if h.get("case_aliases"):
        out.append(entry(h["name"], h["case_aliases"], case=True, **common))
    return out


# ---------------------------------------------------------------------------------------------
# Parties


def build_parties(hand: dict, rules: Rules, repos: dict[str, Repo]) -> tuple[list, list]:
    entries = []
    for h in hand["parties"]:
        entries += split_case(h, "party", "hand")
    # Confirm the Indian and UK parties against the results files: seats won.
    ls = repos["elections (Lok Sabha 2024)"]
    uk = repos["mp-lookup"]
    eci_names = {fold(n): h["name"] for h in hand["parties"] for n in h.get("eci", [])}
    seats: Counter = Counter()
    for row in ls_rows(ls):
        if row["rank"] == "1" and fold(row["party"]) in eci_names:
            seats[eci_names[fold(row["party"])]] += 1
    for row in uk_candidates(uk):
        if row["Candidate result position"] == "1" and fold(row["Main party name"]) in eci_names:
            seats[eci_names[fold(row["Main party name"])]] += 1
    for e in entries:
        if e["name"] in seats:
            e["source"] = "hand"
    ls.entries_kept = sum(1 for h in hand["parties"] if h.get("country") == "IN"
                          and h["name"] in seats)
    uk.entries_kept = sum(1 for h in hand["parties"] if h.get("country") == "GB"
                          and h["name"] in seats)
    return finish(entries, rules, "party"), [hand_record(hand, "parties"), ls.record(),
                                             uk.record()]


def hand_record(hand: dict, section: str) -> dict:
    return {"name": "hand", "repository": "checkpost (this repository)",
            "commit": hand["_commit"], "paths": ["tools/names_hand.yaml"],
            "licence": "MIT (this project)", "rows_read": len(hand[section]),
            "entries_kept": len(hand[section])}


# ---------------------------------------------------------------------------------------------
# Lok Sabha 2024 and the other Indian sources

TITLES = {"dr", "adv", "advocate", "prof", "shri", "smt", "sri", "shrimati", "er", "engr", "ca",
          "col", "capt", "retd", "late", "mr", "mrs", "ms", "sir", "dame", "rt", "hon", "mp",
          "kumari_title"}


def ls_rows(repo: Repo):
    if not hasattr(repo, "_rows"):
        text = repo.show("election_results.csv")
        cols = ["n", "state_code", "state", "constituency", "rank", "name", "party", "evm",
                "postal", "total", "share"]
        repo._rows = [dict(zip(cols, r, strict=False)) for r in csv.reader(io.StringIO(text))]
        repo.rows_read = len(repo._rows)
    return repo._rows


def uk_candidates(repo: Repo):
    if not hasattr(repo, "_cands"):
        text = repo.show("data/candidate-level-results-general-election-04-07-2024.csv")
        repo._cands = list(csv.DictReader(io.StringIO(text)))
        repo.rows_read += len(repo._cands)
    return repo._cands


def person_forms(raw: str) -> list[str]:
    """The ways a person's name is written, from an upper-case ECI-style name:
    'DR. K. SUDHAKARAN' -> ['K. Sudhakaran', 'K Sudhakaran']; 'A ALIAS B' -> both."""
    raw = re.sub(r"\(.*?\)", " ", raw)
    raw = re.split(r"\s+[SDW]/O\s+", raw, flags=re.I)[0]
    parts = re.split(r"\s+(?:ALIAS|URF|@)\s+|\s+-\s+", raw, flags=re.I)
    out = []
    for p in parts:
        toks = [t for t in re.split(r"[\s.]+", p) if t]
        while toks and toks[0].lower() in TITLES:
            toks = toks[1:]
        if not toks:
            continue
        shown = [t.upper() + "." if len(t) == 1 else titlecase(t) for t in toks]
        form = " ".join(shown)
        out.append(form)
        if any(len(t) == 1 for t in toks):
            dotless = " ".join(t.rstrip(".") for t in shown)
            if not any(t.lower() in ("a", "i") for t in toks if len(t) == 1):
                out.append(dotless)
    return out


def titlecase(t: str) -> str:
    if t.isupper() or t.islower():
        return "-".join(x[:1].upper() + x[1:].lower() for x in t.split("-"))
    return t


def core_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s.]+", fold(name)) if len(t) > 1 and t not in TITLES]


def common_tokens(names, threshold: int) -> set[str]:
    c: Counter = Counter()
    for n in names:
        c.update(set(core_tokens(n)))
    return {t for t, k in c.items() if k >= threshold}


ENGLISH: set[str] = set()  # filled from --words in main()


def generic(name: str, common: set[str]) -> bool:
    """A source name is too generic to name one person: a single word, every word a frequent
    name ("Sunil Kumar"), or every word an English word ("Mark Hunt", "Will Stone")."""
    toks = core_tokens(name)
    return (len(toks) < 2 or all(t in common for t in toks)
            or all(t in ENGLISH for t in toks))


def parse_ls17_name(name: str) -> str:
    if "," in name:
        sur, given = name.split(",", 1)
        given = re.sub(r"^\s*(Shri|Smt\.?|Dr\.?|Kumari|Sushri|Prof\.?|Adv\.?)\s+", "",
                       given.strip())
        return clean(f"{given} {sur}")
    return clean(name)


def build_india(hand: dict, rules: Rules, repos: dict[str, Repo], by_key: dict, add) -> None:
    ls = repos["elections (Lok Sabha 2024)"]
    ls17 = repos["india-lok-sabha (17th)"]
    mins = repos["india-ministers (2022)"]
    eci_party = {fold(n): h["name"] for h in hand["parties"] for n in h.get("eci", [])}
    short = hand["party_short"]
    runner_up_parties = set(hand["ls2024_runner_up_parties"])
    rows = [r for r in ls_rows(ls) if r["name"].upper() != "NOTA"]
    common = common_tokens([r["name"] for r in rows], hand["common_token_threshold"])
    # 17th Lok Sabha members by constituency, for Wikidata ids and the usual spelling.
    ls17_rows = list(csv.DictReader(io.StringIO(ls17.show("wikidata/results/current-members.csv"))))
    ls17.rows_read = len(ls17_rows)
    by_const = defaultdict(list)
    for r in ls17_rows:
        by_const[fold(r["constituency"])].append(r)
    for r in rows:
        if r["rank"] not in ("1", "2"):
            continue
        party_full = eci_party.get(fold(r["party"]))
        party = short.get(party_full, "") if party_full else ""
        if r["rank"] == "2" and party not in runner_up_parties:
            continue
        forms = person_forms(r["name"])
        qid, extra = None, []
        toks = set(core_tokens(" ".join(forms)))
        for m in by_const.get(fold(r["constituency"]), []):
            label = parse_ls17_name(m["name"])
            if len(toks & set(core_tokens(label))) >= 2 or (
                    len(toks) == 1 and toks <= set(core_tokens(label))):
                qid, extra = m["item"], [label, m["name"]] if "," not in m["name"] else [label]
                ls17.entries_kept += 1
                break
        forms = [f for f in [*extra, *forms] if not generic(f, common)]
        if not forms:
            rules.dropped.append(("politician", f"{r['name']} ({r['constituency']})",
                                  "common name (every word a frequent name or English word)"))
            continue
        if add(forms[0], forms[1:], country="IN", wikidata=qid, party=party,
               source=ls.name):
            ls.entries_kept += 1
    # Union ministers, chief ministers and others in office in 2022: politicians only.
    keep = re.compile(r"^(President|Vice President|Prime Minister|Minister |Chief [Mm]inister|"
                      r"Speaker|Leader of the House)")
    text = mins.show("html/current.csv")
    mrows = list(csv.DictReader(io.StringIO(text)))
    mins.rows_read = len(mrows)
    seen = set()
    for r in mrows:
        if not keep.match(r["position"]) or r["personID"] in hand["ministers_not_politicians"]:
            continue
        if r["personID"] in seen:
            continue
        seen.add(r["personID"])
        names = [r["person"], re.sub(r"\s*\(.*\)$", "", r["enwiki"])]
        if add(names[0], names[1:], country="IN", wikidata=r["personID"], party="",
               source=mins.name):
            mins.entries_kept += 1


# ---------------------------------------------------------------------------------------------
# United States and United Kingdom


def build_us(hand: dict, repos: dict[str, Repo], add, dropped: list) -> None:
    cl = repos["congress-legislators"]
    gh = repos["congress-legislators (gh-pages)"]
    social = {}
    soc = yaml.safe_load(cl.show("legislators-social-media.yaml"))
    for s in soc:
        tw = s.get("social", {}).get("twitter")
        if tw:
            social[s["id"]["bioguide"]] = tw
    current = yaml.safe_load(cl.show("legislators-current.yaml"))
    execs = yaml.safe_load(cl.show("executive.yaml"))
    cl.rows_read = len(current) + len(execs) + len(soc)
    hist = list(csv.DictReader(io.StringIO(gh.show("legislators-historical.csv"))))
    gh.rows_read = len(hist)
    names = [f"{p['name'].get('first', '')} {p['name'].get('last', '')}" for p in current]
    names += [f"{r['first_name']} {r['last_name']}" for r in hist]
    common = common_tokens(names, hand["us_common_token_threshold"])

    def forms(p):
        n = p["name"]
        first, last = n.get("first", ""), n.get("last", "")
        out = [n.get("official_full") or f"{first} {last}", f"{first} {last}"]
        if n.get("nickname"):
            out.append(f"{n['nickname']} {last}")
        if p["id"].get("wikipedia"):
            out.append(re.sub(r"\s*\(.*\)$", "", p["id"]["wikipedia"]))
        return [clean(f) for f in out if f.strip()]

    def party_of(p):
        return p["terms"][-1].get("party", "")

    for p in current:
        fs = forms(p)
        kept = [f for f in fs if not generic(f, common)]
        if not kept:
            dropped.append(("politician", f"{fs[0]} (US)", "common name"))
            continue
        if add(kept[0], kept[1:], country="US", wikidata=p["id"].get("wikidata"),
               party=party_of(p), handles=[social.get(p["id"]["bioguide"], "")], source=cl.name):
            cl.entries_kept += 1
    for p in execs:
        if not any(t["type"] in ("prez", "viceprez") and t["start"] >= "1981" for t in p["terms"]):
            continue
        fs = forms(p)
        if add(fs[0], fs[1:], country="US", wikidata=p["id"].get("wikidata"),
               party=party_of(p), handles=[social.get(p["id"].get("bioguide", ""), "")],
               source=cl.name):
            cl.entries_kept += 1
    # The historical file only lends Wikidata ids and handles to hand entries it also holds.
    by_name = {fold(f"{r['first_name']} {r['last_name']}"): r for r in hist}
    by_name.update({fold(r["full_name"]): r for r in hist if r.get("full_name")})
    for h in hand["politicians"]:
        if h.get("country") != "US":
            continue
        r = by_name.get(fold(h["name"]))
        if r:  # counted when the hand entry is found there, whether or not it lends anything
            add(h["name"], [], country="US", wikidata=r.get("wikidata_id") or None,
                party=h.get("party", ""), handles=[r.get("twitter", "")], source=gh.name,
                enrich_only=True)
            gh.entries_kept += 1


def build_uk(hand: dict, repos: dict[str, Repo], add, dropped: list) -> None:
    uk = repos["mp-lookup"]
    mps = list(csv.DictReader(io.StringIO(uk.show("mp_lookup.csv"))))
    uk.rows_read += len(mps)
    cands = uk_candidates(uk)
    common = common_tokens([f"{c['Candidate given name']} {c['Candidate family name']}"
                            for c in cands], hand["uk_common_token_threshold"])
    short = {fold(k): v for k, v in hand["party_short"].items()}
    uk_party = {fold(n): short.get(fold(h["name"]), h["name"]) for h in hand["parties"]
                if h.get("country") == "GB" for n in h.get("eci", [])}
    for m in mps:
        name = m["display_as"]
        name = re.sub(r"^(Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Rt Hon|Lord|Lady)\.?\s+", "", name).strip()
        name = re.sub(r"\s+MP$", "", name)
        if generic(name, common):
            dropped.append(("politician", f"{name} (GB)", "common name"))
            continue
        party = uk_party.get(fold(m["party_text"]), m["party_text"])
        if add(name, [], country="GB", wikidata=None, party=party, source=uk.name):
            uk.entries_kept += 1


# ---------------------------------------------------------------------------------------------
# Politicians


def build_politicians(hand: dict, rules: Rules, repos: dict[str, Repo]) -> tuple[list, list]:
    entries: list[dict] = []
    by_key: dict[str, dict] = {}
    for h in hand["politicians"]:
        for e in split_case(h, "politician", "hand", party=h.get("party", "")):
            entries.append(e)
            if not e["case"]:
                for a in e["aliases"]:  # a source name equal to a hand alias is that person
                    by_key.setdefault(fold(a), e)
                by_key[fold(e["name"])] = e
                if e["wikidata"]:
                    by_key[e["wikidata"]] = e

    def add(name, aliases, *, country, wikidata, party, source, handles=(), enrich_only=False):
        """Merge into the entry with the same Wikidata id or name, else make a new one.
        True when something was added."""
        e = (by_key.get(wikidata) if wikidata else None) or by_key.get(fold(name))
        if e is None:
            for a in aliases:
                e = by_key.get(fold(a))
                if e and e["country"] == country:
                    break
                e = None
        if e is not None:
            before = (len(e["aliases"]), len(e["handles"]), e["wikidata"])
            add_aliases(e, [name, *aliases])
            add_handles(e, [h for h in handles if h])
            e["wikidata"] = e["wikidata"] or wikidata
            if not e.get("party"):
                e["party"] = party
            if wikidata:
                by_key[wikidata] = e
            return before != (len(e["aliases"]), len(e["handles"]), e["wikidata"])
        if enrich_only:
            return False
        e = entry(name, aliases, kind="politician", country=country, wikidata=wikidata,
                  party=party, source=source, handles=[h for h in handles if h])
        entries.append(e)
        by_key[fold(name)] = e
        if wikidata:
            by_key[wikidata] = e
        return True

    build_india(hand, rules, repos, by_key, add)
    build_us(hand, repos, add, rules.dropped)
    build_uk(hand, repos, add, rules.dropped)
    records = [hand_record(hand, "politicians")]
    for n in ("elections (Lok Sabha 2024)", "india-lok-sabha (17th)", "india-ministers (2022)",
              "congress-legislators", "congress-legislators (gh-pages)", "mp-lookup"):
        records.append(repos[n].record())
    for r in hand.get("reference_sources", []):
        records.append({k: r[k] for k in ("name", "repository", "commit", "paths", "licence",
                                          "rows_read", "entries_kept")})
    return finish(entries, rules, "politician"), records


# ---------------------------------------------------------------------------------------------
# Brands


def load_words(path: Path) -> set[str]:
    """Lower-case words of an English word list (Debian's wamerican): a brand named by one of
    them is dropped, and one named by several is matched only as written."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        sys.exit(f"build_names: no word list at {path} (apt-get install wamerican, or --words)")
    return {w for w in text.split() if w.islower() and "'" not in w}


def build_brands(hand: dict, rules: Rules, repos: dict[str, Repo],
                 words_file: Path) -> tuple[list, list]:
    cfg = hand["brands_config"]
    case_words = {fold(w) for w in cfg["case_sensitive"]}
    drop_names = {fold(w) for w in cfg["nsi_drop"]}
    entries: list[dict] = []
    by_key: dict[str, dict] = {}

    def put(e):
        entries.append(e)
        for a in e["aliases"]:
            by_key.setdefault(fold(a), e)
        if e["wikidata"]:
            by_key[e["wikidata"]] = e

    for h in hand["brands"]:
        for e in split_case(h, "brand", "hand"):
            put(e)

    english = ENGLISH or load_words(words_file)
    romanised = {fold(w) for w in cfg["romanised_words"]}
    glue = {"&", "and", "of", "the", "by", "in", "on", "de", "la", "le", "y", "et", "&amp;"}

    def add(name, aliases, *, country, wikidata, source):
        name = clean(name)
        if CJK.search(name):
            rules.dropped.append(("brand", f"{name} ({source})", "not in a script kept here"))
            return False
        if fold(name) in drop_names or fold(name) in rules.stop:
            rules.dropped.append(("brand", f"{name} ({source})",
                                  "not a commercial brand, or a common word"))
            return False
        toks = [t for t in re.split(r"[\s\-]+", fold(name)) if t and t not in glue]
        reviewed = fold(name) in case_words
        if not reviewed and len(toks) == 1 and toks[0] in english:
            rules.dropped.append(("brand", f"{name} ({source})", "an English word"))
            return False
        e = (by_key.get(wikidata) if wikidata else None) or by_key.get(fold(name))
        if e is not None:
            n = len(e["aliases"])
            if e["case"]:
                add_aliases(e, [a for a in [name, *aliases] if fold(a) in case_words])
            else:
                add_aliases(e, [a for a in [name, *aliases] if fold(a) not in case_words])
            e["wikidata"] = e["wikidata"] or wikidata
            return len(e["aliases"]) > n
        case = reviewed or (len(toks) == 1 and toks[0] in romanised) or (
            len(toks) > 1 and all(t in english for t in toks))
        e = entry(name, [a for a in aliases if fold(a) not in rules.stop], kind="brand",
                  case=case, country=country, wikidata=wikidata, source=source)
        put(e)
        return True

    # name-suggestion-index: India, and worldwide brands in consumer categories.
    nsi = repos["name-suggestion-index"]
    india_skip = tuple(cfg["nsi_india_skip_categories"])
    world_keep = set(cfg["nsi_world_categories"])
    for path in nsi.ls("data/brands"):
        if not path.endswith(".json"):
            continue
        cat = path[len("data/brands/"):-len(".json")]
        data = json.loads(nsi.show(path))
        for it in data.get("items", []):
            nsi.rows_read += 1
            inc = it.get("locationSet", {}).get("include", [])
            tags = it.get("tags", {})
            name = tags.get("brand") or tags.get("name")
            if not name:
                continue
            if "in" in inc and not cat.startswith(india_skip):
                country = "IN"
            elif "001" in inc and cat in world_keep:
                country = "001"
            else:
                continue
            aliases = [tags.get("name", "")]
            if tags.get("brand:short") and len(tags["brand:short"]) >= 3:
                aliases.append(tags["brand:short"])
            for lang in INDIC_LANGS:
                for k in (f"brand:{lang}", f"name:{lang}"):
                    if tags.get(k):
                        aliases.append(tags[k])
            if tags.get("brand:en"):
                aliases.append(tags["brand:en"])
            aliases = [a for a in aliases if a and not CJK.search(a)]
            if add(name, aliases, country=country, wikidata=tags.get("brand:wikidata"),
                   source=nsi.name):
                nsi.entries_kept += 1
    # simple-icons: only the consumer apps and services on the hand list's keep list.
    si = repos["simple-icons"]
    icons = json.loads(si.show("data/simple-icons.json"))
    si.rows_read = len(icons)
    keep = {fold(t) for t in cfg["simple_icons_keep"]}
    found = set()
    for icon in icons:
        t = icon["title"]
        if fold(t) not in keep:
            continue
        found.add(fold(t))
        al = icon.get("aliases", {})
        aliases = list(al.get("aka", [])) + [d["title"] for d in al.get("dup", [])]
        aliases += [v for v in al.get("loc", {}).values()]
        aliases = [a for a in aliases if not CJK.search(a)]
        if add(t, aliases, country="", wikidata=None, source=si.name):
            si.entries_kept += 1
    for t in sorted(keep - found):
        rules.dropped.append(("brand", t, "on simple_icons_keep but not in simple-icons"))
    out = finish(entries, rules, "brand")
    return out, [hand_record(hand, "brands"), nsi.record(), si.record()]


# ---------------------------------------------------------------------------------------------


def write(out_dir: Path, list_name: str, kind: str, built: str, sources: list, entries: list):
    entries = sorted(entries, key=lambda e: (fold(e["name"]), e["case"]))
    lines = ["{", f'"list": {json.dumps(list_name)},', f'"kind": {json.dumps(kind)},',
             f'"built": {json.dumps(built)},', f'"built_by": {json.dumps(BUILT_BY)},',
             '"sources": [']
    lines.append(",\n".join(json.dumps(s, ensure_ascii=False) for s in sources))
    lines.append("],")
    lines.append('"entries": [')
    lines.append(",\n".join(json.dumps(e, ensure_ascii=False) for e in entries))
    lines.append("]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)
    (out_dir / f"{list_name}.json").write_text(text, encoding="utf-8")


def hand_commit(path: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(path.parent), "log", "-1", "--format=%H", "--",
                              path.name], capture_output=True, text=True, check=True)
        return out.stdout.strip() or "uncommitted"
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "uncommitted"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--hand", type=Path, default=HERE / "names_hand.yaml")
    ap.add_argument("--date", default=dt.date.today().isoformat())
    ap.add_argument("--words", type=Path, default=Path("/usr/share/dict/words"),
                    help="English word list (Debian package wamerican)")
    ap.add_argument("--report", type=Path, help="write what was dropped and why to this file")
    args = ap.parse_args(argv)
    hand = yaml.safe_load(args.hand.read_text(encoding="utf-8"))
    hand["_commit"] = hand_commit(args.hand)
    rules = Rules(hand)
    ENGLISH.update(load_words(args.words))
    repos = {n: Repo(args.sources, n) for n in SOURCES}
    args.out.mkdir(parents=True, exist_ok=True)
    parties, psrc = build_parties(hand, rules, repos)
    write(args.out, "parties", "party", args.date, psrc, parties)
    pols, polsrc = build_politicians(hand, rules, repos)
    write(args.out, "politicians", "politician", args.date, polsrc, pols)
    brands, bsrc = build_brands(hand, rules, repos, args.words)
    write(args.out, "brands", "brand", args.date, bsrc, brands)
    print(f"parties {len(parties)}, politicians {len(pols)}, brands {len(brands)}; "
          f"{len(rules.dropped)} aliases or entries dropped")
    if args.report:
        args.report.write_text("".join(f"{k}\t{a}\t{why}\n" for k, a, why in rules.dropped),
                               encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
