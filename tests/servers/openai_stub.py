"""An OpenAI-compatible chat completions server on 127.0.0.1, scripted by the test.

It speaks just enough of the API for checkpost's tone review: `POST /v1/chat/completions`
answers with the next scripted `Reply` (status, headers, body, an optional delay before
answering), and every request is recorded so a test can assert on the prompt and the
`response_format` it was sent. It is a real HTTP server on a free port, so the openai client,
its timeouts and its error handling run exactly as they would against a real endpoint.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Reply:
    """One scripted answer. A dict body is sent as JSON; `delay` is slept before answering, and
    `trickle` seconds between the body's bytes (a server that is never silent long enough for a
    read timeout, yet never finishes)."""

    status: int = 200
    body: dict[str, Any] | str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0


def completion(content: str | None, finish_reason: str = "stop") -> Reply:
    """A 200 chat.completion whose one choice says `content`."""
    return Reply(
        body={
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "stub-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "finish_reason": finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )


def answer(findings: list[dict[str, Any]], rewrite: str | None = None, **extra: Any) -> Reply:
    """A completion carrying a review answer in the shape the prompt asks for."""
    return completion(json.dumps({"findings": findings, "rewrite": rewrite, **extra}))


def error(status: int, message: str, headers: dict[str, str] | None = None, **fields: Any) -> Reply:
    """An error answer in OpenAI's `{"error": {"message", "type", ...}}` shape."""
    return Reply(
        status=status,
        body={"error": {"message": message, "type": "invalid_request_error", **fields}},
        headers=headers or {},
    )


class OpenAIStub:
    """The server, its script of replies and its record of requests. Use as a context manager."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL to give the openai client (`OPENAI_BASE_URL`)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order, one per request."""
        with self._lock:
            self.replies.extend(replies)

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()  # wakes any handler still sleeping through a delay
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _next(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.replies:
                return self.replies.popleft()
        return error(500, "openai stub: no scripted reply left for this request")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != PATH:
                    self._send(Reply(404, {"error": {"message": f"no route {self.path}"}}))
                    return
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = None
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = stub._next({"path": self.path, "headers": headers, "json": payload})
                if reply.delay and stub._stopping.wait(reply.delay):
                    return
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = body.encode("utf-8")
                try:
                    self.send_response(reply.status)
                    content_type = "application/json" if isinstance(reply.body, dict) else (
                        "text/plain"
                    )
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if not reply.trickle:
                        self.wfile.write(data)
                        return
                    for i in range(len(data)):
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                        if stub._stopping.wait(reply.trickle):
                            return
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (a timeout test); nothing to tell it

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output quiet

        return Handler
