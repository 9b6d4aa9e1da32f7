"""Who is acting: people named by their platform and their id on it.

The core never sees a Slack or Matrix object, only `Person("slack", "U123")` or
`Person("matrix", "@ana:example.org")`. The comms list is built from the settings and handed
to the workflow, so membership is decided here, in one place, for both adapters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chatbot.config import Settings


@dataclass(frozen=True, order=True)
class Person:
    """A platform-qualified user id; `str(person)` is the form stored in the database."""

    platform: str
    user_id: str

    def __post_init__(self) -> None:
        if not self.platform or ":" in self.platform or not self.user_id:
            raise ValueError(
                f"a person needs a platform without ':' and a user id, got "
                f"{self.platform!r}, {self.user_id!r}"
            )

    def __str__(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @classmethod
    def parse(cls, value: str | Person) -> Person:
        """Read `slack:U123` or `matrix:@ana:example.org` (the id may hold colons itself)."""
        if isinstance(value, Person):
            return value
        platform, sep, user_id = value.partition(":")
        if not sep:
            raise ValueError(
                f"{value!r} is not a platform-qualified id; write it as platform:id, "
                "e.g. slack:U123 or matrix:@ana:example.org"
            )
        return cls(platform, user_id)


def comms_from_settings(settings: Settings) -> frozenset[Person]:
    """The comms list of both platforms: CHECKPOST_SLACK_COMMS_USERS and ..._MATRIX_COMMS_USERS."""
    return frozenset(
        [Person("slack", u) for u in settings.slack_comms_users]
        + [Person("matrix", u) for u in settings.matrix_comms_users]
    )


def as_people(values: Iterable[Person | str]) -> frozenset[Person]:
    return frozenset(Person.parse(v) for v in values)
