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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WARN_RATE = 0.08
CONFIDENT_RATE = 0.03
MIN_POOL = 60


@dataclass(frozen=True)
class Cuts:
    warning: dict[str, float]
    confident: dict[str, float]
    pool: dict[str, dict[str, float]]

    def warn_at(self, script: str) -> float:
        return self.warning.get(script, self.warning["default"])


def per_script(
    clean_scores: np.ndarray, scripts: Sequence[str], *, warn_rate: float = WARN_RATE,
    confident_rate: float = CONFIDENT_RATE, min_pool: int = MIN_POOL, decimals: int = 6,
) -> Cuts:
    scripts_arr = np.asarray(scripts)
    warning: dict[str, float] = {}
    confident: dict[str, float] = {}
    for script in sorted(set(scripts)):
        pool = clean_scores[scripts_arr == script]
        if len(pool) < min_pool:
            continue
        start = float(np.quantile(pool, 0.90))
        warning[script] = max(start, cut_at_rate(pool, with_margin(warn_rate, len(pool))))
        confident[script] = max(warning[script],
                                cut_at_rate(pool, with_margin(confident_rate, len(pool))))
    if not warning:
        raise ValueError("no script has a clean pool to set thresholds on")
    # rounded up as exported, so the rates below are the shipped file's
    warning = {k: round_up(v, decimals) for k, v in warning.items()}
    confident = {k: round_up(v, decimals) for k, v in confident.items()}
    warning["default"] = max(warning.values())
    confident["default"] = max(confident.values())
    pool_stats = {
        script: {
            "n": int((scripts_arr == script).sum()),
            "flagged": round(float(np.mean(clean_scores[scripts_arr == script] >= cut)), 4),
        }
        for script, cut in warning.items() if script != "default"
    }
    return Cuts(warning, confident, pool_stats)


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
