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
The draft's calls, step by step, are built by steps.py.
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.canonical import JsonObject, fingerprint
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence
from reconciler.engine.plan import Built, Operation, ref
from reconciler.engine.vocabulary import Action, Kind, Namespace
from reconciler.targets.naming import AMBIGUOUS, ambiguity_notes
from reconciler.targets.wix_v3 import convert
from reconciler.targets.wix_v3.capabilities import namespace
from reconciler.targets.wix_v3.read import LiveCatalog
from reconciler.targets.wix_v3.steps import Work, draft_operations, update

REMOVAL_NOTE = (
    "Catalogs v3 has no delete: removed menus are archived, removed sections and dishes are "
    "unlisted and hidden, removed variations are unlisted."
)


def build(
    changes: list[Change], desired: Essence, live: LiveCatalog, catalog_id: str, live_updates: bool = True
) -> Built:
    ids = _known_ids(desired, live)
    work = Work()
    for change in changes:
        _classify(change, desired, live, ids, work)
    for key in live.adopted:
        work.notes.setdefault(key, []).append(
            f"adopted the live {key[0]} with the same name (Wix id {live.wix_ids[key]})"
            + (AMBIGUOUS if key in live.ambiguous else "")
        )
    single = _single_liveupdate(changes, work, desired, ids, catalog_id, live) if live_updates else None
    operations = single or (draft_operations(work, desired, catalog_id) if changes else [])
    annotated = tuple(replace(c, notes=c.notes + tuple(work.notes.get(c.key, ()))) for c in changes)
    notes = [REMOVAL_NOTE] if any(c.action == Action.REMOVE for c in changes) else []
    notes += (
        [f"adopting {len(live.adopted)} live entities by name: the next plan will track them by id"]
        if live.adopted
        else []
    )
    notes += ambiguity_notes(live.ambiguous)
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


def _reusable(kind: Kind, local_id: str, live: LiveCatalog) -> str | None:
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


def _classify(change: Change, desired: Essence, live: LiveCatalog, ids: JsonObject, work: Work) -> None:
    kind, local_id = change.kind, change.id
    if change.action == Action.REMOVE:
        _remove(change, live, work)
        return
    fields = desired[change.key]
    ns = namespace(kind)
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
    update(kind, local_id, fields, work)


def _hide_payload(fields: JsonObject, entity_ref: JsonObject | str) -> JsonObject:
    return {"id": entity_ref, "visibilityCriteria": convert.visibility_to_wix({**fields, "visible": False})}


def _remove(change: Change, live: LiveCatalog, work: Work) -> None:
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


def _single_liveupdate(
    changes: list[Change], work: Work, desired: Essence, ids: JsonObject, catalog_id: str, live: LiveCatalog
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
