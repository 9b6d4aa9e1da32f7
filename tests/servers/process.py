"""`chatbot serve slack|matrix` as a real child process, for the tests that kill it.

`Serve.start(platform, env, tmp)` runs `python -m chatbot serve <platform>` with exactly the
environment given (plus PATH and the Python it runs under), its output in a log file. With
`pause_at="point[:label]"` the process blocks at that point (see `chatbot.pause`) and writes
a file when it is there: `wait_paused()` waits for that file, then `kill()` sends SIGKILL,
so a test kills it exactly at the moment it means, without sleeping.

`eventually(condition)` polls a condition (a database read by the test, a health check) until
it holds or the timeout passes; the poll interval is short and fixed, and a timeout fails
with what was being waited for.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tests.servers.patience import START, WAIT

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent.parent
POLL = 0.02
_runs = itertools.count(1)


def eventually(condition: Callable[[], T], timeout: float = WAIT, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(POLL)  # polling a condition (a file, a database row), not synchronising


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Serve:
    """One `chatbot serve` child process."""

    def __init__(self, process: subprocess.Popen, log: Path, pause_file: Path | None,
                 env: dict[str, str]) -> None:
        self.process = process
        self.log = log
        self.pause_file = pause_file
        self.env = env

    @classmethod
    def start(cls, platform: str, env: dict[str, str], tmp: Path, *,
              pause_at: str | None = None) -> Serve:
        run = next(_runs)
        log = tmp / f"serve-{platform}-{run}.log"
        full = {"PATH": os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1",
                "CHECKPOST_POLICY_DIR": str(REPO / "policies"), **env}
        pause_file = None
        if pause_at:
            pause_file = tmp / f"paused-{run}"
            full |= {"CHECKPOST_TEST_PAUSE_AT": pause_at,
                     "CHECKPOST_TEST_PAUSE_FILE": str(pause_file)}
        with log.open("ab") as out:
            process = subprocess.Popen([sys.executable, "-m", "chatbot", "serve", platform],
                                       cwd=tmp, env=full, stdout=out, stderr=subprocess.STDOUT)
        return cls(process, log, pause_file, full)

    def wait_paused(self, timeout: float = WAIT) -> str:
        """Block until the process stands at its pause point; returns `point:label`."""
        assert self.pause_file is not None, "started without pause_at"
        eventually(lambda: self.pause_file.exists() or self._exited(),
                   timeout, f"the process to pause at {self.env['CHECKPOST_TEST_PAUSE_AT']}")
        if not self.pause_file.exists():
            raise AssertionError(f"the process exited with {self.process.returncode} before "
                                 f"pausing:\n{self.tail()}")
        return self.pause_file.read_text().strip()

    def wait_log(self, text: str, timeout: float = START) -> None:
        eventually(lambda: text in self.log.read_text(errors="replace") or self._exited(),
                   timeout, f"{text!r} in the log")
        if text not in self.log.read_text(errors="replace"):
            raise AssertionError(f"the process exited with {self.process.returncode}:\n"
                                 + self.tail())

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        """SIGTERM, as a platform stops a process; returns the exit code."""
        return terminate(self.process)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _exited(self) -> bool:
        return self.process.poll() is not None

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def terminate(process: subprocess.Popen) -> int:
    """SIGTERM, then SIGKILL if it has not ended within 15 s; returns the exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    return process.returncode
