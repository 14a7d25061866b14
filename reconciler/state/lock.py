"""A per-catalog lock so two applies never run against the same catalog at once.

Two kinds, the same behaviour (fail fast with who holds it; released when the holder dies):

- :class:`CatalogLock`, with SQLite state: an advisory ``flock`` on a file under the state
  directory. The kernel releases it when the process dies, so a crash never leaves a stale lock.
  The file records who holds it, for the message. It holds on one machine (one state directory).
- :class:`AdvisoryLock`, with PostgreSQL state: a session advisory lock on a connection of its
  own, so it holds across every machine sharing the database. PostgreSQL releases it when that
  connection ends (the process died, the network dropped); the holder is named from
  ``pg_stat_activity``, where the connection's ``application_name`` says pid and host.

:meth:`reconciler.state.storage.Storage.lock` picks the one that fits the state database.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from reconciler.errors import LockHeld
from reconciler.state.database import connect_postgres, is_postgres, lock_key


class CatalogLock:
    def __init__(self, directory: Path, scope: str) -> None:
        name = hashlib.sha256(scope.encode()).hexdigest()[:16]
        (directory / "locks").mkdir(parents=True, exist_ok=True)
        self.path = directory / "locks" / f"{name}.lock"
        self.scope = scope
        self._fd: int | None = None

    def __enter__(self) -> CatalogLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise _held(holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> str:
    """Who the holder's record names; "holder unknown" when it names nobody (a holder that died
    between taking the lock and writing its record leaves an empty file)."""
    try:
        data = json.loads(os.pread(fd, 4096, 0))
        if not isinstance(data, dict) or "pid" not in data:
            return "holder unknown"
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(data.get("since", 0)))
        return f"pid {data['pid']} on {data.get('host')}, since {since}"
    except (OSError, ValueError, TypeError, OverflowError):
        return "holder unknown"


def catalog_lock(database_url: str, state_dir: Path, scope: str) -> CatalogLock | AdvisoryLock:
    """The lock that fits the state database: advisory in PostgreSQL, a file in the state directory."""
    return AdvisoryLock(database_url, scope) if is_postgres(database_url) else CatalogLock(state_dir, scope)


def _held(holder: str) -> LockHeld:
    return LockHeld(
        f"another apply is running on this catalog ({holder}); wait for it to finish. "
        f"The lock is released automatically when that process exits."
    )


class AdvisoryLock:
    """The catalog lock in a PostgreSQL database, for every machine that shares it."""

    def __init__(self, url: str, scope: str) -> None:
        self.url = url
        self.scope = scope
        self.key = lock_key(f"catalog:{scope}")
        self._conn: Any = None

    def __enter__(self) -> AdvisoryLock:
        holder = f"pid {os.getpid()} on {socket.gethostname()}"
        conn = connect_postgres(self.url, application_name=f"reconcile lock: {holder}"[:63])
        try:
            (taken,) = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
            if not taken:
                raise _held(_pg_holder(conn, self.key))
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            finally:
                self._conn.close()  # closing alone releases it too
                self._conn = None


def _pg_holder(conn: Any, key: int) -> str:
    """Who holds the advisory lock ``key``: the holder's application_name (pid and host) and since when."""
    high, low = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
    row = conn.execute(
        "SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = %s AND l.objid::bigint = %s "
        "AND l.objsubid = 1",
        (high, low),
    ).fetchone()
    if row is None:
        return "holder unknown"
    name = str(row[0]).removeprefix("reconcile lock: ") or "another client"
    return f"{name}, since {row[1]:%Y-%m-%d %H:%M:%S}"
