"""Copy-on-write scopes: a draft that costs what it changes, not a copy of everything.

A draft catalog (Catalogs v3) is a snapshot of the live rows taken when the draft is created,
changed by bulk calls, and published or discarded as a whole. Instead of copying every live row
into the draft at creation and every draft row back at publish, the draft scope holds only:

- the rows the draft created (new sequence numbers) or changed (the live row's sequence, parent and
  subtype, with the new body);
- the old value of each live row changed by a *live* call after the draft was created (the draft is
  a snapshot: U4 says publish overwrites such live edits), copied just before the live write;
- a **tombstone** (empty body) for each row created live after the draft was created: it is not in
  the snapshot, so the draft hides it and publish removes it.

:class:`DraftView` reads the draft as "its own row, else the live row" (tombstones hide); writes go
to the draft only. :class:`GuardedLive` is the live scope while a draft exists: before a live row
changes (or is created), it keeps the snapshot. :func:`publish` replaces the live rows the draft
has with the draft's and relabels them (tombstones delete), :func:`discard` drops the draft rows;
both cost the number of draft rows. The observable behaviour is that of a full copy.

Used by ``v3/repo.py`` (``CatalogScope``) and ``v3/drafts.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from reconciler.emulator.store import _CHUNK, DRAFT, LIVE, Collection, RowFacts, Tx
from reconciler.emulator.wire import dumps_text

TOMBSTONE = ""  # the body of a draft row that hides a live row

_COLUMNS = "api, scope, container, kind, id, seq, archived, parent, subtype, body"


class DraftView(Collection):
    """The draft rows of one kind, over the live ones."""

    # The draft's row and the live one are read in one statement (scope IN (draft, live): two probes
    # of the primary key), the draft's winning; what it learns of the draft's own rows is kept for
    # ``update`` (``owned``) until a bulk element is rolled back (``forget``).
    _BOTH = "api = ? AND scope IN (?, ?) AND container = ? AND kind = ?"

    def __init__(self, tx: Tx, api: str, container: str, kind: str):
        super().__init__(tx, api, DRAFT, container, kind)
        self.live_key = (api, LIVE, container, kind)
        self.both = (api, DRAFT, LIVE, container, kind)
        self.owned: dict[str, bool] = {}  # id -> whether the draft has its own row (tombstones included)
        # What the draft reads for an id, learnt by a read or written by this view (None: nothing):
        # a bulk call of 20 dishes reads their menu and section and checks the same variations 20
        # times. A view lives for one request, the only writer of its draft rows then (its
        # transaction is the write lock; a touch fault edits in a transaction of its own before);
        # a rolled back element forgets it all, like ``owned``.
        self.known_texts: dict[str, str | None] = {}
        self.known_facts: dict[str, RowFacts | None] = {}

    def forget(self) -> None:
        self.owned.clear()
        self.known_texts.clear()
        self.known_facts.clear()

    def _own(self, ident: str) -> tuple[int, int, str | None, str | None, str] | None:
        return self.tx.conn.execute(
            f"SELECT seq, archived, parent, subtype, body FROM entities WHERE {self._WHERE} AND id = ?",
            (*self.key, ident),
        ).fetchone()

    def _has_own(self, ident: str) -> bool:
        if ident not in self.owned:
            self.owned[ident] = self._own(ident) is not None
        return self.owned[ident]

    def get_text(self, ident: str) -> str | None:
        if ident in self.known_texts:
            return self.known_texts[ident]
        rows = dict(
            self.tx.conn.execute(f"SELECT scope, body FROM entities WHERE {self._BOTH} AND id = ?", (*self.both, ident))
        )
        self.owned[ident] = DRAFT in rows
        # a tombstone hides the live row
        text = (rows[DRAFT] or None) if DRAFT in rows else rows.get(LIVE)
        self.known_texts[ident] = text
        return text

    def facts(self, ids: Iterable[str]) -> dict[str, RowFacts]:
        wanted = list(dict.fromkeys(i for i in ids if isinstance(i, str)))
        unknown = [i for i in wanted if i not in self.known_facts]
        if unknown:
            found = self._read_facts(unknown)
            self.known_facts.update({i: found.get(i) for i in unknown})
        return {i: facts for i in wanted if (facts := self.known_facts[i]) is not None}

    def _read_facts(self, wanted: list[str]) -> dict[str, RowFacts]:
        found: dict[str, RowFacts] = {}
        hidden: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = (
                f"SELECT id, scope, archived, parent, subtype, body = '' FROM entities WHERE {self._BOTH} "
                f"AND id IN ({marks}) ORDER BY scope = ?"  # the live rows first: the draft's overwrite them
            )
            for ident, scope, archived, parent, subtype, tombstone in self.tx.conn.execute(
                sql, (*self.both, *chunk, DRAFT)
            ):
                if scope == DRAFT and tombstone:
                    hidden.add(ident)
                    found.pop(ident, None)
                elif ident not in hidden:
                    found[ident] = RowFacts(ident, bool(archived), parent, subtype)
        return found

    def _merged(self, columns: str, include_archived: bool = True) -> list[Any]:
        archived = "" if include_archived else " AND archived = 0"
        sql = (
            f"SELECT seq, {columns} FROM entities WHERE {self._WHERE} AND body != ''{archived} "
            f"UNION ALL SELECT seq, {columns} FROM entities AS l WHERE {self._WHERE}{archived} AND NOT EXISTS "
            "(SELECT 1 FROM entities AS d WHERE d.api = l.api AND d.scope = ? AND d.container = l.container "
            "AND d.kind = l.kind AND d.id = l.id) ORDER BY seq"
        )
        return self.tx.conn.execute(sql, (*self.key, *self.live_key, DRAFT)).fetchall()

    def texts(self, include_archived: bool = True) -> list[str]:
        return [row[1] for row in self._merged("body", include_archived)]

    def texts_with_seq(self) -> list[tuple[int, str]]:
        return [(int(row[0]), row[1]) for row in self._merged("body")]

    def count(self) -> int:
        return len(self._merged("id"))

    def update(self, ident: str, body: dict[str, Any]) -> None:
        """Write the draft's row, copying the live row's sequence, parent and subtype the first time."""
        text, archived = dumps_text(body), bool(body.get("archived"))
        if self._has_own(ident):
            written = self.update_text(ident, text, archived)
        else:
            written = self.tx.conn.execute(
                f"INSERT INTO entities ({_COLUMNS}) SELECT api, ?, container, kind, id, seq, ?, parent, subtype, ? "
                f"FROM entities WHERE {self._WHERE} AND id = ?",
                (DRAFT, int(archived), text, *self.live_key, ident),
            ).rowcount
            self.owned[ident] = True
        if not written:  # no such row (callers find it first): learn nothing
            self.known_texts.pop(ident, None)
            self.known_facts.pop(ident, None)
            return
        self.known_texts[ident] = text
        facts = self.known_facts.get(ident)
        if facts is not None:
            self.known_facts[ident] = replace(facts, archived=archived)

    def insert(self, ident: str, body: dict[str, Any], parent: str | None = None, subtype: str | None = None) -> int:
        text, archived = dumps_text(body), bool(body.get("archived"))
        seq = self.insert_text(ident, text, archived, parent, subtype)
        self.owned[ident] = True
        self.known_texts[ident] = text
        self.known_facts[ident] = RowFacts(ident, archived, parent, subtype)
        return seq

    def delete(self, ident: str) -> bool:
        existed = self.get_text(ident) is not None
        if self._has_own(ident):
            super().delete(ident)
        self.tx.conn.execute(
            f"INSERT INTO entities ({_COLUMNS}) SELECT api, ?, container, kind, id, seq, 0, parent, subtype, ? "
            f"FROM entities WHERE {self._WHERE} AND id = ?",
            (DRAFT, TOMBSTONE, *self.live_key, ident),
        )
        self.owned.pop(ident, None)  # a tombstone if the live row exists, else nothing: read again
        self.known_texts[ident] = None  # hidden, or gone
        self.known_facts[ident] = None
        return existed

    def insert_texts(self, rows: list[tuple[str, str, str | None, str | None]]) -> int:
        first = super().insert_texts(rows)
        self.forget()
        return first


class GuardedLive(Collection):
    """The live rows of one kind while a draft exists: every live write keeps the draft's snapshot."""

    def __init__(self, tx: Tx, api: str, container: str, kind: str):
        super().__init__(tx, api, LIVE, container, kind)
        self.draft_key = (api, DRAFT, container, kind)

    def _keep_snapshot(self, ident: str) -> None:
        # The old live row goes into the draft, unless the draft already has its own row for it.
        self.tx.conn.execute(
            f"INSERT OR IGNORE INTO entities ({_COLUMNS}) SELECT api, ?, container, kind, id, seq, archived, "
            f"parent, subtype, body FROM entities WHERE {self._WHERE} AND id = ?",
            (DRAFT, *self.key, ident),
        )

    def insert(self, ident: str, body: dict[str, Any], parent: str | None = None, subtype: str | None = None) -> int:
        seq = self.tx.next_seq()
        self.tx.conn.executemany(
            f"INSERT INTO entities ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (*self.key, ident, seq, int(bool(body.get("archived"))), parent, subtype, dumps_text(body)),
                (*self.draft_key, ident, seq, 0, parent, subtype, TOMBSTONE),  # not in the snapshot
            ],
        )
        return seq

    def update(self, ident: str, body: dict[str, Any]) -> None:
        self._keep_snapshot(ident)
        super().update(ident, body)

    def delete(self, ident: str) -> bool:
        self._keep_snapshot(ident)
        return super().delete(ident)


def _marks(kinds: list[str]) -> str:
    return ",".join("?" * len(kinds))


def publish(tx: Tx, api: str, container: str, kinds: Iterable[str]) -> int:
    """The draft becomes live: live rows the draft has are replaced (tombstoned ones removed), the
    draft's rows relabelled; returns the number of draft rows (the cost)."""
    kinds = list(kinds)
    marks = _marks(kinds)
    # Walk the draft rows (primary-key prefix) and find each live twin by primary key: the cost is
    # the draft's size, never a scan of the live catalog.
    tx.conn.execute(
        "DELETE FROM entities WHERE rowid IN (SELECT l.rowid FROM entities AS d JOIN entities AS l "
        "ON l.api = d.api AND l.scope = ? AND l.container = d.container AND l.kind = d.kind AND l.id = d.id "
        f"WHERE d.api = ? AND d.scope = ? AND d.container = ? AND d.kind IN ({marks}))",
        (LIVE, api, DRAFT, container, *kinds),
    )
    tx.conn.execute(
        f"DELETE FROM entities WHERE api = ? AND scope = ? AND container = ? AND kind IN ({marks}) AND body = ?",
        (api, DRAFT, container, *kinds, TOMBSTONE),
    )
    cur = tx.conn.execute(
        f"UPDATE entities SET scope = ? WHERE api = ? AND scope = ? AND container = ? AND kind IN ({marks})",
        (LIVE, api, DRAFT, container, *kinds),
    )
    return cur.rowcount


def discard(tx: Tx, api: str, container: str, kinds: Iterable[str]) -> int:
    return tx.delete_scope(api, container, kinds, DRAFT)
