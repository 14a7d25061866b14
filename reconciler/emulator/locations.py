"""The Wix Locations API, the part our CLI needs to find a business location's catalog.

Endpoints (``/locations/v1``): List Locations (``GET /locations``, ``includeArchived``,
``paging.limit`` / ``paging.offset``, default limit 50, max 1000), Query Locations
(``POST /locations/query`` with ``{"query": {"filter", "sort", "paging"}}``) and Get Location
(``GET /locations/{id}``). Responses carry ``pagingMetadata {count, offset, total, tooManyToCount}``.

Field names follow Wix's Location object: ``id``, ``name``, ``description``, ``default``,
``status`` (always ``ACTIVE``), ``locationTypes``, ``timeZone``, ``email``, ``phone``, ``fax``,
``address``, ``businessSchedule``, ``revision``, ``archived``. Locations are only created by
``seed.py`` (the emulator has no Create Location).
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator.checks import Checker
from reconciler.emulator.errors import FORMAT, MAX, MIN, not_found, violation
from reconciler.emulator.routing import Api, Call, Route
from reconciler.emulator.store import LIVE, Collection, Tx
from reconciler.emulator.wire import Params

API = "locations"
PREFIX = "/locations/v1"
LIMIT_DEFAULT = 50
LIMIT_MAX = 1000


def locations(tx: Tx) -> Collection:
    return tx.collection(API, LIVE, tx.site, "location")


def create_location(
    tx: Tx, name: str, default: bool = False, time_zone: str = "UTC", description: str | None = None
) -> dict[str, Any]:
    location = {
        "id": str(uuid.uuid4()),
        "name": name,
        "description": description,
        "default": default,
        "status": "ACTIVE",
        "locationTypes": ["BRANCH"],
        "timeZone": time_zone,
        "email": None,
        "phone": None,
        "fax": None,
        "address": None,
        "businessSchedule": {"periods": [], "specialHourPeriods": []},
        "revision": "1",
        "archived": False,
    }
    locations(tx).insert(location["id"], location)
    return location


def _page(rows: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    page = rows[offset : offset + limit]
    return {
        "locations": page,
        "pagingMetadata": {"count": len(page), "offset": offset, "total": len(rows), "tooManyToCount": False},
    }


def _paging(checker: Checker, limit: int, offset: int, path: str) -> tuple[int, int]:
    if limit < 0:
        checker.add(f"{path}.limit", "must be at least 0", MIN)
    if limit > LIMIT_MAX:
        checker.add(f"{path}.limit", f"must be at most {LIMIT_MAX}", MAX)
    if offset < 0:
        checker.add(f"{path}.offset", "must be at least 0", MIN)
    checker.raise_if_any()
    return limit or LIMIT_DEFAULT, offset


def _sort(rows: list[dict[str, Any]], sort: Any) -> list[dict[str, Any]]:
    specs = sort if isinstance(sort, list) else [sort] if isinstance(sort, dict) else []
    for spec in reversed(specs):
        field = spec.get("fieldName") if isinstance(spec, dict) else None
        if field:
            descending = str(spec.get("order", "ASC")).upper() == "DESC"
            rows.sort(key=lambda row: (row.get(field) is not None, str(row.get(field) or "")), reverse=descending)
    return rows


def handle_list(call: Call) -> dict[str, Any]:
    checker = Checker()
    limit, offset = _paging(checker, call.params.int("paging.limit", 0), call.params.int("paging.offset", 0), "paging")
    rows = locations(call.tx).all()
    if not call.params.bool("includeArchived", False):
        rows = [row for row in rows if not row["archived"]]
    return _page(_sort(rows, call.params.raw("sort")), limit, offset)


def _matches(row: dict[str, Any], condition: Any) -> bool:
    if not isinstance(condition, dict):
        return True
    for key, expected in condition.items():
        if key == "$and":
            if not all(_matches(row, part) for part in expected):
                return False
        elif key == "$or":
            if not any(_matches(row, part) for part in expected):
                return False
        elif not _field_matches(row.get("id" if key == "_id" else key), expected):
            return False
    return True


def _field_matches(actual: Any, expected: Any) -> bool:
    if not isinstance(expected, dict):
        return actual == expected
    for operator, operand in expected.items():
        if operator == "$eq" and actual != operand:
            return False
        if operator == "$ne" and actual == operand:
            return False
        if operator in ("$in", "$hasSome") and actual not in (operand or []):
            return False
        if operator == "$nin" and actual in (operand or []):
            return False
        if operator == "$exists" and (actual is not None) != bool(operand):
            return False
        if operator == "$startsWith" and not (isinstance(actual, str) and actual.startswith(str(operand))):
            return False
    return True


def handle_query(call: Call) -> dict[str, Any]:
    query = call.body.get("query") or {}
    if not isinstance(query, dict):
        raise violation("query", "expected an object", FORMAT)
    paging = Params({"query": query})
    checker = Checker()
    limit, offset = _paging(
        checker, paging.int("query.paging.limit", 0), paging.int("query.paging.offset", 0), "query.paging"
    )
    rows = [row for row in locations(call.tx).all() if _matches(row, query.get("filter"))]
    return _page(_sort(rows, query.get("sort")), limit, offset)


def handle_get(call: Call) -> dict[str, Any]:
    location = locations(call.tx).get(call.path["locationId"])
    if location is None:
        raise not_found("LOCATION_NOT_FOUND", "location", call.path["locationId"])
    return {"location": location}


def api() -> Api:
    return Api(
        name=API,
        routes=(
            Route("GET", f"{PREFIX}/locations", "listLocations", handle_list, False),
            Route("POST", f"{PREFIX}/locations/query", "queryLocations", handle_query, False),
            Route("GET", f"{PREFIX}/locations/{{locationId}}", "getLocation", handle_get, False),
        ),
    )
