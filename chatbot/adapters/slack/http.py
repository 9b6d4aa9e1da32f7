"""HTTP mode: one Request URL, `POST /slack/events`, for commands, events and interactivity,
plus `GET /healthz`, served by waitress (a threaded, production WSGI server).

Waitress's request threads run only Bolt's signature check and our `ack` functions, which is
why they can be few; the slow work is on the bot's own pool. `HttpServer` can also run in a
background thread and be stopped, which the tests and the benchmark use (port 0 picks a free
port; `url` says which).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
THREADS = 4

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def routes(app: App | None, healthy: Callable[[], bool]) -> WSGIApp:
    """`/healthz` and, when `app` is given, Bolt at `/slack/events` (everything else 404).

    In Socket Mode there is no Bolt route: requests come over the socket, and an HTTP
    endpoint nobody signs for would only be something to attack.
    """
    bolt = SlackRequestHandler(app, path=EVENTS_PATH) if app is not None else None

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            ok = healthy()
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n" if ok else b"unhealthy: the database does not answer\n"]
        if bolt is not None and path == EVENTS_PATH:
            return bolt(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found\n"]

    return wsgi


class HttpServer:
    """Waitress on `host:port` (port 0: any free one)."""

    def __init__(self, wsgi: WSGIApp, *, host: str = "0.0.0.0", port: int = 3000,
                 threads: int = THREADS) -> None:
        self._server: Any = waitress.create_server(
            wsgi, host=host, port=port, threads=threads, ident="checkpost",
            connection_limit=200, channel_timeout=30)
        self.host = host
        self.port: int = self._server.effective_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (Ctrl-C, or SIGTERM turned into one)."""
        log.info("checkpost Slack app listening on %s:%s (%s, %s)", self.host, self.port,
                 EVENTS_PATH, HEALTH_PATH)
        self._server.run()

    def start(self) -> None:
        """Serve from a background thread."""
        self._thread = threading.Thread(target=self._server.run, name="checkpost-http",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listening socket and open connections, then the request threads.

        The closing is done by the server's own loop thread (through its trigger), since
        waitress's dispatchers are not thread-safe.
        """
        def close_all() -> None:
            for dispatcher in list(self._server._map.values()):
                dispatcher.close()

        if self._thread is not None:
            if self._thread.is_alive():
                # OSError: the loop closed its trigger already, so it has ended or is ending.
                with contextlib.suppress(OSError):
                    self._server.trigger.pull_trigger(close_all)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self._thread = None
        if self._thread is None:
            close_all()  # the loop has ended: whatever it left open is closed here, safely
        self._server.task_dispatcher.shutdown(timeout=timeout)
