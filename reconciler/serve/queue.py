"""The durable event queue: what was received and not yet synced survives a crash or a restart.

:class:`Queue` is the interface the rest of ``serve`` uses; :class:`DatabaseQueue` implements it
on the state database (:mod:`reconciler.state.storage`): ``serve/queue.sqlite`` (WAL,
``synchronous=FULL``: a row the webhook was acknowledged for is on disk), or the shared PostgreSQL
database. A distributed broker can replace it by implementing the same protocol (docs/serve.md).

Life of a row::

    put ──> pending ──claim──> claimed ──complete──> done     (kept for the dedupe window)
               ^                  │
               └─── fail(retry) ──┤──fail(no retry)──> dead
               └─── release ──────┘   (shutdown: not counted as an attempt)

``put`` drops an event whose (catalog, event id) is known, whatever its state: that is the
duplicate check. ``claim`` takes *every* pending row of one catalog at once, which is how a burst
collapses into one sync. Rows are marked done only after their sync finished; after a crash,
:meth:`recover` returns the claimed rows to pending.

Every settling call (complete, fail, release) is one transaction over all its rows.

Called by the HTTP app (put, depth, dead), the worker (the rest) and ``reconcile history``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from reconciler.serve.debounce import Pending
from reconciler.state.database import Database

DEDUPE_WINDOW = 7 * 24 * 3600.0  # longer than Square's 72 h of retries

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id {SERIAL},
    catalog TEXT NOT NULL, event_id TEXT NOT NULL, pos TEXT NOT NULL, kind TEXT NOT NULL,
    received {REAL} NOT NULL, hint TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    not_before {REAL} NOT NULL DEFAULT 0, claimed_at {REAL}, finished {REAL}, error TEXT,
    UNIQUE (catalog, event_id));
CREATE INDEX IF NOT EXISTS events_open ON events (status, catalog)
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

    def dead(self, since: dict[str, float] | None = None) -> dict[str, tuple[int, float, str]]:
        """Per catalog: rows given up after ``since[catalog]``, when the last was, and its error."""

    def recover(self) -> int:
        """At start-up: rows a dead process had claimed become pending again."""


class DatabaseQueue:
    def __init__(self, db: Database | str | Path, clock=time.time) -> None:
        self._owned = not isinstance(db, Database)
        # A row the webhook was acknowledged for is on disk (SQLite: synchronous=FULL).
        self.db = db if isinstance(db, Database) else Database(str(db), durability="full")
        self.clock = clock
        self.db.script(SCHEMA.replace("{SERIAL}", self.db.serial()).replace("{REAL}", self.db.real()))

    def close(self) -> None:
        if self._owned:
            self.db.close()

    def _many(self, sql: str, keys: Sequence[str], *args) -> None:
        """Settle a whole sync's rows in one transaction: one fsync, and nobody sees half of it.

        Row by row, a 10,000-event sync made 10,000 fsyncs while holding the lock that webhooks
        and /healthz wait for.
        """
        if keys:
            with self.db.transaction():
                self.db.executemany(sql, [(*args, int(k)) for k in keys])

    def put(self, item: Item) -> bool:
        changed = self.db.run(
            "INSERT INTO events (catalog, event_id, pos, kind, received, hint) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT (catalog, event_id) DO NOTHING",
            (item.catalog, item.event_id, item.pos, item.kind, item.received, json.dumps(item.hint, sort_keys=True)),
        )
        return changed == 1

    def claim(self, catalog: str, now: float) -> list[Claimed]:
        with self.db.transaction():
            self.db.serialise(f"queue:{catalog}")
            rows = self.db.execute(
                "SELECT id, catalog, event_id, pos, kind, received, hint, attempts FROM events "
                "WHERE status='pending' AND catalog=? AND not_before<=? ORDER BY id",
                (catalog, now),
            )
            self.db.executemany(
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
        rows = self.db.execute(
            "SELECT catalog, MIN(received), MAX(received), MAX(not_before), COUNT(*) FROM events "
            "WHERE status='pending' GROUP BY catalog"
        )
        return {row[0]: Pending(row[1], row[2], row[3], row[4]) for row in rows}

    def depth(self, catalog: str | None = None) -> int:
        where, args = ("AND catalog=?", (catalog,)) if catalog else ("", ())
        return int(
            self.db.execute(f"SELECT COUNT(*) FROM events WHERE status IN ('pending','claimed') {where}", args)[0][0]
        )

    def recover(self) -> int:
        return self.db.run("UPDATE events SET status='pending' WHERE status='claimed'")

    # -- beyond the protocol: housekeeping and inspection ------------------------------------------
    def prune(self, now: float, window: float = DEDUPE_WINDOW) -> int:
        """Forget finished rows older than the dedupe window."""
        return self.db.run("DELETE FROM events WHERE status IN ('done','dead') AND finished < ?", (now - window,))

    def dead(self, since: dict[str, float] | None = None) -> dict[str, tuple[int, float, str]]:
        """Per catalog: (events given up, when the last one was, its error), counting only those
        given up after ``since[catalog]`` (a later successful sync covers what they asked for)."""
        rows = self.db.execute(
            "SELECT catalog, COUNT(*), MAX(finished), "
            "(SELECT error FROM events AS last WHERE last.catalog=events.catalog AND last.status='dead' "
            "ORDER BY finished DESC, id DESC LIMIT 1) FROM events WHERE status='dead' GROUP BY catalog"
        )
        found = {row[0]: (row[1], row[2], row[3] or "") for row in rows}
        if not since:
            return found
        # Recount the catalogs with a cut-off; few catalogs, and dead rows are rare.
        for catalog, after in since.items():
            if catalog not in found:
                continue
            row = self.db.execute(
                "SELECT COUNT(*), MAX(finished) FROM events WHERE status='dead' AND catalog=? AND finished>?",
                (catalog, after),
            )[0]
            if row[0]:
                found[catalog] = (row[0], row[1], found[catalog][2])
            else:
                del found[catalog]
        return found

    def status_of(self, catalog: str, event_id: str) -> str | None:
        rows = self.db.execute("SELECT status FROM events WHERE catalog=? AND event_id=?", (catalog, event_id))
        return rows[0][0] if rows else None
