"""A cache of what loading a policy works out, so a short-lived `chatbot check` starts fast.

Loading the policy compiles some 700 regular expressions and folds some 5,000 names: most of a
one-draft check's half second. What that work yields (each pattern's gate, each name's folded
form) depends only on the policy files and on checkpost's own code, so it is kept in a file
named by the sha256 of both (`CHECKPOST_CACHE`, default `~/.cache/checkpost`), written
atomically, checked whole when read, and rebuilt when stale, damaged or unreadable. A pattern
known from the cache is compiled only when a draft first opens its gate; the files it came from
compiled cleanly when the cache was written, or the cache would not exist.

Two layers. The loaded policy itself is kept as a snapshot (`policy-KEY.pickle`), read with one
open and no YAML parser: its key is the sha256 of the policy files' paths and contents and of
this code, and the name lists it was built from are re-hashed and compared before it is used.
When the policy changes, the per-pattern gates and folded names (`gates-KEY.json`,
`folded-KEY.json`) still spare the rebuild the patterns and names that did not.

A snapshot is a pickle, and unpickling runs code, so it is read only from a file the user owns
that no one else may write (as for any tool's `~/.cache`); one that fails any check is rebuilt.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import mmap
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = 3
#: The code whose behaviour the cached results depend on: the whole policy package, since a
#: snapshot holds its classes (a change to any of them is a new key, and a rebuild).
_PACKAGE = Path(__file__).resolve().parent
#: How many files of one kind are kept: each edit of a policy file (or of this code) makes a
#: new key, and a snapshot is megabytes, so beyond this many the least recently used go (a
#: read marks a file used).
KEEP = 12

#: The first line of a snapshot file; the second is its JSON header; the pickle follows.
_MAGIC = b"checkpost-snapshot\n"


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
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
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
    _used(cache_dir() / f"{kind}-{key[:32]}.json")
    return body


def write(kind: str, key: str, entries: dict[str, Any]) -> None:
    """Keep `entries` under `kind` and `key` (`write_atomically`)."""
    data = {"format": FORMAT, "key": key, "sha256": _checksum(entries), "entries": entries}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_atomically(kind, f"{kind}-{key[:32]}.json", text.encode("utf-8"))


def read_snapshot(kind: str, key: str) -> object | None:
    """The object written under `kind` and `key`, or None when it is absent, stale, damaged,
    not the user's own, or when a file it was built from has changed since."""
    path = cache_dir() / f"{kind}-{key[:32]}.pickle"
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if hasattr(os, "getuid") and (
                status.st_uid != os.getuid() or status.st_mode & 0o022
            ):
                return None
            # Mapped, not read: a fresh process pays tens of milliseconds to fault in a new
            # 9 MB buffer and copy the body out of it; the pickle reads the file's pages.
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                value = _unpickled(data, key)
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return None
    if value is _STALE:
        return None
    _used(path)
    return value


_STALE = object()


def _unpickled(data: mmap.mmap, key: str) -> object:
    """The snapshot's object, or _STALE when its header, checksum or a dependency says no."""
    found = read_header(data, _MAGIC)
    if found is None:
        return _STALE
    header, body_start = found
    if header.get("key") != key or header.get("format") != FORMAT:
        return _STALE
    with memoryview(data) as whole:
        body = whole[body_start:]
        try:
            return _checked_body(header, body)
        finally:
            body.release()


def _checked_body(header: dict, body: memoryview) -> object:
    if header.get("sha256") != hashlib.sha256(body).hexdigest():
        return _STALE  # truncated or altered
    for dependency, digest in header.get("dependencies") or ():
        try:
            if hashlib.sha256(Path(dependency).read_bytes()).hexdigest() != digest:
                return _STALE
        except (OSError, TypeError):
            return _STALE
    collecting = gc.isenabled()
    gc.disable()  # unpickling makes some 100,000 objects and no garbage: 40% faster without
    try:
        return pickle.loads(body)
    except Exception:  # a snapshot pickled by other code than this one's: rebuild it
        return _STALE
    finally:
        if collecting:
            gc.enable()


def write_snapshot(
    kind: str, key: str, value: object, dependencies: Sequence[tuple[str, str]] = ()
) -> None:
    """Keep `value` under `kind` and `key`, with the (path, sha256) of the files it was built
    from besides those in its key; written atomically, and an OSError only costs speed."""
    try:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    header = {"format": FORMAT, "key": key, "dependencies": [list(d) for d in dependencies]}
    write_atomically(kind, f"{kind}-{key[:32]}.pickle", framed(_MAGIC, header, body))


def framed(magic: bytes, header: dict, body: bytes) -> bytes:
    """A cache file's bytes: its `magic` line, a JSON line with `header` and the body's sha256,
    then the body. One format for every file kept here (snapshots, the prefilter's database),
    so a truncated or altered file is caught the same way."""
    header = {**header, "sha256": hashlib.sha256(body).hexdigest()}
    return magic + json.dumps(header).encode() + b"\n" + body


def read_header(data: bytes | mmap.mmap, magic: bytes) -> tuple[dict, int] | None:
    """The JSON header of a `framed` file's bytes and where its body starts; None when the
    magic line or the header is not there (the caller checks the key and the sha256)."""
    if data[:len(magic)] != magic:
        return None
    end = data.find(b"\n", len(magic))
    if end < 0:
        return None
    try:
        header = json.loads(data[len(magic):end])
    except ValueError:
        return None
    return (header, end + 1) if isinstance(header, dict) else None


def write_atomically(kind: str, name: str, data: bytes) -> None:
    """`data` as the cache file `name`: a temporary file renamed into place, so a reader never
    sees half a file; then the oldest files of `kind` beyond KEEP go. An OSError (a full or
    read-only disk) only costs speed, so it is dropped."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, folder / name)
        _prune(folder, kind)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _checksum(entries: dict[str, Any]) -> str:
    canonical = json.dumps(entries, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _prune(folder: Path, kind: str) -> None:
    """Delete all but the KEEP newest cache files of `kind` (another process may be reading
    or deleting one at the same time: a file that is gone, or cannot go, is left be)."""
    found = []
    for path in folder.glob(f"{kind}-*"):
        with contextlib.suppress(OSError):
            found.append((path.stat().st_mtime, path))
    for _, path in sorted(found, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()


def _used(path: Path) -> None:
    """Mark a cache file as just used, so `_prune` keeps it over older ones."""
    with contextlib.suppress(OSError):
        os.utime(path)
