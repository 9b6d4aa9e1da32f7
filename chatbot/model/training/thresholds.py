"""Per-script cuts set on clean posts, so a head's false alarms are bounded in every script.

One cut does not hold across scripts (the same head scores clean Tamil far above clean
English), so each script's cut is set on its own clean pool: the non-abusive rows of the
sources' validation splits, never training rows. The warning cut starts at the 90th percentile
of clean scores and moves up to the `warn_rate` point (8%) less one standard error of a rate
measured on that many posts, a margin so that at most about 10% of unseen clean posts are
flagged even where the pool is small (76 clean Bengali-script rows: the cut is set at 4.9%).
The confident (error) cut is the `confident_rate` point (3%) with the same margin. A script
with too small a pool (or none: gurmukhi, oriya, arabic…) uses `default`, the strictest of
the others.

A poster meets the rules and the head together, and the rules alone flag 2-14% of clean posts
(measured per script), so a head's cut set on its own overshoots once combined. Given which
pool rows the rules already flag (`already`), the warning cut is instead the lowest that keeps
*rules ∪ head* at `union_rate` (10%) less one standard error of the pool: where the rules alone
use up that budget, the head adds nothing on the pool (its cut sits just over the pool's top
clean score).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WARN_RATE = 0.08
UNION_RATE = 0.10
CONFIDENT_RATE = 0.03
MIN_POOL = 60
#: for rules ∪ head cuts: at 77-80 clean rows (Bengali script's, all from TRAC-2) one standard
#: error of a 10% rate is 3.3 points and the cut rests on three posts; measured, the cut such
#: a pool set flagged 3 fine Bengali tuning drafts and far more than 10% of held-out clean
#: Bengali posts, so a script needs 100 clean rows for a cut of its own
UNION_MIN_POOL = 100


@dataclass(frozen=True)
class Cuts:
    warning: dict[str, float]
    confident: dict[str, float]
    pool: dict[str, dict[str, float]]

    def warn_at(self, script: str) -> float:
        return self.warning.get(script, self.warning["default"])


def per_script(
    clean_scores: np.ndarray, scripts: Sequence[str], *, warn_rate: float = WARN_RATE,
    confident_rate: float = CONFIDENT_RATE, min_pool: int | None = None, decimals: int = 6,
    already: np.ndarray | None = None, union_rate: float = UNION_RATE,
) -> Cuts:
    if min_pool is None:
        min_pool = MIN_POOL if already is None else UNION_MIN_POOL
    scripts_arr = np.asarray(scripts)
    if already is not None:
        already = np.asarray(already, dtype=bool)
    warning: dict[str, float] = {}
    confident: dict[str, float] = {}
    for script in sorted(set(scripts)):
        pool = clean_scores[scripts_arr == script]
        if len(pool) < min_pool:
            continue
        if already is not None:
            warning[script] = union_cut(pool, already[scripts_arr == script],
                                        with_margin(union_rate, len(pool)))
        else:
            start = float(np.quantile(pool, 0.90))
            warning[script] = max(start, cut_at_rate(pool, with_margin(warn_rate, len(pool))))
        confident[script] = max(warning[script],
                                cut_at_rate(pool, with_margin(confident_rate, len(pool))))
    if not warning:
        raise ValueError("no script has a clean pool to set thresholds on")
    # rounded up as exported, so the rates below are the shipped file's
    top = 1 - 10**-decimals  # a cut must stay a probability under 1
    warning = {k: min(round_up(v, decimals), top) for k, v in warning.items()}
    confident = {k: min(round_up(v, decimals), top) for k, v in confident.items()}
    warning["default"] = max(warning.values())
    confident["default"] = max(confident.values())
    pool_stats = {}
    for script, cut in warning.items():
        if script == "default":
            continue
        mine = scripts_arr == script
        flagged = clean_scores[mine] >= cut
        pool_stats[script] = {"n": int(mine.sum()), "flagged": round(float(flagged.mean()), 4)}
        if already is not None:
            pool_stats[script]["rules"] = round(float(already[mine].mean()), 4)
            pool_stats[script]["rules_or_head"] = round(float((flagged | already[mine]).mean()),
                                                        4)
    return Cuts(warning, confident, pool_stats)


def union_cut(pool: np.ndarray, already: np.ndarray, rate: float) -> float:
    """The lowest cut at which `already ∪ (pool ≥ cut)` flags at most `rate` of the pool."""
    budget = int(np.floor(rate * len(pool))) - int(already.sum())
    rest = np.sort(pool[~already])[::-1]
    if len(rest) == 0:
        return float(np.nextafter(float(pool.max()), np.inf))
    if budget <= 0:
        return float(np.nextafter(rest[0], np.inf))
    if budget >= len(rest):
        return float(rest[-1])
    return float(np.nextafter(rest[budget], np.inf))


def round_up(value: float, decimals: int) -> float:
    """`value` rounded up at `decimals`: a cut never flags more once written down."""
    scale = 10**decimals
    return math.ceil(value * scale - 1e-9) / scale


def with_margin(rate: float, n: int) -> float:
    """`rate` less one standard error of a rate measured on `n` posts (never below zero)."""
    return max(rate - float(np.sqrt(rate * (1 - rate) / n)), 0.0)


def cut_at_rate(pool: np.ndarray, rate: float) -> float:
    """The lowest cut that flags at most `rate` of `pool` (scores at or above the cut flag)."""
    ranked = np.sort(pool)[::-1]
    allowed = int(np.floor(rate * len(ranked)))
    if allowed >= len(ranked):
        return float(ranked[-1])
    # just above the first score that must not be flagged
    return float(np.nextafter(ranked[allowed], np.inf))
