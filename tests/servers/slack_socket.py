"""A stand-in for Slack's Socket Mode endpoint: a real WebSocket server on 127.0.0.1.

Slack's side of Socket Mode: the app calls `apps.connections.open` with its app-level token
(the Web API stand-in answers with `url` here), opens a WebSocket to it, gets `hello`, and
then receives envelopes (`{"envelope_id", "type": "slash_commands" | "events_api" |
"interactive", "payload", "accepts_response_payload", "retry_attempt"}`), each of which it
acknowledges by sending `{"envelope_id": …, "payload": …}` back. This server is aiohttp's
WebSocket server (what slack_sdk's own Socket Mode tests use), and records every
acknowledgement; a test pushes envelopes (`push`), redelivers one as Slack does when no
acknowledgement came (`redeliver`, with `retry_attempt` counting up), cuts the connection
(`drop`), and waits for conditions (`wait_ack`, `wait_connections`) with a timeout.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from tests.servers.patience import START, WAIT
from tests.servers.slack_api import SlackAPI, command_form, event_body, reaction_event


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    connection: int  # which connection it came over, counting from 1


class SocketModeServer:
    """Use as a context manager; sets `api.socket_url` so apps.connections.open finds it."""

    def __init__(self, api: SlackAPI) -> None:
        self.api = api
        self.acks: list[Ack] = []
        self.sent: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self._open: dict[int, web.WebSocketResponse] = {}
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="socket-mode",
                                        daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- life ------------------------------------------------------------------------------

    def __enter__(self) -> SocketModeServer:
        self._thread.start()
        self._call(self._start())
        self.api.socket_url = f"ws://127.0.0.1:{self.port}/link"
        return self

    def __exit__(self, *exc: object) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        app = web.Application()
        app.add_routes([web.get("/link", self._link)])
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop(self) -> None:
        for ws in list(self._open.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what Slack does -------------------------------------------------------------------

    def push(self, envelope: dict[str, Any], timeout: float = WAIT) -> str:
        """Send an envelope over the current connection (waiting for one); its id."""
        self.wait_for(lambda: self._open, timeout, "an open Socket Mode connection")
        with self._changed:
            number = max(self._open)
            ws = self._open[number]
            self.sent[envelope["envelope_id"]] = envelope
        self._call(ws.send_str(json.dumps(envelope)))
        return envelope["envelope_id"]

    def redeliver(self, envelope_id: str) -> str:
        """Send an envelope again, as Slack does when it saw no acknowledgement."""
        envelope = dict(self.sent[envelope_id])
        envelope["retry_attempt"] = int(envelope.get("retry_attempt") or 0) + 1
        envelope["retry_reason"] = "timeout"
        return self.push(envelope)

    def drop(self) -> None:
        """Cut every open connection (the app should open a new one)."""
        async def close_all() -> None:
            for ws in list(self._open.values()):
                await ws.close(code=1001, message=b"dropped by the test")

        self._call(close_all())

    # --- what happened ---------------------------------------------------------------------

    def acks_of(self, envelope_id: str) -> list[Ack]:
        with self._changed:
            return [a for a in self.acks if a.envelope_id == envelope_id]

    def wait_ack(self, envelope_id: str, count: int = 1, timeout: float = WAIT) -> Ack:
        found = self.wait_for(lambda: len(self.acks_of(envelope_id)) >= count
                              and self.acks_of(envelope_id), timeout,
                              f"{count} ack(s) of {envelope_id}")
        return found[-1]

    def wait_connections(self, count: int, timeout: float = START) -> None:
        self.wait_for(lambda: self.connections >= count and self._open, timeout,
                      f"Socket Mode connection number {count}")

    def wait_for(self, condition: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := condition()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}")
                self._changed.wait(left)
            return result

    # --- the endpoint ----------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # answers the client's pings by itself
        await ws.prepare(request)
        with self._changed:
            self.connections += 1
            number = self.connections
            self._open[number] = ws
            self._changed.notify_all()
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A0CHECKPOST"},
                                      "debug_info": {"host": "checkpost-test"}}))
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                if "envelope_id" in data:
                    with self._changed:
                        self.acks.append(Ack(data["envelope_id"], data.get("payload"), number))
                        self._changed.notify_all()
        finally:
            with self._changed:
                self._open.pop(number, None)
                self._changed.notify_all()
        return ws

    def _call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)


# --- envelopes -------------------------------------------------------------------------------


def command_envelope(api: SlackAPI, user: str, text: str, **form: Any) -> dict[str, Any]:
    return _envelope("slash_commands", command_form(api, user, text, **form), True)


def reaction_envelope(user: str, name: str, channel: str, ts: str, *,
                      event_id: str | None = None) -> dict[str, Any]:
    return _envelope("events_api", event_body(reaction_event(user, name, channel, ts),
                                              event_id=event_id), False)


def interactive_envelope(payload: dict[str, Any]) -> dict[str, Any]:
    return _envelope("interactive", payload, payload.get("type") == "view_submission")


def _envelope(kind: str, payload: dict[str, Any], accepts: bool) -> dict[str, Any]:
    return {"envelope_id": str(uuid.uuid4()), "type": kind, "payload": payload,
            "accepts_response_payload": accepts, "retry_attempt": 0, "retry_reason": ""}
