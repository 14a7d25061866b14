"""Duplicate Menu, Duplicate Section and Duplicate Item (§1.4, §3.3, §6.8).

Copies are made through ``entities.create``, so they get new ids, revision "1" and fresh dates,
and pass every rule. Ids that dangle in the source (their entity was deleted) are left out of the
copy. Answers: ``{"menuIds": [...]}``, ``{"sectionId": [...]}`` and ``{"itemId": [...]}`` (arrays
under singular keys, as documented). Every location named in ``businessLocationIds`` (at most 100)
must exist (400 ``REFERENCED_ENTITY_NOT_FOUND``).

- Menu: one copy per location given (the copy's ``businessLocationId``); none given: one copy in
  the source's location. ``menuName`` (at most 500) names the copies, else they keep the name.
  ``duplicateSubEntities: true`` also copies its sections (each copy lists the same items: items,
  groups, variants, modifiers and labels are shared, never deep-copied); false (default): the copies
  list the same section ids.
- Section: one copy per location given, else one. Copies are detached (no menu lists them), so
  their derived ``businessLocationId`` stays unset until a menu lists them.
  ``duplicateSubEntities: true`` also copies its items (sharing their labels, groups and variants).
- Item: one copy per location given, else one; detached, sharing labels, groups and variants.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator import locations
from reconciler.emulator.errors import application_error
from reconciler.emulator.menus import repo, shapes
from reconciler.emulator.menus.crud import path_id
from reconciler.emulator.menus.entities import Ctx, create
from reconciler.emulator.menus.services import ITEMS, LOCATIONS_MAX, MENUS, SECTIONS, Service
from reconciler.emulator.menus.validate import Checker
from reconciler.emulator.routing import Call
from reconciler.emulator.store import Tx


def _request(call: Call, sub_entities: bool, menu_name: bool) -> tuple[list[str], bool, str | None]:
    checker = Checker()
    targets = call.body.get("businessLocationIds")
    checker.guids(targets, "businessLocationIds", LOCATIONS_MAX)
    if sub_entities:
        checker.boolean(call.body.get("duplicateSubEntities"), "duplicateSubEntities")
    if menu_name:
        checker.text(call.body.get("menuName"), "menuName", 500, minimum=1)
    checker.raise_if_any()
    for index, location_id in enumerate(targets or []):
        if locations.locations(call.tx).get_text(location_id) is None:
            raise application_error(
                400,
                "REFERENCED_ENTITY_NOT_FOUND",
                f"business location {location_id!r} not found",
                {"field": f"businessLocationIds[{index}]", "entity": "location", "id": location_id},
            )
    return list(targets or []), call.body.get("duplicateSubEntities") is True, call.body.get("menuName")


def _pruned(tx: Tx, kind: str, entity: dict[str, Any]) -> dict[str, Any]:
    """The source's writable fields, without references to entities that no longer exist."""
    raw = {key: entity[key] for key in shapes.WRITABLE[kind] if key in entity}
    for target, ids in shapes.references(kind, entity).items():
        alive = repo.existing(tx, target, [ident for ident in ids if isinstance(ident, str)])
        if kind == "menu":
            raw["sectionIds"] = [ident for ident in ids if ident in alive]
        elif kind == "section":
            raw["itemIds"] = [ident for ident in ids if ident in alive]
        elif kind == "modifierGroup":
            raw["modifiers"] = [m for m in raw.get("modifiers", []) if m.get("id") in alive]
        elif target in ("label", "modifierGroup"):
            field = "labels" if target == "label" else "modifierGroups"
            raw[field] = [ref for ref in raw.get(field, []) if ref.get("id") in alive]
        elif target == "variant" and raw.get("priceVariants"):
            variants = raw["priceVariants"].get("variants") or []
            raw["priceVariants"] = {"variants": [v for v in variants if v.get("variantId") in alive]}
    return raw


def _copy(ctx: Ctx, service: Service, source: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    raw = {**_pruned(ctx.tx, service.kind, source), **overrides}
    return create(ctx, service, raw, service.kind)


def _copy_section(ctx: Ctx, section: dict[str, Any], with_items: bool) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if with_items:
        items = repo.rows(ctx.tx, "item")
        copies = [
            _copy(ctx, ITEMS, item)["id"] for item in (items.get(i) for i in section.get("itemIds") or []) if item
        ]
        overrides["itemIds"] = copies
    return _copy(ctx, SECTIONS, section, **overrides)


def handle_duplicate_menu(call: Call) -> dict[str, Any]:
    ident = path_id(call, MENUS, "id")
    targets, sub_entities, name = _request(call, sub_entities=True, menu_name=True)
    ctx = Ctx.of(call)
    source = repo.find(ctx.tx, MENUS, ident)
    menu_ids = []
    for location_id in targets or [source.get("businessLocationId")]:
        overrides: dict[str, Any] = {"businessLocationId": location_id}
        if name:
            overrides["name"] = name
        if sub_entities:
            sections = repo.rows(ctx.tx, "section")
            overrides["sectionIds"] = [
                _copy_section(ctx, section, False)["id"]
                for section in (sections.get(i) for i in source.get("sectionIds") or [])
                if section
            ]
        menu_ids.append(_copy(ctx, MENUS, source, **overrides)["id"])
    ctx.finish()
    return {"menuIds": menu_ids}


def handle_duplicate_section(call: Call) -> dict[str, Any]:
    ident = path_id(call, SECTIONS, "id")
    targets, sub_entities, _name = _request(call, sub_entities=True, menu_name=False)
    ctx = Ctx.of(call)
    source = repo.find(ctx.tx, SECTIONS, ident)
    ids = [_copy_section(ctx, source, sub_entities)["id"] for _ in range(max(1, len(targets)))]
    ctx.finish()
    return {"sectionId": ids}


def handle_duplicate_item(call: Call) -> dict[str, Any]:
    ident = path_id(call, ITEMS, "id")
    targets, _sub, _name = _request(call, sub_entities=False, menu_name=False)
    ctx = Ctx.of(call)
    source = repo.find(ctx.tx, ITEMS, ident)
    ids = [_copy(ctx, ITEMS, source)["id"] for _ in range(max(1, len(targets)))]
    ctx.finish()
    return {"itemId": ids}
