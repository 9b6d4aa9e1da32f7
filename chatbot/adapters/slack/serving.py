"""`chatbot serve slack`: check the settings, start the bot, serve until stopped.

HTTP mode (the default) listens on `PORT` at `/slack/events` and `/healthz`. With
`SLACK_APP_TOKEN` set, Socket Mode instead: the app connects out to Slack over a WebSocket,
so it needs no public URL (the easy path for a small team); `/healthz` is still served on
`PORT`, for platforms that expect a web process to listen. Either way the reminder scheduler
runs in this process, and SIGTERM stops it all cleanly.

Both modes acknowledge a request only after it is stored (see `listeners` and
`chatbot.intake`): in Socket Mode the envelope's acknowledgement is sent when Bolt's dispatch
returns, after our `ack_…` listener has stored it; Slack delivers an unacknowledged envelope
again, and its key makes the second delivery change nothing.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from chatbot.adapters.slack.app import SlackBot
from chatbot.adapters.slack.http import HttpServer, routes
from chatbot.config import ConfigError, Settings

log = logging.getLogger(__name__)

#: Seconds between Socket Mode pings, which is also how often the client checks its connection
#: and opens a new one if it was dropped (Bolt's default is 10; the SDK's own, 5).
SOCKET_PING_INTERVAL = 5


def run(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    socket_mode = bool(settings.slack_app_token)
    require(settings, socket_mode=socket_mode)
    try:
        bot = SlackBot(settings)
    except (BoltError, SlackApiError) as exc:
        raise ConfigError(
            "Slack refused SLACK_BOT_TOKEN (auth.test failed"
            f"{': ' + _api_error(exc) if _api_error(exc) else ''}); copy the Bot User OAuth "
            "Token (xoxb-…) from the app's OAuth & Permissions page, and check "
            "CHECKPOST_SLACK_API_URL") from None
    except OSError as exc:
        raise ConfigError(f"cannot reach Slack's Web API at {settings.slack_api_url} ({exc}); "
                          "check the network and CHECKPOST_SLACK_API_URL") from None
    signal.signal(signal.SIGTERM, _interrupt)
    bot.start()
    server = HttpServer(routes(None if socket_mode else bot.app, bot.healthy),
                        port=settings.port)
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            server.start()
            log.info("checkpost Slack app in Socket Mode; /healthz on port %s", server.port)
            try:
                SocketModeHandler(bot.app, settings.slack_app_token,
                                  ping_interval=SOCKET_PING_INTERVAL).start()
            except SlackApiError as exc:
                raise ConfigError(
                    f"Slack refused SLACK_APP_TOKEN ({_api_error(exc) or exc}); generate an "
                    "app-level token with the connections:write scope under Basic Information "
                    "→ App-Level Tokens, and turn Socket Mode on") from None
        else:
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        bot.close()
        log.info("checkpost Slack app stopped")
    return 0


def require(settings: Settings, *, socket_mode: bool) -> None:
    """Refuse to start without what every request needs; say which variable to set."""
    missing = []
    if not settings.slack_bot_token:
        missing.append("SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-…)")
    if not socket_mode and not settings.slack_signing_secret:
        missing.append("SLACK_SIGNING_SECRET (Basic Information → Signing Secret), or "
                       "SLACK_APP_TOKEN (xapp-…) for Socket Mode")
    if not settings.slack_comms_channel:
        missing.append("CHECKPOST_SLACK_COMMS_CHANNEL (the comms channel's id, e.g. C0123ABCD)")
    if missing:
        raise ConfigError("set " + "; ".join(missing) + ". See docs/slack.md.")
    if not settings.slack_comms_users:
        log.warning("CHECKPOST_SLACK_COMMS_USERS is empty: nobody can approve posts")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _api_error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    try:
        return str(response["error"]) if response is not None else ""
    except (KeyError, TypeError):
        return ""
