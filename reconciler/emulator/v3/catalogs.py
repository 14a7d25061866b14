"""List Catalogs: the one paged v3 list (offset paging, one sort, location and archived filters).

Catalogs are never created through the API (U28): ``seed.py`` makes one per location. Drafts do not
appear here (U5). ``archived=true`` returns archived and unarchived catalogs together (U8); sorting
supports ``id``, ``locationId`` and ``draftPublishedDate`` (U22), anything else keeps creation order.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import FORMAT, INVALID_ENUM_VALUE, MAX, MAX_LENGTH, MIN
from reconciler.emulator.routing import Call
from reconciler.emulator.v3 import enums
from reconciler.emulator.v3.repo import catalogs
from reconciler.emulator.v3.validate import Checker
from reconciler.emulator.wire import is_guid

SORTABLE = ("id", "locationId", "draftPublishedDate")


def _sort_spec(call: Call, checker: Checker) -> tuple[str | None, str]:
    sort: Any = call.params.raw("sort")
    if isinstance(sort, list):  # tolerate a list of sorts; the API takes one
        sort = sort[0] if sort else None
    if sort is None:
        return None, "ASC"
    if not isinstance(sort, dict):
        checker.add("sort", "expected an object", FORMAT)
        return None, "ASC"
    field = sort.get("fieldName")
    order = sort.get("order") or "ASC"
    if field is not None and not isinstance(field, str):
        checker.add("sort.fieldName", "expected a string", FORMAT)
        field = None
    elif field is not None and len(field) > enums.SORT_FIELD_MAX:
        checker.add("sort.fieldName", f"at most {enums.SORT_FIELD_MAX} characters", MAX_LENGTH)
    if order not in enums.SORT_ORDERS:
        checker.add("sort.order", "must be ASC or DESC", INVALID_ENUM_VALUE)
    return field, order


def handle_list(call: Call) -> dict[str, Any]:
    params = call.params
    checker = Checker()
    limit = params.int("paging.limit", 0) or enums.LIST_LIMIT_DEFAULT  # proto3: 0 means unset
    offset = params.int("paging.offset", 0)
    if limit < 0:
        checker.add("paging.limit", "must be at least 0", MIN)
    if limit > enums.LIST_LIMIT_MAX:
        checker.add("paging.limit", f"must be at most {enums.LIST_LIMIT_MAX}", MAX)
    if offset < 0:
        checker.add("paging.offset", "must be at least 0", MIN)
    field, order = _sort_spec(call, checker)
    location_ids = params.list("locationIds")
    for index, location_id in enumerate(location_ids):
        if not is_guid(location_id):
            checker.add(f"locationIds[{index}]", f"{location_id!r} is not a GUID", FORMAT)
    include_archived = params.bool("archived", False)
    checker.raise_if_any()

    rows = catalogs(call.tx).all()
    if not include_archived:
        rows = [row for row in rows if not row.get("archived")]
    if location_ids:
        wanted = set(location_ids)
        rows = [row for row in rows if row.get("locationId") in wanted]
    if field in SORTABLE:
        # Nulls (a catalog never published) sort first in ASC, last in DESC.
        rows.sort(key=lambda row: (row.get(field) is not None, row.get(field) or ""), reverse=order == "DESC")
    return {"catalogs": rows[offset : offset + limit]}
