"""The state database: SQLite (embedded, the default) or PostgreSQL (shared by many machines).

``RECONCILE_DATABASE_URL=postgresql://user@host:5432/db`` selects PostgreSQL; without it the
database is ``state.sqlite`` in the state directory. Both speak through :class:`Database`, which
takes SQL with ``?`` placeholders and runs it on either, so the stores above it are written once;
where the two dialects differ (column types, ``GREATEST`` vs ``MAX``, the clock) a store asks
:attr:`Database.dialect`.

One connection per :class:`Database`, guarded by a lock so threads may share it. PostgreSQL runs
in autocommit mode outside :meth:`Database.transaction`; SQLite opens through
:mod:`reconciler.sqlite` (WAL) and takes the write lock at ``BEGIN IMMEDIATE``, so two processes
never interleave a read-modify-write.

psycopg is an optional dependency (``pip install 'reconcile[postgres]'``); it is imported only
when a PostgreSQL URL is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reconciler import sqlite
from reconciler.errors import ConfigError

DATABASE_URL_ENV = "RECONCILE_DATABASE_URL"


def database_url(state_dir: Path, env: Mapping[str, str] | None = None) -> str:
    """The configured database: $RECONCILE_DATABASE_URL, else state.sqlite in the state directory."""
    env = os.environ if env is None else env
    url = env.get(DATABASE_URL_ENV, "").strip()
    if not url:
        return str(Path(state_dir) / "state.sqlite")
    if not is_postgres(url):
        # Never taken as a file name: a typo (postgress://, a bare host) would otherwise become a
        # new, empty SQLite database in the working directory, and every mapping would seem lost.
        # The value itself is not repeated: a URL may carry a password.
        raise ConfigError(
            f"{DATABASE_URL_ENV} must be a PostgreSQL URL (postgresql://user@host:5432/dbname); "
            "unset it to keep the state in SQLite in the state directory"
        )
    return url


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def describe(url: str) -> str:
    """The database for messages and status: never the password of a URL."""
    if not is_postgres(url):
        return f"SQLite {url}"
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
    except Exception:  # an unparsable URL: say only what it is
        return "PostgreSQL"
    where = f"{parts.get('host', '')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"
    return f"PostgreSQL {parts.get('user', '')}@{where}"


def by_columns(rows: list[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    """``rows`` ordered by their first ``width`` columns as Python orders text (by code point).

    ``ORDER BY`` orders text by the database's collation: SQLite's is by code point, a PostgreSQL
    database's is whatever it was created with (ICU's en-US puts "a" before "B" and "_x" first).
    What reconcile prints, hashes and hands on must not depend on the backend, so rows that are
    read in a key's order are put in Python's order here (linear when they already are)."""
    return sorted(rows, key=lambda row: row[:width])


def lock_key(scope: str) -> int:
    """The PostgreSQL advisory-lock key of a scope: a signed 64-bit number, the same in every process."""
    return int.from_bytes(hashlib.sha256(scope.encode()).digest()[:8], "big", signed=True)


class Database:
    def __init__(self, url: str, durability: sqlite.Durability = "normal") -> None:
        self.url = url
        self._lock = threading.RLock()
        self._depth = 0
        if is_postgres(url):
            self.dialect = "postgres"
            self._db = connect_postgres(url)
        else:
            self.dialect = "sqlite"
            self._db = sqlite.connect(url, durability=durability)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- statements ------------------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            cursor = self._db.execute(self._sql(sql), tuple(params))
            rows = cursor.fetchall() if cursor.description else []
            return [tuple(row) for row in rows]

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; how many rows it changed."""
        with self._lock:
            return int(self._db.execute(self._sql(sql), tuple(params)).rowcount)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(r) for r in rows]
        if not rows:
            return
        with self._lock:
            if self.dialect == "postgres":
                with self._db.cursor() as cursor:
                    cursor.executemany(self._sql(sql), rows)
            else:
                self._db.executemany(sql, rows)

    def script(self, statements: str) -> None:
        """Run ``;``-separated DDL (schema creation), idempotently."""
        with self._lock:
            if self.dialect == "postgres":
                with self._db.transaction():
                    # Two processes creating the same tables at once would collide in the catalog.
                    self._db.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("reconcile:schema"),))
                    for statement in filter(str.strip, statements.split(";")):
                        self._db.execute(statement)
            else:
                self._db.executescript(statements)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._depth = 1
            try:
                if self.dialect == "postgres":
                    with self._db.transaction():
                        yield self
                else:
                    with sqlite.transaction(self._db):
                        yield self
            finally:
                self._depth = 0

    def serialise(self, scope: str) -> None:
        """Inside a transaction: wait until no other transaction of ``scope`` runs (PostgreSQL: an
        advisory transaction lock; SQLite's ``BEGIN IMMEDIATE`` already admits one writer at a time)."""
        if self.dialect == "postgres":
            self.execute("SELECT pg_advisory_xact_lock(?)", (lock_key(scope),))

    def real(self) -> str:
        """The column type of a Unix time."""
        return "DOUBLE PRECISION" if self.dialect == "postgres" else "REAL"

    def serial(self) -> str:
        """The column definition of an ever-growing integer key."""
        if self.dialect == "postgres":
            return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        return "INTEGER PRIMARY KEY AUTOINCREMENT"


def connect_postgres(url: str, application_name: str = "reconcile") -> Any:
    """A psycopg connection in autocommit mode; a clear error when the driver or the server is missing."""
    try:
        import psycopg
    except ImportError:
        raise ConfigError(
            f"{DATABASE_URL_ENV} names a PostgreSQL database, but the driver is not installed: "
            "pip install 'reconcile[postgres]'"
        ) from None
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10, application_name=application_name)
    except psycopg.Error as exc:
        # psycopg's message names host and port, never the password.
        raise ConfigError(f"cannot connect to the state database ({describe(url)}): {exc}".strip()) from None
