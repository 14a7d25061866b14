"""The Online Orders calls of a Menus (New) plan, and how the executor runs and undoes them.

Planned by :func:`plan` from the changes ``ordering.py``'s fields cause (see there for the
mapping), in the plan's phases (planner.py):

    cut-over        Upsert Menu Ordering Settings By Menu Id for every menu whose hours or
                    online ordering change (a menu built in this run is named by its placeholder);
                    renamed closures (Update Availability Exception, with the revision read)
    after cut-over  new closures (Create Availability Exception): they name the location's
                    operation, which the settings tell (read at plan time, or learnt from an upsert
                    of this run)
    clean-up        removed closures (Delete Availability Exception)

Compensation (execute.py): an upsert is undone by upserting the settings read at plan time, a
rename by renaming back; closures this run created are deleted.
"""

from __future__ import annotations

import re

from reconciler.canonical import JsonObject
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence
from reconciler.engine.plan import Operation, ref, rev
from reconciler.engine.vocabulary import Action, Kind, Phase
from reconciler.errors import ApiError
from reconciler.targets.wix_menus import online, ordering
from reconciler.targets.wix_menus.client import MenusApi
from reconciler.targets.wix_menus.online import EXCEPTIONS, SETTINGS, UPSERT
from reconciler.targets.wix_menus.ordering import OPERATION
from reconciler.targets.wix_menus.read import LiveSite

CUT_OVER, AFTER, CLEAN_UP = 0, 1, 2  # relative steps; planner.py places them
FIELDS = ("online_ordering", "hours")
CREATE = "availabilityExceptions.createAvailabilityException"
UPDATE = "availabilityExceptions.updateAvailabilityException"
DELETE = "availabilityExceptions.deleteAvailabilityException"


def _menu_ordering_changed(change: Change, desired: Essence, live: LiveSite) -> bool:
    wanted = {f: desired[change.key][f] for f in FIELDS}
    if change.action == Action.CREATE:
        return wanted != ordering.settings_record(None)
    return wanted != {f: live.essence[change.key][f] for f in FIELDS}


def menu_core_changed(change: Change) -> bool:
    """Whether a menu update touches the menu entity itself, not only its ordering settings."""
    return any(re.split(r"[.\[]", f.path)[0] not in FIELDS for f in change.fields)


def plan(changes: list[Change], desired: Essence, live: LiveSite) -> tuple[list[Operation], dict[str, str]]:
    """The Online Orders calls (relative steps) and the revisions they name."""
    ops: list[Operation] = []
    revisions: dict[str, str] = {}
    upserted = False
    for change in changes:
        if (
            change.kind == Kind.MENU
            and change.action != Action.REMOVE
            and _menu_ordering_changed(change, desired, live)
        ):
            ops.append(_upsert(change.id, desired[change.key], live))
            upserted = True
        elif change.kind == Kind.CLOSURE:
            ops += _closure(change, desired, live, revisions)
    creates = any(op.call == CREATE for op in ops)
    if creates and live.operation is None and not upserted:
        first = next((key for key in desired if key[0] == Kind.MENU), None)
        if first is not None:  # the operation id comes from the settings: ask for them
            ops.append(_upsert(first[1], desired[first], live))
    return ops, revisions


def _upsert(menu_id: str, fields: JsonObject, live: LiveSite) -> Operation:
    wix = live.wix_ids.get((Kind.MENU, menu_id))
    before = live.settings.get(wix) if wix else None
    undo = None if before is None else {k: before[k] for k in ("onlineOrderingEnabled", "availability") if k in before}
    if undo and isinstance(undo.get("availability"), dict):
        undo["availability"] = {k: v for k, v in undo["availability"].items() if k != "timeZone"}
    body = {
        "menuOrderingSettings": {
            "onlineOrderingEnabled": fields["online_ordering"],
            "availability": ordering.availability(fields["hours"]),
        }
    }
    return Operation(
        CUT_OVER,
        UPSERT,
        "POST",
        f"{SETTINGS}/menu-ordering-settings/upsert/menu-id/{{menu:{menu_id}}}",
        body,
        f"set the ordering hours of menu {menu_id}",
        phase=Phase.CUT_OVER,
        undo={"elements": [undo]},
    )


def _closure(change: Change, desired: Essence, live: LiveSite, revisions: dict[str, str]) -> list[Operation]:
    key = f"closure:{change.id}"
    if change.action == Action.REMOVE:
        wix = live.wix_ids[change.key]
        path = f"{EXCEPTIONS}/availability-exceptions/{wix}"
        return [
            Operation(CLEAN_UP, DELETE, "DELETE", path, None, f"delete the closure {change.id}", phase=Phase.CLEAN_UP)
        ]
    record = desired[change.key]
    if change.action == Action.UPDATE:
        wix = live.wix_ids[change.key]
        revisions[key] = str(live.known[wix].get("revision", ""))
        entity = {"id": ref("closure", change.id), "revision": rev("closure", change.id), "name": record["name"]}
        return [
            Operation(
                CUT_OVER,
                UPDATE,
                "PATCH",
                f"{EXCEPTIONS}/availability-exceptions/{{{key}}}",
                {"availabilityException": entity, "fieldMask": "name"},
                f"rename the closure {change.id}",
                phase=Phase.CUT_OVER,
                undo={"elements": [{"name": live.essence[change.key]["name"]}]},
            )
        ]
    entity = {
        "startTime": record["start"],
        "endTime": record["end"],
        "operationId": ref(*OPERATION.split(":")),
        "affectedFulfillmentMethods": {"affectedMethods": "ALL_FULFILLMENT_METHODS"},
    }
    if record["name"]:
        entity["name"] = record["name"]
    return [
        Operation(
            AFTER,
            CREATE,
            "POST",
            f"{EXCEPTIONS}/availability-exceptions",
            {"availabilityException": entity},
            f"close {record['start']} to {record['end']}" + (f" ({record['name']})" if record["name"] else ""),
            binds=((0, "closure", change.id),),
            idempotent=False,
            phase=Phase.CUT_OVER,
        )
    ]


# --- running and undoing (execute.py) ------------------------------------------------------------
def handles(op: Operation) -> bool:
    return op.call in online.CALLS


def learn(
    op: Operation, response: JsonObject, ids: dict[str, str], revisions: dict[str, str], created: dict[str, str]
) -> None:
    """What a successful call tells the rest of the run: the operation id, a new closure's id."""
    settings = response.get("menuOrderingSettings") or {}
    if settings.get("operationId"):
        ids.setdefault(OPERATION, str(settings["operationId"]))
    entity = response.get("availabilityException") or {}
    for _, kind, local_id in op.binds:
        ids[f"{kind}:{local_id}"] = created[f"{kind}:{local_id}"] = str(entity["id"])
        revisions[f"{kind}:{local_id}"] = str(entity.get("revision", "1"))


async def undo(api: MenusApi, applied: list[Operation], ids: dict[str, str], problems: list[str]) -> None:
    """Put back what applied upserts and renames changed (in reverse order)."""
    for op in reversed(applied):
        before = ((op.undo or {}).get("elements") or [None])[0]
        if before is None:
            continue  # settings of a menu built in this run: they go with the menu
        path = op.path
        for key, wix in ids.items():
            path = path.replace("{" + key + "}", wix)
        try:
            if op.call == UPSERT:
                await api.call(UPSERT, "POST", path, {"menuOrderingSettings": before})
            elif op.call == UPDATE:
                current = await api.call("availabilityExceptions.getAvailabilityException", "GET", path)
                revision = (current.get("availabilityException") or {}).get("revision")
                body = {"availabilityException": {**before, "revision": revision}, "fieldMask": "name"}
                await api.call(UPDATE, "PATCH", path, body)
        except ApiError as exc:
            problems.append(f"could not put back {op.summary}: {exc}")


async def unsure(api: MenusApi, ops: list[Operation], before: set[str], problems: list[str]) -> list[str]:
    """Closures a create whose answer was lost may have made: new since the plan, same period."""
    if not ops:
        return []
    periods = {(o.body or {})["availabilityException"]["startTime"] for o in ops}
    try:
        _, exceptions = await online.fetch(api.session)
    except ApiError as exc:
        problems.append(f"could not look for closures a lost create may have made: {exc}")
        return []
    return [
        str(e["id"])
        for e in exceptions
        if str(e.get("id")) not in before and ordering.closure_record(e)["start"] in periods
    ]


async def delete(api: MenusApi, wix_ids: list[str], problems: list[str]) -> None:
    for wix in wix_ids:
        try:
            await api.call(DELETE, "DELETE", f"{EXCEPTIONS}/availability-exceptions/{wix}")
        except ApiError as exc:
            problems.append(f"could not delete the closure {wix} this run created: {exc}")
