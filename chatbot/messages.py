"""A handle on a message a chat adapter posted: the one value the core keeps of a platform.

A leaf: it imports nothing of checkpost, so the post and incident models can store it and
the port can return it without either depending on the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MessageRef:
    """An adapter's handle on a message it posted: opaque `id` (e.g. `C123/1700.1` or a Matrix
    `!room/$event`), and `where`, a human name for the place ("#comms") used in replies."""

    id: str
    where: str = ""
