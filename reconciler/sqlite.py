"""The one way reconcile opens a SQLite database, and the one transaction helper.

Every database we keep goes through :func:`connect`: the id mapping and run journal
(:mod:`reconciler.state.mapping`), serve's queue and history (:mod:`reconciler.serve.queue`,
:mod:`reconciler.serve.history`) and the emulator's store behind the sandbox and the emulator
server (:mod:`reconciler.emulator.store`). So they all behave alike:

* autocommit (``isolation_level=None``): a statement outside :func:`transaction` commits at once,
  and a transaction is always an explicit ``BEGIN``, never one Python's sqlite3 opened silently;
* usable from any thread (``check_same_thread=False``): each owner serialises access with its own
  lock, or keeps one connection per thread;
* a busy timeout of :data:`BUSY_TIMEOUT` seconds, so processes sharing a file wait their turn
  instead of failing with "database is locked";
* WAL for a file (readers never block the writer; one writer at a time across processes), with
  ``synchronous`` chosen per database: ``full`` where an acknowledged write must survive a power
  loss (the webhook queue, the history), ``normal`` where losing the last commits is recoverable;
* ``path=None`` is a private in-memory database (no WAL).

Only the standard library is used here: the emulator may import this module and nothing else of
the product (import-linter checks both).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, TypeVar

BUSY_TIMEOUT = 30.0  # seconds
Durability = Literal["full", "normal"]
C = TypeVar("C", bound=sqlite3.Connection)


def connect(
    path: str | Path | None,
    durability: Durability = "normal",
    factory: type[C] = sqlite3.Connection,  # type: ignore[assignment]  # the default is the bound itself
) -> C:
    """Open (creating the file and its folder if needed) one of our SQLite databases."""
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        ":memory:" if path is None else str(path),
        timeout=BUSY_TIMEOUT,
        isolation_level=None,
        check_same_thread=False,
        factory=factory,
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    if path is not None:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {durability.upper()}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, write: bool = True) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` (``write``: take the write lock now, not at the first write) or ``BEGIN``;
    ``COMMIT`` when the block ends, ``ROLLBACK`` when it raises."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
