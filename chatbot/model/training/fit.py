"""A logistic-regression head on frozen embeddings, its C chosen on the validation split.

Linear heads are all the run time needs (a dot product, no scikit-learn) and a few thousand rows
per language is too little for more. Classes are balanced because the sets' positive rates
differ wildly (2% to 70%). C is picked by the mean AUC over the validation split's
source/language groups, so a small language counts as much as MACD's Hindi; held-out test
rows are never seen here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


@dataclass(frozen=True)
class Head:
    weights: np.ndarray
    bias: float
    C: float
    val_auc: float

    def score(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))


def fit(
    x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
    val_groups: Sequence[str], grid: Sequence[float] = C_GRID,
    train_groups: Sequence[str] | None = None,
) -> Head:
    """The best head over `grid`; with `train_groups`, every group weighs the same in total."""
    from sklearn.linear_model import LogisticRegression

    weight = group_weights(train_groups, y_train) if train_groups is not None else None
    best: Head | None = None
    for c in grid:
        model = LogisticRegression(C=c, class_weight=None if weight is not None else "balanced",
                                   max_iter=3000)
        model.fit(x_train, y_train, sample_weight=weight)
        head = Head(model.coef_[0].astype(np.float64), float(model.intercept_[0]), c, 0.0)
        auc = mean_group_auc(y_val, head.score(x_val), val_groups)
        head = Head(head.weights, head.bias, c, auc)
        print(f"  C={c:g}: mean validation AUC {auc:.4f}", flush=True)
        if best is None or auc > best.val_auc:
            best = head
    assert best is not None
    return best


def group_weights(groups: Sequence[str], y: np.ndarray) -> np.ndarray:
    """Sample weights giving each group the same total, then the two classes the same total."""
    groups_arr = np.asarray(groups)
    _, inverse, counts = np.unique(groups_arr, return_inverse=True, return_counts=True)
    weight = 1.0 / counts[inverse]
    for label in (0, 1):
        weight[y == label] *= 0.5 / weight[y == label].sum()
    return weight * len(y)


def mean_group_auc(y: np.ndarray, scores: np.ndarray, groups: Sequence[str]) -> float:
    groups_arr = np.asarray(groups)
    aucs = [
        a for g in dict.fromkeys(groups)
        if (a := auc(y[groups_arr == g], scores[groups_arr == g])) is not None
    ]
    return float(np.mean(aucs)) if aucs else 0.0


def auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count half), or None with only one class."""
    y = np.asarray(y)
    pos, neg = scores[y == 1], scores[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return None
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    allv = np.concatenate([pos, neg])
    # average ranks of tied scores
    _, inverse, counts = np.unique(allv, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = sums[inverse] / counts[inverse]
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))
