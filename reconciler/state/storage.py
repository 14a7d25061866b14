"""The one storage interface: where reconcile keeps its state, on SQLite or on PostgreSQL.

Everything reconcile remembers goes through a :class:`Storage`, opened for a state directory:

    ============================  ==========================  ====================================
    what                          store (on a Database)       SQLite file (PostgreSQL: one database)
    ============================  ==========================  ====================================
    id mapping, run journal       state.mapping.MappingStore  state.sqlite
    availability layer            state.availability          state.sqlite
    fleet records and budgets     fleet.records.FleetRecords  state.sqlite
    serve's history, watermarks   serve.history.History       serve/history.sqlite
    serve's event queue           serve.queue.DatabaseQueue   serve/queue.sqlite
    ============================  ==========================  ====================================

A store is a small class over a :class:`~reconciler.state.database.Database` (SQL with ``?``
placeholders, run on either dialect; :meth:`Database.transaction`; :meth:`Database.serialise` to
order the transactions of one scope across machines) that creates its tables with
:meth:`Database.script`. A new kind of state (the availability layer, say) is one more such class,
opened on :meth:`Storage.database`: nothing else changes, and the storage test suite
(``tests/state``) runs it on both backends; the availability layer is one.

``RECONCILE_DATABASE_URL=postgresql://...`` puts all of it in one PostgreSQL database, shared by
every machine that has the URL; without it each store keeps its SQLite file in the state directory
(``synchronous=FULL`` for the queue and the history, whose rows were acknowledged to someone).
:meth:`Storage.lock` is the per-catalog apply lock that fits: a ``flock`` in the state directory,
or a PostgreSQL advisory lock that holds across machines.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

from reconciler import sqlite
from reconciler.state.availability import AvailabilityStore
from reconciler.state.database import Database, database_url, describe, is_postgres
from reconciler.state.lock import catalog_lock
from reconciler.state.mapping import MappingStore


class Storage:
    def __init__(self, state_dir: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.url = database_url(self.state_dir, env)
        self.postgres = is_postgres(self.url)

    @property
    def description(self) -> str:
        """For messages and status: never a password."""
        return describe(self.url)

    def database(self, name: str = "state", durability: sqlite.Durability = "normal") -> Database:
        """A connection to the database of ``name`` (a path under the state directory, without
        ``.sqlite``); with PostgreSQL every name is the one shared database. The caller closes it."""
        if self.postgres:
            return Database(self.url)
        return Database(str(self.state_dir / f"{name}.sqlite"), durability=durability)

    def mapping(self) -> MappingStore:
        """The id mapping and the run journal, on a connection of their own (closed with the store)."""
        return MappingStore(self.database(), owns=True)

    def availability(self) -> AvailabilityStore:
        """The availability layer (86s, stock, dashboard edits), on a connection of its own."""
        return AvailabilityStore(self.database(), owns=True)

    def lock(self, scope: str) -> AbstractContextManager[object]:
        """The per-catalog apply lock: across machines with PostgreSQL, on this machine with SQLite."""
        return catalog_lock(self.url, self.state_dir, scope)
