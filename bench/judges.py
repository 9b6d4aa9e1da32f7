"""Accuracy of the judges side by side: the rules alone, and the rules with the learned layer.

    python bench/judges.py [FILE_OR_DIR ...]

For each labelled set (default: ../shared/eval/dev.jsonl, bench/drafts/ for tuning, bench/blind/
and the older blind sets bench/heldout*.jsonl) prints fine drafts flagged, problem drafts passed
and macro-F1 for `--rules-only` and for rules + model (offline, no LLM), then per-label F1 of
both, against the goals of the checker issue (≤ 5% fine flagged, ≤ 15% problems passed,
macro-F1 ≥ 0.8). The blind sets are for measuring only: look at their totals, never tune on
the drafts they list.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chatbot.config import load_settings  # noqa: E402
from chatbot.policy.loader import load_policy  # noqa: E402
from chatbot.policy.model import LABELS, Draft, MediaDeclaration  # noqa: E402
from chatbot.scoring import Score  # noqa: E402
from chatbot.verdict import check_many  # noqa: E402

GOALS = "goals: fine flagged ≤ 5%, problems passed ≤ 15%, macro-F1 ≥ 0.80"


def main(argv: list[str]) -> None:
    targets = [Path(a) for a in argv] or [
        REPO.parent / "shared" / "eval" / "dev.jsonl",
        REPO / "bench" / "drafts",
        REPO / "bench" / "blind",
        REPO / "bench" / "heldout.jsonl",
        REPO / "bench" / "heldout2.jsonl",
    ]
    policy = load_policy(REPO / "policies")
    settings = replace(load_settings(env={}, dotenv=False), model_on=True)
    print(GOALS)
    print(f"{'set':<34} {'n':>5} | {'rules only: fine flg  passed  F1':>34} | "
          f"{'rules+model: fine flg  passed  F1':>35}")
    tables = []
    for target in targets:
        items = _items(target)
        if not items:
            continue
        drafts = [d for _, d in items]
        truths = [t for t, _ in items]
        scores = []
        for use_model in (False, True):
            score = Score()
            verdicts = check_many(drafts, policy, settings, use_llm=False, use_model=use_model)
            for i, (truth, verdict) in enumerate(zip(truths, verdicts, strict=True)):
                score.add(str(i), truth, verdict)
            scores.append(score)
        print(f"{_name(target):<34} {len(items):>5} | {_summary(scores[0]):>34} | "
              f"{_summary(scores[1]):>35}")
        tables.append((_name(target), scores))
    print("\nper-label F1, rules only → rules+model")
    header = f"{'label':<27}" + "".join(f" {name[:18]:>18}" for name, _ in tables)
    print(header)
    for label in LABELS:
        row = f"{label:<27}"
        for _, (rules, both) in tables:
            row += f" {rules.labels[label].f1:7.2f} → {both.labels[label].f1:4.2f}  "
        print(row)


def _items(target: Path) -> list[tuple[set[str], Draft]]:
    files = sorted(target.glob("*.jsonl")) if target.is_dir() else [target]
    items = []
    for file in files:
        if not file.is_file():
            continue
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                media = tuple(MediaDeclaration(str(m.get("source", "")), str(m.get("license", "")))
                              for m in item.get("media") or [] if isinstance(m, dict))
                items.append((set(item["labels"]),
                              Draft(item["text"], item.get("account", "official"), media)))
    return items


def _summary(score: Score) -> str:
    fine = 100 * len(score.fine_flagged) / score.fine if score.fine else 0.0
    passed = 100 * len(score.problems_passed) / score.problems if score.problems else 0.0
    return f"{fine:5.1f}%  {passed:5.1f}%  {score.macro_f1:4.2f}"


def _name(target: Path) -> str:
    try:
        return str(target.resolve().relative_to(REPO.parent))
    except ValueError:
        return str(target)


if __name__ == "__main__":
    main(sys.argv[1:])
