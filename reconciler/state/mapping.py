"""The id mapping: which Wix entity each catalog id (POS or author id) corresponds to.

Kept in the state database (:mod:`reconciler.state.storage`: ``state.sqlite`` in the state
directory, or PostgreSQL). Rows are scoped by target and catalog, so one state
directory can serve several locations and targets. Besides the Wix id, each row remembers the
hash of the entity as reconcile last wrote it, which is how the plan tells *drift* (someone edited
the live menu outside reconcile) from an ordinary change.

Applies write new rows into ``pending`` first, tagged with the run, and move them into
``mapping`` in one transaction only once the publish is known to have happened. A run that died
in between leaves pending rows that the next run confirms (the Wix ids exist live) or drops.

Every write is one transaction that first serialises on its scope (:meth:`Database.serialise`: a
PostgreSQL advisory lock per scope), so workers on several machines sharing one database never
interleave a stage, a commit or a drop of the same catalog.

On a target without drafts a create is live (if detached) the moment it runs, so before sending
one the run records an ``intent``: what it is about to create, with the payload that finds the
entity again if the answer never arrives (``targets/wix_menus/recognise.py``). Once the create
answered, its id is staged and the intent forgotten; a run killed in between leaves the intent,
and the next run adopts what it finds (engine.settle).
"""

from __future__ import annotations

import base64
import json
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from reconciler.canonical import JsonObject
from reconciler.state.database import Database, by_columns

SCHEMA = """
CREATE TABLE IF NOT EXISTS mapping (
    scope TEXT NOT NULL, kind TEXT NOT NULL, local_id TEXT NOT NULL, wix_id TEXT NOT NULL,
    applied_hash TEXT, PRIMARY KEY (scope, kind, local_id));
CREATE INDEX IF NOT EXISTS mapping_by_wix ON mapping (scope, wix_id);
CREATE TABLE IF NOT EXISTS pending (
    scope TEXT NOT NULL, run_id TEXT NOT NULL, kind TEXT NOT NULL, local_id TEXT NOT NULL,
    wix_id TEXT NOT NULL, applied_hash TEXT, PRIMARY KEY (scope, run_id, kind, local_id));
CREATE TABLE IF NOT EXISTS intents (
    scope TEXT NOT NULL, run_id TEXT NOT NULL, kind TEXT NOT NULL, local_id TEXT NOT NULL,
    payload TEXT NOT NULL, staged {REAL} NOT NULL, PRIMARY KEY (scope, run_id, kind, local_id));
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, scope TEXT NOT NULL, started {REAL} NOT NULL, finished {REAL},
    status TEXT NOT NULL, summary TEXT, who TEXT, plan TEXT, before_state TEXT, undoes TEXT, site_run TEXT);
CREATE INDEX IF NOT EXISTS runs_by_scope ON runs (scope, started);
CREATE TABLE IF NOT EXISTS journals (run_id TEXT PRIMARY KEY, plan TEXT, before_state TEXT)
"""
# A run's plan and before-state (megabytes for a large catalog) are kept in `journals`, apart from
# its row in `runs`, which finish_run updates: SQLite rewrites a whole row on any update. Runs
# journalled before that table existed keep them in the `runs` columns, which are read as well.
# The journal's columns after the first six, added in place to state made before they existed: who
# ran it, the plan it applied, the before-state of what it touched (JSON, zlib, base64), what it undoes,
# and the run of several locations it is one location of (`apply --location all`: one id for all of them).
JOURNAL_COLUMNS = ("who", "plan", "before_state", "undoes", "site_run")


# An entry's fields in order, as a plain row: (namespace, local_id, wix_id, applied_hash).
Row = tuple[str, str, str, str | None]


@dataclass(frozen=True)
class Entry:
    namespace: str  # the id namespace (the table's `kind` column): "item" for dishes and variations
    local_id: str
    wix_id: str
    applied_hash: str | None = None

    def row(self) -> Row:
        return (self.namespace, self.local_id, self.wix_id, self.applied_hash)


@dataclass(frozen=True)
class Intent:
    """A create about to be sent: ``namespace`` and ``local_id`` as in the mapping, ``payload`` as sent."""

    namespace: str
    local_id: str
    payload: JsonObject
    staged: float = 0.0  # when it was recorded (time.time()); filled in by the store


class Run(NamedTuple):
    """One apply in the journal."""

    run_id: str
    scope: str
    started: float
    finished: float | None
    status: str  # running | applied | failed | draft-left | interrupted | unknown | abandoned
    summary: str | None


@dataclass(frozen=True)
class Journal:
    """What an apply records before it runs, so `history` can show it and `rollback` undo it."""

    who: str = ""  # "user@host", "serve", "fleet"
    plan: str = ""  # the plan's JSON form (engine.planfile)
    before: str = ""  # JSON: [{"kind", "id", "before": record or null}] for every entity the plan touches
    undoes: str | None = None  # the run this one rolls back
    site_run: str | None = None  # the apply of several locations this run is one location of


class JournalRun(NamedTuple):
    run: Run
    who: str
    plan: str
    before: str
    undoes: str | None
    site_run: str | None = None


def pack(text: str) -> str | None:
    """A journal's text as stored: UTF-8, zlib (level 1), base64; None for none."""
    return pack_parts([text.encode("utf-8")])


def pack_parts(parts: Iterable[bytes | memoryview]) -> str | None:
    """:func:`pack` of the text whose UTF-8 bytes are ``parts`` in turn, without joining or decoding
    them first (a plan is megabytes); zlib streams them and lets other threads run meanwhile."""
    packer, packed = zlib.compressobj(1), []
    for part in parts:
        if len(part):
            packed.append(packer.compress(part))
    if not packed:
        return None  # no text, as pack("")
    packed.append(packer.flush())
    return base64.b64encode(b"".join(packed)).decode("ascii")


def _unpack(packed: str | None) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode("utf-8") if packed else ""


_JOURNALED = (
    "r.run_id, r.scope, r.started, r.finished, r.status, r.summary, r.who, COALESCE(j.plan, r.plan), "
    "COALESCE(j.before_state, r.before_state), r.undoes, r.site_run "
    "FROM runs r LEFT JOIN journals j ON j.run_id=r.run_id"
)


def _prefix(run_id: str) -> str:
    return "".join(c for c in run_id if c.isalnum() or c == "-") + "%"


def _journal_run(r: Any) -> JournalRun:
    return JournalRun(Run(*r[:6]), r[6] or "", _unpack(r[7]), _unpack(r[8]), r[9], r[10])


class MappingStore:
    """The id mapping and the run journal, on a :class:`Database` (or a SQLite file, opened here)."""

    def __init__(self, db: Database | str | Path, *, owns: bool | None = None) -> None:
        self._owned = not isinstance(db, Database) if owns is None else owns
        self.db = db if isinstance(db, Database) else Database(str(db))
        self.db.script(SCHEMA.replace("{REAL}", self.db.real()))
        self._journal_columns()

    def close(self) -> None:
        if self._owned:
            self.db.close()

    # -- reading -----------------------------------------------------------------------------
    def entries(self, scope: str) -> list[Entry]:
        return [Entry(*row) for row in self.rows(scope)]

    def rows(self, scope: str) -> list[Row]:
        """The entries of ``scope`` as rows, by namespace and local id (``by_columns``): what the plan
        memo hashes, without an Entry made for each (10,000 of them: a tenth of a memo's answer)."""
        sql = "SELECT kind, local_id, wix_id, applied_hash FROM mapping WHERE scope=? ORDER BY kind, local_id"
        return by_columns(self.db.execute(sql, (scope,)), 2)

    def pending(self, scope: str) -> dict[str, list[Entry]]:
        rows = self.db.execute(
            "SELECT run_id, kind, local_id, wix_id, applied_hash FROM pending WHERE scope=? "
            "ORDER BY run_id, kind, local_id",
            (scope,),
        )
        rows = by_columns(rows, 3)
        runs: dict[str, list[Entry]] = {}
        for run_id, *rest in rows:
            runs.setdefault(run_id, []).append(Entry(*rest))
        return runs

    def intents(self, scope: str) -> dict[str, list[Intent]]:
        """Per run, the creates it recorded and never saw answered (in the order they were recorded)."""
        rows = self.db.execute(
            "SELECT run_id, kind, local_id, payload, staged FROM intents WHERE scope=? "
            "ORDER BY run_id, staged, kind, local_id",
            (scope,),
        )
        rows = sorted(rows, key=lambda row: (row[0], row[4], row[1], row[2]))  # as by_columns: run, staged, key
        runs: dict[str, list[Intent]] = {}
        for run_id, kind, local_id, payload, staged in rows:
            runs.setdefault(run_id, []).append(Intent(kind, local_id, json.loads(payload), staged))
        return runs

    def dump(self) -> dict[str, list[tuple[object, ...]]]:
        """Every mapping, pending and intent row of every scope, in a stable order (tests compare these)."""
        with self.db.transaction():
            return {
                "mapping": by_columns(self.db.execute("SELECT * FROM mapping ORDER BY scope, kind, local_id"), 3),
                "pending": by_columns(
                    self.db.execute("SELECT * FROM pending ORDER BY scope, run_id, kind, local_id"), 4
                ),
                "intents": by_columns(
                    self.db.execute(
                        "SELECT scope, run_id, kind, local_id FROM intents ORDER BY scope, run_id, kind, local_id"
                    ),
                    4,
                ),
            }

    # -- writing -----------------------------------------------------------------------------
    def stage(self, scope: str, run_id: str, entries: Iterable[Entry]) -> None:
        """Record the ids an apply is about to publish, before publishing (their intents are answered)."""
        rows = [(scope, run_id, e.namespace, e.local_id, e.wix_id, e.applied_hash) for e in entries]
        with self.db.transaction():
            self.db.serialise(scope)
            self.db.execute("DELETE FROM pending WHERE scope=? AND run_id=?", (scope, run_id))
            self.db.executemany("INSERT INTO pending VALUES (?,?,?,?,?,?)", rows)
            # A run that recorded no intents (Catalogs v3: its creates are in a draft) has none to
            # answer: not a probe per row (10,500 at a 10,000-dish create).
            if self.db.execute("SELECT 1 FROM intents WHERE scope=? AND run_id=? LIMIT 1", (scope, run_id)):
                self.db.executemany(
                    "DELETE FROM intents WHERE scope=? AND run_id=? AND kind=? AND local_id=?", [r[:4] for r in rows]
                )

    def add_pending(self, scope: str, run_id: str, entries: Iterable[Entry]) -> None:
        """Add rows to a run's pending ones (what a dead run's intents turned out to have created)."""
        rows = [(scope, run_id, e.namespace, e.local_id, e.wix_id, e.applied_hash) for e in entries]
        with self.db.transaction():
            self.db.serialise(scope)
            self.db.executemany(
                "INSERT INTO pending VALUES (?,?,?,?,?,?) ON CONFLICT (scope, run_id, kind, local_id) "
                "DO UPDATE SET wix_id=excluded.wix_id, applied_hash=excluded.applied_hash",
                rows,
            )

    def intend(self, scope: str, run_id: str, intents: Iterable[Intent]) -> None:
        """Record creates about to be sent, before sending them."""
        now = time.time()
        rows = [  # a microsecond apart: the order they were recorded in is the order they are matched in
            (scope, run_id, i.namespace, i.local_id, json.dumps(i.payload, sort_keys=True, default=str), now + n * 1e-6)
            for n, i in enumerate(intents)
        ]
        with self.db.transaction():
            self.db.serialise(scope)
            self.db.executemany(
                "INSERT INTO intents VALUES (?,?,?,?,?,?) ON CONFLICT (scope, run_id, kind, local_id) "
                "DO UPDATE SET payload=excluded.payload, staged=excluded.staged",
                rows,
            )

    def forget_intents(self, scope: str, run_id: str) -> None:
        with self.db.transaction():
            self.db.execute("DELETE FROM intents WHERE scope=? AND run_id=?", (scope, run_id))

    def commit(self, scope: str, run_id: str) -> int:
        """Move a run's pending rows into the mapping, in one transaction."""
        with self.db.transaction():
            self.db.serialise(scope)
            rows = self.db.execute(
                "SELECT kind, local_id, wix_id, applied_hash FROM pending WHERE scope=? AND run_id=?",
                (scope, run_id),
            )
            self.db.executemany(
                "INSERT INTO mapping VALUES (?,?,?,?,?) ON CONFLICT (scope, kind, local_id) "
                "DO UPDATE SET wix_id=excluded.wix_id, applied_hash=excluded.applied_hash",
                [(scope, *row) for row in rows],
            )
            self.db.execute("DELETE FROM pending WHERE scope=? AND run_id=?", (scope, run_id))
            self.db.execute("DELETE FROM intents WHERE scope=? AND run_id=?", (scope, run_id))
        return len(rows)

    def drop(self, scope: str, run_id: str) -> None:
        """Forget a run's pending rows and intents: what it created is gone again (or never was)."""
        with self.db.transaction():
            self.db.serialise(scope)
            self.db.execute("DELETE FROM pending WHERE scope=? AND run_id=?", (scope, run_id))
            self.db.execute("DELETE FROM intents WHERE scope=? AND run_id=?", (scope, run_id))

    # -- run history ---------------------------------------------------------------------------
    def _journal_columns(self) -> None:
        if self.db.dialect == "postgres":
            query = "SELECT column_name FROM information_schema.columns WHERE table_name='runs'"
        else:
            query = "SELECT name FROM pragma_table_info('runs')"
        have = {str(row[0]) for row in self.db.execute(query)}
        for column in JOURNAL_COLUMNS:
            if column not in have:
                try:
                    self.db.execute(f"ALTER TABLE runs ADD COLUMN {column} TEXT")
                except Exception as exc:  # another process added it first: what was wanted
                    if "duplicate" not in str(exc).lower() and "already exists" not in str(exc).lower():
                        raise

    def start_run(self, scope: str, run_id: str, journal: Journal | None = None, plan_later: bool = False) -> None:
        """``plan_later``: the plan is stored by :meth:`journal_plan` once packed (apply packs it while
        its calls run); until then the run's journal has its before-state and no plan."""
        j = journal or Journal()
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO runs (run_id, scope, started, finished, status, summary, who, undoes, site_run) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (run_id, scope, time.time(), None, "running", None, j.who, j.undoes, j.site_run),
            )
            plan = None if plan_later else pack(j.plan)
            self.db.execute("INSERT INTO journals VALUES (?,?,?)", (run_id, plan, pack(j.before)))

    def journal_plan(self, run_id: str, packed: str | None) -> None:
        """The plan of a run started with ``plan_later``, as :func:`pack` packed it."""
        self.db.execute("UPDATE journals SET plan=? WHERE run_id=?", (packed, run_id))

    def journal(self, run_id: str) -> JournalRun | None:
        """A run with what it recorded; ``run_id`` may be a unique prefix."""
        rows = self.db.execute(
            f"SELECT {_JOURNALED} WHERE r.run_id LIKE ? ORDER BY r.started DESC LIMIT 2",
            (_prefix(run_id),),
        )
        return _journal_run(rows[0]) if len(rows) == 1 else None

    def site_run(self, site_run: str) -> list[JournalRun]:
        """The location runs of one apply of several locations (``site_run`` may be a unique prefix), in
        the order they started; empty when it names none, or more than one."""
        rows = self.db.execute(
            f"SELECT {_JOURNALED} WHERE r.site_run LIKE ? ORDER BY r.started, r.run_id", (_prefix(site_run),)
        )
        if len({r[10] for r in rows}) != 1:
            return []
        return [_journal_run(r) for r in rows]

    def undone(self, run_id: str) -> list[Run]:
        """Applied runs that roll ``run_id`` back."""
        rows = self.db.execute(
            "SELECT run_id, scope, started, finished, status, summary FROM runs WHERE undoes=? AND status=?",
            (run_id, "applied"),
        )
        return [Run(*row) for row in rows]

    def who(self, run_ids: Iterable[str]) -> dict[str, str]:
        ids = list(run_ids)
        if not ids:
            return {}
        rows = self.db.execute(
            f"SELECT run_id, who, undoes, site_run FROM runs WHERE run_id IN ({','.join('?' * len(ids))})", ids
        )
        return {
            r[0]: (r[1] or "")
            + (f" (rollback of {r[2][:12]})" if r[2] else "")
            + (f" (one location of run {r[3]})" if r[3] else "")
            for r in rows
        }

    def finish_run(self, run_id: str, status: str, summary: str | None = None) -> None:
        self.db.execute(
            "UPDATE runs SET finished=?, status=?, summary=? WHERE run_id=?", (time.time(), status, summary, run_id)
        )

    def runs(self, scope: str | None = None, limit: int = 50) -> list[Run]:
        query = "SELECT run_id, scope, started, finished, status, summary FROM runs"
        args: tuple[str, ...] = ()
        if scope:
            query += " WHERE scope=?"
            args = (scope,)
        rows = self.db.execute(query + " ORDER BY started DESC, run_id LIMIT ?", (*args, limit))
        return [Run(*row) for row in rows]
