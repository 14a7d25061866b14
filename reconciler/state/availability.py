"""The availability layer: which dishes, variations and choices are 86'd (or forced back on), where, until when.

Kitchens take dishes off the menu during service, POS systems mark them sold out, staff flip them
in the Wix dashboard. None of that belongs in the catalog YAML (it is reviewed in pull requests;
an 86 lasts an evening), so it is kept here, in reconcile's state, next to the id mapping. The
effective desired state is the catalog plus this layer (:mod:`reconciler.engine.availability`).

An entry names one entity (a dish, or a variation: a size or an option choice) at one location
(a Wix location id, or ``*`` for every location), says whether it is available, since when and
until when (``None``: until someone ends it), why, and who said so (``source``). There is at most
one entry per (location, entity): a newer one replaces the older. Every start and end is written
to ``availability_log`` too, which ``reconcile history`` shows.

Times are timezone-aware UTC datetimes, stored as ISO 8601 text. Nothing here reads the clock:
callers pass ``now`` (an injectable clock), so expiry is exact and testable without sleeping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from reconciler.state.database import Database, by_columns

EVERYWHERE = "*"  # the location of an entry that holds at every location

SCHEMA = """
CREATE TABLE IF NOT EXISTS availability (
    location TEXT NOT NULL, entity TEXT NOT NULL, kind TEXT NOT NULL, available INTEGER NOT NULL,
    since TEXT NOT NULL, until TEXT, reason TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (location, entity));
CREATE TABLE IF NOT EXISTS availability_log (
    seq {SERIAL}, at TEXT NOT NULL, event TEXT NOT NULL, location TEXT NOT NULL,
    entity TEXT NOT NULL, available INTEGER NOT NULL, until TEXT, reason TEXT NOT NULL, source TEXT NOT NULL)
"""


class LayerSource(StrEnum):
    """Who made an entry: a person on the command line, a POS webhook, or an edit in the Wix dashboard."""

    CLI = "cli"
    POS = "pos"
    WIX_DASHBOARD = "wix-dashboard"


class LayerEvent(StrEnum):
    """What happened to an entry (the log's ``event``)."""

    STARTED = "started"
    ENDED = "ended"  # un86, back in stock, or undone in the dashboard
    EXPIRED = "expired"  # its ``until`` passed


@dataclass(frozen=True)
class LayerEntry:
    entity: str  # our id of a dish or a variation
    kind: str  # "dish" or "variation"
    location: str  # a Wix location id, or EVERYWHERE
    available: bool
    since: datetime
    until: datetime | None  # None: until ended
    reason: str
    source: LayerSource

    def active(self, now: datetime) -> bool:
        return self.since <= now and (self.until is None or now < self.until)

    def applies_at(self, location_id: str) -> bool:
        return self.location in (EVERYWHERE, location_id)


@dataclass(frozen=True)
class LogRecord:
    at: datetime
    event: LayerEvent
    entry: LayerEntry


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def _row(entry: LayerEntry) -> tuple[object, ...]:
    return (
        entry.location,
        entry.entity,
        entry.kind,
        int(entry.available),
        _text(entry.since),
        _text(entry.until),
        entry.reason,
        str(entry.source),
    )


def _entry(row: tuple[object, ...]) -> LayerEntry:
    location, entity, kind, available, since, until, reason, source = row
    start = _moment(str(since))
    assert start is not None
    return LayerEntry(
        str(entity),
        str(kind),
        str(location),
        bool(available),
        start,
        _moment(None if until is None else str(until)),
        str(reason),
        LayerSource(str(source)),
    )


class AvailabilityStore:
    """The layer, in the state database (:mod:`reconciler.state.storage`: the same one as the id
    mapping, ``state.sqlite`` or PostgreSQL); a path opens that SQLite file."""

    def __init__(self, db: Database | str | Path, *, owns: bool | None = None) -> None:
        self._owned = not isinstance(db, Database) if owns is None else owns
        self.db = db if isinstance(db, Database) else Database(str(db))
        self.db.script(SCHEMA.replace("{SERIAL}", self.db.serial()))

    def close(self) -> None:
        if self._owned:
            self.db.close()

    # -- reading -------------------------------------------------------------------------------
    def entries(self) -> list[LayerEntry]:
        """Every stored entry, expired ones included, by location then entity."""
        rows = self.db.execute(
            "SELECT location, entity, kind, available, since, until, reason, source FROM availability "
            "ORDER BY location, entity"
        )
        return [_entry(row) for row in by_columns(rows, 2)]

    def active(self, now: datetime, location_id: str | None = None) -> list[LayerEntry]:
        """The entries in force at ``now`` (at ``location_id``, when given)."""
        return [e for e in self.entries() if e.active(now) and (location_id is None or e.applies_at(location_id))]

    def next_expiry(self, now: datetime) -> datetime | None:
        """When the next entry in force ends by itself: serve wakes up then."""
        ends = [e.until for e in self.entries() if e.until is not None and e.until > now]
        return min(ends) if ends else None

    def log(self, limit: int = 100) -> list[LogRecord]:
        rows = self.db.execute(
            "SELECT at, event, location, entity, available, until, reason, source FROM availability_log "
            "ORDER BY seq DESC LIMIT ?",
            (limit,),
        )
        out = []
        for at, event, location, entity, available, until, reason, source in rows:
            entry = _entry((location, entity, "", available, at, until, reason, source))
            moment = _moment(at)
            assert moment is not None
            out.append(LogRecord(moment, LayerEvent(event), entry))
        return out

    # -- writing -------------------------------------------------------------------------------
    def put(self, entries: Iterable[LayerEntry], now: datetime) -> None:
        """Start (or replace) entries, in one transaction."""
        with self.db.transaction():
            self.db.serialise("availability")
            for entry in entries:
                self.db.execute(
                    "INSERT INTO availability VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(location, entity) DO UPDATE SET "
                    "kind=excluded.kind, available=excluded.available, since=excluded.since, until=excluded.until, "
                    "reason=excluded.reason, source=excluded.source",
                    _row(entry),
                )
                self._write_log(now, LayerEvent.STARTED, entry)

    def end(self, keys: Iterable[tuple[str, str]], now: datetime, event: LayerEvent = LayerEvent.ENDED) -> int:
        """End the entries of these (location, entity) pairs; returns how many there were."""
        ended = 0
        with self.db.transaction():
            self.db.serialise("availability")
            for location, entity in keys:
                rows = self.db.execute(
                    "SELECT location, entity, kind, available, since, until, reason, source FROM availability "
                    "WHERE location=? AND entity=?",
                    (location, entity),
                )
                if not rows:
                    continue
                found = rows[0]
                self.db.execute("DELETE FROM availability WHERE location=? AND entity=?", (location, entity))
                self._write_log(now, event, _entry(found))
                ended += 1
        return ended

    def expire(self, now: datetime) -> list[LayerEntry]:
        """End every entry whose ``until`` has passed (logged as expired); returns them."""
        gone = [e for e in self.entries() if e.until is not None and e.until <= now]
        self.end(((e.location, e.entity) for e in gone), now, LayerEvent.EXPIRED)
        return gone

    def _write_log(self, now: datetime, event: LayerEvent, entry: LayerEntry) -> None:
        self.db.execute(
            "INSERT INTO availability_log (at, event, location, entity, available, until, reason, source) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (
                _text(now),
                str(event),
                entry.location,
                entry.entity,
                int(entry.available),
                _text(entry.until),
                entry.reason,
                str(entry.source),
            ),
        )
