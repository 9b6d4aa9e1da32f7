"""One head's labelled rows, each in the train, val or test split of its source and language.

A source's own split files are kept as they are. Where a file feeds several splits (TRAC's dev
file feeds val and test; sets with no splits feed all three) a row's split is fixed by the
sha256 of its text, so reruns and other machines agree and a repeated text cannot straddle
splits. Test texts are removed from val and train, val texts from train. Caps keep the first
rows in sha256 order, a fixed sample that does not follow the file's order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from chatbot.model.script import dominant_script
from chatbot.model.training import formats, gitread
from chatbot.model.training.manifest import SPLITS, Manifest, Source

OWN_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    source: str
    lang: str
    split: str
    text: str
    y: int

    @property
    def script(self) -> str:
        return dominant_script(self.text)

    @property
    def group(self) -> str:
        return f"{self.source}/{self.lang}"


Reader = Callable[[Source, str], bytes]


def git_reader(data: Path) -> Reader:
    """Read a source's file at its commit from the copies under `data`.

    A `local` source is checkpost's own text, committed beside this code: read from here.
    """

    def read(source: Source, path: str) -> bytes:
        if source.read.get("local"):
            return (OWN_DIR / path).read_bytes()
        return gitread.show(data, source.repository, source.commit, path)

    return read


def head_rows(manifest: Manifest, sources: Iterable[Source], head: str, read: Reader) -> list[Row]:
    out: list[Row] = []
    for source in sources:
        for lang, files in source.parts.items():
            out.extend(_part_rows(manifest, source, lang, files, head, read))
    return out


def uncapped(manifest: Manifest, sources: Iterable[Source]) -> list[Source]:
    """The sources with no cap on their training rows (for what needs no embedding); their
    validation and test rows are the capped run's, so every split stays where it was.

    A source's own cap is kept: it is there for balance, not for embedding cost (Bengali hate
    is positives only, kept small beside the Bengali negatives; uncapped, the n-grams learned
    that Bengali script itself is abusive and flagged 19 of the tuning set's fine Bengali
    drafts)."""
    default = manifest.caps.get("train")
    return [s if s.caps.get("train") != default else replace(s, caps={**s.caps, "train": 10**9})
            for s in sources]


def cut(text: str, max_chars: int) -> str:
    """`text` with whitespace runs collapsed, cut at a word boundary near `max_chars`."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    space = head.rfind(" ")
    return head[:space] if space > max_chars // 2 else head


def bucket(text: str, salt: str = "") -> float:
    """A fixed number in [0, 1) from the text, for splits and sampling."""
    digest = hashlib.sha256((salt + text).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def pick_split(text: str, splits: list[str], proportions: dict[str, float]) -> str:
    total = sum(proportions[s] for s in splits)
    point, acc = bucket(text, "split:") * total, 0.0
    for split in splits:
        acc += proportions[split]
        if point < acc:
            return split
    return splits[-1]


def _part_rows(
    manifest: Manifest, source: Source, lang: str, files: dict[str, list[str]], head: str,
    read: Reader,
) -> list[Row]:
    mapping = source.heads[head]
    by_split: dict[str, dict[str, int]] = {s: {} for s in SPLITS}
    for key, paths in files.items():
        splits = key.split("+")
        for raw, labels in (row for path in paths
                            for row in formats.rows(read(source, path), source.read)):
            y = mapping.label(labels)
            text = cut(raw, manifest.max_chars)
            if y is None or not text:
                continue
            split = splits[0] if len(splits) == 1 else pick_split(text, splits, manifest.split)
            by_split[split].setdefault(text, y)
    seen: set[str] = set()
    out: list[Row] = []
    for split in ("test", "val", "train"):
        texts = [t for t in by_split[split] if t not in seen]
        seen.update(by_split[split])
        texts.sort(key=lambda t: bucket(t, "cap:"))
        for text in texts[: source.caps[split]]:
            out.append(Row(source.name, lang, split, text, by_split[split][text]))
    return out
