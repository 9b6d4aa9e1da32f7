"""Scores for `chatbot eval`: per-label precision, recall and F1, and the drafts that went wrong.

A draft counts as *flagged* when it has at least one finding of any level; a label is predicted
when some finding carries it. Only `id`, `account`, `text` and `media` reach the checker; the
labels are read here, after it has decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatbot.policy.model import LABELS, Verdict


@dataclass
class LabelCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


#: The judges whose findings are also scored apart, so `eval` shows what each one found.
JUDGES: tuple[str, ...] = ("rules", "model", "llm")


@dataclass
class Score:
    labels: dict[str, LabelCounts] = field(
        default_factory=lambda: {x: LabelCounts() for x in LABELS}
    )
    #: judge → label → counts, from that judge's findings alone.
    judges: dict[str, dict[str, LabelCounts]] = field(
        default_factory=lambda: {j: {x: LabelCounts() for x in LABELS} for j in JUDGES}
    )
    fine: int = 0
    problems: int = 0
    fine_flagged: list[tuple[str, list[str]]] = field(default_factory=list)
    problems_passed: list[tuple[str, list[str]]] = field(default_factory=list)
    mislabelled: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def add(self, draft_id: str, truth: set[str], verdict: Verdict) -> None:
        predicted = verdict.labels
        _count(self.labels, truth, predicted)
        for judge, table in self.judges.items():
            _count(table, truth, {f.label for f in verdict.findings if f.source == judge})
        if truth:
            self.problems += 1
            if not predicted:
                self.problems_passed.append((draft_id, sorted(truth)))
        else:
            self.fine += 1
            if predicted:
                self.fine_flagged.append((draft_id, sorted(predicted)))
        if truth and predicted and truth != predicted:
            self.mislabelled.append((draft_id, sorted(truth), sorted(predicted)))

    def to_json(self) -> dict:
        return {
            "labels": {
                label: {
                    "precision": round(c.precision, 3),
                    "recall": round(c.recall, 3),
                    "f1": round(c.f1, 3),
                    "tp": c.tp,
                    "fp": c.fp,
                    "fn": c.fn,
                }
                for label, c in self.labels.items()
            },
            "by_judge": {
                judge: {
                    label: {"tp": c.tp, "fp": c.fp, "fn": c.fn, "recall": round(c.recall, 3)}
                    for label, c in table.items()
                }
                for judge, table in self.judges.items()
                if self.ran(judge)
            },
            "fine": self.fine,
            "fine_flagged": [{"id": i, "predicted": p} for i, p in self.fine_flagged],
            "problems": self.problems,
            "problems_passed": [{"id": i, "labels": t} for i, t in self.problems_passed],
        }


    def ran(self, judge: str) -> bool:
        """Whether `judge` made any finding at all (its columns are shown only then)."""
        return any(c.tp or c.fp for c in self.judges[judge].values())

    @property
    def macro_f1(self) -> float:
        scored = [c for c in self.labels.values() if c.tp + c.fn]
        return sum(c.f1 for c in scored) / len(scored) if scored else 0.0


def _count(table: dict[str, LabelCounts], truth: set[str], predicted: set[str]) -> None:
    for label, counts in table.items():
        if label in truth and label in predicted:
            counts.tp += 1
        elif label in predicted:
            counts.fp += 1
        elif label in truth:
            counts.fn += 1


def render_score(score: Score) -> str:
    judges = [j for j in JUDGES if score.ran(j)]
    header = f"{'label':<27} {'prec':>5} {'rec':>5} {'F1':>5} {'tp':>4} {'fp':>4} {'fn':>4}"
    header += "".join(f" {j + ' tp/fp':>13}" for j in judges)
    rows = [header, "-" * len(header)]
    for label, c in score.labels.items():
        row = (
            f"{label:<27} {c.precision:5.2f} {c.recall:5.2f} {c.f1:5.2f} "
            f"{c.tp:4d} {c.fp:4d} {c.fn:4d}"
        )
        for judge in judges:
            own = score.judges[judge][label]
            row += f" {f'{own.tp}/{own.fp}':>13}"
        rows.append(row)
    rows.append("-" * len(header))
    rows.append(f"macro-F1 over labels present: {score.macro_f1:.2f}")
    rows.append(_share("fine drafts flagged", len(score.fine_flagged), score.fine))
    rows.append(_share("problem drafts passed", len(score.problems_passed), score.problems))
    if score.fine_flagged:
        rows.append("")
        rows.append("Fine drafts flagged:")
        rows.extend(f"  {i}: {', '.join(p)}" for i, p in score.fine_flagged)
    if score.problems_passed:
        rows.append("")
        rows.append("Problem drafts passed:")
        rows.extend(f"  {i}: {', '.join(t)}" for i, t in score.problems_passed)
    return "\n".join(rows)


def _share(what: str, n: int, total: int) -> str:
    percent = 100 * n / total if total else 0.0
    return f"{what}: {n}/{total} ({percent:.1f}%)"
