"""Display names: looked up once, kept for a while, and never a reason for a message to fail."""

from __future__ import annotations

import re

from chatbot.display_names import DisplayNames


class Directory:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.asked: list[str] = []
        self.down = False

    def __call__(self, user_id: str) -> str | None:
        self.asked.append(user_id)
        if self.down:
            raise ConnectionError("the platform is unreachable")
        return self.names.get(user_id)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_name_is_looked_up_once_and_kept_until_it_is_stale():
    directory, clock = Directory({"U1": "Ana Rao"}), Clock()
    names = DisplayNames(directory, ttl=60, clock=clock)

    assert [names.name("U1") for _ in range(3)] == ["Ana Rao"] * 3
    assert directory.asked == ["U1"]
    directory.names["U1"] = "Ana R."
    clock.now = 61
    assert names.name("U1") == "Ana R." and directory.asked == ["U1", "U1"]


def test_no_name_or_an_unreachable_platform_shows_the_id_and_is_asked_again_later():
    directory, clock = Directory({}), Clock()
    names = DisplayNames(directory, ttl=60, failure_ttl=5, clock=clock)
    directory.down = True

    assert names.name("U2") == "U2" and names.name("U2") == "U2"
    assert directory.asked == ["U2"]
    directory.down, directory.names["U2"] = False, "Ben Thomas"
    clock.now = 6
    assert names.name("U2") == "Ben Thomas"


def test_only_the_ids_asked_for_are_named_in_a_text():
    names = DisplayNames(Directory({"U1": "Ana Rao", "U2": "Ben"}).__call__)
    text = "Approved by U1 and U2 at 10:00 UTC."
    named = names.in_text(text, re.compile(r"\bU[A-Z0-9]+\b"), only={"U1"}.__contains__)
    assert named == "Approved by Ana Rao and U2 at 10:00 UTC."
