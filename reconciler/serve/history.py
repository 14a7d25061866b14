"""The run history of ``serve`` and the per-catalog POS watermark, in the state database.

``serve/history.sqlite`` in the state directory, or the shared PostgreSQL database
(:mod:`reconciler.state.storage`).

One row per sync: the catalog, why it ran (webhook, periodic, startup), the event ids it
covered, the plan summary, the outcome (applied, in-step, unchanged, held, failed, abandoned,
verify-failed) and, for held plans, the saved plan file. ``reconcile history`` prints these rows;
``/healthz`` shows the last one per catalog.

The watermark is what the POS "what changed" probe compares against (Square ``latest_time``,
Toast ``lastUpdated``, Clover ``modifiedTime``). It is stored only after a sync succeeded, together
with a fingerprint of the import settings, so changing them in the config forces a fresh import.

Written by the worker (:mod:`reconciler.serve.worker`), read by the app and the CLI. Nothing
secret is stored: errors come from the redacted error tree and pass the :class:`Redactor` again.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reconciler.serve.status import SyncOutcome, SyncReason
from reconciler.state.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS syncs (
    id {SERIAL}, catalog TEXT NOT NULL, started {REAL} NOT NULL, finished {REAL} NOT NULL,
    reasons TEXT NOT NULL, events TEXT NOT NULL, outcome TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',
    plan_file TEXT, checksum TEXT, error TEXT, run_id TEXT, details TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS syncs_by_catalog ON syncs (catalog, id);
CREATE TABLE IF NOT EXISTS watermarks (
    catalog TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, value TEXT NOT NULL, updated {REAL} NOT NULL)
"""


@dataclass(frozen=True)
class SyncRecord:
    catalog: str
    started: float
    finished: float
    reasons: list[SyncReason]
    events: list[str]  # event ids ("startup:…" and "periodic:…" for scheduled runs)
    outcome: SyncOutcome
    summary: str = ""  # the plan's summary line, or why nothing was planned
    plan_file: str | None = None
    checksum: str | None = None
    error: str | None = None
    run_id: str | None = None  # the engine's apply run id
    details: dict = field(default_factory=dict)  # counts, calls, import notes, probe detail
    id: int | None = None

    def to_json(self) -> dict:
        return asdict(self)


class History:
    def __init__(self, db: Database | str | Path) -> None:
        self._owned = not isinstance(db, Database)
        # A recorded sync survives a power loss (SQLite: synchronous=FULL).
        self.db = db if isinstance(db, Database) else Database(str(db), durability="full")
        self.db.script(SCHEMA.replace("{SERIAL}", self.db.serial()).replace("{REAL}", self.db.real()))

    def close(self) -> None:
        if self._owned:
            self.db.close()

    def record(self, entry: SyncRecord) -> int:
        rows = self.db.execute(
            "INSERT INTO syncs (catalog, started, finished, reasons, events, outcome, summary, plan_file, checksum, "
            "error, run_id, details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                entry.catalog,
                entry.started,
                entry.finished,
                json.dumps(entry.reasons),
                json.dumps(entry.events),
                str(entry.outcome),
                entry.summary,
                entry.plan_file,
                entry.checksum,
                entry.error,
                entry.run_id,
                json.dumps(entry.details, sort_keys=True, default=str),
            ),
        )
        return int(rows[0][0])

    def list(self, limit: int = 20, catalog: str | None = None) -> list[SyncRecord]:
        """Newest first."""
        return self._list(limit, catalog)

    def _list(self, limit: int, catalog: str | None) -> list[SyncRecord]:
        where, args = ("WHERE catalog=?", (catalog,)) if catalog else ("", ())
        rows = self.db.execute(
            "SELECT catalog, started, finished, reasons, events, outcome, summary, plan_file, checksum, error, run_id, "
            f"details, id FROM syncs {where} ORDER BY id DESC LIMIT ?",
            (*args, limit),
        )
        return [
            SyncRecord(
                r[0],
                r[1],
                r[2],
                [SyncReason(x) for x in json.loads(r[3])],
                json.loads(r[4]),
                SyncOutcome(r[5]),
                *r[6:11],
                json.loads(r[11]),
                r[12],
            )
            for r in rows
        ]

    def stats(self, catalog: str) -> tuple[int, SyncRecord | None]:
        """How many syncs a catalog had, and the last one, read consistently."""
        with self.db.transaction():
            count = int(self.db.execute("SELECT COUNT(*) FROM syncs WHERE catalog=?", (catalog,))[0][0])
            last = self._list(1, catalog)
        return count, (last[0] if last else None)

    def last(self, catalog: str) -> SyncRecord | None:
        found = self.list(1, catalog)
        return found[0] if found else None

    def count(self, catalog: str | None = None) -> int:
        where, args = ("WHERE catalog=?", (catalog,)) if catalog else ("", ())
        return int(self.db.execute(f"SELECT COUNT(*) FROM syncs {where}", args)[0][0])

    def last_success(self) -> dict[str, float]:
        """Per catalog, when its newest successful sync started (it covers every event given up before)."""
        good = [str(outcome) for outcome in SyncOutcome if outcome.ok]
        marks = ",".join("?" * len(good))
        rows = self.db.execute(
            f"SELECT catalog, MAX(started) FROM syncs WHERE outcome IN ({marks}) GROUP BY catalog", tuple(good)
        )
        return {row[0]: row[1] for row in rows}

    def last_held_checksum(self, catalog: str) -> tuple[str, str] | None:
        """(checksum, plan file) of the newest held plan, if the newest decisive sync held one."""
        decisive = (SyncOutcome.APPLIED, SyncOutcome.IN_STEP, SyncOutcome.HELD)
        rows = self.db.execute(
            "SELECT outcome, checksum, plan_file FROM syncs WHERE catalog=? AND outcome IN (?,?,?) "
            "ORDER BY id DESC LIMIT 1",
            (catalog, *(str(d) for d in decisive)),
        )
        row = rows[0] if rows else None
        return (row[1], row[2]) if row and row[0] == SyncOutcome.HELD else None

    # -- watermarks --------------------------------------------------------------------------------
    def watermark(self, catalog: str, fingerprint: str) -> str | None:
        rows = self.db.execute("SELECT fingerprint, value FROM watermarks WHERE catalog=?", (catalog,))
        row = rows[0] if rows else None
        return row[1] if row and row[0] == fingerprint else None

    def set_watermark(self, catalog: str, fingerprint: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO watermarks VALUES (?,?,?,?) ON CONFLICT(catalog) DO UPDATE SET "
            "fingerprint=excluded.fingerprint, value=excluded.value, updated=excluded.updated",
            (catalog, fingerprint, value, time.time()),
        )
