"""What a fleet remembers, in the state database (SQLite or PostgreSQL), shared by every worker.

    fleet_sites     per site: the last run and its result, drift, what is in flight right now
    fleet_rollouts  per roll-out: revision, mode, the wave reached, halted or finished
    fleet_plans     plan artifacts by checksum: the plan activity writes one, apply reads it back
    fleet_budget    request budgets (GCRA: one "theoretical arrival time" per budget)

Every write is one statement or one short transaction, so two workers never interleave halves of
an update. Times are Unix seconds; budgets use the database's clock on PostgreSQL, so workers on
machines whose clocks differ still share one budget.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from reconciler.state.database import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS fleet_sites (
    fleet TEXT NOT NULL, site_id TEXT NOT NULL, result TEXT, mode TEXT, detail TEXT,
    started {REAL}, finished {REAL}, drift INTEGER, changes INTEGER, rollout_id TEXT,
    live_fingerprint TEXT, desired_checksum TEXT,
    phase TEXT, phase_since {REAL}, worker TEXT, ran_by TEXT,
    PRIMARY KEY (fleet, site_id));
CREATE TABLE IF NOT EXISTS fleet_rollouts (
    rollout_id TEXT PRIMARY KEY, fleet TEXT NOT NULL, revision TEXT NOT NULL, mode TEXT NOT NULL,
    engine TEXT NOT NULL, status TEXT NOT NULL, wave TEXT, started {REAL} NOT NULL, finished {REAL},
    detail TEXT);
CREATE INDEX IF NOT EXISTS fleet_rollouts_by_fleet ON fleet_rollouts (fleet, started);
CREATE TABLE IF NOT EXISTS fleet_plans (
    checksum TEXT PRIMARY KEY, scope TEXT NOT NULL, body TEXT NOT NULL, created {REAL} NOT NULL);
CREATE INDEX IF NOT EXISTS fleet_plans_by_scope ON fleet_plans (scope, created);
CREATE TABLE IF NOT EXISTS fleet_budget (name TEXT PRIMARY KEY, tat {REAL} NOT NULL)
"""
PLANS_KEPT = 3  # artifacts kept per scope; older ones are never needed again


@dataclass
class SiteRecord:
    fleet: str
    site_id: str
    result: str | None = None  # converged, no-changes, changes, drifted, held, failed, verify-failed
    mode: str | None = None
    detail: str | None = None
    started: float | None = None
    finished: float | None = None
    drift: int | None = None
    changes: int | None = None
    rollout_id: str | None = None
    live_fingerprint: str | None = None  # the live catalog as last verified equal to the desired one
    desired_checksum: str | None = None  # the catalog (and reconcile version) it was verified against
    phase: str | None = None  # in flight: fetch, plan, apply or verify; None when idle
    phase_since: float | None = None
    worker: str | None = None
    ran_by: str | None = None  # the worker that ran the last apply (or plan) step: kept after it finished


@dataclass
class RolloutRecord:
    rollout_id: str
    fleet: str
    revision: str
    mode: str
    engine: str
    status: str  # running, halted, finished, failed
    wave: str | None
    started: float
    finished: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


_SITE_COLUMNS = list(SiteRecord.__dataclass_fields__)


class FleetRecords:
    def __init__(self, db: Database) -> None:
        self.db = db
        real = "DOUBLE PRECISION" if db.dialect == "postgres" else "REAL"
        db.script(_SCHEMA.replace("{REAL}", real))

    # -- sites -------------------------------------------------------------------------------------
    def sites(self, fleet: str) -> dict[str, SiteRecord]:
        rows = self.db.execute(f"SELECT {', '.join(_SITE_COLUMNS)} FROM fleet_sites WHERE fleet=?", (fleet,))
        return {row[1]: SiteRecord(*row) for row in rows}

    def site(self, fleet: str, site_id: str) -> SiteRecord:
        rows = self.db.execute(
            f"SELECT {', '.join(_SITE_COLUMNS)} FROM fleet_sites WHERE fleet=? AND site_id=?", (fleet, site_id)
        )
        return SiteRecord(*rows[0]) if rows else SiteRecord(fleet, site_id)

    def _upsert(self, fleet: str, site_id: str, values: dict[str, Any]) -> None:
        columns = ["fleet", "site_id", *values]
        sets = ", ".join(f"{c}=excluded.{c}" for c in values)
        self.db.execute(
            f"INSERT INTO fleet_sites ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT (fleet, site_id) DO UPDATE SET {sets}",
            (fleet, site_id, *values.values()),
        )

    def phase(self, fleet: str, site_id: str, phase: str | None, worker: str | None = None) -> None:
        """Mark what is in flight for a site (None: nothing)."""
        values = {"phase": phase, "phase_since": time.time() if phase else None, "worker": worker}
        if phase in ("plan", "apply"):
            values["ran_by"] = worker
        self._upsert(fleet, site_id, values)

    def started(self, fleet: str, site_id: str, mode: str, rollout_id: str | None) -> None:
        self._upsert(fleet, site_id, {"mode": mode, "started": time.time(), "rollout_id": rollout_id})

    def finished(self, fleet: str, site_id: str, result: str, **values: Any) -> None:
        allowed = {"detail", "drift", "changes", "live_fingerprint", "desired_checksum"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown site fields: {sorted(unknown)}")
        self._upsert(
            fleet,
            site_id,
            {"result": result, "finished": time.time(), "phase": None, "phase_since": None, "worker": None, **values},
        )

    # -- roll-outs ---------------------------------------------------------------------------------
    def start_rollout(self, record: RolloutRecord) -> None:
        values = asdict(record)
        values["detail"] = json.dumps(record.detail, sort_keys=True)
        self.db.execute(
            f"INSERT INTO fleet_rollouts ({', '.join(values)}) VALUES ({', '.join('?' * len(values))}) "
            "ON CONFLICT (rollout_id) DO NOTHING",
            tuple(values.values()),
        )

    def update_rollout(
        self, rollout_id: str, status: str, wave: str | None, detail: dict[str, Any], final: bool = False
    ) -> None:
        self.db.execute(
            "UPDATE fleet_rollouts SET status=?, wave=?, detail=?, finished=? WHERE rollout_id=?",
            (status, wave, json.dumps(detail, sort_keys=True), time.time() if final else None, rollout_id),
        )

    def rollouts(self, fleet: str, limit: int = 20) -> list[RolloutRecord]:
        rows = self.db.execute(
            "SELECT rollout_id, fleet, revision, mode, engine, status, wave, started, finished, detail "
            "FROM fleet_rollouts WHERE fleet=? ORDER BY started DESC LIMIT ?",
            (fleet, limit),
        )
        return [RolloutRecord(*row[:9], detail=json.loads(row[9] or "{}")) for row in rows]

    def rollout(self, rollout_id: str) -> RolloutRecord | None:
        rows = self.db.execute(
            "SELECT rollout_id, fleet, revision, mode, engine, status, wave, started, finished, detail "
            "FROM fleet_rollouts WHERE rollout_id=?",
            (rollout_id,),
        )
        return RolloutRecord(*rows[0][:9], detail=json.loads(rows[0][9] or "{}")) if rows else None

    # -- plan artifacts ----------------------------------------------------------------------------
    def save_plan(self, checksum: str, scope: str, body: str) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO fleet_plans (checksum, scope, body, created) VALUES (?,?,?,?) "
                "ON CONFLICT (checksum) DO UPDATE SET created=excluded.created",
                (checksum, scope, body, time.time()),
            )
            old = self.db.execute("SELECT checksum FROM fleet_plans WHERE scope=? ORDER BY created DESC", (scope,))[
                PLANS_KEPT:
            ]
            self.db.executemany("DELETE FROM fleet_plans WHERE checksum=?", old)

    def load_plan(self, checksum: str) -> str | None:
        rows = self.db.execute("SELECT body FROM fleet_plans WHERE checksum=?", (checksum,))
        return rows[0][0] if rows else None

    # -- request budgets ---------------------------------------------------------------------------
    def reserve(self, budgets: list[tuple[str, float, float]]) -> float:
        """Reserve one request in each (name, interval, tolerance) budget; seconds to wait before sending.

        GCRA: each budget keeps a theoretical arrival time (TAT). A request may go at
        TAT - tolerance; the TAT then moves one interval on. The reservation is made at once, so
        a caller that waits the returned time never exceeds any budget, whoever else is sending.
        """
        wait = 0.0
        with self.db.transaction():
            now = self._now()
            for name, interval, tolerance in budgets:
                if self.db.dialect == "postgres":
                    sql = (
                        "INSERT INTO fleet_budget (name, tat) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                        "SET tat = GREATEST(fleet_budget.tat, ?) + ? RETURNING tat"
                    )
                else:
                    sql = (
                        "INSERT INTO fleet_budget (name, tat) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
                        "SET tat = MAX(fleet_budget.tat, ?) + ? RETURNING tat"
                    )
                (tat,) = self.db.execute(sql, (name, now + interval, now, interval))[0]
                wait = max(wait, tat - interval - tolerance - now)
        return max(0.0, wait)

    def _now(self) -> float:
        if self.db.dialect == "postgres":
            return float(self.db.execute("SELECT extract(epoch FROM clock_timestamp())")[0][0])
        return time.time()
