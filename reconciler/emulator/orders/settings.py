"""Menu Ordering Settings: whether and when each Menus (New) menu can be ordered online.

One settings object per menu, created with the menu and gone with it (O2 in
docs/wix-online-orders.md): a menu that has never had its settings written reads as the defaults
(online ordering on, ``ALWAYS_AVAILABLE``, revision "1", the menu's creation date), with an id
derived from the menu id, so seeded and duplicated menus have settings too. ``businessLocationId``
follows the menu; ``operationId`` is the location's operation unless a client set another one.

Endpoints (paths after ``/menu-ordering-settings``): Get, Upsert By Menu Id (no revision needed, O3),
Update (revision required, optional ``fieldMask``), Query (filter, sort, cursor paging), Bulk Update
(1-100 elements, per-element outcomes, ``returnEntity``) and List Menus Availability Status (the
menus of an operation, available or not during a time slot; see ``schedule.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator.errors import FORMAT, MAX_SIZE, MIN_SIZE, REQUIRED_FIELD, application_error, violation
from reconciler.emulator.menus import bulk
from reconciler.emulator.menus import repo as menus_repo
from reconciler.emulator.menus.entities import Ctx
from reconciler.emulator.orders import common, schedule
from reconciler.emulator.routing import Call
from reconciler.emulator.store import Tx

_IDS = uuid.UUID("0c8e6a52-8f0e-4a0b-9a57-6d3f3b2a1c90")  # namespace of the derived settings ids
WRITABLE = ("onlineOrderingEnabled", "availability", "operationId")


def settings_id(menu_id: str) -> str:
    return str(uuid.uuid5(_IDS, menu_id))


def _default(tx: Tx, menu: dict[str, Any]) -> dict[str, Any]:
    location = menu.get("businessLocationId")
    return {
        "id": settings_id(menu["id"]),
        "revision": "1",
        "createdDate": menu.get("createdDate"),
        "updatedDate": menu.get("createdDate"),
        "operationId": common.operation_id(location),
        "menuId": menu["id"],
        "onlineOrderingEnabled": True,
        "availability": {"type": "ALWAYS_AVAILABLE"},
        "businessLocationId": location,
        "extendedFields": {"namespaces": {}},
        "tags": common.empty_tags(),
    }


def _shown(tx: Tx, menu: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
    entity = dict(stored) if stored is not None else _default(tx, menu)
    entity["businessLocationId"] = menu.get("businessLocationId")  # follows the menu (eventually, on Wix)
    entity["availability"] = {
        **entity["availability"],
        "timeZone": common.time_zone(tx, menu.get("businessLocationId")),
    }
    return entity


def every(tx: Tx) -> list[dict[str, Any]]:
    """Every menu's settings, in the menus' creation order."""
    stored = {row["menuId"]: row for row in common.rows(tx, common.SETTINGS).all()}
    return [_shown(tx, menu, stored.get(menu["id"])) for menu in menus_repo.rows(tx, "menu").all()]


def _by_id(tx: Tx, ident: Any) -> dict[str, Any]:
    common.guid(ident, "menuOrderingSettingsId")
    found = next((s for s in every(tx) if s["id"] == ident), None)
    if found is None:
        raise application_error(404, "ENTITY_NOT_FOUND", f"menu ordering settings {ident!r} not found", {"id": ident})
    return found


def _by_menu(tx: Tx, menu_id: Any) -> dict[str, Any]:
    common.guid(menu_id, "menuOrderingSettings.menuId")
    menu = menus_repo.rows(tx, "menu").get(menu_id)
    if menu is None:
        raise application_error(404, "MENU_NOT_FOUND", f"menu {menu_id!r} not found", {"menuId": menu_id})
    return _shown(tx, menu, common.rows(tx, common.SETTINGS).get(settings_id(menu_id)))


def _write(
    ctx: Ctx, current: dict[str, Any], patch: dict[str, Any], mask: list[str] | None, path: str
) -> dict[str, Any]:
    fields = [f for f in WRITABLE if f in patch and (mask is None or f in mask)]
    updated = dict(current)
    for field in fields:
        value = patch[field]
        if field == "availability":
            value = schedule.check_availability(value, f"{path}.availability")
        elif field == "onlineOrderingEnabled" and not isinstance(value, bool):
            raise violation(f"{path}.onlineOrderingEnabled", "expected true or false", FORMAT)
        elif field == "operationId":
            common.guid(value, f"{path}.operationId")
            if value not in common.operation_ids(ctx.tx):
                raise application_error(404, "OPERATION_NOT_FOUND", f"operation {value!r} not found", {"id": value})
        updated[field] = value
    updated["availability"] = {k: v for k, v in updated["availability"].items() if k != "timeZone"}
    menus_repo.bump(updated, ctx.now)
    common.save(ctx.tx, common.SETTINGS, updated)
    menu = menus_repo.rows(ctx.tx, "menu").get(updated["menuId"]) or {"id": updated["menuId"]}
    return _shown(ctx.tx, menu, updated)


def _mask(raw: Any, path: str) -> list[str] | None:
    if raw is None or raw == "":
        return None
    paths = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise violation(path, "expected a list of field paths", FORMAT)
    return [p.strip().split(".")[0] for p in paths]


def _body(call: Call) -> dict[str, Any]:
    entity = call.body.get("menuOrderingSettings")
    if not isinstance(entity, dict):
        raise violation("menuOrderingSettings", "is required", REQUIRED_FIELD)
    return entity


def handle_get(call: Call) -> dict[str, Any]:
    return {"menuOrderingSettings": _by_id(call.tx, call.path["menuOrderingSettingsId"])}


def handle_upsert(call: Call) -> dict[str, Any]:
    patch = _body(call)
    current = _by_menu(call.tx, call.path["menuId"])
    if patch.get("revision") is not None:
        common.check_revision(common.SETTINGS, current, patch["revision"])
    return {"menuOrderingSettings": _write(Ctx.of(call), current, patch, None, "menuOrderingSettings")}


def handle_update(call: Call) -> dict[str, Any]:
    patch = _body(call)
    current = _by_id(call.tx, call.path["id"])
    common.check_revision(common.SETTINGS, current, patch.get("revision"))
    mask = _mask(call.body.get("fieldMask"), "fieldMask")
    return {"menuOrderingSettings": _write(Ctx.of(call), current, patch, mask, "menuOrderingSettings")}


def handle_query(call: Call) -> dict[str, Any]:
    found, metadata = common.query_page(every(call.tx), common.SETTINGS, call.body.get("query"), "querySettings")
    return {"menuOrderingSettings": found, "pagingMetadata": metadata}


def handle_bulk_update(call: Call) -> dict[str, Any]:
    elements = call.body.get("menusOrderingSettings")
    if not isinstance(elements, list):
        raise violation("menusOrderingSettings", "is required", REQUIRED_FIELD)
    if not 1 <= len(elements) <= 100:
        raise violation("menusOrderingSettings", "must have 1 to 100 elements", MIN_SIZE if not elements else MAX_SIZE)
    for index, element in enumerate(elements):
        entity = (element or {}).get("menuOrderingSettings") if isinstance(element, dict) else None
        if not isinstance(entity, dict) or not entity.get("id") or entity.get("revision") is None:
            raise violation(f"menusOrderingSettings[{index}].menuOrderingSettings", "needs id and revision", FORMAT)
    ctx = Ctx.of(call)

    def apply(index: int, element: dict[str, Any]) -> dict[str, Any]:
        patch = element["menuOrderingSettings"]
        current = _by_id(ctx.tx, patch["id"])
        common.check_revision(common.SETTINGS, current, patch["revision"])
        where = f"menusOrderingSettings[{index}].menuOrderingSettings"
        return _write(ctx, current, patch, _mask(element.get("mask"), f"{where}.mask"), where)

    keys = ("menuOrderingSettingsMetadata", "menuOrderingSettings")
    keep = call.body.get("returnEntity") is True
    return bulk.run(ctx, elements, keys, keep, apply, lambda e: (e.get("menuOrderingSettings") or {}).get("id"))


def handle_availability_status(call: Call) -> dict[str, Any]:
    start = schedule.instant(call.params.raw("timeSlot.startTime"), "timeSlot.startTime")
    end = schedule.instant(call.params.raw("timeSlot.endTime"), "timeSlot.endTime")
    if end <= start:
        raise violation("timeSlot.endTime", "must be after startTime", FORMAT)
    operation = call.params.raw("operationId")
    chosen = [s for s in every(call.tx) if operation in (None, "", s["operationId"])]
    blocking = [
        e
        for e in common.rows(call.tx, common.EXCEPTION).all()
        if e.get("available") is False
        and (e.get("affectedFulfillmentMethods") or {}).get("affectedMethods") == "ALL_FULFILLMENT_METHODS"
        and schedule.overlaps(e, start, end)
    ]
    statuses = [
        {
            "menuId": s["menuId"],
            "availabilityStatus": "AVAILABLE"
            if s["onlineOrderingEnabled"]
            and schedule.covers(s["availability"], s["availability"]["timeZone"], start, end)
            and not any(e.get("operationId") == s["operationId"] for e in blocking)
            else "UNAVAILABLE",
        }
        for s in chosen
    ]
    state = {"filter": None, "sort": None, "offset": 0}
    cursor = call.params.raw("cursorPaging.cursor")
    if cursor:
        state = common.decode(cursor, "availabilityStatus")
    limit = common.limit_of(call.params.raw("cursorPaging.limit"), "cursorPaging.limit")
    page, metadata = common.window(statuses, state, limit, "availabilityStatus")
    return {"menusAvailabilityStatus": page, "pagingMetadata": metadata}
