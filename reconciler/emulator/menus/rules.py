"""Rules checked on the whole entity a write would store, or against the store.

- **Revision** (§1.5): an update names the revision it read; if the stored one has moved on, 409
  ``INVALID_REVISION`` ("entity has already changed since the requested revision").
- **Pricing one-of** (§2.3, §7.7): an item must carry exactly one of ``priceInfo`` and
  ``priceVariants``. A create, single update or bulk update element without either is a 428
  ``MISSING_ITEM_PRICING``, even when its mask does not touch pricing (both is a 400, in
  ``validate.py``).
- **Modifier-group rule** (§2.7, §6.4): ``minSelections <= maxSelections <= 25``; ``minSelections``
  at most the number of modifiers in the group; ``required`` true exactly when ``minSelections >= 1``
  (an omitted ``required`` is derived from ``minSelections``). Violations are 400 validation errors.
- **References** (§6.2): every id a write sets (``sectionIds``, ``itemIds``, ``labels[].id``,
  ``modifierGroups[].id``, ``priceVariants.variants[].variantId``, ``modifiers[].id``, a menu's
  ``businessLocationId``) must name an existing entity, else 400 ``REFERENCED_ENTITY_NOT_FOUND``.
  Only the fields the request writes are checked, so ids left dangling by a delete do not block
  unrelated updates of their parent.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator import locations
from reconciler.emulator.errors import FieldViolation, WixError, application_error, validation_error
from reconciler.emulator.menus import repo, shapes
from reconciler.emulator.menus.services import GROUP, ITEM, MENU, SECTION, Service
from reconciler.emulator.store import Tx

MISSING_PRICING = "item must have either price or price variants"

_FIELD_OF = {  # (entity kind, referenced kind) -> the field that holds the reference
    (MENU, SECTION): "sectionIds",
    (SECTION, ITEM): "itemIds",
    (ITEM, "label"): "labels",
    (ITEM, GROUP): "modifierGroups",
    (ITEM, "variant"): "priceVariants",
    (GROUP, "modifier"): "modifiers",
}


def check_revision(service: Service, stored: dict[str, Any], sent: Any) -> None:
    if str(sent) != str(stored.get("revision")):
        raise application_error(
            409,
            "INVALID_REVISION",
            "entity has already changed since the requested revision",
            {"entity": service.kind, "id": stored["id"]},
        )


def missing_pricing() -> WixError:
    return application_error(428, "MISSING_ITEM_PRICING", MISSING_PRICING)


def require_pricing(message: dict[str, Any]) -> None:
    """The request's item itself must carry pricing (create, update, bulk update element)."""
    if message.get("priceInfo") is None and message.get("priceVariants") is None:
        raise missing_pricing()


def check_group_rule(group: dict[str, Any], path: str) -> None:
    rule = group.get("rule") or {}
    minimum = rule.get("minSelections", 0)
    maximum = rule.get("maxSelections")
    found: list[FieldViolation] = []
    if maximum is not None and minimum > maximum:
        found.append(FieldViolation(f"{path}.rule.maxSelections", "must be at least minSelections", "MIN"))
    if minimum > len(group.get("modifiers") or []):
        found.append(
            FieldViolation(f"{path}.rule.minSelections", "must not exceed the number of modifiers in the group", "MAX")
        )
    if rule.get("required") and minimum < 1:
        found.append(
            FieldViolation(f"{path}.rule.minSelections", "must be at least 1 when rule.required is true", "MIN")
        )
    if not rule.get("required") and minimum >= 1:
        found.append(FieldViolation(f"{path}.rule.required", "must be true when minSelections is at least 1", "OTHER"))
    if found:
        raise validation_error(found)


def check_references(tx: Tx, kind: str, entity: dict[str, Any], written: set[str], path: str) -> None:
    for target, ids in shapes.references(kind, entity).items():
        field = _FIELD_OF[(kind, target)]
        if field not in written or not ids:
            continue
        present = repo.existing(tx, target, [ident for ident in ids if isinstance(ident, str)])
        for index, ident in enumerate(ids):
            if ident not in present:
                raise dangling(f"{path}.{field}", index, target, ident)
    if kind == MENU and "businessLocationId" in written and entity.get("businessLocationId"):
        location_id = entity["businessLocationId"]
        if locations.locations(tx).get_text(location_id) is None:
            raise application_error(
                400,
                "REFERENCED_ENTITY_NOT_FOUND",
                f"business location {location_id!r} not found",
                {"field": f"{path}.businessLocationId", "entity": "location", "id": location_id},
            )


def dangling(field: str, index: int, target: str, ident: Any) -> WixError:
    what = {GROUP: "modifier group"}.get(target, target)
    return application_error(
        400,
        "REFERENCED_ENTITY_NOT_FOUND",
        f"{what} {ident!r} (at {field}[{index}]) not found",
        {"field": field, "index": index, "entity": target, "id": ident},
    )


# The SDK documents it: `custom: true` routes a tag to the custom-tags list, which takes neither.
CUSTOM_TAG_TYPES_REFUSED = ("title", "script")


def check_seo_tags(menu: dict[str, Any], path: str) -> None:
    for index, tag in enumerate((menu.get("seoData") or {}).get("tags") or []):
        if tag.get("custom") and tag.get("type") in CUSTOM_TAG_TYPES_REFUSED:
            raise application_error(
                400,
                "TAG_TYPE_NOT_ALLOWED",
                f"{path}.seoData.tags[{index}]: a {tag['type']!r} tag cannot be custom; omit custom or set it to false",
                {"field": f"{path}.seoData.tags", "index": index, "type": tag["type"]},
            )


def check(tx: Tx, kind: str, entity: dict[str, Any], written: set[str], path: str) -> None:
    """Every rule a write must pass before it is stored (after schema checks and the merge)."""
    if kind == ITEM and entity.get("priceInfo") is None and entity.get("priceVariants") is None:
        raise missing_pricing()
    if kind == MENU and "seoData" in written:
        check_seo_tags(entity, path)
    if kind == GROUP:
        check_group_rule(entity, path)
    check_references(tx, kind, entity, written, path)
