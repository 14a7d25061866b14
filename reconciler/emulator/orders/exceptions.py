"""Availability Exceptions: time periods in which an operation takes no orders, by some or all
fulfilment methods (a holiday closure, an early close, pickup only on one day).

An exception names its operation (required, one of the site's operations: O1) and a period
(``startTime`` before ``endTime``); ``available`` is read-only and always false ("Currently, only
false is supported"; sending true is a 400, O7); ``affectedFulfillmentMethods.affectedMethods``
defaults to ``ALL_FULFILLMENT_METHODS``, and ``SPECIFIC_FULFILLMENT_METHODS`` needs 1-500
fulfilment method GUIDs. ``businessLocationId`` is the operation's location.

Endpoints (paths after ``/restaurants-availability-exceptions``): Create, Get, Update (revision
required, optional ``fieldMask``), Delete, Query, Bulk Create (1-20) and Bulk Update (1-100), both
with per-element outcomes.
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator import locations
from reconciler.emulator.errors import (
    FORMAT,
    INVALID_ENUM_VALUE,
    MAX_LENGTH,
    MAX_SIZE,
    MIN_SIZE,
    REQUIRED_FIELD,
    application_error,
    violation,
)
from reconciler.emulator.menus import bulk
from reconciler.emulator.menus import repo as menus_repo
from reconciler.emulator.menus.entities import Ctx
from reconciler.emulator.orders import common, schedule
from reconciler.emulator.routing import Call
from reconciler.emulator.store import Tx

METHODS = (
    "ALL_FULFILLMENT_METHODS",
    "SPECIFIC_FULFILLMENT_METHODS",
    "ALL_PICKUP_FULFILLMENT_METHODS",
    "ALL_DELIVERY_FULFILLMENT_METHODS",
)
WRITABLE = ("startTime", "endTime", "name", "affectedFulfillmentMethods", "operationId", "available")
ENVELOPE = "availabilityException"


def _location_of(tx: Tx, operation: str) -> str | None:
    return next((r["id"] for r in locations.locations(tx).all() if common.operation_id(r["id"]) == operation), None)


def _checked(tx: Tx, entity: dict[str, Any], path: str) -> dict[str, Any]:
    """The exception as stored, after every rule; raises on the first broken one."""
    if entity.get("available") not in (None, False):
        raise violation(f"{path}.available", "only false is supported", FORMAT)
    start = schedule.instant(entity.get("startTime"), f"{path}.startTime")
    if schedule.instant(entity.get("endTime"), f"{path}.endTime") <= start:
        raise violation(f"{path}.endTime", "must be after startTime", FORMAT)
    name = entity.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > 500):
        raise violation(f"{path}.name", "must be a string of at most 500 characters", MAX_LENGTH)
    affected = entity.get("affectedFulfillmentMethods") or {"affectedMethods": METHODS[0]}
    method = affected.get("affectedMethods") if isinstance(affected, dict) else None
    if method not in METHODS:
        raise violation(f"{path}.affectedFulfillmentMethods.affectedMethods", "unknown value", INVALID_ENUM_VALUE)
    if method == "SPECIFIC_FULFILLMENT_METHODS":
        ids = (affected.get("specificFulfillmentMethodsOptions") or {}).get("fulfillmentMethodIds")
        where = f"{path}.affectedFulfillmentMethods.specificFulfillmentMethodsOptions.fulfillmentMethodIds"
        if not isinstance(ids, list) or not 1 <= len(ids) <= 500:
            raise violation(where, "needs 1 to 500 fulfillment method ids", MIN_SIZE if not ids else MAX_SIZE)
        for index, ident in enumerate(ids):
            common.guid(ident, f"{where}[{index}]")
        affected = {"affectedMethods": method, "specificFulfillmentMethodsOptions": {"fulfillmentMethodIds": ids}}
    else:
        affected = {"affectedMethods": method}
    operation = entity.get("operationId")
    if operation is None:
        raise violation(f"{path}.operationId", "is required", REQUIRED_FIELD)
    common.guid(operation, f"{path}.operationId")
    if operation not in common.operation_ids(tx):
        raise application_error(404, "OPERATION_NOT_FOUND", f"operation {operation!r} not found", {"id": operation})
    return {
        **entity,
        "available": False,
        "affectedFulfillmentMethods": affected,
        "businessLocationId": _location_of(tx, operation),
    }


def _find(tx: Tx, ident: Any, field: str = "availabilityExceptionId") -> dict[str, Any]:
    common.guid(ident, field)
    found = common.rows(tx, common.EXCEPTION).get(ident)
    if found is None:
        raise application_error(404, "ENTITY_NOT_FOUND", f"availability exception {ident!r} not found", {"id": ident})
    return found


def _create(ctx: Ctx, raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise violation(path, "is required", REQUIRED_FIELD)
    now = menus_repo.stamp(ctx.now)
    fields = {key: raw[key] for key in WRITABLE if key in raw}
    entity = {
        "id": str(uuid.uuid4()),
        "revision": "1",
        "createdDate": now,
        "updatedDate": now,
        **_checked(ctx.tx, fields, path),
        "extendedFields": {"namespaces": {}},
        "tags": common.empty_tags(),
    }
    common.save(ctx.tx, common.EXCEPTION, entity)
    return entity


def _update(ctx: Ctx, patch: Any, mask: Any, path: str) -> dict[str, Any]:
    if not isinstance(patch, dict):
        raise violation(path, "is required", REQUIRED_FIELD)
    stored = _find(ctx.tx, patch.get("id"), f"{path}.id")
    common.check_revision(common.EXCEPTION, stored, patch.get("revision"))
    masked = None if not mask else [m.split(".")[0] for m in (mask.split(",") if isinstance(mask, str) else mask)]
    merged = {**stored, **{k: patch[k] for k in WRITABLE if k in patch and (masked is None or k in masked)}}
    merged = _checked(ctx.tx, merged, path)
    menus_repo.bump(merged, ctx.now)
    common.save(ctx.tx, common.EXCEPTION, merged)
    return merged


def handle_create(call: Call) -> dict[str, Any]:
    return {ENVELOPE: _create(Ctx.of(call), call.body.get(ENVELOPE), ENVELOPE)}


def handle_get(call: Call) -> dict[str, Any]:
    return {ENVELOPE: _find(call.tx, call.path["availabilityExceptionId"])}


def handle_update(call: Call) -> dict[str, Any]:
    patch = call.body.get(ENVELOPE)
    if isinstance(patch, dict):
        patch = {**patch, "id": call.path["id"]}
    return {ENVELOPE: _update(Ctx.of(call), patch, call.body.get("fieldMask"), ENVELOPE)}


def handle_delete(call: Call) -> dict[str, Any]:
    stored = _find(call.tx, call.path["availabilityExceptionId"])
    common.rows(call.tx, common.EXCEPTION).delete(stored["id"])
    return {}


def handle_query(call: Call) -> dict[str, Any]:
    everything = [e for _, e in sorted(_with_seq(call.tx))]
    found, metadata = common.query_page(everything, "availabilityExceptions", call.body.get("query"), "queryExceptions")
    return {"availabilityExceptions": found, "pagingMetadata": metadata}


def _with_seq(tx: Tx) -> list[tuple[int, dict[str, Any]]]:
    import json

    return [(seq, json.loads(text)) for seq, text in common.rows(tx, common.EXCEPTION).texts_with_seq()]


def _elements(call: Call, maximum: int) -> list[Any]:
    elements = call.body.get("availabilityExceptions")
    if not isinstance(elements, list):
        raise violation("availabilityExceptions", "is required", REQUIRED_FIELD)
    if not 1 <= len(elements) <= maximum:
        raise violation(
            "availabilityExceptions", f"must have 1 to {maximum} elements", MIN_SIZE if not elements else MAX_SIZE
        )
    return elements


def handle_bulk_create(call: Call) -> dict[str, Any]:
    elements = _elements(call, 20)
    ctx = Ctx.of(call)
    keep = call.body.get("returnEntity") is True
    return bulk.run(
        ctx,
        elements,
        ("itemMetadata", ENVELOPE),
        keep,
        lambda index, raw: _create(ctx, raw, f"availabilityExceptions[{index}]"),
    )


def handle_bulk_update(call: Call) -> dict[str, Any]:
    elements = _elements(call, 100)
    ctx = Ctx.of(call)
    keep = call.body.get("returnEntity") is True

    def apply(index: int, element: Any) -> dict[str, Any]:
        where = f"availabilityExceptions[{index}]"
        element = element if isinstance(element, dict) else {}
        return _update(ctx, element.get(ENVELOPE), element.get("mask"), f"{where}.{ENVELOPE}")

    return bulk.run(
        ctx, elements, ("itemMetadata", "item"), keep, apply, lambda e: ((e or {}).get(ENVELOPE) or {}).get("id")
    )
