"""Held-out numbers: recall and false alarms at each row's script cut, and AUC.

Measured on each source's test split, which neither training nor the cuts saw, per
source/language (what heads.json records) and per script (what the README reports).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chatbot.model.training.fit import auc
from chatbot.model.training.thresholds import Cuts


def by_group(
    y: np.ndarray, scores: np.ndarray, groups: Sequence[str], scripts: Sequence[str], cuts: Cuts
) -> dict[str, dict]:
    flagged = np.array([s >= cuts.warn_at(sc) for s, sc in zip(scores, scripts, strict=True)])
    groups_arr = np.asarray(groups)
    return {
        g: _numbers(y[groups_arr == g], scores[groups_arr == g], flagged[groups_arr == g])
        for g in sorted(set(groups))
    }


def _numbers(y: np.ndarray, scores: np.ndarray, flagged: np.ndarray) -> dict:
    pos, neg = y == 1, y == 0
    area = auc(y, scores)
    return {
        "n_pos": int(pos.sum()),
        "n_neg": int(neg.sum()),
        "recall": round(float(flagged[pos].mean()), 4) if pos.any() else None,
        "false_alarms": round(float(flagged[neg].mean()), 4) if neg.any() else None,
        "auc": round(area, 4) if area is not None else None,
    }


def flagged_by_script(scores: np.ndarray, scripts: Sequence[str], cuts: Cuts) -> dict[str, dict]:
    """How many clean rows each script's cut flags: what a head must keep at 10% or less."""
    scripts_arr = np.asarray(scripts)
    out = {}
    for script in sorted(set(scripts)):
        mine = scores[scripts_arr == script]
        out[script] = {"n": len(mine),
                       "flagged": round(float(np.mean(mine >= cuts.warn_at(script))), 4)}
    return out
