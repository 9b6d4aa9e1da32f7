"""The lexical channel's training: logistic regression over hashed character n-grams, stacked
with the embedding head's logit.

The n-gram model needs no embeddings, so it learns from every training row of every source (the
caps that bound embedding cost do not apply to it); its strength C is chosen, like the
embedding head's, by the mean validation AUC over source/language groups. The two logits are
then stacked by a three-number logistic regression fitted on the validation split (the test
split is never seen). Features come from `chatbot.model.ngrams.buckets`, the function the run
time calls, and the scores used for cuts and held-out numbers are computed by the run time's
own `Lexical.logits` over the float16 weights as exported, so training and run time agree.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chatbot.model.heads import LEXICAL_KIND, Lexical
from chatbot.model.ngrams import LENGTHS, buckets
from chatbot.model.training.fit import mean_group_auc

#: 2**20 buckets: 2 MB of float16 weights; measured on validation, 2**18 loses AUC (README)
BITS = 20
C_GRID = (3.0, 10.0, 30.0)
STACK_C = 1.0
DECIMALS = 6


@dataclass(frozen=True)
class Fitted:
    channel: Lexical  # the weights as exported (float16)
    C: float
    val_auc: float
    train_rows: int


def matrix(texts: Sequence[str], bits: int = BITS):
    """A CSR matrix of each text's distinct buckets, each row L2-normalised (as at run time)."""
    import scipy.sparse as sp

    indptr, indices = [0], []
    for text in texts:
        found = buckets(text, bits)
        indices.extend(found)
        indptr.append(len(indices))
    counts = np.diff(indptr)
    values = np.repeat(1.0 / np.sqrt(np.maximum(counts, 1)), counts)
    return sp.csr_matrix((values, np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
                         shape=(len(texts), 2**bits))


def fit(
    train_texts: Sequence[str], y_train: np.ndarray, val_texts: Sequence[str],
    y_val: np.ndarray, val_groups: Sequence[str], *, grid: Sequence[float] = C_GRID,
    bits: int = BITS,
) -> Fitted:
    """The best n-gram logistic regression over `grid` (classes balanced)."""
    from sklearn.linear_model import LogisticRegression

    x_train = matrix(train_texts, bits)
    best: Fitted | None = None
    for c in grid:
        model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced",
                                   max_iter=500)
        model.fit(x_train, y_train)
        channel = Lexical(model.coef_[0].astype(np.float16),
                          round(float(model.intercept_[0]), DECIMALS), bits)
        auc = mean_group_auc(y_val, channel.logits(val_texts), val_groups)
        print(f"  n-grams C={c:g}: mean validation AUC {auc:.4f}", flush=True)
        if best is None or auc > best.val_auc:
            best = Fitted(channel, c, auc, len(train_texts))
    assert best is not None
    return best


def stack(embedding_logits: np.ndarray, lexical_logits: np.ndarray, y: np.ndarray
          ) -> tuple[float, float, float]:
    """(a, b, c) of `a·embedding + b·lexical + c`, fitted on validation rows."""
    from sklearn.linear_model import LogisticRegression

    x = np.column_stack([embedding_logits, lexical_logits])
    model = LogisticRegression(C=STACK_C, class_weight="balanced").fit(x, y)
    a, b = (round(float(v), DECIMALS) for v in model.coef_[0])
    return a, b, round(float(model.intercept_[0]), DECIMALS)


def file_bytes(channel: Lexical) -> bytes:
    """The `.npy` file of the channel's weights, as shipped."""
    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(channel.weights, dtype=np.float16), allow_pickle=False)
    return out.getvalue()


def entry(fitted: Fitted, file: str, data: bytes) -> dict:
    """The head's `lexical` object in heads.json (numbers only: no n-gram is stored)."""
    return {
        "kind": LEXICAL_KIND,
        "lengths": list(LENGTHS),
        "bits": fitted.channel.bits,
        "hash": "zlib.crc32(utf-8 of the n-gram) mod 2**bits",
        "file": file,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bias": fitted.channel.bias,
        "C": fitted.C,
        "train_rows": fitted.train_rows,
        "val_auc": round(fitted.val_auc, 4),
        "score": "sum(weights[buckets(text)]) / sqrt(len(buckets(text))) + bias",
    }
