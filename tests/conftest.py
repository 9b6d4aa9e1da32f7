"""Shared fixtures: the shipped policy, loaded once, and a helper to check a draft with it; the
workflow desk; one Synapse homeserver and its cast of users for every Matrix test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chatbot.policy.engine import check_rules
from chatbot.policy.loader import load_policy
from chatbot.policy.model import Draft, Finding, MediaDeclaration
from chatbot.policy.rules import Policy
from tests.desk import Desk

# The policy cache (chatbot/policy/cache.py) of this test run, never the developer's own.
os.environ["CHECKPOST_CACHE"] = tempfile.mkdtemp(prefix="checkpost-test-cache-")

REPO = Path(__file__).resolve().parent.parent
POLICY_DIR = REPO / "policies"
#: The CIS-A2K page the rules quote, shipped beside them with its source, date and licence.
POLICY_PAGE = POLICY_DIR / "best-practices.txt"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(POLICY_DIR)


Checker = Callable[..., list[Finding]]


@pytest.fixture(scope="session")
def findings(policy: Policy) -> Checker:
    """`findings(text, account="official", media=[("source", "licence")])` → rule findings."""

    def run(text: str, account: str = "official",
            media: list[tuple[str, str]] | None = None) -> list[Finding]:
        declared = tuple(MediaDeclaration(s, lic) for s, lic in media or [])
        return check_rules(Draft(text=text, account=account, media=declared), policy)

    return run


@pytest.fixture(scope="session")
def labels(findings: Checker) -> Callable[..., set[str]]:
    """`labels(text, …)` → the set of labels the rules give the draft."""

    def run(text: str, account: str = "official",
            media: list[tuple[str, str]] | None = None) -> set[str]:
        return {f.label for f in findings(text, account, media)}

    return run


@pytest.fixture
def desk(tmp_path):
    """A workflow on a fresh database with an in-memory port and a manual clock."""
    desk = Desk(tmp_path / "checkpost.db")
    yield desk
    desk.close()


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A real Synapse on 127.0.0.1 (tests/servers/synapse.py), for the whole session."""
    from tests.servers.synapse import Synapse

    server = Synapse.start(tmp_path_factory.mktemp("synapse"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cast(synapse) -> Iterator:
    from tests.servers.synapse import Cast, ClientLoop

    loop = ClientLoop()
    people = Cast.register(synapse, loop)
    yield people
    people.close()
    loop.close()
