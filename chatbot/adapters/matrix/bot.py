"""The Matrix bot: log in, keep in sync, and hand each event to the handlers.

The life of one process:

1. Log in: with `MATRIX_ACCESS_TOKEN` as it is, or with `MATRIX_PASSWORD` on the device id
   kept in the database (so a restart is the same device, not a new one each time).
2. Join `CHECKPOST_MATRIX_COMMS_ROOM` (an id or an alias) and learn its name for people.
3. Sync from the token kept in the database. The very first sync of a database only learns
   where the bot is: what happened before is never acted on. After each batch of events is
   handled, its `next_batch` is stored, so a restart continues exactly there: a message sent
   while the bot was down is answered when it is back, and nothing is answered twice. When
   the server cuts a long gap short (`limited`), the gap is read back with `/messages`.
4. In each batch: accept invites from comms members and from users of the bot's own
   homeserver (others are ignored); drop the events of a room from before the bot joined it;
   say once, in plain words, in a room that is or becomes encrypted that the bot cannot read
   it; then handle the events, one person's in order, different people's in parallel.

The reminder scheduler runs beside it, on its own thread, through the same port.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from nio import SyncResponse

from chatbot import pause
from chatbot.chat import CheckDraft, build_core, checker
from chatbot.config import ConfigError, Settings
from chatbot.store import Store
from chatbot.workflow.clock import Clock

from . import html
from .actions import Handler
from .events import Event
from .port import CommsRoom, MatrixPort, txn_id
from .state import BotState
from .transport import Connection, MatrixError

log = logging.getLogger("chatbot.adapters.matrix")

#: Long-poll time of a sync; the server answers at once when something happens.
SYNC_TIMEOUT_MS = 30_000
#: Events per room in one sync; past it the sync is `limited` and the gap is read back.
TIMELINE_LIMIT = 100
_USER_ID = re.compile(r"^@[^:\s]+:\S+$")


class LoginError(RuntimeError):
    """The homeserver refused the bot's credentials; the message says which setting to fix."""


class MatrixBot:
    """The bot for one account. `start()` returns once it is logged in and in sync;
    `stop()` finishes the batch in hand, stores its sync token, and closes everything."""

    def __init__(self, settings: Settings, *, store: Store | None = None,
                 check_draft: CheckDraft | None = None, workers: int = 8,
                 sync_timeout_ms: int = SYNC_TIMEOUT_MS,
                 timeline_limit: int = TIMELINE_LIMIT, clock: Clock | None = None) -> None:
        """`clock` defaults to the wall clock (tests move a `ManualClock`)."""
        validate(settings)
        self.settings = settings
        self.user_id = settings.matrix_user_id
        self._own_store = store is None
        self.store = store if store is not None else Store(settings.db_path)
        self.state = BotState(self.store, self.user_id)
        self.conn = Connection(settings.matrix_homeserver, self.user_id)
        self.comms = CommsRoom(settings.matrix_comms_room)
        self.port = MatrixPort(self.conn, self.state, self.comms, settings.approvals_required)
        core = build_core(settings, self.store, self.port, clock=clock)
        self.workflow, self.scheduler = core.workflow, core.scheduler
        self.handler = Handler(workflow=self.workflow, port=self.port, conn=self.conn,
                               state=self.state, comms=self.comms,
                               check=check_draft or checker(settings), user_id=self.user_id)
        self.sync_timeout_ms = sync_timeout_ms
        self.sync_filter = sync_filter(timeline_limit)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            workers, thread_name_prefix="checkpost-matrix-handler")
        self._stopping: asyncio.Event | None = None
        self._main: concurrent.futures.Future | None = None

    # --- life ------------------------------------------------------------------------------

    def start(self, timeout: float | None = 60.0) -> None:
        """Log in, join the comms room, finish the first sync, start the reminders.
        `timeout` None: wait as long as the homeserver takes to answer."""
        self.conn.start_loop()
        assert self.conn.loop is not None
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._main = asyncio.run_coroutine_threadsafe(self._run(ready), self.conn.loop)
        self._main.add_done_callback(lambda f: ready.done() or _fail(ready, f))
        try:
            ready.result(timeout)
        except BaseException:
            self.stop()
            raise
        self.scheduler.start()
        # messages a previous process did not send: a post committed but never shown to the
        # comms room, a poster never told (a crash, a send that failed)
        threading.Thread(target=self.workflow.resume, name="checkpost-resume",
                         daemon=True).start()

    def stop(self, timeout: float = 30.0) -> None:
        loop = self.conn.loop
        if self._main is not None and loop is not None and not loop.is_closed():
            if self._stopping is not None:
                loop.call_soon_threadsafe(self._stopping.set)
            try:
                self._main.result(timeout)
            except Exception as exc:
                log.debug("the sync loop ended with %s", type(exc).__name__)
        self.scheduler.stop()
        self.conn.stop_loop()  # cancels a batch still in hand after `timeout`: it is replayed
        self._pool.shutdown(wait=True)
        if self._own_store:
            self.store.close()

    @property
    def running(self) -> bool:
        return self._main is not None and not self._main.done()

    @property
    def failure(self) -> BaseException | None:
        """Why the sync loop ended by itself (a revoked token, ...), if it did."""
        if self._main is None or not self._main.done() or self._main.cancelled():
            return None
        return self._main.exception()

    # --- the loop --------------------------------------------------------------------------

    async def _run(self, ready: concurrent.futures.Future[None]) -> None:
        self._stopping = asyncio.Event()
        await self._log_in()
        await self._enter_comms_room()
        while not self._stopping.is_set():
            since = self.state.sync_token
            response = await self._next_batch(since, wait=ready.done())
            if response is None:
                break
            handled = await self._process(response, since)
            pause.at("batch-handled", " ".join(sorted({e.type for e in handled})))
            self.state.sync_token = response.next_batch
            if not ready.done():
                ready.set_result(None)

    async def _next_batch(self, since: str | None, wait: bool) -> SyncResponse | None:
        """The next sync response, or None when asked to stop while waiting for it.
        `wait` false: answer at once (the first sync after starting)."""
        assert self._stopping is not None
        timeout = self.sync_timeout_ms if since and wait else 0
        while True:
            sync = asyncio.ensure_future(self.conn.sync(since, timeout, self.sync_filter))
            stop = asyncio.ensure_future(self._stopping.wait())
            done, _ = await asyncio.wait({sync, stop}, return_when=asyncio.FIRST_COMPLETED)
            if sync not in done:
                sync.cancel()
                await asyncio.gather(sync, return_exceptions=True)
                return None
            stop.cancel()
            try:
                return sync.result()
            except MatrixError as exc:
                if exc.code != "M_UNKNOWN_TOKEN":
                    raise
                if not self.settings.matrix_password:
                    raise LoginError("the homeserver no longer accepts MATRIX_ACCESS_TOKEN; "
                                     "set a new one (or MATRIX_PASSWORD)") from None
                log.warning("the homeserver logged the bot out; logging in again")
                await self._log_in()

    async def _log_in(self) -> None:
        s = self.settings
        try:
            if s.matrix_access_token:
                who = await self.conn.use_access_token(s.matrix_access_token)
                if who.user_id != self.user_id:
                    raise LoginError(f"MATRIX_ACCESS_TOKEN belongs to {who.user_id}, not to "
                                     f"MATRIX_USER_ID {self.user_id}")
                device = who.device_id or ""
            else:
                response = await self.conn.login_with_password(s.matrix_password,
                                                               self.state.device_id)
                device = response.device_id
        except MatrixError as exc:
            which = "MATRIX_ACCESS_TOKEN" if s.matrix_access_token else "MATRIX_PASSWORD"
            raise LoginError(f"{s.matrix_homeserver} refused to log in {self.user_id} "
                             f"({exc.code or 'error'}); check MATRIX_USER_ID and {which}") \
                from None
        if device and device != self.state.device_id:
            self.state.device_id = device
        log.info("logged in to %s as %s (device %s)", s.matrix_homeserver, self.user_id, device)

    async def _enter_comms_room(self) -> None:
        configured = self.comms.configured
        try:
            self.comms.room_id = await self.conn.join(configured)
        except MatrixError as exc:
            log.error("cannot join the comms room %s (%s): invite %s to it; until then posts "
                      "cannot be shown to the comms team", configured, exc.code, self.user_id)
            self.comms.room_id = configured if configured.startswith("!") else \
                await self._resolve(configured)
            return
        if configured.startswith("#"):
            self.comms.where = configured
        else:
            self.comms.where = (
                await self.conn.state_text(configured, "m.room.canonical_alias", "alias")
                or await self.conn.state_text(configured, "m.room.name", "name")
                or "the comms room")

    async def _resolve(self, alias: str) -> str | None:
        try:
            return await self.conn.resolve_alias(alias)
        except MatrixError:
            return None

    # --- one batch -------------------------------------------------------------------------

    async def _process(self, response: SyncResponse, since: str | None) -> list[Event]:
        """Handle one batch; returns the events it acted on. Its sync token is saved by the
        caller only after this returns: a process killed before then gets the whole batch
        again, and the idempotency keys (the event ids) make the second time change nothing."""
        first = since is None
        for room_id, invite in response.rooms.invite.items():
            await self._on_invite(room_id, [_raw(e) for e in invite.invite_state])
        for room_id in response.rooms.leave:
            self.state.mark_left(room_id)
        work: list[Event] = []
        for room_id, info in response.rooms.join.items():
            raw = [e.source for e in info.timeline.events]
            known = self.state.joined_at(room_id) is not None
            if info.timeline.limited and since and info.timeline.prev_batch:
                raw = await self._gap(room_id, info.timeline.prev_batch, since) + raw
            events = _unique(Event.from_raw(room_id, r) for r in raw)
            state = _unique(Event.from_raw(room_id, e.source) for e in info.state)
            await self._mind_encryption(room_id, state + events)
            self._mind_direct_rooms(room_id, events)
            work += [e for e in self._since_join(room_id, events, known, first)
                     if e.sender != self.user_id]
        if work:
            await self._handle(work)
        return work

    async def _gap(self, room_id: str, prev_batch: str, since: str) -> list[dict[str, Any]]:
        try:
            events = await self.conn.history_between(room_id, prev_batch, since)
        except MatrixError as exc:
            log.warning("could not read the events of %s the sync left out: %s", room_id, exc)
            return []
        if events:
            log.info("read %d event(s) of %s that the sync left out", len(events), room_id)
        return events

    def _since_join(self, room_id: str, events: Sequence[Event], known: bool,
                    first: bool) -> list[Event]:
        """The events to act on: none from before the bot joined the room."""
        if first:
            self.state.mark_joined(room_id, _now_ms())
            return []
        kept, joined = [], known
        for event in events:
            if event.type == "m.room.member" and event.state_key == self.user_id:
                membership = event.content.get("membership")
                if membership == "join" and not joined:
                    joined = True
                    self.state.mark_joined(room_id, event.ts)
                elif membership in ("leave", "ban"):
                    joined = False
                    self.state.mark_left(room_id)
                continue
            if joined:
                kept.append(event)
        if not joined:  # in the room, but the join fell outside the timeline: from now on
            self.state.mark_joined(room_id, _now_ms())
        return kept

    async def _on_invite(self, room_id: str, invite_state: Iterable[dict[str, Any]]) -> None:
        inviter, direct, encrypted = None, False, False
        for raw in invite_state:
            if raw.get("type") == "m.room.member" and raw.get("state_key") == self.user_id:
                inviter = raw.get("sender")
                direct = bool((raw.get("content") or {}).get("is_direct"))
            elif raw.get("type") == "m.room.encryption":
                encrypted = True
        if not self._may_invite(inviter, room_id):
            log.info("ignoring the invite to %s from %s: only comms members and users of %s "
                     "can invite the bot", room_id, inviter, _server(self.user_id))
            return
        try:
            await self.conn.join(room_id)
        except MatrixError as exc:
            log.warning("could not join %s (invited by %s): %s", room_id, inviter, exc)
            return
        log.info("joined %s, invited by %s", room_id, inviter)
        if room_id == self.comms.room_id or self.comms.configured == room_id:
            self.comms.room_id = room_id
        if direct and not encrypted and inviter and not self.state.direct_room(inviter):
            self.state.set_direct_room(inviter, room_id)

    def _may_invite(self, inviter: str | None, room_id: str) -> bool:
        return may_invite(inviter, room_id, self.user_id, self.settings.matrix_comms_users,
                          self.comms.room_id or self.comms.configured)

    async def _mind_encryption(self, room_id: str, events: Sequence[Event]) -> None:
        """Say once per room, in plain words, that the bot cannot read encrypted messages."""
        encrypted = any(e.type == "m.room.encryption" for e in events) or any(
            e.type == "m.room.encrypted" and e.sender != self.user_id for e in events)
        if not encrypted or self.state.encryption_noticed(room_id):
            return
        if room_id == self.comms.room_id:
            log.error("the comms room %s is encrypted: the bot cannot read reactions or "
                      "commands there; use an unencrypted room", self.comms.configured)
        content = html.notice_content(html.encrypted_room_notice(self.user_id))
        try:
            await self.conn.send(room_id, content,
                                 txn=txn_id(self.state.install_id, "e2ee", room_id))
        except MatrixError as exc:
            log.warning("could not tell %s that the bot cannot read it: %s", room_id, exc)
            return
        self.state.mark_encryption_noticed(room_id)

    def _mind_direct_rooms(self, room_id: str, events: Sequence[Event]) -> None:
        for event in events:
            if event.type == "m.room.member" and event.state_key \
                    and event.state_key != self.user_id \
                    and event.content.get("membership") in ("leave", "ban"):
                self.port.forget_direct_room(event.state_key, room_id)

    async def _handle(self, events: Sequence[Event]) -> None:
        """One person's events in order, different people's side by side (the workflow
        serialises what must be: two votes on one post are two transactions)."""
        lanes: dict[str, list[Event]] = {}
        for event in events:
            lanes.setdefault(event.sender, []).append(event)
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._pool, self._run_lane, lane)
                               for lane in lanes.values()))

    def _run_lane(self, events: Sequence[Event]) -> None:
        for event in events:
            try:
                self.handler.handle(event)
            except Exception:
                log.exception("could not handle %s (%s) in %s", event.event_id, event.type,
                              event.room_id)
                try:
                    self.handler.apologise(event)
                except Exception:
                    log.exception("could not apologise for %s", event.event_id)


def sync_filter(timeline_limit: int) -> dict[str, Any]:
    """Only what the bot reads: room timelines and state; no presence, typing or receipts."""
    return {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "ephemeral": {"types": []},
            "account_data": {"types": []},
            "timeline": {"limit": timeline_limit},
        },
    }


def may_invite(inviter: str | None, room_id: str, bot_user_id: str,
               comms_users: Sequence[str], comms_room: str) -> bool:
    """The bot joins the comms room, and rooms it is invited to by comms members or by users
    of its own homeserver; other invites are ignored (a stranger cannot enlist it)."""
    if room_id == comms_room:
        return True
    if not inviter:
        return False
    return inviter in comms_users or _server(inviter) == _server(bot_user_id)


def validate(settings: Settings) -> None:
    """The settings `chatbot serve matrix` needs, each error naming its variable."""
    missing = [name for name, value in (
        ("MATRIX_HOMESERVER", settings.matrix_homeserver),
        ("MATRIX_USER_ID", settings.matrix_user_id),
        ("CHECKPOST_MATRIX_COMMS_ROOM", settings.matrix_comms_room)) if not value]
    if missing:
        raise ConfigError(f"set {', '.join(missing)} to run the Matrix bot (see docs/matrix.md)")
    if not (settings.matrix_password or settings.matrix_access_token):
        raise ConfigError("set MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN for the bot's account")
    if not settings.matrix_homeserver.startswith(("http://", "https://")):
        raise ConfigError(f"MATRIX_HOMESERVER must be a URL such as https://matrix.example.org, "
                          f"got {settings.matrix_homeserver!r}")
    if not _USER_ID.match(settings.matrix_user_id):
        raise ConfigError(f"MATRIX_USER_ID must be a full user id such as "
                          f"@checkpost:example.org, got {settings.matrix_user_id!r}")
    if not settings.matrix_comms_room.startswith(("!", "#")):
        raise ConfigError(f"CHECKPOST_MATRIX_COMMS_ROOM must be a room id (!…) or an alias "
                          f"(#…:server), got {settings.matrix_comms_room!r}")
    wrong = [u for u in settings.matrix_comms_users if not _USER_ID.match(u)]
    if wrong:
        raise ConfigError(f"CHECKPOST_MATRIX_COMMS_USERS holds {', '.join(wrong)}: write full "
                          "user ids such as @ana:example.org, comma-separated")


def _unique(events: Iterable[Event | None]) -> list[Event]:
    seen: set[str] = set()
    out = []
    for event in events:
        if event is not None and event.event_id not in seen:
            seen.add(event.event_id)
            out.append(event)
    return out


def _raw(event: Any) -> dict[str, Any]:
    """nio keeps an invite event's content beside its `source`, not in it."""
    raw = dict(event.source)
    content = getattr(event, "content", None)
    if "content" not in raw and isinstance(content, dict):
        raw["content"] = content
    return raw


def _server(user_id: str) -> str:
    return user_id.partition(":")[2]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _fail(ready: concurrent.futures.Future[None], main: concurrent.futures.Future) -> None:
    exc = main.exception() if not main.cancelled() else None
    if exc is not None:
        ready.set_exception(exc)
    else:
        ready.set_exception(RuntimeError("the Matrix bot stopped before it was in sync"))
