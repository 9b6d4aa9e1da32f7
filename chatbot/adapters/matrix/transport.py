"""The connection to the homeserver: nio's client on its own event loop, and requests that
wait out rate limits and retry a lost connection, so the rest of the adapter can just ask.

nio's own retry loop is switched off (`max_limit_exceeded=0`, `max_timeouts=0`) and done
here instead, so every wait is logged through checkpost's logger with what was being done,
bounded by a patience per request, and cancellable when the bot stops:

- HTTP 429 / `M_LIMIT_EXCEEDED`: wait `retry_after_ms` (or a back-off when the server gives
  none), then send again;
- a lost connection, a timeout or a 5xx: retry with exponential back-off and jitter, log
  each failure and, once it works again, that the connection is back;
- anything else (`M_FORBIDDEN`, `M_NOT_FOUND`, ...): raise `MatrixError` at once.

A retried send reuses its transaction id, so the homeserver stores it once even when the
first attempt did arrive and only its answer was lost.

The port's methods are synchronous and run on other threads (handlers, the reminder
scheduler); `call` hands a coroutine to the loop and waits for it. Calling it from the loop's
own thread would deadlock, so that raises instead.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import random
import threading
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, TypeVar

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    LoginResponse,
    MessageDirection,
    ProfileGetDisplayNameResponse,
    Response,
    RoomCreateResponse,
    RoomGetEventResponse,
    RoomGetStateEventResponse,
    RoomMessagesResponse,
    RoomPreset,
    RoomResolveAliasResponse,
    RoomSendResponse,
    SyncResponse,
    WhoamiResponse,
)

log = logging.getLogger("chatbot.adapters.matrix")

T = TypeVar("T")
R = TypeVar("R", bound=Response)

#: How long a send may keep retrying before the port reports it undelivered.
SEND_PATIENCE = 120.0
#: A display name is a nicety: a few seconds, then the message names the id.
NAME_PATIENCE = 5.0
MAX_BACKOFF = 30.0
_TRANSIENT = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, ConnectionError)


class MatrixError(RuntimeError):
    """The homeserver refused a request (or it could not be sent in time).

    The message names what was being done and the server's error code, never a token."""

    def __init__(self, what: str, code: str | None, message: str) -> None:
        super().__init__(f"{what}: {code or 'error'} {message}".strip())
        self.what = what
        self.code = code or ""


class Connection:
    """One account's session on one homeserver, with the event loop it runs on."""

    def __init__(self, homeserver: str, user_id: str, *, max_backoff: float = MAX_BACKOFF) -> None:
        self.client = AsyncClient(
            homeserver, user_id,
            config=AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0, request_timeout=30,
                                     encryption_enabled=False, store_sync_tokens=False),
        )
        self.user_id = user_id
        self.max_backoff = max_backoff
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- the loop and its thread -----------------------------------------------------------

    def start_loop(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            ready.set()
            self.loop.run_forever()

        self._thread = threading.Thread(target=run, name="checkpost-matrix", daemon=True)
        self._thread.start()
        ready.wait()

    def stop_loop(self, timeout: float = 10.0) -> None:
        """Cancel what is still running on the loop (threads waiting in `call` get an error
        instead of waiting forever), close the HTTP session and stop the loop."""
        if self.loop is None or self._thread is None:
            return
        try:
            self.call(self._cancel_all_and_close(), timeout=timeout)
        except Exception as exc:  # closing is best effort; the process may be going away
            log.debug("closing the Matrix session: %s", exc)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()
        self._thread = None

    async def _cancel_all_and_close(self) -> None:
        current = asyncio.current_task()
        others = [t for t in asyncio.all_tasks() if t is not current]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await self.client.close()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the loop from another thread and wait for its result."""
        if self.loop is None or self.loop.is_closed() or not self.loop.is_running():
            coro.close()
            raise MatrixError("sending", "M_NOT_CONNECTED", "the bot is not connected")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("Connection.call from the event loop thread would deadlock")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise MatrixError("sending", "M_TIMEOUT", f"no answer within {timeout:.0f} s") \
                from None
        except concurrent.futures.CancelledError:
            raise MatrixError("sending", "M_NOT_CONNECTED", "the bot is stopping") from None

    # --- requests with retries -------------------------------------------------------------

    async def request(self, what: str, make: Callable[[], Awaitable[Response]],
                      expect: type[R], *, patience: float | None = SEND_PATIENCE) -> R:
        """`make()` until it succeeds, waiting out 429s and retrying transient failures.

        `patience` bounds the whole (None: retry until cancelled, for the sync loop)."""
        loop = asyncio.get_running_loop()
        deadline = None if patience is None else loop.time() + patience
        failures = 0
        while True:
            problem = ""
            try:
                response = await make()
            except _TRANSIENT as exc:
                problem = f"lost the connection to the homeserver ({_describe(exc)})"
                wait = self._backoff(failures)
            else:
                if isinstance(response, expect):
                    if failures:
                        log.info("%s: the homeserver answers again after %d failed attempt(s)",
                                 what, failures)
                    return response
                status = getattr(getattr(response, "transport_response", None), "status", None)
                code = getattr(response, "status_code", None)
                message = getattr(response, "message", "") or "unexpected answer"
                if status == 429 or code == "M_LIMIT_EXCEEDED":
                    retry_ms = getattr(response, "retry_after_ms", None)
                    wait = retry_ms / 1000 if retry_ms else self._backoff(failures)
                    log.warning("%s: rate limited by the homeserver (429 %s); waiting %.2f s",
                                what, code or "M_LIMIT_EXCEEDED", wait)
                    if deadline is not None and loop.time() + wait > deadline:
                        raise MatrixError(what, code or "M_LIMIT_EXCEEDED",
                                          f"still rate limited after {patience:.0f} s")
                    await asyncio.sleep(wait)
                    continue
                if status is not None and status >= 500:
                    problem = f"the homeserver answered HTTP {status}"
                    wait = self._backoff(failures)
                else:
                    raise MatrixError(what, code, message)
            failures += 1
            if deadline is not None and loop.time() + wait > deadline:
                raise MatrixError(what, "M_UNREACHABLE", f"{problem}; gave up after "
                                  f"{failures} attempt(s)")
            log.warning("%s: %s; retrying in %.1f s (attempt %d)", what, problem, wait,
                        failures + 1)
            await asyncio.sleep(wait)

    def _backoff(self, failures: int) -> float:
        return min(self.max_backoff, 0.5 * 2 ** failures) * random.uniform(0.8, 1.2)

    # --- what the adapter asks -------------------------------------------------------------

    async def login_with_password(self, password: str, device_id: str | None) -> LoginResponse:
        self.client.device_id = device_id or ""
        return await self.request(
            "logging in", lambda: self.client.login(password, device_name="checkpost"),
            LoginResponse, patience=None)

    async def use_access_token(self, token: str) -> WhoamiResponse:
        self.client.access_token = token
        self.client.user_id = self.user_id
        response = await self.request("checking the access token", self.client.whoami,
                                      WhoamiResponse, patience=None)
        self.client.device_id = response.device_id or ""
        return response

    async def sync(self, since: str | None, timeout_ms: int,
                   sync_filter: Mapping[str, Any]) -> SyncResponse:
        return await self.request(
            "syncing",
            lambda: self.client.sync(timeout=timeout_ms, since=since,
                                     sync_filter=dict(sync_filter)),
            SyncResponse, patience=None)

    async def send(self, room_id: str, content: Mapping[str, Any], *, txn: str | None = None,
                   event_type: str = "m.room.message") -> str:
        """Send an event; returns its id. Every retry reuses one transaction id (`txn`, or a
        fresh one), so the homeserver stores the event once however often it is retried."""
        txn = txn or uuid.uuid4().hex
        response = await self.request(
            f"sending to {room_id}",
            lambda: self.client.room_send(room_id, event_type, dict(content), tx_id=txn),
            RoomSendResponse)
        return response.event_id

    async def join(self, room: str) -> str:
        response = await self.request(f"joining {room}", lambda: self.client.join(room),
                                      JoinResponse)
        return response.room_id

    async def resolve_alias(self, alias: str) -> str:
        response = await self.request(f"resolving {alias}",
                                      lambda: self.client.room_resolve_alias(alias),
                                      RoomResolveAliasResponse)
        return response.room_id

    async def create_direct_room(self, user_id: str) -> str:
        """A new private room with `user_id` invited, flagged as a direct chat. Unencrypted,
        so that the bot can read what the person answers in it."""
        response = await self.request(
            f"opening a direct chat with {user_id}",
            lambda: self.client.room_create(is_direct=True, invite=[user_id],
                                            preset=RoomPreset.trusted_private_chat),
            RoomCreateResponse)
        return response.room_id

    async def event(self, room_id: str, event_id: str) -> dict[str, Any] | None:
        try:
            response = await self.request(
                f"reading {event_id}", lambda: self.client.room_get_event(room_id, event_id),
                RoomGetEventResponse)
        except MatrixError:
            return None
        return dict(response.event.source)

    async def display_name(self, user_id: str) -> str | None:
        """`user_id`'s display name from their profile, or None (none set, or unreachable)."""
        try:
            response = await self.request(
                f"reading the display name of {user_id}",
                lambda: self.client.get_displayname(user_id), ProfileGetDisplayNameResponse,
                patience=NAME_PATIENCE)
        except MatrixError:
            return None
        return response.displayname or None

    async def state_text(self, room_id: str, event_type: str, field: str) -> str:
        """One field of a room's state event (its name, its canonical alias), or ""."""
        try:
            response = await self.request(
                f"reading {event_type} of {room_id}",
                lambda: self.client.room_get_state_event(room_id, event_type),
                RoomGetStateEventResponse)
        except MatrixError:
            return ""
        value = response.content.get(field)
        return value if isinstance(value, str) else ""

    async def history_between(self, room_id: str, start: str, end: str,
                              limit: int = 1000) -> list[dict[str, Any]]:
        """Events from `end` (older) to `start` (newer), oldest first: the gap a limited sync
        timeline left since the last batch."""
        events: list[dict[str, Any]] = []
        token = start
        while len(events) < limit:
            response = await self.request(
                f"reading the history of {room_id}",
                lambda token=token: self.client.room_messages(
                    room_id, start=token, end=end, direction=MessageDirection.back, limit=100),
                RoomMessagesResponse)
            events.extend(dict(e.source) for e in response.chunk)
            if not response.chunk or not response.end or response.end == token:
                break
            token = response.end
        events.reverse()
        return events


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
