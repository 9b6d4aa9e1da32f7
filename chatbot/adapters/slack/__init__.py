"""Slack: `/checkpost`, the comms channel's reactions and buttons, reminders by DM (slack-bolt).

`serve(settings)` is what `chatbot serve slack` runs. The pieces:

- `app`       `SlackBot` (store, port, workflow, reminder thread, worker pool) and the Bolt app
- `listeners` each command, event, click and modal: ack at once, work after, idempotently
- `port`      the core's `Port`: the comms channel, DMs, message updates
- `blocks`    Block Kit rendering; `modals` the check and decision modals; `mrkdwn` text
- `client`    the WebClient (base URL from CHECKPOST_SLACK_API_URL, rate limits waited out)
- `http`      waitress serving `/slack/events` and `/healthz`
- `serving`   `chatbot serve slack`: settings checks, HTTP or Socket Mode, clean stop
- `manifest.yaml`  the Slack app manifest for HTTP mode; `manifest-socket-mode.yaml` the same
  app for Socket Mode (no request URLs), to paste as it is

Bolt is imported only when serving, so `chatbot check` stays quick to start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatbot.config import Settings


def serve(settings: Settings) -> int:
    """Run the Slack bot until stopped; 0 on a clean stop. Bad settings raise ConfigError."""
    from chatbot.adapters.slack.serving import run

    return run(settings)
