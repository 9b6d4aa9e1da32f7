"""People's display names, looked up on their platform once and kept for a while.

The core names people by their platform's user id (`U0ANA`, `@ana:example.org`): stable, and
what a mention needs. People read names, so an adapter shows each id it knows the shape of as
the person's display name (and keeps the id where the platform needs it for a mention: Slack's
`<@U0ANA>`, a Matrix pill's link). A lookup that fails, or finds no name, shows the id, and is
tried again after a short while rather than at every message.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

#: Seconds a name is kept (people rarely rename themselves), and a failed lookup's id.
NAME_TTL = 3600.0
FAILURE_TTL = 300.0


class DisplayNames:
    """A thread-safe cache in front of `lookup(user_id) -> display name or None`."""

    def __init__(self, lookup: Callable[[str], str | None], *, ttl: float = NAME_TTL,
                 failure_ttl: float = FAILURE_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lookup = lookup
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._known: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def name(self, user_id: str) -> str:
        """The person's display name, or their id when it cannot be had."""
        now = self._clock()
        with self._lock:
            known = self._known.get(user_id)
        if known is not None and known[1] > now:
            return known[0]
        try:
            found = (self._lookup(user_id) or "").strip()
        except Exception as exc:  # a name is a nicety: never fail a message for it
            log.info("no display name for %s: %s", user_id, exc)
            found = ""
        name, ttl = (found, self._ttl) if found else (user_id, self._failure_ttl)
        with self._lock:
            self._known[user_id] = (name, now + ttl)
        return name

    def in_text(self, text: str, ids: re.Pattern[str], only: Callable[[str], bool] = bool
                ) -> str:
        """`text` with every user id matching `ids` (and `only`) shown as a display name."""
        return ids.sub(lambda m: self.name(m.group(0)) if only(m.group(0)) else m.group(0),
                       text)
