"""heads.json: the trained heads as package data, in the shape the run-time loader reads.

Small on purpose (384 weights rounded to 6 decimals per head, a few cuts, provenance and
scores), and sealed with a sha256 of its canonical JSON so a hand edit or a truncated copy is
caught on load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from chatbot.model import encoder

FORMAT = 1
TRAINED_BY = "python -m chatbot.model.training"


def document(heads: dict[str, dict], *, created: dt.date | None = None,
             flags: str = "") -> dict:
    doc = {
        "format": FORMAT,
        "encoder": {
            "name": encoder.ENCODER_NAME,
            "version": encoder.version(),
            "prefix": encoder.PREFIX,
            "dim": encoder.DIM,
        },
        "created": (created or dt.date.today()).isoformat(),
        "trained_by": f"{TRAINED_BY} {flags}".strip(),  # how to make it again
        "heads": heads,
    }
    doc["sha256"] = seal(doc)
    return doc


def seal(doc: dict) -> str:
    """The sha256 of `doc` without its `sha256` key, as the loader recomputes it."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def write_file(path: Path, data: bytes) -> None:
    """A file heads.json names (the lexical channel's weights), replaced whole."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write(doc: dict, path: Path) -> None:
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
