"""Slack's two halves, on 127.0.0.1, for tests and the benchmark.

`SlackAPI` is a Web API server speaking the methods checkpost calls (auth.test,
chat.postMessage, chat.update, chat.postEphemeral, chat.getPermalink, conversations.open,
views.open, users.info, conversations.info, and apps.connections.open with the app-level token, which answers the URL
of the Socket Mode stand-in in slack_socket.py) plus `response_url`s, recording every call. It answers like Slack: JSON
or form bodies, `{"ok": true, …}`, message timestamps that count up, `D…` channels for
direct messages, `invalid_auth` for a wrong token. A test can make a method answer 429 with
`Retry-After` (`rate_limit`) or fail with a Slack error (`fail`) the next N times, and wait
on a condition over the recorded calls (`wait_for`), never sleeping to synchronise.

`SlackSide` is Slack sending to the app: slash commands, Events API callbacks and
interactive payloads, each signed with the signing secret (HMAC-SHA256 `v0`) exactly as Slack
does, over real HTTP, with optional retry headers or a forged signature or stale timestamp.

`RunningBot` is the app under test between them, as `chatbot serve slack` runs it (the tests
and bench/slack_latency.py share it).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.servers.patience import WAIT

TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER = "U0CHECKBOT"
TEAM = "T0CHECKPOST"
COMMS_CHANNEL = "C0COMMS"
COMMS_USERS = ("U0ANA", "U0BEN")


@dataclass
class Call:
    """One request the app made: the method (or `response_url` path), its arguments, and what
    the server answered."""

    method: str
    args: dict[str, Any]
    token: str
    status: int = 200
    answer: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        """Everything a person would read in it: the fallback text and every block's text."""
        return self.args.get("text", "") + "\n" + _blocks_text(self.args.get("blocks"))


@dataclass
class _Script:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int
    match: dict[str, Any] = field(default_factory=dict)


class SlackAPI:
    """The Web API server. Use as a context manager; `url` is the WebClient's base URL."""

    def __init__(self, token: str = TOKEN, app_token: str = APP_TOKEN) -> None:
        self.token = token
        self.app_token = app_token
        #: what apps.connections.open answers: the Socket Mode stand-in's URL, once one runs
        self.socket_url = ""
        self.calls: list[Call] = []
        self._scripts: dict[str, list[_Script]] = {}
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        #: Display names `users.info` answers with (profile.display_name), by user id.
        self.display_names: dict[str, str] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="slack-api", daemon=True)

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> SlackAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return self.base + "/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/respond/{name}"

    # --- scripting -------------------------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` get 429 with `Retry-After: retry_after`."""
        self._script(method, _Script(429, {"ok": False, "error": "ratelimited"},
                                     {"Retry-After": str(retry_after)}, times))

    def fail(self, method: str, error: str, times: int = 1, **match: Any) -> None:
        """The next `times` calls of `method` (whose arguments include `match`, e.g.
        `channel="C0COMMS"`) answer `{"ok": false, "error": error}`."""
        self._script(method, _Script(200, {"ok": False, "error": error}, {}, times, match))

    def _script(self, method: str, script: _Script) -> None:
        with self._changed:
            self._scripts.setdefault(method, []).append(script)

    # --- what happened ---------------------------------------------------------------------

    def of(self, method: str, **match: Any) -> list[Call]:
        """The successful calls of `method` whose arguments include `match`."""
        with self._changed:
            return [c for c in self.calls if c.method == method and c.status == 200
                    and c.answer.get("ok", True)
                    and all(c.args.get(k) == v for k, v in match.items())]

    def attempts(self, method: str) -> list[Call]:
        """Every call of `method`, refused ones (429, errors) included."""
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, condition: Callable[[], Any], timeout: float = WAIT,
                 what: str = "") -> Any:
        """Block until `condition()` is truthy (checked whenever a call arrives); return it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = condition()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = "\n".join(f"  {c.method} {c.status} {c.args}"[:300]
                                     for c in self.calls[-15:])
                    raise AssertionError(f"timed out waiting for {what or condition}; "
                                         f"last calls:\n{seen}")
                self._changed.wait(left)

    def wait_calls(self, method: str, count: int = 1, timeout: float = WAIT,
                   **match: Any) -> list[Call]:
        """Block until `method` was called successfully `count` times with `match`."""
        return self.wait_for(lambda: (found := self.of(method, **match)) and len(found) >= count
                             and found, timeout, f"{count}× {method} {match}")

    def dms_to(self, user: str) -> list[Call]:
        """Messages posted in `user`'s direct-message channel."""
        return self.of("chat.postMessage", channel=dm_channel(user))

    # --- the server ------------------------------------------------------------------------

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://checkpost-test.slack.com/", "team": "Test",
                    "user": "checkpost", "team_id": TEAM, "user_id": BOT_USER,
                    "bot_id": "B0CHECKBOT", "is_enterprise_install": False}
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            if channel.startswith(("U", "W")):
                channel = dm_channel(channel)
            return {"ok": True, "channel": channel, "ts": self._next_ts(),
                    "message": {"text": args.get("text", ""), "user": BOT_USER}}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"),
                    "text": args.get("text", "")}
        if method == "chat.getPermalink":
            channel, ts = str(args.get("channel", "")), str(args.get("message_ts", ""))
            if not channel or not ts:
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": channel,
                    "permalink": permalink(channel, ts)}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": dm_channel(str(args.get("users", "")))}}
        if method in ("views.open", "views.push", "views.update"):
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view or {}
            return {"ok": True, "view": {**view, "id": f"V{next(self._views):08d}",
                                         "hash": "h1", "team_id": TEAM}}
        if method == "users.info":
            user = str(args.get("user", ""))
            if not user.startswith(("U", "W")):
                return {"ok": False, "error": "user_not_found"}
            shown = self.display_names.get(user, "")
            return {"ok": True, "user": {"id": user, "name": user.lower(), "tz": "Asia/Kolkata",
                                         "real_name": shown,
                                         "profile": {"display_name": shown, "real_name": shown}}}
        if method == "conversations.history":
            return {"ok": True, "messages": self._history(str(args.get("channel", "")),
                                                          _truthy(args.get("include_all_metadata")),
                                                          int(args.get("limit") or 100)),
                    "has_more": False}
        if method == "conversations.info":
            return {"ok": True, "channel": {"id": args.get("channel"), "name": "comms"}}
        if method == "apps.connections.open" and self.socket_url:
            return {"ok": True, "url": self.socket_url}
        return {"ok": False, "error": "unknown_method"}

    def _history(self, channel: str, metadata: bool, limit: int) -> list[dict[str, Any]]:
        """The channel's top-level messages, newest first, as conversations.history gives them
        (metadata only when asked for, as Slack does)."""
        with self._changed:
            posted = [c for c in self.calls if c.method == "chat.postMessage"
                      and c.status == 200 and c.answer.get("ok")
                      and c.answer.get("channel") == channel and not c.args.get("thread_ts")]
        messages = []
        for call in reversed(posted[-limit:]):
            message = {"type": "message", "user": BOT_USER, "ts": call.answer["ts"],
                       "text": call.args.get("text", "")}
            if metadata and call.args.get("metadata"):
                given = call.args["metadata"]
                message["metadata"] = json.loads(given) if isinstance(given, str) else given
            messages.append(message)
        return messages

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _handle(self, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, str], Any]:
        if path.startswith("/respond/"):
            args = {**json.loads(raw or b"{}"), "_to": path.rsplit("/", 1)[-1]}
            self._record(Call("response_url", args, "", 200, {"ok": True}))
            return 200, {}, "ok"
        if not path.startswith("/api/"):
            return 404, {}, "not found"
        method = path[len("/api/"):]
        args = _parse_args(headers.get("Content-Type", ""), raw)
        token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
        token = token or str(args.pop("token", ""))
        with self._changed:
            queue = self._scripts.get(method) or []
            script = next((s for s in queue if all(args.get(k) == v
                                                   for k, v in s.match.items())), None)
            if script is not None:
                script.times -= 1
                if script.times <= 0:
                    queue.remove(script)
        if script is not None:
            self._record(Call(method, args, token, script.status, script.body))
            return script.status, script.headers, script.body
        wanted = self.app_token if method == "apps.connections.open" else self.token
        answer = (self._answer(method, args) if token == wanted
                  else {"ok": False, "error": "invalid_auth"})
        self._record(Call(method, args, token, 200, answer))
        return 200, {}, answer

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urllib.parse.urlsplit(self.path).path
                status, headers, body = api._handle(path, self.headers, raw)
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _truthy(value: Any) -> bool:
    return str(value).lower() not in ("", "0", "false", "none")


def permalink(channel: str, ts: str) -> str:
    """What `chat.getPermalink` answers for the message `channel`/`ts`, as Slack writes it."""
    return f"https://checkpost-test.slack.com/archives/{channel}/p{ts.replace('.', '')}"


def dm_channel(user: str) -> str:
    """The direct-message channel this server gives `user` (`U123` → `D123`)."""
    return "D" + user[1:]


def _parse_args(content_type: str, raw: bytes) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or b"{}")
    args: dict[str, Any] = dict(urllib.parse.parse_qsl(raw.decode()))
    for name in ("blocks", "view", "attachments"):
        if isinstance(args.get(name), str):
            args[name] = json.loads(args[name])
    return args


def _blocks_text(blocks: Any) -> str:
    """Every `text` string inside a block structure, joined (for assertions on content)."""
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return blocks
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


# --- Slack sending to the app ----------------------------------------------------------------


_IDS = itertools.count(1)


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    elapsed: float

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}


class SlackSide:
    """Signed requests to the app's Request URL, as Slack sends them."""

    def __init__(self, request_url: str, api: SlackAPI, secret: str = SIGNING_SECRET, *,
                 settle: Callable[[], bool] = lambda: True) -> None:
        """`settle()` blocks until the app has finished what it acknowledged (true if it did
        in time), for a test that must know a comms message is recorded before reacting."""
        self.request_url = request_url
        self.api = api
        self.secret = secret
        self.settle = settle
        self._ids = _IDS  # shared: a restarted app must not see a new event reuse an old id

    # --- what people do --------------------------------------------------------------------

    def command(self, user: str, text: str, *, channel: str = "C0GENERAL",
                trigger_id: str | None = None) -> Reply:
        """`/checkpost text` typed by `user` in `channel`."""
        form = command_form(self.api, user, text, channel=channel, trigger_id=trigger_id)
        return self.send(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def reaction(self, user: str, name: str, channel: str, ts: str, *, removed: bool = False,
                 event_id: str | None = None, retry: int | None = None) -> Reply:
        """`user` adds (or removes) reaction `name` on the message `channel`/`ts`."""
        return self.event(reaction_event(user, name, channel, ts, removed=removed),
                          event_id=event_id, retry=retry)

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              retry: int | None = None) -> Reply:
        body = event_body(event, event_id=event_id)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry else {}
        return self.send(json.dumps(body), "application/json", headers=headers)

    def click(self, user: str, action_id: str, value: str, *, channel: str, message_ts: str,
              trigger_id: str | None = None) -> Reply:
        """A button on the message `channel`/`message_ts`."""
        return self.interactive(click_payload(self.api, user, action_id, value, channel=channel,
                                              message_ts=message_ts, trigger_id=trigger_id))

    def submit(self, user: str, view: dict[str, Any], values: dict[str, Any]) -> Reply:
        """Submit a modal (`view` as the app opened it, with the id views.open gave it);
        `values` maps block ids to a text or, for radio buttons, `{"selected": value}`."""
        state: dict[str, Any] = {}
        for block_id, value in values.items():
            if isinstance(value, dict):
                state[block_id] = {"value": {"type": "radio_buttons", "selected_option": {
                    "value": value["selected"]}}}
            else:
                state[block_id] = {"value": {"type": "plain_text_input", "value": value}}
        payload = {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": user},
                   "api_app_id": "A0CHECKPOST", "trigger_id": f"trigger-view-{next(self._ids)}",
                   "view": {**view, "state": {"values": state}}}
        return self.interactive(payload)

    def shortcut(self, user: str, text: str, *, channel: str = "C0GENERAL") -> Reply:
        """The message shortcut "Check this post" on a message saying `text`."""
        n = next(self._ids)
        payload = {"type": "message_action", "callback_id": "check_this_post",
                   "team": {"id": TEAM}, "user": {"id": user}, "channel": {"id": channel},
                   "trigger_id": f"trigger-shortcut-{n}", "message_ts": "1699999999.000100",
                   "message": {"type": "message", "user": "U0SOMEONE", "text": text,
                               "ts": "1699999999.000100"},
                   "response_url": self.api.response_url(f"shortcut-{n}")}
        return self.interactive(payload)

    def interactive(self, payload: dict[str, Any]) -> Reply:
        return self.send(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded")

    # --- the wire --------------------------------------------------------------------------

    def send(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
             timestamp: int | None = None, signature: str | None = None) -> Reply:
        """POST `body`, signed `v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")`."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or sign(self.secret, ts, body)
        request = urllib.request.Request(self.request_url, data=body.encode(), method="POST",
                                         headers={"Content-Type": content_type,
                                                  "X-Slack-Request-Timestamp": ts,
                                                  "X-Slack-Signature": sig, **(headers or {})})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read().decode(),
                             time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(), time.perf_counter() - started)


# --- what Slack sends, over HTTP or in a Socket Mode envelope ----------------------------------


def command_form(api: SlackAPI, user: str, text: str, *, channel: str = "C0GENERAL",
                 trigger_id: str | None = None) -> dict[str, str]:
    """The form of `/checkpost text` typed by `user` in `channel`."""
    n = next(_IDS)
    return {"token": "legacy", "team_id": TEAM, "team_domain": "checkpost-test",
            "channel_id": channel, "channel_name": "general", "user_id": user,
            "user_name": user.lower(), "command": "/checkpost", "text": text,
            "api_app_id": "A0CHECKPOST", "is_enterprise_install": "false",
            "response_url": api.response_url(f"cmd-{n}"),
            "trigger_id": trigger_id or f"trigger-cmd-{n}"}


def reaction_event(user: str, name: str, channel: str, ts: str, *,
                   removed: bool = False) -> dict[str, Any]:
    return {"type": "reaction_removed" if removed else "reaction_added", "user": user,
            "reaction": name, "item_user": BOT_USER,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": f"{time.time():.6f}"}


def event_body(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """An Events API callback carrying `event`."""
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0CHECKPOST",
            "event": event, "type": "event_callback",
            "event_id": event_id or f"Ev{next(_IDS):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}


def click_payload(api: SlackAPI, user: str, action_id: str, value: str, *, channel: str,
                  message_ts: str, trigger_id: str | None = None) -> dict[str, Any]:
    """The interactive payload of a button on the message `channel`/`message_ts`."""
    n = next(_IDS)
    return {
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user},
        "api_app_id": "A0CHECKPOST", "trigger_id": trigger_id or f"trigger-click-{n}",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
        "channel": {"id": channel}, "message": {"ts": message_ts, "type": "message"},
        "response_url": api.response_url(f"click-{n}"),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b",
                     "value": value, "action_ts": f"{time.time():.6f}"}],
    }


def sign(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return "v0=" + digest.hexdigest()


# --- the app under test ----------------------------------------------------------------------


def bot_settings(api: SlackAPI, db_path: str, **env: str) -> Any:
    """Settings for a bot talking to `api`: the comms channel C0COMMS, comms U0ANA and U0BEN,
    no LLM endpoint; `env` adds or overrides variables (CHECKPOST_REMINDERS=1s,2s, …)."""
    from chatbot.config import load_settings

    return load_settings({
        "CHECKPOST_DB": db_path,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "CHECKPOST_SLACK_API_URL": api.url,
        "CHECKPOST_SLACK_COMMS_CHANNEL": COMMS_CHANNEL,
        "CHECKPOST_SLACK_COMMS_USERS": ",".join(COMMS_USERS),
        **env,
    })


class RunningBot:
    """`chatbot serve slack` in HTTP mode, in this process: the real SlackBot (Bolt app,
    workflow, reminder thread) behind the real waitress server on 127.0.0.1 and a free port."""

    def __init__(self, settings: Any, api: SlackAPI, *, policy: Any = None,
                 clock: Any = None) -> None:
        from chatbot.adapters.slack.app import SlackBot
        from chatbot.adapters.slack.http import HttpServer, routes

        self.bot = SlackBot(settings, policy=policy, clock=clock)
        self.server = HttpServer(routes(self.bot.app, self.bot.healthy), host="127.0.0.1",
                                 port=0)
        self.bot.start()
        self.server.start()
        self.slack = SlackSide(self.server.url + "/slack/events", api,
                               settle=self.bot.wait_idle)

    def stop(self) -> None:
        self.server.stop()
        self.bot.close()
