"""The reverse index of the reference graph: for each child id, the live rows that list it.

The store's ``refs`` table (``store.py``) holds one row per parent and child id it lists::

    (api, container, child_kind, child_id, parent_id, parent_seq, located)

- ``located``: the parent's own locations as JSON text (``[]`` while it has none): what it passes
  down (§3.3). A menu or section has at most one; items and groups a list, in their order.
- ``parent_seq``: the parent's creation sequence (it never changes, so the index never has to
  follow it).

Edges: menu -> its ``sectionIds``, section -> its ``itemIds``, item -> its ``modifierGroups`` and
``priceVariants`` (labels have no location), modifier group -> its ``modifiers``. Ids that dangle
stay indexed, as they stay in the parent's array (§6.2).

Kept by every write of a parent row (``repo.insert``, ``repo.save``, ``repo.remove``, and the
generated menus of ``synthetic.py``), in the same transaction as the row, so savepoints, rollbacks
and the write lock cover both alike.

What it answers (:func:`locations`): a child's derived locations are the union of its located
parents' locations in the parents' creation order (``graph.py``). A parent whose ``located`` equals
an earlier parent's adds nothing to it, so only the first parent (lowest sequence) of each distinct
``located`` value counts: SQLite groups the child's edges by that value and answers one row per
value, however many parents list the child (a variant shared by 4,000 items is a few rows).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from reconciler.emulator.menus import shapes
from reconciler.emulator.menus.services import API, GROUP, ITEM, MENU, MODIFIER, SECTION, VARIANT
from reconciler.emulator.store import LIVE, Tx
from reconciler.emulator.wire import dumps_text

CHILD_KINDS: dict[str, tuple[str, ...]] = {
    MENU: (SECTION,),
    SECTION: (ITEM,),
    ITEM: (GROUP, VARIANT),
    GROUP: (MODIFIER,),
}
NONE = "[]"  # ``located`` of a parent without a location
_CHUNK = 500  # child ids per query: under SQLite's host-parameter limit

Edge = tuple[str, str]  # (child kind, child id)
Row = tuple[str, str, str, str, str, int, str]  # a refs row, in column order


def located_text(kind: str, entity: dict[str, Any]) -> str:
    if kind in (MENU, SECTION):
        value = entity.get("businessLocationId")
        return dumps_text([value]) if value else NONE
    return dumps_text(list(entity.get("businessLocationIds") or []))


def edges(kind: str, entity: dict[str, Any]) -> set[Edge]:
    wanted = CHILD_KINDS.get(kind)
    if not wanted:
        return set()
    found = shapes.references(kind, entity)
    return {
        (child_kind, ident) for child_kind in wanted for ident in found.get(child_kind, []) if isinstance(ident, str)
    }


def rows_of(container: str, kind: str, entity: dict[str, Any], seq: int) -> list[Row]:
    located = located_text(kind, entity)
    ident = entity["id"]
    return [(API, container, child_kind, child, located, seq, ident) for child_kind, child in edges(kind, entity)]


def add(conn: sqlite3.Connection, rows: Iterable[Row]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO refs (api, container, child_kind, child_id, located, parent_seq, parent_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _seq(tx: Tx, kind: str, ident: str) -> int:
    row = tx.conn.execute(
        "SELECT seq FROM entities WHERE api = ? AND scope = ? AND container = ? AND kind = ? AND id = ?",
        (API, LIVE, tx.site, kind, ident),
    ).fetchone()
    return int(row[0])


def written(tx: Tx, kind: str, old: dict[str, Any] | None, new: dict[str, Any] | None, seq: int | None = None) -> None:
    """Follow one write of a row: created (``old`` None, ``seq`` its sequence), updated or deleted
    (``new`` None). Costs nothing unless the row lists children."""
    if kind not in CHILD_KINDS:
        return
    before = edges(kind, old) if old is not None else set()
    after = edges(kind, new) if new is not None else set()
    if not before and not after:
        return
    ident = str((new or old or {})["id"])
    conn = tx.conn
    where = "api = ? AND container = ? AND parent_id = ?"
    if old is not None and new is not None:
        located = located_text(kind, new)
        kept = before & after
        if kept and located != located_text(kind, old):
            marks = ",".join("?" * len(CHILD_KINDS[kind]))
            conn.execute(  # every edge the row keeps now passes down its new locations
                f"UPDATE refs SET located = ? WHERE {where} AND child_kind IN ({marks})",
                (located, API, tx.site, ident, *CHILD_KINDS[kind]),
            )
    gone = before - after
    if gone:
        conn.executemany(
            f"DELETE FROM refs WHERE {where} AND child_kind = ? AND child_id = ?",
            [(API, tx.site, ident, child_kind, child) for child_kind, child in sorted(gone)],
        )
    added = after - before
    if added and new is not None:
        located = located_text(kind, new)
        parent_seq = seq if seq is not None else _seq(tx, kind, ident)
        add(
            conn, [(API, tx.site, child_kind, child, located, parent_seq, ident) for child_kind, child in sorted(added)]
        )


def moved(tx: Tx, kind: str, entities: list[dict[str, Any]]) -> None:
    """Rows whose own locations changed and nothing else (the derived writes of ``graph.flush``):
    their edges pass the new value down; one statement per value and chunk, not one per row."""
    if kind not in CHILD_KINDS or not entities:
        return
    by_value: dict[str, list[str]] = {}
    for entity in entities:
        by_value.setdefault(located_text(kind, entity), []).append(entity["id"])
    for located, ids in by_value.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            tx.conn.execute(
                f"UPDATE refs SET located = ? WHERE api = ? AND container = ? AND parent_id IN ({marks})",
                (located, API, tx.site, *chunk),
            )


def locations(tx: Tx, child_kind: str, ids: Iterable[str]) -> dict[str, list[str]]:
    """Each child's derived locations (only children with at least one located parent)."""
    wanted = sorted(set(ids))
    firsts: dict[str, list[tuple[int, str]]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found = tx.conn.execute(
            "SELECT child_id, located, MIN(parent_seq) FROM refs "
            f"WHERE api = ? AND container = ? AND child_kind = ? AND child_id IN ({marks}) AND located != ? "
            "GROUP BY child_id, located",
            (API, tx.site, child_kind, *chunk, NONE),
        )
        for child, located, first in found:
            firsts.setdefault(child, []).append((first, located))
    result: dict[str, list[str]] = {}
    for child, values in firsts.items():
        values.sort()
        if len(values) == 1:  # the common case: every parent is at the same place
            result[child] = list(dict.fromkeys(json.loads(values[0][1])))
            continue
        merged: list[str] = []
        for _first, located in values:
            merged.extend(location for location in json.loads(located) if location not in merged)
        result[child] = merged
    return result


def expected(conn: sqlite3.Connection) -> list[Row]:
    """The index as the stored rows define it, sorted (:func:`rebuild`, and the tests' oracle)."""
    rows: list[Row] = []
    found = conn.execute(
        "SELECT container, kind, seq, body FROM entities WHERE api = ? AND scope = ? AND kind IN (?, ?, ?, ?)",
        (API, LIVE, *CHILD_KINDS),
    )
    for container, kind, seq, body in found:
        rows.extend(rows_of(container, kind, json.loads(body), int(seq)))
    return sorted(rows)


def stored(conn: sqlite3.Connection) -> list[Row]:
    """The index as kept, sorted like :func:`expected`."""
    found = conn.execute(
        "SELECT api, container, child_kind, child_id, located, parent_seq, parent_id FROM refs WHERE api = ?", (API,)
    )
    return sorted((api, c, ck, ci, loc, int(seq), pid) for api, c, ck, ci, loc, seq, pid in found)


def rebuild(conn: sqlite3.Connection) -> None:
    """Index every Menus (New) row of every site again (a store made before the index existed)."""
    conn.execute("DELETE FROM refs WHERE api = ?", (API,))
    add(conn, expected(conn))
