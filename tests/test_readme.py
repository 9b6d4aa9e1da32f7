"""The README's examples work in a fresh clone: every command it shows for checking drafts runs
as written, on files the clone has, and every repository path it names exists."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _examples() -> list[str]:
    section = README.split("## Checking drafts from the command line", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    lines = [line.split("  #", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("chatbot ")]


def test_the_readme_shows_the_checking_examples():
    assert len(_examples()) >= 7
    assert any(line.startswith("chatbot eval examples/") for line in _examples())


def test_the_readme_says_how_to_reach_chatbot_from_the_virtual_environment():
    assert ". .venv/bin/activate" in README and "`.venv/bin/chatbot`" in README


@pytest.mark.parametrize("line", _examples())
def test_each_checking_example_runs_as_written_in_the_clone(line):
    words = shlex.split(line)[1:]
    stdin = None
    if "<" in words:
        at = words.index("<")
        stdin = (REPO / words[at + 1]).read_bytes()
        words = words[:at] + words[at + 2:]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
           "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "chatbot", *words], input=stdin,
                          capture_output=True, cwd=REPO, env=env, timeout=120)
    assert done.returncode in (0, 1), done.stderr.decode()
    assert done.stdout.strip()


def test_every_repository_path_the_readme_names_exists():
    named = set(re.findall(r"\b((?:examples|policies|docs|bench|prompts|chatbot)/[\w./-]+\w)",
                           README))
    hypothetical = {"policies/zz-local.yaml"}  # "a later file (say policies/zz-local.yaml)"
    missing = sorted(p for p in named - hypothetical if not (REPO / p).exists())
    assert not missing, missing
