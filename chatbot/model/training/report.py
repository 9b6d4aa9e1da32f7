"""The plain-text report a training run prints: held-out numbers and clean-pool rates."""

from __future__ import annotations

from chatbot.model.training.pipeline import Trained


def print_head(head: str, trained: Trained) -> None:
    entry = trained.entry
    print(f"\n{head}: held-out (test split) at the per-script warning cut")
    print(table(entry["scores"]["heldout"]))
    print(f"\n{head}: held-out per script")
    print(table(trained.by_script))
    print(f"\n{head}: clean pool (validation non-abusive rows) flagged at the warning cut")
    for script, pool in entry["scores"]["clean_pool"].items():
        rules = (f" rules={pool['rules']:.1%} rules∪head={pool['rules_or_head']:.1%}"
                 if "rules" in pool else "")
        print(f"  {script:<12} n={pool['n']:<5} flagged={pool['flagged']:.1%}{rules}  "
              f"warn={entry['thresholds'][script]:.3f} confident={entry['confident'][script]:.3f}")
    print(f"  {'default':<12} warn={entry['thresholds']['default']:.3f} "
          f"confident={entry['confident']['default']:.3f}")
    print(f"\n{head}: held-out clean rows (test splits) flagged at the warning cut")
    for script, pool in trained.clean_heldout.items():
        print(f"  {script:<12} n={pool['n']:<5} flagged={pool['flagged']:.1%}")


def table(numbers: dict[str, dict]) -> str:
    lines = [f"  {'group':<24} {'pos':>5} {'neg':>5} {'recall':>7} {'f.alarm':>7} {'AUC':>6}"]
    for group, n in numbers.items():
        lines.append(
            f"  {group:<24} {n['n_pos']:>5} {n['n_neg']:>5} {_pct(n['recall']):>7} "
            f"{_pct(n['false_alarms']):>7} {_num(n['auc']):>6}"
        )
    return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"
