"""Cursor paging for List, Query and Search (§1.3, §7.4, §7.14).

A page is chosen by keyset, not by offset: rows are ordered by the sort fields, then by creation
order, and a cursor remembers the position (the sort values of the row it follows or precedes),
plus everything that selected the rows (filter, sort, List ids and ``onlyVisible``, search terms)
and the endpoint it belongs to. So cursors are stable: rows created or deleted between two pages
never make the next page skip or repeat a row. Cursors are opaque strings (base64url JSON) of at
most 16,000 characters; one from another endpoint, or a damaged one, is a 400.

A later page is asked for with the cursor alone; a filter, sort or id list sent along with a
cursor is ignored (§7.14: never re-applied to a new position). A ``limit`` sent with a cursor wins
over the one the cursor remembers. ``limit`` is at most 500; 0 or absent means the endpoint's
default. Metadata: ``{"count", "cursors": {"next"?, "prev"?}, "hasNext"}``; ``next`` appears when
more rows follow, ``prev`` when rows precede the page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.checks import Checker
from reconciler.emulator.errors import FORMAT, MAX, MAX_LENGTH, MIN, violation
from reconciler.emulator.menus import filters, repo
from reconciler.emulator.menus.services import CURSOR_MAX, PAGE_MAX
from reconciler.emulator.store import Tx


def encode(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: Any, endpoint: str, path: str) -> dict[str, Any]:
    if not isinstance(cursor, str) or not cursor:
        raise violation(path, "expected a cursor string", FORMAT)
    if len(cursor) > CURSOR_MAX:
        raise violation(path, f"must have at most {CURSOR_MAX} characters", MAX_LENGTH)
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeError):
        raise violation(path, "not a cursor returned by this endpoint", FORMAT) from None
    if not isinstance(data, dict) or data.get("e") != endpoint or data.get("d") not in ("n", "p"):
        raise violation(path, "not a cursor returned by this endpoint", FORMAT)
    return data


def limit_of(value: Any, path: str, default: int) -> int:
    checker = Checker()
    checker.int32(value, path)
    checker.raise_if_any()
    limit = int(value) if value not in (None, "") else 0
    if limit < 0:
        raise violation(path, "must be at least 0", MIN)
    if limit > PAGE_MAX:
        raise violation(path, f"must be at most {PAGE_MAX}", MAX)
    return limit or default


@dataclass
class Selection:
    """What picks and orders the rows; remembered inside every cursor of the walk."""

    state: dict[str, Any]  # JSON: filter, sort, ids, ... as the endpoint needs
    predicate: Callable[[dict[str, Any]], bool]
    sort: list[tuple[str, bool]]
    # The rows that may match, in creation order (dated.py), when cheaper than every row: the
    # predicate still decides each of them.
    scan: Callable[[Tx, str, int], Iterable[tuple[int, str]]] | None = None


@dataclass
class Page:
    rows: list[dict[str, Any]]
    metadata: dict[str, Any]


def entries(tx: Tx, kind: str) -> list[tuple[int, dict[str, Any]]]:
    return [(seq, json.loads(text)) for seq, text in repo.rows(tx, kind).texts_with_seq()]


def page(
    tx: Tx,
    kind: str,
    endpoint: str,
    paging: dict[str, Any],
    paging_path: str,
    default_limit: int,
    select: Callable[[dict[str, Any] | None], Selection],
) -> Page:
    """One page. ``select(state)`` builds the selection from the request (state None) or from a
    cursor's remembered state."""
    cursor_value = paging.get("cursor")
    cursor = decode(cursor_value, endpoint, f"{paging_path}.cursor") if cursor_value not in (None, "") else None
    requested = paging.get("limit")
    if cursor is not None and requested in (None, "", 0, "0"):
        limit = int(cursor.get("l") or default_limit)
    else:
        limit = limit_of(requested, f"{paging_path}.limit", default_limit)
    selection = select(cursor["s"] if cursor else None)
    if not selection.sort and (cursor is None or cursor["d"] == "n"):
        return _forward_in_creation_order(tx, kind, endpoint, selection, limit, cursor)
    compare = filters.comparator(selection.sort)
    rows = filters.ordered(
        [
            (filters.sort_key(entity, selection.sort, seq), entity)
            for seq, entity in entries(tx, kind)
            if selection.predicate(entity)
        ],
        selection.sort,
    )
    if cursor is None:
        start = 0
        end = min(limit, len(rows))
    elif cursor["d"] == "n":
        start = next((i for i, (key, _) in enumerate(rows) if compare(key, cursor["k"]) > 0), len(rows))
        end = min(start + limit, len(rows))
    else:
        end = next((i for i, (key, _) in enumerate(rows) if compare(key, cursor["k"]) >= 0), len(rows))
        start = max(0, end - limit)
    chosen = rows[start:end]

    def link(direction: str, key: list[Any]) -> str:
        return _link(endpoint, selection, limit, direction, key)

    cursors: dict[str, str] = {}
    if end < len(rows):
        cursors["next"] = link("n", chosen[-1][0] if chosen else rows[end - 1][0] if end else [])
    if start > 0:
        cursors["prev"] = link(
            "p", chosen[0][0] if chosen else rows[start][0] if start < len(rows) else cursor["k"] if cursor else []
        )
    metadata = {"count": len(chosen), "cursors": cursors, "hasNext": end < len(rows)}
    return Page([entity for _key, entity in chosen], metadata)


def _link(endpoint: str, selection: Selection, limit: int, direction: str, key: list[Any]) -> str:
    return encode({"e": endpoint, "d": direction, "k": key, "s": selection.state, "l": limit})


def _forward_in_creation_order(
    tx: Tx, kind: str, endpoint: str, selection: Selection, limit: int, cursor: dict[str, Any] | None
) -> Page:
    """The common case (List, unsorted Query, forward): parse only the rows the page needs, plus the
    first matching row before it (to know whether a ``prev`` cursor exists)."""
    after = int(cursor["k"][-1]) if cursor and cursor["k"] else 0
    chosen: list[tuple[int, dict[str, Any]]] = []
    before: int | None = None
    more = False
    rows = selection.scan(tx, kind, after) if selection.scan is not None else repo.rows(tx, kind).texts_with_seq()
    for seq, text in rows:
        if seq <= after:
            if before is None:
                entity = json.loads(text)
                if selection.predicate(entity):
                    before = seq
            continue
        entity = json.loads(text)
        if not selection.predicate(entity):
            continue
        if len(chosen) == limit:
            more = True
            break
        chosen.append((seq, entity))
    cursors: dict[str, str] = {}
    if more:
        cursors["next"] = _link(endpoint, selection, limit, "n", [chosen[-1][0]])
    if before is not None:
        cursors["prev"] = _link(endpoint, selection, limit, "p", [chosen[0][0] if chosen else after + 1])
    return Page([entity for _seq, entity in chosen], {"count": len(chosen), "cursors": cursors, "hasNext": more})
