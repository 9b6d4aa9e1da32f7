"""A real Synapse homeserver on 127.0.0.1, in a temporary directory, for the Matrix tests.

`Synapse.start(path)` writes a small configuration (SQLite, one client listener on a free
port, no federation, cheap password hashing, a registration shared secret), starts
`python -m synapse.app.homeserver` as a child process and waits for `/health`. Users are
registered through the shared-secret admin API (`/_synapse/admin/v1/register`), the way
`register_new_matrix_user` does it, so no client needs to log in.

Rate limits are raised high for everybody so the tests run at full speed; `limit_messages`
puts one user back under a tight per-user limit (the admin API's `override_ratelimit`) for
the test of HTTP 429 handling, and `unlimit_messages` lifts it again.

`MatrixUser` is a matrix-nio client for a test to act as a person: it sends messages,
edits, reactions and redactions, and `wait_for` an event with a long-polling sync (a
condition with a timeout, never a fixed sleep). All users share one `ClientLoop`, an asyncio
loop on a background thread, so the tests themselves stay synchronous.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from tests.servers.patience import WAIT
from tests.servers.process import terminate

T = TypeVar("T")

SERVER_NAME = "checkpost.test"
ADMIN = "synapse-admin"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Account:
    """A registered user: its full id, password, and the access token and device it got."""

    user_id: str
    password: str
    access_token: str
    device_id: str


class SynapseError(RuntimeError):
    """Synapse did not start, or an admin call failed; the message carries its log's tail."""


class Synapse:
    """One running homeserver. Use `Synapse.start(tmp_dir)` and `stop()` (or `with`)."""

    def __init__(self, root: Path, port: int, secret: str, process: subprocess.Popen) -> None:
        self.root = root
        self.port = port
        self.secret = secret
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.server_name = SERVER_NAME
        self._admin: Account | None = None

    # --- life ------------------------------------------------------------------------------

    @classmethod
    def start(cls, root: Path | str, *, timeout: float = START_TIMEOUT) -> Synapse:
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        secret = secrets.token_hex(16)
        config = _write_config(root, port, secret)
        log = (root / "stdout.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(config)],
            cwd=root, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        log.close()
        server = cls(root, port, secret, process)
        server._wait_healthy(timeout)
        return server

    def stop(self) -> None:
        terminate(self.process)

    def __enter__(self) -> Synapse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        text = ""
        for name in ("stdout.log", "homeserver.log"):
            path = self.root / name
            if path.exists():
                text += f"--- {name}\n" + "\n".join(
                    path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SynapseError(f"Synapse exited with {self.process.returncode}\n"
                                   + self.log_tail())
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            # The process is starting (imports take seconds); poll again shortly.
            time.sleep(0.05)
        self.stop()
        raise SynapseError(f"Synapse was not healthy within {timeout:.0f} s\n" + self.log_tail())

    # --- users -----------------------------------------------------------------------------

    def register(self, localpart: str, password: str | None = None, *,
                 admin: bool = False) -> Account:
        """Register `@localpart:checkpost.test` through the shared secret; return its session."""
        password = password or secrets.token_urlsafe(12)
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self.secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, localpart, password):
            mac.update(part.encode())
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        body = {"nonce": nonce, "username": localpart, "password": password, "admin": admin,
                "mac": mac.hexdigest()}
        data = self.request("POST", "/_synapse/admin/v1/register", body)
        return Account(data["user_id"], password, data["access_token"], data["device_id"])

    @property
    def admin(self) -> Account:
        if self._admin is None:
            self._admin = self.register(ADMIN, admin=True)
        return self._admin

    def limit_messages(self, user_id: str, per_second: int = 1, burst: int = 1) -> None:
        """Put `user_id` under a tight message rate limit (Synapse answers 429 past it)."""
        self._override(user_id, {"messages_per_second": per_second, "burst_count": burst})

    def unlimit_messages(self, user_id: str) -> None:
        """No message rate limit at all for `user_id` (0 means unlimited to Synapse)."""
        self._override(user_id, {"messages_per_second": 0, "burst_count": 0})

    def devices(self, user_id: str) -> list[str]:
        path = f"/_synapse/admin/v2/users/{urllib.parse.quote(user_id)}/devices"
        data = self.request("GET", path, token=self.admin.access_token)
        return sorted(d["device_id"] for d in data["devices"])

    def _override(self, user_id: str, body: dict[str, int]) -> None:
        path = f"/_synapse/admin/v1/users/{urllib.parse.quote(user_id)}/override_ratelimit"
        self.request("POST", path, body, token=self.admin.access_token)

    # --- HTTP ------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, *,
                token: str | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SynapseError(f"{method} {path}: HTTP {exc.code} "
                               f"{exc.read().decode(errors='replace')}") from None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_LIMITLESS = {"per_second": 1000, "burst_count": 1000}


def _write_config(root: Path, port: int, secret: str) -> Path:
    """A homeserver.yaml for tests: fast, local, quiet. JSON is valid YAML, so no writer needed."""
    from signedjson.key import generate_signing_key, write_signing_keys

    key_path = root / "signing.key"
    if not key_path.exists():
        with key_path.open("w") as handle:
            write_signing_keys(handle, [generate_signing_key("a_test")])
    log_config = root / "log.yaml"
    log_config.write_text(json.dumps({
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain",
                              "filename": str(root / "homeserver.log")}},
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }))
    config = {
        "server_name": SERVER_NAME,
        "pid_file": str(root / "homeserver.pid"),
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http",
                       "tls": False, "x_forwarded": False,
                       "resources": [{"names": ["client"], "compress": False}]}],
        "database": {"name": "sqlite3", "args": {"database": str(root / "homeserver.db")}},
        "log_config": str(log_config),
        "media_store_path": str(root / "media"),
        "signing_key_path": str(key_path),
        "registration_shared_secret": secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "enable_registration": False,
        "bcrypt_rounds": 4,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "enable_metrics": False,
        "federation_domain_whitelist": [],
        "rc_message": _LIMITLESS,
        "rc_registration": _LIMITLESS,
        "rc_login": {"address": _LIMITLESS, "account": _LIMITLESS,
                     "failed_attempts": _LIMITLESS},
        "rc_joins": {"local": _LIMITLESS, "remote": _LIMITLESS},
        "rc_joins_per_room": _LIMITLESS,
        "rc_invites": {"per_room": _LIMITLESS, "per_user": _LIMITLESS,
                       "per_issuer": _LIMITLESS},
        "rc_room_creation": _LIMITLESS,
        "rc_admin_redaction": _LIMITLESS,
    }
    path = root / "homeserver.yaml"
    path.write_text(json.dumps(config, indent=2))
    return path


# --- clients ---------------------------------------------------------------------------------


class ClientLoop:
    """An asyncio loop on a daemon thread, shared by every `MatrixUser` of a test session."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="test-matrix-clients",
                                        daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


Match = Callable[[str, dict[str, Any]], bool]


class MatrixUser:
    """A person on the test homeserver, acting through matrix-nio with their own session."""

    def __init__(self, server: Synapse, account: Account, loop: ClientLoop, *,
                 auto_join: bool = True) -> None:
        from nio import AsyncClient, AsyncClientConfig

        self.server = server
        self.account = account
        self.user_id = account.user_id
        self.loop = loop
        self.auto_join = auto_join
        self.client = AsyncClient(
            server.url, account.user_id, device_id=account.device_id,
            config=AsyncClientConfig(encryption_enabled=False, store_sync_tokens=False))
        self.client.access_token = account.access_token
        self.client.user_id = account.user_id
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._since: str | None = None
        self._lock = threading.Lock()

    def set_display_name(self, name: str) -> None:
        """Set this person's profile display name (the client-server API, as a client does)."""
        path = f"/_matrix/client/v3/profile/{urllib.parse.quote(self.user_id)}/displayname"
        self.server.request("PUT", path, {"displayname": name},
                            token=self.account.access_token)

    def close(self) -> None:
        self.loop.run(self.client.close())

    # --- acting ----------------------------------------------------------------------------

    def create_room(self, *, invite: Iterable[str] = (), name: str | None = None,
                    encrypted: bool = False, direct: bool = False) -> str:
        from nio import RoomCreateResponse, RoomPreset

        state = [{"type": "m.room.encryption", "state_key": "",
                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}}] if encrypted else []
        response = self.loop.run(self.client.room_create(
            name=name, invite=list(invite), is_direct=direct, initial_state=state,
            preset=RoomPreset.private_chat))
        assert isinstance(response, RoomCreateResponse), response
        return response.room_id

    def invite(self, room_id: str, user_id: str) -> None:
        from nio import RoomInviteResponse

        response = self.loop.run(self.client.room_invite(room_id, user_id))
        assert isinstance(response, RoomInviteResponse), response

    def join(self, room_id: str) -> None:
        from nio import JoinResponse

        response = self.loop.run(self.client.join(room_id))
        assert isinstance(response, JoinResponse), response

    def send(self, room_id: str, content: dict[str, Any],
             event_type: str = "m.room.message") -> str:
        from nio import RoomSendResponse

        response = self.loop.run(self.client.room_send(room_id, event_type, content))
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    def say(self, room_id: str, text: str, *, thread: str | None = None) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": text}
        if thread:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread,
                                       "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread}}
        return self.send(room_id, content)

    def edit(self, room_id: str, event_id: str, text: str) -> str:
        return self.send(room_id, {
            "msgtype": "m.text", "body": f"* {text}",
            "m.new_content": {"msgtype": "m.text", "body": text},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}})

    def react(self, room_id: str, event_id: str, key: str) -> str:
        return self.send(room_id, {"m.relates_to": {"rel_type": "m.annotation",
                                                    "event_id": event_id, "key": key}},
                         "m.reaction")

    def redact(self, room_id: str, event_id: str) -> str:
        from nio import RoomRedactResponse

        response = self.loop.run(self.client.room_redact(room_id, event_id))
        assert isinstance(response, RoomRedactResponse), response
        return response.event_id

    # --- watching --------------------------------------------------------------------------

    def sync(self, timeout_ms: int = 0) -> None:
        """One sync: record new timeline events, accept invites (when `auto_join`)."""
        from nio import SyncResponse

        with self._lock:
            response = self.loop.run(self.client.sync(
                timeout=timeout_ms, since=self._since,
                sync_filter={"presence": {"types": []}, "room": {"timeline": {"limit": 200}}}))
            assert isinstance(response, SyncResponse), response
            self._since = response.next_batch
            for room_id, info in response.rooms.join.items():
                self.events.extend((room_id, dict(e.source)) for e in info.timeline.events)
            if self.auto_join:
                for room_id in response.rooms.invite:
                    self.join(room_id)

    def mark(self) -> int:
        """Catch up, and return the position from which later `wait_for`s look."""
        self.sync()
        return len(self.events)

    def wait_for(self, match: Match, *, timeout: float = WAIT, after: int = 0,
                 what: str = "the event") -> tuple[str, dict[str, Any]]:
        """The first event at or after position `after` that `match`es, syncing until one
        arrives or `timeout` seconds pass (then the assertion names what was seen)."""
        deadline = time.monotonic() + timeout
        index = after
        while True:
            for room_id, event in self.events[index:]:
                if match(room_id, event):
                    return room_id, event
            index = max(index, len(self.events))
            left = deadline - time.monotonic()
            if left <= 0:
                seen = "\n".join(_summary(r, e) for r, e in self.events[after:][-15:])
                raise AssertionError(f"{self.user_id} did not see {what} within {timeout} s; "
                                     f"last events:\n{seen}")
            self.sync(timeout_ms=int(min(left, 2.0) * 1000))

    def seen(self, match: Match, *, after: int = 0) -> list[tuple[str, dict[str, Any]]]:
        return [(r, e) for r, e in self.events[after:] if match(r, e)]


@dataclass
class Cast:
    """The people of the Matrix tests: a staff member (Ravi), the comms team (Ana, Ben,
    Chitra) and someone outside it (Oscar)."""

    ravi: MatrixUser
    ana: MatrixUser
    ben: MatrixUser
    chitra: MatrixUser
    oscar: MatrixUser

    #: What each person calls themselves on the homeserver; the bot's messages show these.
    DISPLAY_NAMES: ClassVar[dict[str, str]] = {
        "ravi": "Ravi Hegde", "ana": "Ana Rao", "ben": "Ben Thomas",
        "chitra": "Chitra Iyer", "oscar": "Oscar Dsouza",
    }

    @classmethod
    def register(cls, server: Synapse, loop: ClientLoop) -> Cast:
        users = {name: MatrixUser(server, server.register(name), loop)
                 for name in ("ravi", "ana", "ben", "chitra", "oscar")}
        for name, user in users.items():
            user.set_display_name(cls.DISPLAY_NAMES[name])
        return cls(**users)

    def close(self) -> None:
        for user in (self.ravi, self.ana, self.ben, self.chitra, self.oscar):
            user.close()


def _summary(room_id: str, event: dict[str, Any]) -> str:
    content = event.get("content") or {}
    body = content.get("body") or content.get("membership") or content.get("m.relates_to") or ""
    return f"  {room_id[:12]} {event.get('sender')} {event.get('type')}: {str(body)[:100]!r}"
