"""The emulator's state: one SQLite database shared by every API the emulator serves.

Layout (one generic table, so a second API plugs in without a migration)::

    entities(api, scope, container, kind, id, seq, archived, parent, subtype, body)

- ``api``: which emulated API owns the row ('catalogs-v3', 'locations', 'menus-v1');
- ``scope``: 'live', or 'draft' for a draft catalog's copy of the live rows;
- ``container``: the catalog id for catalog contents; for site-wide entities (locations, catalog
  headers, Menus (New) entities) the site's container, ``Tx.site``: 'site' for the default site,
  'site:<site id>' for each other site an emulator hosts (``sites.py``);
- ``seq``: creation order (lists come back in creation order); kept when rows are copied;
- ``parent`` / ``subtype``: small indexed facts (a section's menu, an item's type) that rules check
  without parsing ``body``;
- ``body``: the entity exactly as the API returns it, compact JSON, so a list is a string join.

``refs`` is the reverse index of the Menus (New) reference graph (child id -> the live rows that
list it, with each parent's creation sequence and its own locations): ``menus/parents.py`` keeps it
in the same transaction as the rows it indexes, so rollbacks and savepoints undo both alike.
The tables and their version are in ``tables.py``: a file from before the index existed is
indexed when first opened, inside the opening transaction.

Concurrency: a file store runs in WAL mode with a busy timeout (:func:`reconciler.sqlite.connect`,
the opener of every database reconcile keeps); every request runs in one
transaction (``read()`` or ``write()``, the latter ``BEGIN IMMEDIATE``), so readers see a snapshot
and writers from several threads or processes queue up. An in-memory store (no path) uses one
connection behind a lock. Publishing a draft is :meth:`Tx.replace_scope`: delete the live rows and
flip the draft rows, inside the caller's single transaction, so a crash or a concurrent reader never
sees half a catalog.

Settings (``meta``) are per site too: ``Tx.meta`` keys are the plain key on the default site and
'<container>/<key>' on the others. ``read(site)`` / ``write(site)`` open a transaction on one site
(the default one without an argument).

Called by the API handlers (through ``routing.Call.tx``), by ``seed.py`` and by the CLI.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from reconciler import sqlite
from reconciler.emulator import tables
from reconciler.emulator.wire import dumps_text

log = logging.getLogger(__name__)

LIVE = "live"
DRAFT = "draft"
SITE = "site"


_CHUNK = 500  # stays under SQLite's host-parameter limit


class _Connection(sqlite3.Connection):
    """A plain connection that can be weakly referenced: when the thread that owns it ends, its
    thread-local reference goes and the connection closes, instead of staying open in a registry."""


@dataclass(frozen=True)
class RowFacts:
    """What rules need to know about a referenced entity, without parsing its body."""

    id: str
    archived: bool
    parent: str | None
    subtype: str | None


def site_container(site_id: str | None) -> str:
    """The container of a site's site-wide rows: 'site' for the default site (``None``)."""
    return SITE if site_id is None else f"{SITE}:{site_id}"


class Tx:
    """One open transaction on one site. Obtain it from :meth:`Store.read` or :meth:`Store.write`."""

    def __init__(self, conn: sqlite3.Connection, writable: bool, site: str = SITE):
        self.conn = conn
        self.writable = writable
        self.site = site  # the container of this site's site-wide rows
        self._savepoints = 0

    def collection(self, api: str, scope: str, container: str, kind: str) -> Collection:
        return Collection(self, api, scope, container, kind)

    def on_site(self, site: str) -> Tx:
        """The same open transaction, on another site (seeding many sites in one transaction)."""
        return Tx(self.conn, self.writable, site)

    # --- site settings -----------------------------------------------------------------------
    def _meta_key(self, key: str) -> str:
        return key if self.site == SITE else f"{self.site}/{key}"

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (self._meta_key(key),)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (self._meta_key(key), value),
        )

    def next_seq(self) -> int:
        return self.reserve_seq(1)

    def reserve_seq(self, count: int) -> int:
        """Take ``count`` consecutive creation sequence numbers; returns the last one."""
        row = self.conn.execute(
            "INSERT INTO counters (name, value) VALUES ('seq', ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value RETURNING value",
            (count,),
        ).fetchone()
        return int(row[0])

    # --- whole scopes (draft catalogs) -------------------------------------------------------
    def copy_scope(self, api: str, container: str, kinds: Iterable[str], source: str, target: str) -> int:
        """Copy every row of ``kinds`` from one scope to another in one INSERT … SELECT."""
        kinds = list(kinds)
        marks = ",".join("?" * len(kinds))
        cur = self.conn.execute(
            "INSERT INTO entities (api, scope, container, kind, id, seq, archived, parent, subtype, body) "
            "SELECT api, ?, container, kind, id, seq, archived, parent, subtype, body FROM entities "
            f"WHERE api = ? AND scope = ? AND container = ? AND kind IN ({marks})",
            (target, api, source, container, *kinds),
        )
        return cur.rowcount

    def replace_scope(self, api: str, container: str, kinds: Iterable[str], source: str, target: str) -> int:
        """Make ``source`` the new ``target``: drop the target rows, then relabel the source rows."""
        kinds = list(kinds)
        self.delete_scope(api, container, kinds, target)
        marks = ",".join("?" * len(kinds))
        cur = self.conn.execute(
            f"UPDATE entities SET scope = ? WHERE api = ? AND scope = ? AND container = ? AND kind IN ({marks})",
            (target, api, source, container, *kinds),
        )
        return cur.rowcount

    def delete_scope(self, api: str, container: str, kinds: Iterable[str], scope: str) -> int:
        kinds = list(kinds)
        marks = ",".join("?" * len(kinds))
        cur = self.conn.execute(
            f"DELETE FROM entities WHERE api = ? AND scope = ? AND container = ? AND kind IN ({marks})",
            (api, scope, container, *kinds),
        )
        return cur.rowcount

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested all-or-nothing step (one bulk element) inside the request's transaction."""
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        else:
            self.conn.execute(f"RELEASE {name}")


class Collection:
    """The rows of one kind in one scope of one container, e.g. the draft items of catalog C."""

    def __init__(self, tx: Tx, api: str, scope: str, container: str, kind: str):
        self.tx = tx
        self.key = (api, scope, container, kind)

    _WHERE = "api = ? AND scope = ? AND container = ? AND kind = ?"

    def get_text(self, ident: str) -> str | None:
        row = self.tx.conn.execute(
            f"SELECT body FROM entities WHERE {self._WHERE} AND id = ?", (*self.key, ident)
        ).fetchone()
        return row[0] if row else None

    def get(self, ident: str) -> dict[str, Any] | None:
        text = self.get_text(ident)
        return json.loads(text) if text is not None else None

    def get_many(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored bodies of the existing ids among ``ids``, by id (one query per chunk)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.tx.conn.execute(
                f"SELECT id, body FROM entities WHERE {self._WHERE} AND id IN ({marks})", (*self.key, *chunk)
            )
            found.update((ident, json.loads(text)) for ident, text in rows)
        return found

    def facts(self, ids: Iterable[str]) -> dict[str, RowFacts]:
        """Archived flag, parent and subtype of each existing id among ``ids``."""
        wanted = list(dict.fromkeys(i for i in ids if isinstance(i, str)))
        found: dict[str, RowFacts] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.tx.conn.execute(
                f"SELECT id, archived, parent, subtype FROM entities WHERE {self._WHERE} AND id IN ({marks})",
                (*self.key, *chunk),
            )
            for ident, archived, parent, subtype in rows:
                found[ident] = RowFacts(ident, bool(archived), parent, subtype)
        return found

    def texts(self, include_archived: bool = True) -> list[str]:
        """Bodies in creation order, as stored JSON text (no parsing: lists stay fast)."""
        archived_clause = "" if include_archived else " AND archived = 0"
        rows = self.tx.conn.execute(
            f"SELECT body FROM entities WHERE {self._WHERE}{archived_clause} ORDER BY seq", self.key
        )
        return [row[0] for row in rows]

    def texts_with_seq(self) -> list[tuple[int, str]]:
        """``(seq, body)`` pairs in creation order: keyset paging needs the creation sequence."""
        rows = self.tx.conn.execute(f"SELECT seq, body FROM entities WHERE {self._WHERE} ORDER BY seq", self.key)
        return [(int(row[0]), row[1]) for row in rows]

    def all(self, include_archived: bool = True) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.texts(include_archived)]

    def count(self) -> int:
        return int(self.tx.conn.execute(f"SELECT COUNT(*) FROM entities WHERE {self._WHERE}", self.key).fetchone()[0])

    def insert(self, ident: str, body: dict[str, Any], parent: str | None = None, subtype: str | None = None) -> int:
        """Insert one row; returns its creation sequence number."""
        return self.insert_text(ident, dumps_text(body), bool(body.get("archived")), parent, subtype)

    def insert_text(self, ident: str, text: str, archived: bool, parent: str | None, subtype: str | None) -> int:
        """Insert one row whose body is already JSON text (``insert`` without serialising twice)."""
        seq = self.tx.next_seq()
        self.tx.conn.execute(
            "INSERT INTO entities (api, scope, container, kind, id, seq, archived, parent, subtype, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*self.key, ident, seq, int(archived), parent, subtype, text),
        )
        return seq

    def insert_texts(self, rows: list[tuple[str, str, str | None, str | None]]) -> int:
        """Insert ``(id, body JSON text, parent, subtype)`` rows, unarchived, in creation order, with
        one statement (seeding many rows); returns the first row's creation sequence number (the
        others follow it one by one)."""
        if not rows:
            return 0
        last = self.tx.reserve_seq(len(rows))
        first = last - len(rows) + 1
        self.tx.conn.executemany(
            "INSERT INTO entities (api, scope, container, kind, id, seq, archived, parent, subtype, body) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            [
                (*self.key, ident, first + offset, parent, subtype, text)
                for offset, (ident, text, parent, subtype) in enumerate(rows)
            ],
        )
        return first

    def delete(self, ident: str) -> bool:
        cur = self.tx.conn.execute(f"DELETE FROM entities WHERE {self._WHERE} AND id = ?", (*self.key, ident))
        return cur.rowcount > 0

    def update(self, ident: str, body: dict[str, Any]) -> None:
        """Rewrite one row's body (``archived`` follows the body); parent and subtype never change."""
        self.update_text(ident, dumps_text(body), bool(body.get("archived")))

    def update_text(self, ident: str, text: str, archived: bool) -> int:
        """``update`` with the body already JSON text; returns the number of rows rewritten."""
        cur = self.tx.conn.execute(
            f"UPDATE entities SET body = ?, archived = ? WHERE {self._WHERE} AND id = ?",
            (text, int(archived), *self.key, ident),
        )
        return cur.rowcount


class Store:
    """The SQLite database behind an emulator. ``path=None`` keeps everything in memory."""

    def __init__(self, path: str | None = None):
        self.path = path
        self._local = threading.local()
        self._connections: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._connections_lock = threading.Lock()
        # An in-memory database lives in one connection, so requests take turns on it.
        self._memory_lock = threading.RLock() if path is None else None
        self._memory_conn: sqlite3.Connection | None = None
        with self.write() as tx:
            tables.create(tx.conn)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite.connect(self.path, durability="normal", factory=_Connection)
        with self._connections_lock:
            self._connections.add(conn)
        return conn

    def _connection(self) -> sqlite3.Connection:
        if self._memory_lock is not None:
            if self._memory_conn is None:
                self._memory_conn = self._connect()
            return self._memory_conn
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @contextmanager
    def _transaction(self, writable: bool, site: str) -> Iterator[Tx]:
        lock = self._memory_lock
        if lock is not None:
            lock.acquire()
        try:
            conn = self._connection()
            with sqlite.transaction(conn, write=writable):
                yield Tx(conn, writable, site)
        finally:
            if lock is not None:
                lock.release()

    def read(self, site: str = SITE) -> AbstractContextManager[Tx]:
        """A read-only snapshot of one site (a container from :func:`site_container`): every query
        inside sees the same committed state."""
        return self._transaction(False, site)

    def write(self, site: str = SITE) -> AbstractContextManager[Tx]:
        """An exclusive write transaction on one site, committed on success, rolled back on any error."""
        return self._transaction(True, site)

    def wipe(self) -> None:
        """Forget every entity and setting (``reconcile emulator reset``)."""
        with self.write() as tx:
            tx.conn.execute("DELETE FROM entities")
            tx.conn.execute("DELETE FROM refs")
            tx.conn.execute("DELETE FROM meta")
            tx.conn.execute("DELETE FROM counters")

    def close(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
            self._connections = weakref.WeakSet()
        for conn in connections:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover - closing a connection busy in another thread
                log.debug("could not close an emulator store connection", exc_info=True)
        self._memory_conn = None
        self._local = threading.local()


def default_state_path() -> str:
    """The embedded sandbox's state file: ``$RECONCILE_STATE_DIR/sandbox.sqlite``, else
    ``.reconcile/sandbox.sqlite`` under the working directory."""
    directory = os.environ.get("RECONCILE_STATE_DIR") or ".reconcile"
    return os.path.join(directory, "sandbox.sqlite")


def open_store(path: str | None) -> Store:
    """Open (creating if needed) the state file at ``path``; ``None`` means in memory."""
    return Store(path)
