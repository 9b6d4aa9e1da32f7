"""A cache of what loading a policy works out, so a short-lived `chatbot check` starts fast.

Loading the policy compiles some 700 regular expressions and folds some 5,000 names: most of a
one-draft check's half second. What that work yields (each pattern's gate, each name's folded
form) depends only on the policy files and on checkpost's own code, so it is kept in a file
named by the sha256 of both (`CHECKPOST_CACHE`, default `~/.cache/checkpost`), written
atomically, checked whole when read, and rebuilt when stale, damaged or unreadable. A pattern
known from the cache is compiled only when a draft first opens its gate; the files it came from
compiled cleanly when the cache was written, or the cache would not exist.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = 1
#: The code whose behaviour the cached results depend on.
_CODE = ("gates.py", "pattern_literals.py", "normalise.py", "lookalikes.py", "names.py", "cache.py")


def cache_dir() -> Path:
    configured = os.environ.get("CHECKPOST_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "checkpost"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 of the code the results depend on, the regex library and the Python version."""
    import regex

    digest = hashlib.sha256(f"{FORMAT}|{regex.__version__}|{sys.version}".encode())
    here = Path(__file__).resolve().parent
    for name in _CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def key_of(*parts: str) -> str:
    return hashlib.sha256("|".join((code_digest(), *parts)).encode()).hexdigest()


def read(kind: str, key: str) -> dict[str, Any] | None:
    """The cached mapping for `kind` and `key`, or None when it is absent, stale or damaged."""
    try:
        data = json.loads((cache_dir() / f"{kind}-{key[:32]}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or data.get("format") != FORMAT:
        return None
    body = data.get("entries")
    if not isinstance(body, dict) or data.get("sha256") != _checksum(body):
        return None
    return body


def write(kind: str, key: str, entries: dict[str, Any]) -> None:
    """Write atomically (a temporary file renamed into place); a cache that cannot be written
    only costs speed, so any OSError is ignored."""
    folder = cache_dir()
    data = {"format": FORMAT, "key": key, "sha256": _checksum(entries), "entries": entries}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, folder / f"{kind}-{key[:32]}.json")
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _checksum(entries: dict[str, Any]) -> str:
    canonical = json.dumps(entries, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
