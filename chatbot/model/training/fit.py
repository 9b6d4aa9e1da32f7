"""A head on frozen embeddings, its kind and strength chosen on the validation split.

Two kinds: logistic regression (classes balanced, because the sets' positive rates differ
wildly, 2% to 70%), and a one-hidden-layer MLP (ReLU, early stopping on a tenth of the training
rows), which the run time still evaluates with numpy alone. C, and the MLP's width and alpha,
are picked by the mean AUC over the validation split's source/language groups, so a small
language counts as much as MACD's Hindi; the MLP (tried only on request) is kept only when it
beats the best linear head by `MLP_MARGIN`. Held-out test rows are never seen here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
#: (hidden units, alpha) tried with `--mlp`: the best of those measured (README); each fit takes
#: one to ten minutes on two shared cores
MLP_GRID = ((512, 1e-4),)
#: how much higher a mean validation AUC the MLP needs to be kept over the linear head
MLP_MARGIN = 0.02


@dataclass(frozen=True)
class Head:
    weights: np.ndarray
    bias: float
    C: float
    val_auc: float
    hidden: tuple[np.ndarray, np.ndarray] | None = None  # an MLP's (W1: dim×H, b1: H)
    alpha: float = 0.0

    @property
    def kind(self) -> str:
        return "linear" if self.hidden is None else "mlp"

    def logit(self, x: np.ndarray) -> np.ndarray:
        if self.hidden is not None:
            x = np.maximum(x @ self.hidden[0] + self.hidden[1], 0.0)
        return x @ self.weights + self.bias

    def score(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(x)))

    def rounded(self, decimals: int) -> Head:
        """The head as exported: every number rounded, so scores and cuts are the file's."""
        hidden = None if self.hidden is None else tuple(np.round(h, decimals)
                                                         for h in self.hidden)
        return Head(np.round(self.weights, decimals), round(self.bias, decimals), self.C,
                    self.val_auc, hidden, self.alpha)  # type: ignore[arg-type]


def choose(
    x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
    val_groups: Sequence[str], *, mlp_grid: Sequence[tuple[int, float]] = MLP_GRID,
) -> Head:
    """The best linear head, or the best MLP when it beats it by `MLP_MARGIN`."""
    linear = fit(x_train, y_train, x_val, y_val, val_groups)
    if not mlp_grid:
        return linear
    mlp = fit_mlp(x_train, y_train, x_val, y_val, val_groups, mlp_grid)
    return mlp if mlp.val_auc >= linear.val_auc + MLP_MARGIN else linear


def fit_mlp(
    x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
    val_groups: Sequence[str], grid: Sequence[tuple[int, float]] = MLP_GRID,
) -> Head:
    """The best one-hidden-layer MLP over `grid` of (units, alpha)."""
    from sklearn.neural_network import MLPClassifier

    best: Head | None = None
    for units, alpha in grid:
        model = MLPClassifier(hidden_layer_sizes=(units,), alpha=alpha, early_stopping=True,
                              validation_fraction=0.1, n_iter_no_change=8, max_iter=200,
                              batch_size=256, random_state=0)
        model.fit(x_train, y_train)
        (w1, w2), (b1, b2) = model.coefs_, model.intercepts_
        head = Head(w2[:, 0].astype(np.float64), float(b2[0]), 0.0, 0.0,
                    (w1.astype(np.float64), b1.astype(np.float64)), alpha)
        auc_ = mean_group_auc(y_val, head.score(x_val), val_groups)
        head = Head(head.weights, head.bias, 0.0, auc_, head.hidden, alpha)
        print(f"  MLP {units} units, alpha={alpha:g}: mean validation AUC {auc_:.4f} "
              f"({model.n_iter_} epochs)", flush=True)
        if best is None or auc_ > best.val_auc:
            best = head
    assert best is not None
    return best


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
