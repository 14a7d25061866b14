"""The one SQLite opener (reconciler/sqlite.py): the settings every database of ours gets, and transactions."""

from __future__ import annotations

import pytest

from reconciler import sqlite
from reconciler.emulator.store import Store
from reconciler.serve.history import History
from reconciler.serve.queue import DatabaseQueue
from reconciler.state.mapping import MappingStore


def pragmas(conn) -> tuple:
    names = ("journal_mode", "synchronous", "busy_timeout")
    return tuple(conn.execute(f"PRAGMA {name}").fetchone()[0] for name in names)


def test_a_file_database_is_wal_with_the_chosen_durability_and_a_busy_timeout(tmp_path):
    full = sqlite.connect(tmp_path / "deep" / "folder" / "a.sqlite", durability="full")
    normal = sqlite.connect(tmp_path / "b.sqlite")
    assert pragmas(full) == ("wal", 2, 30_000) and pragmas(normal) == ("wal", 1, 30_000)
    assert full.isolation_level is None  # autocommit: transactions are explicit
    memory = sqlite.connect(None)
    assert pragmas(memory)[0] == "memory"


def test_every_database_we_keep_is_opened_by_it(tmp_path):
    assert pragmas(DatabaseQueue(tmp_path / "q.sqlite").db._db)[:2] == ("wal", 2)
    assert pragmas(History(tmp_path / "h.sqlite").db._db)[:2] == ("wal", 2)
    assert pragmas(MappingStore(tmp_path / "m.sqlite").db._db)[:2] == ("wal", 1)
    store = Store(str(tmp_path / "e.sqlite"))
    with store.read() as tx:
        assert pragmas(tx.conn) == ("wal", 1, 30_000)


def test_a_transaction_commits_or_rolls_back_as_a_whole(tmp_path):
    conn = sqlite.connect(tmp_path / "t.sqlite")
    conn.execute("CREATE TABLE t (x INTEGER)")
    with sqlite.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(ZeroDivisionError), sqlite.transaction(conn):
        conn.execute("INSERT INTO t VALUES (2)")
        raise ZeroDivisionError
    assert conn.execute("SELECT x FROM t").fetchall() == [(1,)] and not conn.in_transaction
