"""The durable intake on its own: a request stored before its acknowledgement is handled once,
whether the process lives, dies before the work, or dies after it (a restart is a new Store
and Intake on the same file). The SIGKILL tests of real processes are in test_slack_kill.py
and test_matrix_kill.py.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from chatbot.intake import MAX_ATTEMPTS, Intake
from chatbot.store import InboxEntry, Store
from tests.desk import ANA, Desk
from tests.servers.patience import WAIT


class Worker:
    """A handler that approves post 1 for the entry's key, the way an adapter would."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.seen: list[str] = []
        self.done = threading.Semaphore(0)

    def __call__(self, entry: InboxEntry) -> None:
        self.seen.append(entry.key)
        try:
            if entry.kind == "vote":
                self.desk.workflow.approve(1, by=ANA, key=entry.key)
            elif entry.kind == "explode":
                raise RuntimeError("a bug in a handler")
        finally:
            self.done.release()

    def wait(self, count: int = 1) -> None:
        for _ in range(count):
            assert self.done.acquire(timeout=WAIT), "the entry was not handled"


@pytest.fixture
def pool():
    with ThreadPoolExecutor(2) as pool:
        yield pool


def test_an_accepted_request_is_handled_and_marked_done_with_its_change(desk, pool):
    desk.submit()
    worker = Worker(desk)
    intake = Intake(desk.store, worker, pool)

    assert intake.accept("slack:event:Ev1", "vote", {"event": {"reaction": "+1"}})
    intake.start("slack:event:Ev1")
    worker.wait()

    entry = desk.store.inbox_entry("slack:event:Ev1")
    assert entry.done_at is not None and entry.payload == {"event": {"reaction": "+1"}}
    assert desk.workflow.post(1).approvals
    assert desk.store.inbox_waiting() == []


def test_a_redelivered_request_is_stored_once_and_handled_once(desk, pool):
    desk.submit()
    worker = Worker(desk)
    intake = Intake(desk.store, worker, pool)
    intake.accept("k1", "vote", {})
    intake.start("k1")
    worker.wait()

    assert intake.accept("k1", "vote", {}) is False
    intake.start("k1")
    pool.shutdown(wait=True)

    assert worker.seen == ["k1"]
    assert [e.action for e in desk.workflow.history(1)] == ["submitted", "approve"]


def test_a_request_acknowledged_before_a_crash_is_handled_once_at_the_next_start(tmp_path, pool):
    desk = Desk(tmp_path / "c.db")
    desk.submit()
    Intake(desk.store, Worker(desk), pool).accept("k1", "vote", {})  # acked; then the crash
    desk.restart()

    worker = Worker(desk)
    resumed = Intake(desk.store, worker, pool).resume()
    worker.wait()
    desk.restart()
    again = Intake(desk.store, Worker(desk), pool).resume()

    assert resumed == ["k1"] and again == []
    assert [e.action for e in desk.workflow.history(1)] == ["submitted", "approve"]
    desk.close()


def test_the_change_and_the_entrys_completion_commit_together(tmp_path):
    with Store(tmp_path / "c.db") as store:
        store.accept("k1", "vote", {}, 1.0)
        with pytest.raises(RuntimeError), store.transaction():
            store.remember("k1", "approve", {"ok": True}, 2.0)
            raise RuntimeError("killed before the commit")
        assert store.inbox_entry("k1").done_at is None
        with store.transaction():
            store.remember("k1", "approve", {"ok": True}, 3.0)
        assert store.inbox_entry("k1").done_at == 3.0


def test_a_handler_that_fails_is_logged_and_its_entry_closed(desk, pool, caplog):
    worker = Worker(desk)
    intake = Intake(desk.store, worker, pool)

    intake.accept("k1", "explode", {})
    intake.start("k1")
    worker.wait()
    pool.shutdown(wait=True)

    entry = desk.store.inbox_entry("k1")
    assert entry.done_at is not None and "a bug in a handler" in entry.last_error
    assert "could not handle k1" in caplog.text


def test_a_request_that_kills_every_start_is_given_up(desk, pool, caplog):
    desk.store.accept("k1", "vote", {}, 1.0)
    for _ in range(MAX_ATTEMPTS):
        desk.store.inbox_started("k1")  # each start took it up and died

    worker = Worker(desk)
    Intake(desk.store, worker, pool).resume()
    pool.shutdown(wait=True)

    assert worker.seen == []
    assert desk.store.inbox_entry("k1").last_error == "given up"
    assert "giving up on k1" in caplog.text
