"""The durable event queue: what was received and not yet synced survives a crash or a restart.

:class:`Queue` is the interface the rest of ``serve`` uses; :class:`SqliteQueue` implements it in
one SQLite file (WAL, ``synchronous=FULL``: a row the webhook was acknowledged for is on disk).
A distributed broker can replace it by implementing the same protocol (docs/serve.md).

Life of a row::

    put ──> pending ──claim──> claimed ──complete──> done     (kept for the dedupe window)
               ^                  │
               └─── fail(retry) ──┤──fail(no retry)──> dead
               └─── release ──────┘   (shutdown: not counted as an attempt)

``put`` drops an event whose (catalog, event id) is known, whatever its state: that is the
duplicate check. ``claim`` takes *every* pending row of one catalog at once, which is how a burst
collapses into one sync. Rows are marked done only after their sync finished; after a crash,
:meth:`recover` returns the claimed rows to pending.

Called by the HTTP app (put, depth), the worker (the rest) and ``reconcile history``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from reconciler import sqlite
from reconciler.serve.debounce import Pending

DEDUPE_WINDOW = 7 * 24 * 3600.0  # longer than Square's 72 h of retries

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    catalog TEXT NOT NULL, event_id TEXT NOT NULL, pos TEXT NOT NULL, kind TEXT NOT NULL,
    received REAL NOT NULL, hint TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0, claimed_at REAL, finished REAL, error TEXT,
    UNIQUE (catalog, event_id));
CREATE INDEX IF NOT EXISTS events_open ON events (status, catalog);
"""


@dataclass(frozen=True)
class Item:
    """One event for one catalog, as put on the queue."""

    catalog: str
    event_id: str
    pos: str
    kind: str  # the POS's event kind (Event.kind), or a scheduled SyncReason: "startup" / "periodic"
    received: float
    hint: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Claimed:
    key: str  # opaque to callers; pass back to complete/fail/release
    item: Item
    attempts: int  # failed syncs so far


class Queue(Protocol):
    def put(self, item: Item) -> bool:
        """Store durably; False when (catalog, event_id) was seen before (a duplicate, dropped)."""

    def claim(self, catalog: str, now: float) -> list[Claimed]:
        """Take every pending row of ``catalog`` that is ready (``not_before`` passed)."""

    def complete(self, keys: Sequence[str]) -> None:
        """Their sync finished: done."""

    def fail(self, keys: Sequence[str], error: str, retry_at: float | None) -> None:
        """Their sync failed: pending again from ``retry_at`` (one more attempt), or dead if None."""

    def release(self, keys: Sequence[str]) -> None:
        """Give claimed rows back untouched (shutdown abandoned their sync)."""

    def pending(self) -> dict[str, Pending]:
        """Per catalog: first and last received time, ready time and count of pending rows."""

    def depth(self, catalog: str | None = None) -> int:
        """Rows not done yet (pending or claimed)."""

    def recover(self) -> int:
        """At start-up: rows a dead process had claimed become pending again."""


class SqliteQueue:
    def __init__(self, path: str | Path, clock=time.time) -> None:
        self.path = str(path)
        self.clock = clock
        self._lock = threading.Lock()
        self._db = sqlite.connect(self.path, durability="full")  # a row the webhook was acknowledged for is on disk
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, args: Sequence = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, args)

    def _many(self, sql: str, keys: Sequence[str], *args) -> None:
        if keys:
            with self._lock:
                self._db.executemany(sql, [(*args, int(k)) for k in keys])

    def put(self, item: Item) -> bool:
        cursor = self._run(
            "INSERT OR IGNORE INTO events (catalog, event_id, pos, kind, received, hint) VALUES (?,?,?,?,?,?)",
            (item.catalog, item.event_id, item.pos, item.kind, item.received, json.dumps(item.hint, sort_keys=True)),
        )
        return cursor.rowcount == 1

    def claim(self, catalog: str, now: float) -> list[Claimed]:
        with self._lock, sqlite.transaction(self._db):
            rows = self._db.execute(
                "SELECT id, catalog, event_id, pos, kind, received, hint, attempts FROM events "
                "WHERE status='pending' AND catalog=? AND not_before<=? ORDER BY id",
                (catalog, now),
            ).fetchall()
            self._db.executemany(
                "UPDATE events SET status='claimed', claimed_at=? WHERE id=?", [(now, row[0]) for row in rows]
            )
        return [Claimed(str(r[0]), Item(r[1], r[2], r[3], r[4], r[5], json.loads(r[6])), r[7]) for r in rows]

    def complete(self, keys: Sequence[str]) -> None:
        self._many("UPDATE events SET status='done', finished=?, error=NULL WHERE id=?", keys, self.clock())

    def fail(self, keys: Sequence[str], error: str, retry_at: float | None) -> None:
        if retry_at is None:
            self._many(
                "UPDATE events SET status='dead', finished=?, error=?, attempts=attempts+1 WHERE id=?",
                keys,
                self.clock(),
                error,
            )
        else:
            self._many(
                "UPDATE events SET status='pending', not_before=?, error=?, attempts=attempts+1 WHERE id=?",
                keys,
                retry_at,
                error,
            )

    def release(self, keys: Sequence[str]) -> None:
        self._many("UPDATE events SET status='pending' WHERE id=? AND status='claimed'", keys)

    def pending(self) -> dict[str, Pending]:
        rows = self._run(
            "SELECT catalog, MIN(received), MAX(received), MAX(not_before), COUNT(*) FROM events "
            "WHERE status='pending' GROUP BY catalog"
        ).fetchall()
        return {row[0]: Pending(row[1], row[2], row[3], row[4]) for row in rows}

    def depth(self, catalog: str | None = None) -> int:
        where, args = ("AND catalog=?", (catalog,)) if catalog else ("", ())
        return self._run(f"SELECT COUNT(*) FROM events WHERE status IN ('pending','claimed') {where}", args).fetchone()[
            0
        ]

    def recover(self) -> int:
        return self._run("UPDATE events SET status='pending' WHERE status='claimed'").rowcount

    # -- beyond the protocol: housekeeping and inspection ------------------------------------------
    def prune(self, now: float, window: float = DEDUPE_WINDOW) -> int:
        """Forget finished rows older than the dedupe window."""
        return self._run(
            "DELETE FROM events WHERE status IN ('done','dead') AND finished < ?", (now - window,)
        ).rowcount

    def status_of(self, catalog: str, event_id: str) -> str | None:
        row = self._run("SELECT status FROM events WHERE catalog=? AND event_id=?", (catalog, event_id)).fetchone()
        return row[0] if row else None
