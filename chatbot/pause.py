"""A test-only hook: stop the process at a named point, so a test can SIGKILL it exactly there.

With `CHECKPOST_TEST_PAUSE_AT=point` (or `point:label`) and `CHECKPOST_TEST_PAUSE_FILE=path` in
the environment, every thread that reaches `at(point, label)` (with that label among the
space-separated words of `label`) blocks for good, and the first writes `path` (holding the
label) to say the process is there. The test waits for that file,
then kills the process: no sleeps, no guessing how far it got. Unset, which it always is
outside the tests, a call costs one environment lookup.

The points, in the order a request meets them:

- `stored`: the request is in the inbox and its acknowledgement has not left yet
- `acked`: acknowledged, and a worker is about to handle it ("after the 200, before the work")
- `applied`: the workflow's change is written, inside its transaction, before the commit that
  also marks the inbox entry done ("after the work, before it is marked done")
- `committed`: committed; the jobs it made (messages to people) have not run yet
- `claimed`: a reminder is claimed and not yet handed to the port (label `reminder`)
- `sent`: a message went out (the port returned) and is not yet marked so: a reminder
  (`reminder`), a job (its kind, e.g. `show-post`, `tell-findings`); for `show-post`, before
  the comms message is recorded on the post
- `batch-handled`: Matrix: a sync batch is handled and its token not yet saved (labelled
  with the types of the events it acted on, e.g. `m.reaction m.room.message`)
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

_lock = threading.Lock()
_forever = threading.Event()


def at(point: str, label: str = "") -> None:
    wanted = os.environ.get("CHECKPOST_TEST_PAUSE_AT")
    if not wanted:
        return
    want_point, _, want_label = wanted.partition(":")
    if point != want_point or (want_label and want_label not in label.split()):
        return
    with _lock:
        path = os.environ.get("CHECKPOST_TEST_PAUSE_FILE")
        if path and not Path(path).exists():
            tmp = Path(path + ".tmp")
            tmp.write_text(f"{point}:{label}\n")
            tmp.replace(path)
    _forever.wait()
