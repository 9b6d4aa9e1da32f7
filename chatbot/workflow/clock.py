"""Where the workflow gets the time from.

Everything that stamps a row or decides whether a reminder is due asks a `Clock`, never
`time.time()` directly, so tests can move time forward by hand and never sleep.
Times are seconds since the Unix epoch (UTC), as floats.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    """The real wall clock; what production uses."""

    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to: for tests, and for replaying a day in a script."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, when: float) -> None:
        with self._lock:
            self._now = float(when)


def utc_text(at: float) -> str:
    """A time for people: `2024-05-01 09:30 UTC` (the team spans time zones; UTC is unambiguous)."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")
