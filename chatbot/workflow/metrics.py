"""Metrics a poster records for a published post, and the one syntax both adapters accept.

The policy asks posters to "Measure and track your post taking note of any noteworthy metrics
or responses", and the Learning Pattern report needs the numbers over time. A person writes

    likes=12 reposts=3 replies=4 views=900 the minister's office replied, friendly

`key=value` pairs first, then free notes. Numbers may be written `1,200`, `1.2k` or `3m`.
A note that starts with "major" (`major: angry thread under the post`) is a major reaction:
the comms team is alerted. `platform=x` (or `network=x`) says which link the numbers belong
to when the post was cross-posted. Mistakes get an error that names the bad part and shows
the right form.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlite_utils import Database

from chatbot.workflow.people import Person

METRIC_NAMES: tuple[str, ...] = ("likes", "reposts", "replies", "views", "reach")

_ALIASES = {
    "like": "likes", "favs": "likes", "favourites": "likes", "favorites": "likes",
    "repost": "reposts", "retweets": "reposts", "rts": "reposts", "shares": "reposts",
    "boosts": "reposts", "reply": "replies", "comments": "replies",
    "view": "views", "impressions": "views",
}
_PAIR = re.compile(r"^([A-Za-z_]+)=(.*)$")
_NUMBER = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?([km]?)$", re.IGNORECASE)
_MAJOR = re.compile(r"^\W*major\b", re.IGNORECASE)
EXAMPLE = "likes=12 reposts=3 replies=4 views=900 notes…"


class MetricsError(ValueError):
    """A metrics line a person wrote cannot be read; the message says what to write instead."""


@dataclass(frozen=True)
class Metrics:
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    views: int | None = None
    reach: int | None = None
    notes: str = ""
    network: str = ""

    @property
    def major(self) -> bool:
        """A note starting with "major" flags a major reaction that comms should hear about."""
        return bool(_MAJOR.match(self.notes))

    @property
    def numbers(self) -> dict[str, int]:
        return {n: v for n in METRIC_NAMES if (v := getattr(self, n)) is not None}

    def summary(self) -> str:
        parts = [f"{name}={value}" for name, value in self.numbers.items()]
        if self.notes:
            parts.append(self.notes)
        return " ".join(parts)


def parse_metrics(text: str) -> Metrics:
    """Read `likes=12 reposts=3 … notes`; raise MetricsError naming the part that is wrong."""
    values: dict[str, int] = {}
    network = ""
    rest = text.strip()
    while rest:
        token, _, after = rest.partition(" ")
        pair = _PAIR.match(token)
        if not pair:
            break
        key, raw = pair.group(1).lower(), pair.group(2)
        if key in ("platform", "network"):
            if not raw:
                raise MetricsError(f"{key}= needs a name, e.g. {key}=x")
            network = raw.lower()
        else:
            name = _metric_name(key)
            if name in values:
                raise MetricsError(f"{name} is given twice; give each metric once")
            values[name] = _count(name, raw)
        rest = after.strip()
    notes = rest
    if not values and not notes:
        raise MetricsError(f"nothing to record; write the numbers and any notes, e.g. {EXAMPLE}")
    return Metrics(**values, notes=notes, network=network)


def record_metrics(
    db: Database, post: int, link: int | None, metrics: Metrics, by: Person, now: float
) -> int:
    cursor = db.execute(
        "INSERT INTO metrics (post, link, recorded_by, at, likes, reposts, replies, views,"
        " reach, notes, major) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [post, link, str(by), now, metrics.likes, metrics.reposts, metrics.replies,
         metrics.views, metrics.reach, metrics.notes, int(metrics.major)],
    )
    return int(cursor.lastrowid or 0)


def _metric_name(key: str) -> str:
    if key in METRIC_NAMES:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    known = [*METRIC_NAMES, "platform"]
    guess = difflib.get_close_matches(key, [*known, *_ALIASES], n=1)
    hint = f" (did you mean {_ALIASES.get(guess[0], guess[0])}?)" if guess else ""
    raise MetricsError(
        f"{key!r} is not a metric{hint}; use {', '.join(known)}, e.g. {EXAMPLE}"
    )


def _count(name: str, raw: str) -> int:
    m = _NUMBER.match(raw.strip())
    if not m:
        raise MetricsError(
            f"{name}={raw}: the value must be a whole number such as 12, 1,200 or 1.2k"
        )
    whole, fraction, suffix = m.group(1).replace(",", ""), m.group(2) or "", m.group(3).lower()
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[suffix]
    if fraction and not suffix:
        raise MetricsError(f"{name}={raw}: a count has no decimals; write {whole}")
    return round(float(f"{whole}.{fraction or 0}") * scale)
