"""Turn a diff into the Wix Catalogs v3 calls that realise it, in dependency order, 20 per call.

Steps (each runs only after the previous one; calls within a step are independent):

    0  createDraftCatalog
    1  bulkArchiveMenus, bulkUnarchiveMenus, bulkCreateMenus, bulkCreateVariations
    2  bulkCreateSections                (needs the menus)
    3  bulkCreateDishes                  (needs sections and variations)
    4  bulkUpdateItems, bulkUpdateSections, bulkUpdateMenus
                                         (needs every id: sets fields, options and display order)
    5  publishDraftCatalog

Menus, sections and dishes are created before anything lists them, and the order lists
(``menu.sectionIds``, ``section.itemIds``) are set explicitly in step 4, so the plan works whether
or not Wix appends new entities to their parent on create (reference U13) and whether or not it
checks the menu and section named in a bulk create (U14).

Catalogs v3 cannot delete. A removed menu is archived; a removed section or dish is unlisted from
its parent and hidden; a removed variation is unlisted. An entity that was unlisted before and is
wanted again gets its old Wix id back (photos, ratings and history survive).

A plan that changes exactly one existing entity uses the live update endpoint instead: one call
instead of three, as Wix recommends.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from reconciler.canonical import fingerprint
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, Key
from reconciler.engine.plan import Built, Operation, ref
from reconciler.engine.vocabulary import Action, Kind, Namespace
from reconciler.targets.wix_v3 import convert
from reconciler.targets.wix_v3.capabilities import namespace
from reconciler.targets.wix_v3.client import BULK_LIMIT
from reconciler.targets.wix_v3.read import LiveCatalog

REMOVAL_NOTE = (
    "Catalogs v3 has no delete: removed menus are archived, removed sections and dishes are "
    "unlisted and hidden, removed variations are unlisted."
)


@dataclass
class _Work:
    archive: list[str] = field(default_factory=list)  # menu local ids
    unarchive: list[str] = field(default_factory=list)
    new_menus: list[str] = field(default_factory=list)
    new_variations: list[str] = field(default_factory=list)
    new_sections: list[str] = field(default_factory=list)
    new_dishes: list[str] = field(default_factory=list)
    items: dict[str, dict] = field(default_factory=dict)  # local id -> update payload
    sections: dict[str, tuple[dict, dict]] = field(default_factory=dict)  # local -> (menu ref, payload)
    menus: dict[str, dict] = field(default_factory=dict)
    notes: dict[Key, list[str]] = field(default_factory=dict)


def build(
    changes: list[Change], desired: Essence, live: LiveCatalog, catalog_id: str, live_updates: bool = True
) -> Built:
    ids = _known_ids(desired, live)
    work = _Work()
    for change in changes:
        _classify(change, desired, live, ids, work)
    for key in live.adopted:
        work.notes.setdefault(key, []).append(
            f"adopted the live {key[0]} with the same name (Wix id {live.wix_ids[key]})"
        )
    single = _single_live_update(changes, work, desired, ids, catalog_id, live) if live_updates else None
    operations = single or (_draft_operations(work, desired, catalog_id) if changes else [])
    annotated = tuple(replace(c, notes=c.notes + tuple(work.notes.get(c.key, ()))) for c in changes)
    notes = [REMOVAL_NOTE] if any(c.action == Action.REMOVE for c in changes) else []
    notes += (
        [f"adopting {len(live.adopted)} live entities by name: the next plan will track them by id"]
        if live.adopted
        else []
    )
    mapping = tuple(sorted((namespace(k), i, fingerprint(f)) for (k, i), f in desired.items()))
    return Built(tuple(operations), ids, mapping, annotated, tuple(notes))


def _known_ids(desired: Essence, live: LiveCatalog) -> dict[str, str]:
    """Wix ids of every entity that exists already and that the plan may reference."""
    ids = {f"{namespace(k)}:{i}": wix for (k, i), wix in live.wix_ids.items()}
    for kind, local_id in desired:
        wix = _reusable(kind, local_id, live)
        if wix is not None:
            ids.setdefault(f"{namespace(kind)}:{local_id}", wix)
    return dict(sorted(ids.items()))


def _reusable(kind: str, local_id: str, live: LiveCatalog) -> str | None:
    """A Wix id from the mapping that still exists (possibly unlisted or an archived menu)."""
    wix = live.local_to_wix.get((namespace(kind), local_id))
    raw = live.known.get(wix) if wix else None
    if raw is None:
        return None
    if raw.get("archived") and kind != Kind.MENU:
        return None  # archived sections and items are immutable; a new one is needed
    if kind == Kind.SECTION and "itemIds" not in raw:
        return None
    return wix


def _classify(change: Change, desired: Essence, live: LiveCatalog, ids: dict, work: _Work) -> None:
    kind, local_id = change.kind, change.id
    fields = desired.get(change.key)
    ns = namespace(kind)
    if change.action == Action.REMOVE:
        _remove(change, live, work)
        return
    existing = ids.get(f"{ns}:{local_id}")
    if change.action == Action.UPDATE and kind == Kind.SECTION and live.essence[change.key]["menu"] != fields["menu"]:
        # A section belongs to one menu for good: recreate it in the new menu, hide the old one.
        old_menu = live.essence[change.key]["menu"]
        work.notes.setdefault(change.key, []).append(
            f'sections cannot move between menus in Catalogs v3: recreated in menu "{fields["menu"]}", '
            f'the old one in "{old_menu}" is unlisted and hidden'
        )
        if (Kind.MENU, old_menu) in desired:
            old_wix = live.wix_ids[change.key]  # a literal id: the local id now names the new section
            work.sections[f"old:{local_id}"] = (
                ref(Namespace.MENU, old_menu),
                _hide_payload(live.essence[change.key], old_wix),
            )
        del ids[f"section:{local_id}"]
        existing = None
    if existing is None:
        {
            Kind.MENU: work.new_menus,
            Kind.SECTION: work.new_sections,
            Kind.DISH: work.new_dishes,
            Kind.VARIATION: work.new_variations,
        }[kind].append(local_id)
        return
    if change.action == Action.CREATE:
        raw = live.known[existing]
        if kind == Kind.MENU and raw.get("archived"):
            work.unarchive.append(local_id)
            work.notes.setdefault(change.key, []).append(f"unarchives the menu archived earlier ({existing})")
        else:
            work.notes.setdefault(change.key, []).append(f"reuses the Wix {kind} unlisted earlier ({existing})")
    _update(kind, local_id, fields, work)


def _update(kind: str, local_id: str, fields: dict, work: _Work) -> None:
    if kind == Kind.MENU:
        work.menus[local_id] = {"id": ref(Namespace.MENU, local_id), **convert.menu_to_wix(fields, ref)}
    elif kind == Kind.SECTION:
        payload = {"id": ref(Namespace.SECTION, local_id), **convert.section_to_wix(fields, ref)}
        work.sections[local_id] = (ref(Namespace.MENU, fields["menu"]), payload)
    else:
        work.items[local_id] = {"id": ref(Namespace.ITEM, local_id), **convert.item_to_wix(fields, ref)}


def _hide_payload(fields: dict, entity_ref: dict | str) -> dict:
    return {"id": entity_ref, "visibilityCriteria": convert.visibility_to_wix({**fields, "visible": False})}


def _remove(change: Change, live: LiveCatalog, work: _Work) -> None:
    kind, local_id = change.kind, change.id
    fields = live.essence[change.key]
    if kind == Kind.MENU:
        work.archive.append(local_id)
    elif kind == Kind.SECTION:
        if (Kind.MENU, fields["menu"]) in live.essence and fields["menu"] not in work.archive:
            work.sections[local_id] = (
                ref(Namespace.MENU, fields["menu"]),
                _hide_payload(fields, ref(Namespace.SECTION, local_id)),
            )
    elif kind == Kind.DISH:
        work.items[local_id] = _hide_payload(fields, ref(Namespace.ITEM, local_id))


def _draft_operations(work: _Work, desired: Essence, catalog_id: str) -> list[Operation]:
    bulk = f"/draft-catalogs/{catalog_id}/bulk"
    ops: list[Operation] = [
        Operation(
            0,
            "createDraftCatalog",
            "POST",
            f"/draft-catalogs/{catalog_id}/create",
            {"catalogId": catalog_id},
            "create a draft catalog",
            idempotent=False,
        )
    ]
    created_dishes = set(work.new_dishes)

    # Step 1: menus and variations.
    ops += _chunks(
        1,
        "bulkArchiveMenus",
        f"{bulk}/menus/archive",
        "ids",
        sorted(work.archive),
        lambda m: ref(Namespace.MENU, m),
        "archive {n} menus",
    )
    ops += _chunks(
        1,
        "bulkUnarchiveMenus",
        f"{bulk}/menus/unarchive",
        "ids",
        sorted(work.unarchive),
        lambda m: ref(Namespace.MENU, m),
        "unarchive {n} menus",
    )
    ops += _chunks(
        1,
        "bulkCreateMenus",
        f"{bulk}/menus/create",
        "menus",
        sorted(work.new_menus),
        lambda m: convert.menu_to_wix(desired[(Kind.MENU, m)], ref, sections=[]),
        "create {n} menus",
        bind=Namespace.MENU,
    )
    ops += _chunks(
        1,
        "bulkCreateVariations",
        f"{bulk}/variations/create",
        "variations",
        sorted(work.new_variations),
        lambda v: {"name": desired[(Kind.VARIATION, v)]["name"]},
        "create {n} variations",
        bind=Namespace.ITEM,
    )
    for local_id in work.new_menus:
        if desired[(Kind.MENU, local_id)]["sections"]:
            _update(Kind.MENU, local_id, desired[(Kind.MENU, local_id)], work)
    for local_id in work.new_variations:
        fields = desired[(Kind.VARIATION, local_id)]
        if fields != convert.fresh_variation(fields["name"]):
            _update(Kind.VARIATION, local_id, fields, work)

    # Step 2: sections, listing the dishes that already exist.
    def new_section(local_id: str) -> dict:
        fields = desired[(Kind.SECTION, local_id)]
        existing = [d for d in fields["dishes"] if d not in created_dishes]
        if existing != fields["dishes"]:
            _update(Kind.SECTION, local_id, fields, work)
        return {"menuId": ref(Namespace.MENU, fields["menu"]), "section": convert.section_to_wix(fields, ref, existing)}

    ops += _chunks(
        2,
        "bulkCreateSections",
        f"{bulk}/sections/create",
        "createSectionRequests",
        sorted(work.new_sections),
        new_section,
        "create {n} sections",
        bind=Namespace.SECTION,
    )

    # Step 3: dishes, each inside the first section that lists it.
    home = {}
    for (kind, section_id), fields in desired.items():
        if kind == Kind.SECTION:
            for dish in fields["dishes"]:
                home.setdefault(dish, (fields["menu"], section_id))

    def new_dish(local_id: str) -> dict:
        fields = desired[(Kind.DISH, local_id)]
        ready = [o for o in fields["options"] if not any(c["item"] in created_dishes for c in o["choices"])]
        if ready != fields["options"]:
            _update(Kind.DISH, local_id, fields, work)  # options offering new dishes: set in step 4
        menu_id, section_id = home[local_id]
        return {
            "menuId": ref(Namespace.MENU, menu_id),
            "sectionId": ref(Namespace.SECTION, section_id),
            "dish": convert.item_to_wix(fields, ref, options=ready),
        }

    ops += _chunks(
        3,
        "bulkCreateDishes",
        f"{bulk}/dishes/create",
        "createDishRequests",
        sorted(work.new_dishes),
        new_dish,
        "create {n} dishes",
        bind=Namespace.ITEM,
    )

    # Step 4: fields, options and order lists, now that every id exists.
    ops += _chunks(
        4,
        "bulkUpdateItems",
        f"{bulk}/items/update",
        "items",
        sorted(work.items),
        lambda i: work.items[i],
        "update {n} items",
    )
    ops += _chunks(
        4,
        "bulkUpdateSections",
        f"{bulk}/sections/update",
        "updateSectionsRequests",
        sorted(work.sections),
        lambda s: {"menuId": work.sections[s][0], "section": work.sections[s][1]},
        "update {n} sections",
    )
    ops += _chunks(
        4,
        "bulkUpdateMenus",
        f"{bulk}/menus/update",
        "menus",
        sorted(work.menus),
        lambda m: work.menus[m],
        "update {n} menus",
    )
    ops.append(
        Operation(
            5,
            "publishDraftCatalog",
            "POST",
            f"/draft-catalogs/{catalog_id}/publish",
            {"catalogId": catalog_id},
            "publish the draft",
            idempotent=False,
        )
    )
    return _compact(ops)


def _chunks(
    step: int, call: str, path: str, key: str, locals_: list[str], element, summary: str, bind: str | None = None
) -> list[Operation]:
    ops = []
    for start in range(0, len(locals_), BULK_LIMIT):
        batch = locals_[start : start + BULK_LIMIT]
        body = {key: [element(x) for x in batch]}
        if call.startswith(("bulkCreate", "bulkUpdate")) or "rchive" in call:
            body["returnFullEntity"] = False
        binds = tuple((i, bind, x) for i, x in enumerate(batch)) if bind else ()
        ops.append(
            Operation(
                step,
                call,
                "POST",
                path,
                body,
                _plural(summary, len(batch)),
                binds,
                idempotent=not call.startswith("bulkCreate"),
            )
        )
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


def _single_live_update(
    changes: list[Change], work: _Work, desired: Essence, ids: dict, catalog_id: str, live: LiveCatalog
) -> list[Operation] | None:
    if len(changes) != 1 or changes[0].action != Action.UPDATE:
        return None
    change = changes[0]
    pending = (work.new_menus, work.new_sections, work.new_dishes, work.new_variations, work.archive, work.unarchive)
    if any(pending) or change.key in live.adopted or (change.notes or work.notes.get(change.key)):
        return None
    wix = ids[f"{namespace(change.kind)}:{change.id}"]
    if change.kind == Kind.MENU:
        body = {k: v for k, v in work.menus[change.id].items() if k != "id"}
        return [
            Operation(
                0,
                "updateMenu",
                "PATCH",
                f"/catalogs/{catalog_id}/menus/{wix}",
                {"menu": body},
                f'update menu "{change.name}"',
            )
        ]
    if change.kind == Kind.SECTION:
        menu_ref, payload = work.sections[change.id]
        menu_wix = ids[f"menu:{menu_ref['$ref'].split(':', 1)[1]}"]
        body = {k: v for k, v in payload.items() if k != "id"}
        return [
            Operation(
                0,
                "updateSection",
                "PATCH",
                f"/catalogs/{catalog_id}/menus/{menu_wix}/sections/{wix}",
                {"section": body},
                f'update section "{change.name}"',
            )
        ]
    body = {k: v for k, v in work.items[change.id].items() if k != "id"}
    return [
        Operation(
            0,
            "updateItem",
            "PATCH",
            f"/catalogs/{catalog_id}/items/{wix}",
            {"item": body},
            f'update {change.kind} "{change.name}"',
        )
    ]
