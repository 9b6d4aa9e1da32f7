"""Reading a source's file at its pinned commit from a local copy, whatever its layout.

A maintainer's copy is a `git clone` named `NAME` or `OWNER+NAME`; ours are bare mirrors at
`OWNER+NAME/repo` (sometimes with a `.git` inside). `git show COMMIT:PATH` reads all of them
and ignores the work tree, so a clone checked out at another commit, or with files deleted at
HEAD (TRAC-2), still gives the pinned bytes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class MissingCopy(FileNotFoundError):
    """No local copy of a repository, or it lacks the pinned commit or file."""


def repo_dir(data: Path, repository: str) -> Path:
    """The git directory (or work tree) for `OWNER/NAME` under `data`."""
    owner, name = repository.split("/", 1)
    for candidate in (
        data / f"{owner}+{name}" / "repo" / ".git",
        data / f"{owner}+{name}" / "repo",
        data / f"{owner}+{name}",
        data / name,
    ):
        if _is_git(candidate):
            return candidate
    raise MissingCopy(
        f"no copy of {repository} under {data}: "
        f"git clone https://github.com/{repository} {data / name}"
    )


def show(data: Path, repository: str, commit: str, path: str) -> bytes:
    """The bytes of `path` at `commit` in the local copy of `repository`."""
    where = repo_dir(data, repository)
    done = subprocess.run(
        ["git", "-C", str(where), "show", f"{commit}:{path}"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise MissingCopy(f"{repository}@{commit[:10]}:{path}: {message}")
    return done.stdout


def _is_git(path: Path) -> bool:
    return path.is_dir() and (
        (path / ".git").exists() or ((path / "objects").is_dir() and (path / "HEAD").exists())
    )

