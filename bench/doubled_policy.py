"""Write a copy of the policy with every rule and term list doubled, to time how the engine scales.

    python bench/doubled_policy.py OUT_DIR
    python bench/checker.py --policy OUT_DIR

Each rule is copied under a new id (`…-dup`) reading copies of its term lists (`$name_dup`),
and every copied pattern is made a distinct expression (an empty `(?:)` appended, which
matches the same text), so the copy has twice the rules, term lists, patterns and regular
expressions to compile and run: twice the work for every rule a draft opens. Name lists are
shared (they are data, not rules). Comments and formatting of the YAML are not kept.
"""

from __future__ import annotations

import copy
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    out = Path(sys.argv[1])
    shutil.copytree(REPO / "policies", out, dirs_exist_ok=True)
    for path in sorted(out.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not doc.get("rules"):
            continue
        names = set(doc.get("names") or {})
        terms = doc.get("terms") or {}

        def twin(pattern: str, names: set[str] = names) -> str:
            if pattern.startswith("$"):
                return pattern if pattern[1:] in names else f"{pattern}_dup"
            return pattern + "(?:)"

        for name, values in list(terms.items()):
            terms[f"{name}_dup"] = [v + "(?:)" for v in values]
        doubled = []
        for rule in doc["rules"]:
            copied = copy.deepcopy(rule)
            copied["id"] = f"{rule['id']}-dup"
            match = copied["match"]
            for key in ("any", "none", "unless", "requires", "reply_to"):
                if key in match:
                    match[key] = [twin(p) for p in match[key]]
            if "all" in match:
                match["all"] = [[twin(p) for p in group] for group in match["all"]]
            doubled.append(copied)
        doc["rules"] += doubled
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        print(f"{path}: {len(doc['rules'])} rules, {len(terms)} term lists")


if __name__ == "__main__":
    main()
