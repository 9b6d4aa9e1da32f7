"""Filling the embedding cache for a set of rows, with progress in a log.

Kept apart from training so a long embedding run can be started early (and resumed after a
kill: what is cached stays cached) while the rest of the pipeline is still being worked on.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path

from chatbot.model import encoder
from chatbot.model.training.cache import Embed, EmbeddingCache


def encoder_id() -> str:
    return f"{encoder.ENCODER_NAME}|{encoder.version()}|{encoder.PREFIX}"


def open_cache(root: Path) -> EmbeddingCache:
    return EmbeddingCache(root, encoder_id(), encoder.DIM)


def fill(cache: EmbeddingCache, texts: Iterable[str], embed: Embed = encoder.embed) -> int:
    texts = list(texts)
    start = time.monotonic()

    def report(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - start, 1e-9)
        left = (total - done) / max(rate, 1e-9)
        print(f"embedded {done}/{total} ({rate:.1f}/s, ~{left / 60:.0f} min left)",
              file=sys.stderr, flush=True)

    return cache.fill(texts, embed, progress=report)
