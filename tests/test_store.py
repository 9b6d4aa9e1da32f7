"""The store: one SQLite file in WAL mode, migrations on open, atomic changes, keys, audit."""

from __future__ import annotations

import sqlite3

import pytest

from chatbot import store as store_module
from chatbot.store import MIGRATIONS, Migration, Store, StoreError


def test_a_new_database_is_created_in_wal_mode_at_the_latest_schema(tmp_path):
    with Store(tmp_path / "new.db") as store:
        assert store.db.journal_mode == "wal"
        assert store.schema_version == MIGRATIONS[-1].version
        assert {"posts", "versions", "votes", "links", "reminders", "metrics", "incidents",
                "incident_steps", "idempotency", "audit", "schema_version"} <= set(
                    store.db.table_names())


def test_reopening_applies_no_migration_twice(tmp_path):
    Store(tmp_path / "c.db").close()
    with Store(tmp_path / "c.db") as store:
        rows = store.db.execute("SELECT version FROM schema_version").fetchall()
    assert rows == [(m.version,) for m in MIGRATIONS]


def test_migrations_upgrade_an_older_file_on_open(tmp_path, monkeypatch):
    Store(tmp_path / "c.db").close()
    later = Migration(MIGRATIONS[-1].version + 1, "posts get a language",
                      lambda db: db.execute("ALTER TABLE posts ADD COLUMN language TEXT"))
    monkeypatch.setattr(store_module, "MIGRATIONS", (*MIGRATIONS, later))

    with Store(tmp_path / "c.db") as store:
        assert store.schema_version == later.version
        assert "language" in store.db["posts"].columns_dict


def test_a_file_from_a_newer_checkpost_is_refused(tmp_path):
    with Store(tmp_path / "c.db") as store:
        store.db.execute("INSERT INTO schema_version VALUES (99, 'future', 'now')")

    with pytest.raises(StoreError, match=r"schema version 99.*upgrade checkpost"):
        Store(tmp_path / "c.db")


def test_a_change_that_fails_leaves_nothing_behind_not_even_its_key(tmp_path):
    with Store(tmp_path / "c.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.remember("ev-1", "approve", {"ok": True}, 1.0)
            store.audit(at=1.0, actor="slack:U1", platform="slack", action="approve")
            raise RuntimeError("disk gone halfway")

        assert store.recall("ev-1") is None
        assert store.audit_log() == []


def test_an_idempotency_key_is_kept_once(tmp_path):
    with Store(tmp_path / "c.db") as store:
        with store.transaction():
            store.remember("ev-1", "approve", {"ok": True, "code": "approved"}, 1.0)

        assert store.recall("ev-1") == {"ok": True, "code": "approved"}
        with pytest.raises(sqlite3.IntegrityError), store.transaction():
            store.remember("ev-1", "approve", {"ok": False}, 2.0)
        assert store.recall("ev-1") == {"ok": True, "code": "approved"}


def test_audit_entries_say_who_when_from_where_what_and_why(tmp_path):
    with Store(tmp_path / "c.db") as store:
        with store.transaction():
            store.audit(at=5.0, actor="matrix:@ana:example.org", platform="matrix",
                        action="approve", post=3, why="photo is ours",
                        detail={"override_reason": "photo is ours"})

        (entry,) = store.audit_log(post=3)
    assert (entry.at, entry.actor, entry.platform, entry.action, entry.why) == (
        5.0, "matrix:@ana:example.org", "matrix", "approve", "photo is ours")
    assert entry.detail == {"override_reason": "photo is ours"}


def test_another_process_sees_a_committed_change_at_once(tmp_path):
    with Store(tmp_path / "c.db") as writer, Store(tmp_path / "c.db") as reader:
        with writer.transaction():
            writer.remember("ev-1", "submit", {"ok": True}, 1.0)
        assert reader.recall("ev-1") == {"ok": True}


def test_an_unopenable_path_says_so(tmp_path):
    with pytest.raises(StoreError, match="cannot open the database"):
        Store(tmp_path / "missing-dir" / "c.db")


def test_a_change_inside_a_read_is_refused_rather_than_silently_rolled_back(tmp_path):
    with Store(tmp_path / "c.db") as store, store.reading(), pytest.raises(
            RuntimeError, match="rolled back"), store.transaction():
        pass


def test_adapters_keep_small_state_such_as_a_sync_token(tmp_path):
    with Store(tmp_path / "c.db") as store:
        assert store.get_state("matrix.sync_token") is None
        store.put_state("matrix.sync_token", "s1")
        store.put_state("matrix.sync_token", "s2")
    with Store(tmp_path / "c.db") as store:
        assert store.get_state("matrix.sync_token") == "s2"
