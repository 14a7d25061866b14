"""The calls of a v3 draft, step by step, from what the planner decided (a :class:`Work`).

planner.py classifies each change into a Work: what to archive, unarchive and create, and the
update payload of every entity whose fields or order lists must be set. This module turns that
into the draft's bulk calls, 20 elements each (the steps are told in planner.py). Creating an
entity that lists others not created yet leaves those out and queues an update for step 4, when
every id exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence, Key
from reconciler.engine.plan import Operation, ref
from reconciler.engine.vocabulary import Kind, Namespace
from reconciler.targets.wix_v3 import convert
from reconciler.targets.wix_v3.client import BULK_LIMIT

Element = Callable[[str], object]  # our id -> one element of a bulk call's list


@dataclass
class Work:
    archive: list[str] = field(default_factory=list)  # menu ids
    unarchive: list[str] = field(default_factory=list)
    new_menus: list[str] = field(default_factory=list)
    new_variations: list[str] = field(default_factory=list)
    new_sections: list[str] = field(default_factory=list)
    new_dishes: list[str] = field(default_factory=list)
    items: dict[str, JsonObject] = field(default_factory=dict)  # our id -> update payload
    sections: dict[str, tuple[JsonObject, JsonObject]] = field(default_factory=dict)  # our id -> (menu ref, payload)
    menus: dict[str, JsonObject] = field(default_factory=dict)
    notes: dict[Key, list[str]] = field(default_factory=dict)


def update(kind: Kind, local_id: str, fields: JsonObject, work: Work) -> None:
    """Queue the step-4 update that sets every field and order list of an entity."""
    if kind == Kind.MENU:
        work.menus[local_id] = {"id": ref(Namespace.MENU, local_id), **convert.menu_to_wix(fields, ref)}
    elif kind == Kind.SECTION:
        payload = {"id": ref(Namespace.SECTION, local_id), **convert.section_to_wix(fields, ref)}
        work.sections[local_id] = (ref(Namespace.MENU, fields["menu"]), payload)
    else:
        work.items[local_id] = {"id": ref(Namespace.ITEM, local_id), **convert.item_to_wix(fields, ref)}


def draft_operations(work: Work, desired: Essence, catalog_id: str) -> list[Operation]:
    draft = f"/draft-catalogs/{catalog_id}"
    body = {"catalogId": catalog_id}
    ops = [
        Operation(0, "createDraftCatalog", "POST", f"{draft}/create", body, "create a draft catalog", idempotent=False)
    ]
    # In this order: creating sections and dishes queues the updates step 4 sends.
    ops += _menus_and_variations(work, desired, f"{draft}/bulk")
    ops += _sections(work, desired, f"{draft}/bulk")
    ops += _dishes(work, desired, f"{draft}/bulk")
    ops += _updates(work, f"{draft}/bulk")
    ops.append(
        Operation(5, "publishDraftCatalog", "POST", f"{draft}/publish", body, "publish the draft", idempotent=False)
    )
    return _compact(ops)


def _menus_and_variations(work: Work, desired: Essence, bulk: str) -> list[Operation]:
    """Step 1: menus (archived, unarchived, created empty) and variations (created by name)."""
    menu_ref: Element = lambda m: ref(Namespace.MENU, m)  # noqa: E731
    ops = _chunks(1, "bulkArchiveMenus", f"{bulk}/menus/archive", "ids", work.archive, menu_ref, "archive {n} menus")
    ops += _chunks(
        1, "bulkUnarchiveMenus", f"{bulk}/menus/unarchive", "ids", work.unarchive, menu_ref, "unarchive {n} menus"
    )
    ops += _chunks(
        1,
        "bulkCreateMenus",
        f"{bulk}/menus/create",
        "menus",
        work.new_menus,
        lambda m: convert.menu_to_wix(desired[(Kind.MENU, m)], ref, sections=[]),
        "create {n} menus",
        bind=Namespace.MENU,
    )
    ops += _chunks(
        1,
        "bulkCreateVariations",
        f"{bulk}/variations/create",
        "variations",
        work.new_variations,
        lambda v: {"name": desired[(Kind.VARIATION, v)]["name"]},
        "create {n} variations",
        bind=Namespace.ITEM,
    )
    for local_id in work.new_menus:
        if desired[(Kind.MENU, local_id)]["sections"]:
            update(Kind.MENU, local_id, desired[(Kind.MENU, local_id)], work)
    for local_id in work.new_variations:
        fields = desired[(Kind.VARIATION, local_id)]
        if fields != convert.fresh_variation(fields["name"]):
            update(Kind.VARIATION, local_id, fields, work)
    return ops


def _sections(work: Work, desired: Essence, bulk: str) -> list[Operation]:
    """Step 2: sections, listing the dishes that already exist."""
    created_dishes = set(work.new_dishes)

    def new_section(local_id: str) -> JsonObject:
        fields = desired[(Kind.SECTION, local_id)]
        existing = [d for d in fields["dishes"] if d not in created_dishes]
        if existing != fields["dishes"]:
            update(Kind.SECTION, local_id, fields, work)
        return {"menuId": ref(Namespace.MENU, fields["menu"]), "section": convert.section_to_wix(fields, ref, existing)}

    return _chunks(
        2,
        "bulkCreateSections",
        f"{bulk}/sections/create",
        "createSectionRequests",
        work.new_sections,
        new_section,
        "create {n} sections",
        bind=Namespace.SECTION,
    )


def _dishes(work: Work, desired: Essence, bulk: str) -> list[Operation]:
    """Step 3: dishes, each inside the first section that lists it."""
    created_dishes = set(work.new_dishes)
    home: dict[str, tuple[str, str]] = {}  # dish -> (menu, section)
    for (kind, section_id), fields in desired.items():
        if kind == Kind.SECTION:
            for dish in fields["dishes"]:
                home.setdefault(dish, (fields["menu"], section_id))

    def new_dish(local_id: str) -> JsonObject:
        fields = desired[(Kind.DISH, local_id)]
        ready = [o for o in fields["options"] if not any(c["item"] in created_dishes for c in o["choices"])]
        if ready != fields["options"]:
            update(Kind.DISH, local_id, fields, work)  # options offering new dishes: set in step 4
        menu_id, section_id = home[local_id]
        return {
            "menuId": ref(Namespace.MENU, menu_id),
            "sectionId": ref(Namespace.SECTION, section_id),
            "dish": convert.item_to_wix(fields, ref, options=ready),
        }

    return _chunks(
        3,
        "bulkCreateDishes",
        f"{bulk}/dishes/create",
        "createDishRequests",
        work.new_dishes,
        new_dish,
        "create {n} dishes",
        bind=Namespace.ITEM,
    )


def _updates(work: Work, bulk: str) -> list[Operation]:
    """Step 4: fields, options and order lists, now that every id exists."""
    ops = _chunks(
        4,
        "bulkUpdateItems",
        f"{bulk}/items/update",
        "items",
        list(work.items),
        work.items.__getitem__,
        "update {n} items",
    )
    ops += _chunks(
        4,
        "bulkUpdateSections",
        f"{bulk}/sections/update",
        "updateSectionsRequests",
        list(work.sections),
        lambda s: {"menuId": work.sections[s][0], "section": work.sections[s][1]},
        "update {n} sections",
    )
    ops += _chunks(
        4,
        "bulkUpdateMenus",
        f"{bulk}/menus/update",
        "menus",
        list(work.menus),
        work.menus.__getitem__,
        "update {n} menus",
    )
    return ops


def _chunks(
    step: int,
    call: str,
    path: str,
    key: str,
    ids: list[str],
    element: Element,
    summary: str,
    bind: Namespace | None = None,
) -> list[Operation]:
    """One bulk call per 20 of ``ids`` (sorted: the same work gives the same calls)."""
    ordered = sorted(ids)
    ops = []
    for start in range(0, len(ordered), BULK_LIMIT):
        batch = ordered[start : start + BULK_LIMIT]
        body: JsonObject = {key: [element(x) for x in batch]}
        if call.startswith(("bulkCreate", "bulkUpdate")) or "rchive" in call:
            body["returnFullEntity"] = False
        binds = tuple((i, str(bind), x) for i, x in enumerate(batch)) if bind else ()
        idempotent = not call.startswith("bulkCreate")
        ops.append(Operation(step, call, "POST", path, body, _plural(summary, len(batch)), binds, idempotent))
    return ops


def _plural(summary: str, n: int) -> str:
    """ "create {n} menus" -> "create 1 menu" / "create 3 menus"."""
    text = summary.format(n=n)
    return text[:-1] if n == 1 and text.endswith("s") else text


def _compact(ops: list[Operation]) -> list[Operation]:
    """Number the steps that have calls 0, 1, 2, … so the step count is the real depth."""
    used = sorted({o.step for o in ops})
    renumber = {step: index for index, step in enumerate(used)}
    return [replace(o, step=renumber[o.step]) for o in ops]
