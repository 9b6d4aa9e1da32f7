"""The Matrix adapter: `chatbot serve matrix`, a matrix-nio bot driving the core.

`serve(settings)` runs the bot and the reminder scheduler in this process until SIGINT or
SIGTERM. See `bot` for the life of the process, `actions` for what each event does, `port`
for how the core reaches people, `html` for what they read, and docs/matrix.md for setup.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from chatbot.config import ConfigError, Settings

log = logging.getLogger("chatbot.adapters.matrix")


def serve(settings: Settings) -> int:
    """Run the bot until stopped: 0 after a clean stop, 2 for a settings or login problem,
    1 when the connection to the homeserver ended for another reason."""
    from .bot import LoginError, MatrixBot

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("nio").setLevel(logging.WARNING)  # nio logs every event at INFO
    try:
        bot = MatrixBot(settings)
    except ConfigError as exc:
        print(f"chatbot serve matrix: {exc}", file=sys.stderr)
        return 2
    try:
        bot.start(timeout=None)  # a homeserver that is down is waited for, with back-off
    except LoginError as exc:
        print(f"chatbot serve matrix: {exc}", file=sys.stderr)
        return 2
    stopped = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("stopping (signal %d)", signum)
        stopped.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    log.info("checkpost is running on Matrix as %s; comms room: %s (%s)",
             settings.matrix_user_id, settings.matrix_comms_room, bot.comms.where)
    while not stopped.wait(1.0) and bot.running:
        pass
    failure = bot.failure
    bot.stop()
    if isinstance(failure, LoginError):
        print(f"chatbot serve matrix: {failure}", file=sys.stderr)
        return 2
    if failure is not None:
        log.error("the Matrix bot stopped: %s", failure)
        return 1
    return 0


__all__ = ["serve"]
