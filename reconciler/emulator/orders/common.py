"""What the two Online Orders services share: rows, operations, stamps, revisions, query pages.

Rows live with the Menus (New) rows (``api = 'menus-v1'``, the site's container), under the kinds
``menuOrderingSettings`` and ``availabilityException``, so one site's menus and their ordering
settings are read and written in one transaction. Operations are not emulated as a service: every
business location has one operation whose id is derived from the location id (O1 in
docs/wix-online-orders.md), and a site without locations has the operation of the empty location.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any

from reconciler.emulator import locations
from reconciler.emulator.errors import FORMAT, application_error, violation
from reconciler.emulator.menus import filters
from reconciler.emulator.store import LIVE, Collection, Tx
from reconciler.emulator.wire import is_guid

API = "menus-v1"
SETTINGS = "menuOrderingSettings"
EXCEPTION = "availabilityException"
_OPERATIONS = uuid.UUID("6f1d2c1e-3b7a-4c55-9d0e-0a4f3e8b7c21")  # namespace of the derived operation ids
DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def rows(tx: Tx, kind: str) -> Collection:
    return tx.collection(API, LIVE, tx.site, kind)


def operation_id(location_id: str | None) -> str:
    """The one operation of a business location (O1)."""
    return str(uuid.uuid5(_OPERATIONS, location_id or ""))


def operation_ids(tx: Tx) -> set[str]:
    found = {operation_id(row.get("id")) for row in locations.locations(tx).all()}
    return found or {operation_id(None)}


def time_zone(tx: Tx, location_id: str | None) -> str:
    for row in locations.locations(tx).all():
        if row.get("id") == location_id and row.get("timeZone"):
            return str(row["timeZone"])
    return "UTC"


def guid(value: Any, path: str) -> str:
    if not isinstance(value, str) or not is_guid(value):
        raise violation(path, f"{value!r} is not a GUID", FORMAT)
    return value


def check_revision(kind: str, stored: dict[str, Any], sent: Any) -> None:
    if sent is None or str(sent) != str(stored.get("revision")):
        raise application_error(
            409,
            "INVALID_REVISION",
            "entity has already changed since the requested revision" if sent is not None else "revision is required",
            {"entity": kind, "id": stored["id"]},
        )


def save(tx: Tx, kind: str, entity: dict[str, Any]) -> None:
    collection = rows(tx, kind)
    if collection.get(entity["id"]) is None:
        collection.insert(entity["id"], entity)
    else:
        collection.update(entity["id"], entity)


def empty_tags() -> dict[str, Any]:
    return {"privateTags": {"tagIds": []}, "tags": {"tagIds": []}}


def query_page(
    entities: list[dict[str, Any]], service: str, query: Any, cursor_of: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page of a Query: filter and sort (the Menus (New) query language), offset cursors."""
    if query is None:
        query = {}
    if not isinstance(query, dict):
        raise violation("query", "expected an object", FORMAT)
    paging = query.get("cursorPaging") or {}
    if not isinstance(paging, dict):
        raise violation("query.cursorPaging", "expected an object", FORMAT)
    state = {"filter": query.get("filter"), "sort": query.get("sort"), "offset": 0}
    if paging.get("cursor"):
        state = decode(paging["cursor"], cursor_of)
    predicate = filters.compile_filter(service, state["filter"])
    sort = filters.check_sort(service, state["sort"])
    chosen = [(filters.sort_key(e, sort, seq), e) for seq, e in enumerate(entities) if predicate(e)]
    ordered = [e for _, e in filters.ordered(chosen, sort)] if sort else [e for _, e in chosen]
    limit = limit_of(paging.get("limit"), "query.cursorPaging.limit")
    return window(ordered, state, limit, cursor_of)


def limit_of(raw: Any, path: str) -> int:
    if raw in (None, "", 0, "0"):
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise violation(path, f"{raw!r} is not a number", FORMAT) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise violation(path, f"must be between 1 and {MAX_LIMIT}", "MAX" if limit > MAX_LIMIT else "MIN")
    return limit


def window(
    ordered: list[dict[str, Any]], state: dict[str, Any], limit: int, cursor_of: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    start = int(state.get("offset") or 0)
    chosen = ordered[start : start + limit]
    cursors: dict[str, str] = {}
    if start + limit < len(ordered):
        cursors["next"] = _encode({**state, "offset": start + limit}, cursor_of)
    if start > 0:
        cursors["prev"] = _encode({**state, "offset": max(0, start - limit)}, cursor_of)
    return chosen, {"count": len(chosen), "cursors": cursors, "hasNext": start + limit < len(ordered)}


def _encode(state: dict[str, Any], endpoint: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({**state, "e": endpoint}).encode()).decode()


def decode(cursor: Any, endpoint: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(str(cursor).encode()))
    except (ValueError, TypeError):
        raise violation("query.cursorPaging.cursor", "is not a cursor this endpoint issued", FORMAT) from None
    if not isinstance(state, dict) or state.get("e") != endpoint:
        raise violation("query.cursorPaging.cursor", "is not a cursor this endpoint issued", FORMAT)
    return state


Validator = Callable[[dict[str, Any], str], None]
