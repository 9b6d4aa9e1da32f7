"""The manifest as typed objects: which files, read how, mapped to which head's labels.

The manifest is the one place a source's reading and mapping are written, so the code that
reads, the README's licence table and heads.json's `sources` all come from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yaml"
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Mapping:
    """Which of a source's labels are a head's positives and negatives; the rest drop."""

    positive: frozenset[str]
    negative: frozenset[str]

    def label(self, labels: frozenset[str]) -> int | None:
        """1, 0, or None (dropped) for a row carrying `labels` (one, or several if multi)."""
        if not labels:
            return None
        if "*" in self.positive or labels & self.positive:
            return 1
        if self.negative and labels <= self.negative:
            return 0
        return None


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    repository: str
    commit: str
    licence: str
    nc_or_research: bool
    read: dict
    heads: dict[str, Mapping]
    #: language -> {"train" | "val+test" | …: [path, …]}
    parts: dict[str, dict[str, list[str]]]
    caps: dict[str, int] = field(default_factory=dict)
    enabled: bool = True
    #: rows the shipped run used per split (recorded in the manifest, checked by the tests)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        return sorted({p for files in self.parts.values() for ps in files.values() for p in ps})


@dataclass(frozen=True)
class Manifest:
    max_chars: int
    caps: dict[str, int]
    split: dict[str, float]
    sources: list[Source]

    def for_head(self, head: str, *, no_nc: bool = False, extra: bool = False) -> list[Source]:
        """The sources that map labels to `head`, without the NC ones if asked.

        `extra` adds the sources the manifest leaves out (`enabled: false`), for trying them.
        """
        return [
            s for s in self.sources
            if head in s.heads and (s.enabled or extra) and not (no_nc and s.nc_or_research)
        ]


def load(path: Path = MANIFEST) -> Manifest:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if raw.get("format") != 1:
        raise ValueError(f"{path}: unknown manifest format {raw.get('format')!r}")
    caps = {k: int(v) for k, v in raw["caps"].items()}
    sources = [_source(entry, caps) for entry in raw["sources"]]
    for source in sources:
        for lang, files in source.parts.items():
            for key in files:
                if not key or any(s not in SPLITS for s in key.split("+")):
                    raise ValueError(f"{source.name}/{lang}: bad split name {key!r}")
    return Manifest(int(raw["max_chars"]), caps, dict(raw["split"]), sources)


def _source(entry: dict, caps: dict[str, int]) -> Source:
    heads = {
        head: Mapping(
            frozenset(str(x) for x in spec.get("positive") or ()),
            frozenset(str(x) for x in spec.get("negative") or ()),
        )
        for head, spec in entry["heads"].items()
    }
    return Source(
        name=entry["name"],
        title=entry.get("title", entry["name"]),
        repository=entry["repository"],
        commit=entry["commit"],
        licence=str(entry["licence"]),
        nc_or_research=bool(entry["nc_or_research"]),
        read=dict(entry["read"]),
        heads=heads,
        parts={
            lang: {key: [paths] if isinstance(paths, str) else list(paths)
                   for key, paths in files.items()}
            for lang, files in entry["parts"].items()
        },
        caps={**caps, **{k: int(v) for k, v in (entry.get("caps") or {}).items()}},
        rows={k: int(v) for k, v in (entry.get("rows") or {}).items()},
        enabled=bool(entry.get("enabled", True)),
    )
