"""The catalog lock's smaller promises, on both backends: released on exit (not when collected), the
holder its lock file or PostgreSQL names, the lock file's name and mode; and how a PostgreSQL
connection names itself and fails."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import stat
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.errors import ConfigError, LockHeld
from reconciler.state.database import Database, lock_key
from reconciler.state.lock import CatalogLock
from reconciler.state.storage import Storage
from tests.support.temporal_server import free_port

SCOPE = "wix-menus:loc-1"
NOW = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
STAMP = "%Y-%m-%d %H:%M:%S"


def test_the_lock_is_released_on_exit_while_its_object_lives_on(url, state_dir, env):
    lock = Storage(state_dir, env).lock(SCOPE)
    assert lock.scope == SCOPE  # apply checks that the lock it was handed is this catalog's
    with lock:
        pass
    with Storage(state_dir, env).lock(SCOPE):  # not waiting for the first object to be collected
        pass
    assert lock.scope == SCOPE


def hold_with_record(tmp_path: Path, record: bytes) -> int:
    """A holder (as another process would be) whose lock file says ``record``."""
    lock = CatalogLock(tmp_path, SCOPE)
    fd = os.open(lock.path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, record)
    return fd


def held_message(tmp_path: Path, record: bytes) -> str:
    fd = hold_with_record(tmp_path, record)
    try:
        with pytest.raises(LockHeld) as held, Storage(tmp_path, {}).lock(SCOPE):
            pass
    finally:
        os.close(fd)
    return str(held.value)


@pytest.mark.parametrize(
    "record, holder",
    [
        (
            {"pid": 4242, "host": "kitchen-pc", "since": 1764612000},
            f"pid 4242 on kitchen-pc, since {time.strftime(STAMP, time.localtime(1764612000))}",
        ),
        (
            {"pid": 4242, "host": "kitchen-pc"},
            f"pid 4242 on kitchen-pc, since {time.strftime(STAMP, time.localtime(0))}",
        ),
        ({}, "holder unknown"),
        ({"pid": 1, "since": "yesterday"}, "holder unknown"),
        ([1, 2], "holder unknown"),
    ],
)
def test_a_held_lock_names_the_holder_its_file_records(tmp_path, record, holder):
    message = held_message(tmp_path, json.dumps(record).encode())
    assert message == (
        f"another apply is running on this catalog ({holder}); wait for it to finish. "
        "The lock is released automatically when that process exits."
    )


@pytest.mark.parametrize("record", [b"", b"not json"])
def test_a_holder_that_wrote_no_record_is_unknown(tmp_path, record):
    assert "(holder unknown)" in held_message(tmp_path, record)


def test_our_own_lock_names_this_process_and_host(url, state_dir, env):
    before = int(time.time())
    with Storage(state_dir, env).lock(SCOPE), pytest.raises(LockHeld) as held, Storage(state_dir, env).lock(SCOPE):
        pass
    after = time.time()
    holder = str(held.value).split("(", 1)[1].split(")", 1)[0]
    assert holder.startswith(f"pid {os.getpid()} on {socket.gethostname()}, since ")
    since = time.mktime(time.strptime(holder.rsplit("since ", 1)[1], STAMP))  # a local date and time, to the second
    assert before <= since <= after


def test_the_lock_file_is_private_and_its_name_is_the_same_in_every_version(tmp_path):
    lock = Storage(tmp_path / "new" / "state", {}).lock(SCOPE)  # the state directory need not exist yet
    with lock:
        path = tmp_path / "new" / "state" / "locks" / f"{hashlib.sha256(SCOPE.encode()).hexdigest()[:16]}.lock"
        assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.e2e
@pytest.mark.postgres
def test_postgresql_connections_name_reconcile_and_a_failed_one_says_where(postgres, monkeypatch):
    db = Database(postgres.create_database())
    assert db.execute("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()") == [("reconcile",)]
    db.close()
    with pytest.raises(ConfigError) as refused:
        Database(f"postgresql://chef:hunter2@127.0.0.1:{free_port()}/menus")
    message = str(refused.value)
    assert (
        message.startswith("cannot connect to the state database (PostgreSQL chef@127.0.0.1:")
        and "hunter2" not in message
    )
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a machine without the driver
    with pytest.raises(ConfigError) as missing:
        Database("postgresql://chef@127.0.0.1/menus")
    assert str(missing.value) == (
        "RECONCILE_DATABASE_URL names a PostgreSQL database, but the driver is not installed: "
        "pip install 'reconcile[postgres]'"
    )


@pytest.mark.e2e
@pytest.mark.postgres
def test_a_postgresql_lock_held_by_another_client_says_so(postgres, tmp_path):
    import psycopg

    url = postgres.create_database()
    with psycopg.connect(url, autocommit=True, application_name="") as other:
        other.execute("SELECT pg_advisory_lock(%s)", (lock_key(f"catalog:{SCOPE}"),))
        with pytest.raises(LockHeld) as held, Storage(tmp_path, {"RECONCILE_DATABASE_URL": url}).lock(SCOPE):
            pass
    assert "(another client, since " in str(held.value)
