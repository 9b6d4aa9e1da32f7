"""The shipped heads: small classifiers over the encoder's embeddings, read from `heads.json`.

A head is numpy arithmetic at run time; scikit-learn is only for training. A `linear` head (the
default when a head names no `kind`, as files before the MLP did) scores `sigmoid(w·x + b)`; an
`mlp` head has one hidden layer, `sigmoid(w2·relu(W1ᵀx + b1) + b2)`. A head may also read the
text itself through a `lexical` channel (`chatbot.model.ngrams`: a weight per hashed character
n-gram bucket, in a `.npy` file beside heads.json whose sha256 heads.json records); its logit
and the embedding's are then stacked, `sigmoid(a·embedding logit + b·lexical logit + c)`.
The file records what the weights mean (the encoder, its prefix and dimension), the cut of each
script (a threshold set on that script's real clean posts, and a stricter `confident` cut), the
sources it was trained on, and its scores. Because a wrong or truncated file would silently
misjudge every draft, it is checked whole on load: its sha256, its encoder, every weight.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatbot.model.encoder import DIM, ENCODER_NAME, PREFIX

if TYPE_CHECKING:
    import numpy as np

SHIPPED = Path(__file__).resolve().parent / "heads.json"
FORMAT = 1
RETRAIN = "retrain with `python -m chatbot.model.training` or reinstall checkpost"


class HeadsError(ValueError):
    """The heads file is missing or damaged; the message says which file and what to do."""


@dataclass(frozen=True)
class Lexical:
    """The lexical channel: a weight per n-gram bucket (float16), over a text's L2-normalised
    set of buckets, and a bias: `weights[buckets].sum() / sqrt(len(buckets)) + bias`."""

    weights: np.ndarray
    bias: float
    bits: int

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        from chatbot.model.ngrams import buckets

        out = np.full(len(texts), self.bias, dtype=np.float64)
        for i, text in enumerate(texts):
            found = buckets(text, self.bits)
            if found:
                out[i] += float(self.weights[found].astype(np.float64).sum()) / math.sqrt(
                    len(found))
        return out


@dataclass(frozen=True)
class Head:
    label: str
    weights: np.ndarray  # the output layer's: over the embedding (linear) or the hidden units
    bias: float
    thresholds: Mapping[str, float]
    confident: Mapping[str, float]
    kind: str = "linear"
    hidden: tuple[np.ndarray, np.ndarray] | None = None  # an mlp's (W1: DIM×H, b1: H)
    lexical: Lexical | None = None
    #: with `lexical`: how the two logits are stacked, (embedding, lexical, bias)
    stack: tuple[float, float, float] | None = None
    #: "stack" (the stacked probability) or "either" (the higher of it and the embedding
    #: head's own, so an insult the encoder knows without a swear word still counts)
    combine: str = "stack"
    #: with "either": subtracted from the embedding's own logit before the two are compared,
    #: so the embedding alone flags only what it is sure of and the stack does the rest
    offset: float = 0.0
    #: whether a part near its cut has its sentences scored too (the best counts). The
    #: incivility head's cuts allow for it; the draft heads' cuts are set on whole drafts.
    sentences: bool = True

    def probability(self, vectors: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """The head's probability for each text, from its embedding (and, for a head with a
        lexical channel, the text itself: `texts` are then required, in the same order)."""
        import numpy as np

        if self.hidden is not None:
            w1, b1 = self.hidden
            vectors = np.maximum(vectors @ w1 + b1, 0.0)
        logit = vectors @ self.weights + self.bias
        if self.lexical is not None and self.stack is not None:
            if texts is None or len(texts) != len(logit):
                raise ValueError(f"the {self.label} head reads the texts too: pass them")
            logit = combined(logit, self.lexical.logits(texts), self.stack, self.combine,
                             self.offset)
        return 1.0 / (1.0 + np.exp(-logit))

    def cut(self, script: str) -> float:
        """The probability at or over which a text of `script` is flagged (a warning)."""
        return self.thresholds.get(script, self.thresholds["default"])

    def confident_cut(self, script: str) -> float:
        """The stricter probability at or over which the finding takes the rule's own level."""
        return max(self.cut(script), self.confident.get(script, self.confident["default"]))


@dataclass(frozen=True)
class Heads:
    heads: Mapping[str, Head]
    encoder: Mapping[str, Any]
    created: str
    path: str


def load_heads(path: str | Path | None = None) -> Heads:
    """The heads of `path` (default: the file shipped in the package), verified, cached."""
    target = Path(path) if path else SHIPPED
    try:
        stat = target.stat()
    except OSError:
        raise HeadsError(f"no heads file at {target}: {RETRAIN}") from None
    return _load(str(target), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int, _size: int) -> Heads:
    try:
        raw = Path(path).read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HeadsError(f"the heads file {path} is damaged ({exc}): {RETRAIN}") from None
    if not isinstance(data, dict):
        raise HeadsError(f"the heads file {path} is damaged (not an object): {RETRAIN}")
    _verify_checksum(data, path)
    if data.get("format") != FORMAT:
        raise HeadsError(f"{path}: format {data.get('format')!r}, this checkpost reads {FORMAT}")
    encoder = data.get("encoder") or {}
    expected = {"name": ENCODER_NAME, "prefix": PREFIX, "dim": DIM}
    for key, value in expected.items():
        if encoder.get(key) != value:
            raise HeadsError(
                f"{path}: trained for encoder {key}={encoder.get(key)!r}, "
                f"but checkpost embeds with {value!r}: {RETRAIN}"
            )
    heads = {name: _head(name, spec, path) for name, spec in (data.get("heads") or {}).items()}
    if not heads:
        raise HeadsError(f"{path}: holds no heads: {RETRAIN}")
    return Heads(heads=heads, encoder=encoder, created=str(data.get("created", "")), path=path)


def combined(embedding: np.ndarray, lexical: np.ndarray, stack: tuple[float, float, float],
             combine: str, offset: float = 0.0) -> np.ndarray:
    """A head's logit from its two channels' logits: stacked (`a·embedding + b·lexical + c`),
    or with `either` the higher of that and the embedding's own less `offset`. Training sets
    its cuts with this same function, so the run time scores as the cuts assumed."""
    import numpy as np

    a, b, c = stack
    stacked = a * embedding + b * lexical + c
    return np.maximum(embedding - offset, stacked) if combine == "either" else stacked


def checksum(data: Mapping[str, Any]) -> str:
    """The sha256 a heads file records: of its canonical JSON without the `sha256` key."""
    body = {k: v for k, v in data.items() if k != "sha256"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _verify_checksum(data: dict, path: str) -> None:
    recorded = data.get("sha256")
    if not isinstance(recorded, str) or recorded != checksum(data):
        raise HeadsError(
            f"the heads file {path} is damaged: its sha256 does not match its content: {RETRAIN}"
        )


def _head(name: str, spec: Any, path: str) -> Head:
    import numpy as np

    def bad(problem: str) -> HeadsError:
        return HeadsError(f"{path}: head {name!r}: {problem}: {RETRAIN}")

    if not isinstance(spec, dict):
        raise bad("not an object")
    kind = spec.get("kind", "linear")
    if kind == "linear":
        hidden, width = None, DIM
    elif kind == "mlp":
        hidden = _hidden_layer(spec.get("hidden"), bad)
        width = hidden[1].shape[0]
    else:
        raise bad(f"unknown kind {kind!r} (this checkpost reads linear and mlp)")
    weights = spec.get("weights")
    if not isinstance(weights, list) or len(weights) != width:
        raise bad(f"needs {width} weights" + (" (one per hidden unit)" if hidden else ""))
    vector = _array(weights, bad, "weights")
    bias = spec.get("bias")
    finite = isinstance(bias, int | float) and math.isfinite(bias) and np.isfinite(vector).all()
    if not finite:
        raise bad("weights and bias must be finite numbers")
    cuts = {}
    for key in ("thresholds", "confident"):
        table = spec.get(key)
        if not isinstance(table, dict) or "default" not in table:
            raise bad(f"`{key}` needs a cut per script and a `default`")
        if not all(isinstance(v, int | float) and 0.0 < v < 1.0 for v in table.values()):
            raise bad(f"`{key}` cuts must be probabilities between 0 and 1")
        cuts[key] = {str(k): float(v) for k, v in table.items()}
    lexical, stack, combine, offset = None, None, "stack", 0.0
    if spec.get("lexical") is not None:
        lexical = _lexical(spec["lexical"], Path(path).parent, bad)
        stack = _stack(spec.get("stack"), bad)
        combine = spec["stack"].get("combine", "stack")
        if combine not in ("stack", "either"):
            raise bad(f"its stack's `combine` must be \"stack\" or \"either\", not {combine!r}")
        offset = spec["stack"].get("embedding_offset", 0.0)
        if not (isinstance(offset, int | float) and not isinstance(offset, bool)
                and math.isfinite(offset) and offset >= 0):
            raise bad("its stack's `embedding_offset` must be a number, 0 or more")
    sentences = spec.get("sentences", True)
    if not isinstance(sentences, bool):
        raise bad("`sentences` must be true or false")
    return Head(
        label=str(spec.get("label", name)),
        weights=vector,
        bias=float(bias),
        thresholds=cuts["thresholds"],
        confident=cuts["confident"],
        kind=kind,
        hidden=hidden,
        lexical=lexical,
        stack=stack,
        combine=combine,
        offset=float(offset),
        sentences=sentences,
    )


#: the lexical file's format: one float16 weight per bucket, 2**bits of them
LEXICAL_KIND = "char-ngrams"
LEXICAL_BITS = range(10, 25)


def _lexical(spec: Any, folder: Path, bad) -> Lexical:
    """The lexical channel's weights, read from the file `spec` names beside heads.json and
    checked against the sha256 heads.json records (a truncated or swapped file is caught)."""
    import numpy as np

    if not isinstance(spec, dict) or spec.get("kind") != LEXICAL_KIND:
        raise bad(f"the `lexical` channel must be of kind {LEXICAL_KIND!r}")
    name, recorded, bits = spec.get("file"), spec.get("sha256"), spec.get("bits")
    if not isinstance(name, str) or "/" in name or "\\" in name or not isinstance(recorded, str):
        raise bad("the `lexical` channel needs a `file` name beside heads.json and its `sha256`")
    if not isinstance(bits, int) or bits not in LEXICAL_BITS:
        raise bad(f"the `lexical` channel's `bits` must be a whole number in 10-24, not {bits!r}")
    bias = spec.get("bias")
    if not (isinstance(bias, int | float) and math.isfinite(bias)):
        raise bad("the `lexical` channel's bias must be a finite number")
    target = folder / name
    try:
        raw = target.read_bytes()
    except OSError:
        raise bad(f"its n-gram file {target} is missing") from None
    if hashlib.sha256(raw).hexdigest() != recorded:
        raise bad(f"its n-gram file {target} is damaged: its sha256 does not match heads.json")
    try:
        weights = np.load(io.BytesIO(raw), allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise bad(f"its n-gram file {target} is damaged ({exc})") from None
    if weights.dtype != np.float16 or weights.shape != (2**bits,):
        raise bad(f"its n-gram file {target} must hold {2**bits} float16 weights")
    if not np.isfinite(weights).all():
        raise bad(f"its n-gram file {target} holds weights that are not finite numbers")
    return Lexical(weights=weights, bias=float(bias), bits=bits)


def _stack(spec: Any, bad) -> tuple[float, float, float]:
    keys = ("embedding", "lexical", "bias")
    if not isinstance(spec, dict) or not all(
        isinstance(spec.get(k), int | float) and math.isfinite(spec[k]) for k in keys
    ):
        raise bad("a head with a `lexical` channel needs a `stack` of finite numbers "
                  "(embedding, lexical, bias)")
    return tuple(float(spec[k]) for k in keys)  # type: ignore[return-value]


def _hidden_layer(spec: Any, bad) -> tuple[np.ndarray, np.ndarray]:
    """An mlp's hidden layer: `weights`, DIM rows of H numbers, and `bias`, H numbers."""
    import numpy as np

    if not isinstance(spec, dict):
        raise bad("an mlp needs a `hidden` layer object")
    rows, bias = spec.get("weights"), spec.get("bias")
    if not isinstance(bias, list) or not bias:
        raise bad("the hidden layer needs a list of biases, one per unit")
    units = len(bias)
    if (not isinstance(rows, list) or len(rows) != DIM
            or not all(isinstance(r, list) and len(r) == units for r in rows)):
        raise bad(f"the hidden layer's weights must be {DIM} rows of {units} numbers")
    w1, b1 = _array(rows, bad, "hidden weights"), _array(bias, bad, "hidden biases")
    if not (np.isfinite(w1).all() and np.isfinite(b1).all()):
        raise bad("the hidden layer's weights and biases must be finite numbers")
    return w1, b1


def _array(values: list, bad, what: str) -> np.ndarray:
    import numpy as np

    try:
        return np.asarray(values, dtype=np.float32)
    except (TypeError, ValueError):
        raise bad(f"{what} must be numbers") from None
