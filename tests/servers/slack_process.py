"""`chatbot serve slack` as child processes on one database, for the tests that kill them.

`Bots.start()` runs one in HTTP mode (a `SlackSide` signs requests to it) or, with
`socket=True`, in Socket Mode (it connects to the stand-in of slack_socket.py through
apps.connections.open); both talk to the Web API stand-in of slack_api.py. The test reads the
database itself, read-only, to wait until nothing acknowledged is left to do (`idle`).
"""

from __future__ import annotations

import sqlite3
import urllib.request
from contextlib import closing

from chatbot.store import Store
from tests.servers.patience import START
from tests.servers.process import Serve, eventually, free_port
from tests.servers.slack_api import (
    APP_TOKEN,
    COMMS_CHANNEL,
    COMMS_USERS,
    SIGNING_SECRET,
    TOKEN,
    SlackAPI,
    SlackSide,
)


class Bots:
    """Starts `chatbot serve slack` processes on one database, one at a time."""

    def __init__(self, api: SlackAPI, tmp) -> None:
        self.api = api
        self.tmp = tmp
        self.db = str(tmp / "checkpost.db")
        self.running: list[Serve] = []

    def start(self, pause_at: str | None = None, *, socket: bool = False,
              **env: str) -> tuple[Serve, SlackSide]:
        """A bot, once its /healthz answers (in Socket Mode, wait for its connection too:
        the SlackSide it returns then gets 404s)."""
        port = free_port()
        mode = {"SLACK_APP_TOKEN": APP_TOKEN} if socket else \
            {"SLACK_SIGNING_SECRET": SIGNING_SECRET}
        serve = Serve.start("slack", {
            "CHECKPOST_DB": self.db, "PORT": str(port), "SLACK_BOT_TOKEN": TOKEN, **mode,
            "CHECKPOST_SLACK_API_URL": self.api.url,
            "CHECKPOST_SLACK_COMMS_CHANNEL": COMMS_CHANNEL,
            "CHECKPOST_SLACK_COMMS_USERS": ",".join(COMMS_USERS), **env,
        }, self.tmp, pause_at=pause_at)
        self.running.append(serve)
        base = f"http://127.0.0.1:{port}"
        eventually(lambda: _healthy(base) or serve.process.poll() is not None, START,
                   "the bot's /healthz")
        assert serve.process.poll() is None, serve.tail()
        return serve, SlackSide(base + "/slack/events", self.api)

    def stop_all(self) -> None:
        for serve in self.running:
            serve.stop()

    def stored(self, key: str) -> bool:
        """Whether the inbox holds the request with this idempotency key."""
        return self._read("SELECT 1 FROM inbox WHERE key = ?", key) is not None

    def history(self, number: int) -> list[str]:
        with Store(self.db) as store:
            return [e.action for e in store.audit_log(post=number)]

    def comms_ref(self, number: int) -> str | None:
        row = self._read("SELECT comms_ref FROM versions WHERE post = ? AND version = 1",
                         number)
        return row[0] if row else None

    def idle(self) -> bool:
        """Nothing acknowledged is waiting, and no message is left to send."""
        return self._read("SELECT (SELECT COUNT(*) FROM inbox WHERE done_at IS NULL)"
                          " + (SELECT COUNT(*) FROM jobs WHERE done_at IS NULL)") == (0,)

    def _read(self, sql: str, *params: object) -> tuple | None:
        """One read of the bot's file, read-only, so polling never takes its write lock."""
        with closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute(sql, params).fetchone()


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False
