"""What the Matrix bot remembers between restarts, kept in the store's `bot_state` table.

- the device id (a password login reuses it, so restarts do not pile up devices) and the sync
  token (saved only after a batch of events was handled, so a restart neither replays old
  messages nor skips new ones);
- when the bot first joined each room (events from before then are never acted on);
- the direct chat with each person (reminders and notices go there);
- each counted reaction (a redaction names only the reaction's event id, so withdrawing the
  vote needs to know whose vote on which post it was);
- rooms already told that the bot cannot read encrypted messages;
- an id for this database, mixed into transaction ids so two installations on one account
  never collide.

Keys are prefixed with the bot's user id: one database may serve a Slack bot, or another
Matrix account, without mixing their state.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass

from chatbot.store import Store


@dataclass(frozen=True)
class CountedReaction:
    """A 👍/👎 that became a vote: enough to withdraw it when the reaction is redacted."""

    room_id: str
    sender: str
    post: int
    version: int
    kind: str  # "approve" | "changes"


class BotState:
    def __init__(self, store: Store, user_id: str) -> None:
        self.store = store
        self.user_id = user_id

    # --- session ---------------------------------------------------------------------------

    @property
    def device_id(self) -> str | None:
        return self._get("device_id")

    @device_id.setter
    def device_id(self, value: str) -> None:
        self._put("device_id", value)

    @property
    def sync_token(self) -> str | None:
        return self._get("sync_token")

    @sync_token.setter
    def sync_token(self, value: str) -> None:
        self._put("sync_token", value)

    @property
    def install_id(self) -> str:
        """A random id made once per database; see `txn_id`."""
        value = self._get("install_id")
        if not value:
            value = uuid.uuid4().hex[:12]
            self._put("install_id", value)
        return value

    # --- rooms -----------------------------------------------------------------------------

    def joined_at(self, room_id: str) -> int | None:
        value = self._get(f"joined:{room_id}")
        return int(value) if value else None

    def mark_joined(self, room_id: str, ts: int) -> None:
        if self.joined_at(room_id) is None:
            self._put(f"joined:{room_id}", str(ts))

    def mark_left(self, room_id: str) -> None:
        """After a leave or kick, a later join counts as a first join again."""
        if self.joined_at(room_id) is not None:
            self._put(f"joined:{room_id}", "")

    def direct_room(self, user_id: str) -> str | None:
        return self._get(f"dm:{user_id}") or None

    def set_direct_room(self, user_id: str, room_id: str) -> None:
        self._put(f"dm:{user_id}", room_id)

    def encryption_noticed(self, room_id: str) -> bool:
        return bool(self._get(f"e2ee-notice:{room_id}"))

    def mark_encryption_noticed(self, room_id: str) -> None:
        self._put(f"e2ee-notice:{room_id}", "1")

    # --- reactions -------------------------------------------------------------------------

    def counted_reaction(self, event_id: str) -> CountedReaction | None:
        value = self._get(f"reaction:{event_id}")
        return CountedReaction(**json.loads(value)) if value else None

    def count_reaction(self, event_id: str, reaction: CountedReaction) -> None:
        self._put(f"reaction:{event_id}", json.dumps(asdict(reaction)))

    # --- storage ---------------------------------------------------------------------------

    def _key(self, name: str) -> str:
        return f"matrix:{self.user_id}:{name}"

    def _get(self, name: str) -> str | None:
        return self.store.get_state(self._key(name))

    def _put(self, name: str, value: str) -> None:
        self.store.put_state(self._key(name), value)
