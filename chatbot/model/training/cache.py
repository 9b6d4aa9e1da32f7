"""Embeddings on disk, keyed by the sha256 of the text, so reruns cost nothing.

Embedding is the slow part (tens of texts a second on two cores); training and thresholds take
seconds. Vectors are written in shards: `<id>.npy` then `<id>.keys` (one sha256 a line), each
first to a temporary name and then renamed, keys last. A shard counts only when both files are
there and agree in length, so a run killed mid-write leaves, at worst, a shard that is ignored.
The directory is per encoder (name, version, prefix): vectors of another encoder never mix in.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

Embed = Callable[[list[str]], np.ndarray]


def default_dir() -> Path:
    return Path(os.environ.get("CHECKPOST_CACHE") or Path.home() / ".cache/checkpost/embeddings")


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, root: Path, encoder_id: str, dim: int):
        self.dir = Path(root) / hashlib.sha256(encoder_id.encode()).hexdigest()[:16]
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dim = dim
        self._index: dict[str, tuple[Path, int]] = {}
        self._shards: dict[Path, np.ndarray] = {}
        self._load_index()

    def __contains__(self, text: str) -> bool:
        return key(text) in self._index

    def __len__(self) -> int:
        return len(self._index)

    def get(self, texts: list[str]) -> np.ndarray:
        """Cached vectors of `texts`, in order; every text must be cached."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            shard, row = self._index[key(text)]
            out[i] = self._vectors(shard)[row]
        return out

    def fill(
        self, texts: list[str], embed: Embed, *, batch: int = 64, shard_size: int = 512,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Embed and store the texts not cached yet; how many were embedded."""
        # similar lengths together: a batch costs as much as its longest text
        todo = sorted(dict.fromkeys(t for t in texts if t not in self), key=len)
        done = 0
        for start in range(0, len(todo), shard_size):
            chunk = todo[start : start + shard_size]
            parts = [embed(chunk[i : i + batch]) for i in range(0, len(chunk), batch)]
            self.put(chunk, np.concatenate(parts).astype(np.float32))
            done += len(chunk)
            if progress:
                progress(done, len(todo))
        return done

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        if vectors.shape != (len(texts), self.dim):
            raise ValueError(f"{vectors.shape} vectors for {len(texts)} texts")
        name = uuid.uuid4().hex
        npy, keys = self.dir / f"{name}.npy", self.dir / f"{name}.keys"
        _write_atomic(npy, lambda f: np.save(f, vectors, allow_pickle=False))
        hashes = [key(t) for t in texts]
        _write_atomic(keys, lambda f: f.write("\n".join(hashes).encode() + b"\n"))
        for row, h in enumerate(hashes):
            self._index[h] = (npy, row)

    def _load_index(self) -> None:
        for keys in sorted(self.dir.glob("*.keys")):
            npy = keys.with_suffix(".npy")
            hashes = keys.read_text(encoding="ascii", errors="replace").split()
            try:
                vectors = np.load(npy, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError, EOFError):
                continue
            if vectors.shape != (len(hashes), self.dim):
                continue
            for row, h in enumerate(hashes):
                self._index.setdefault(h, (npy, row))

    def _vectors(self, shard: Path) -> np.ndarray:
        if shard not in self._shards:
            self._shards[shard] = np.load(shard, mmap_mode="r", allow_pickle=False)
        return self._shards[shard]


def _write_atomic(path: Path, write: Callable) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
