"""Items (dishes and variations): the live single-entity endpoints (list, get, update, create dish,
create variation) and the item operations that bulk calls reuse on a draft.

Dishes are created inside a section (appended to its ``itemIds``, U13); variations by name only,
with the U19 defaults. Dish-option choices must point at existing items. Archived items (admin hook
only, U15) cannot be updated (428). Get Item hides ``visibilityCriteria`` unless
``includeVisibilityCriteria=true``; List Items returns it (U11).
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator.errors import REQUIRED_FIELD, archived, not_found, violation
from reconciler.emulator.routing import Call
from reconciler.emulator.v3 import enums, rules, sections, shapes
from reconciler.emulator.v3.listing import list_reply
from reconciler.emulator.v3.repo import CatalogScope
from reconciler.emulator.v3.scopes import live_scope, mutable_live_scope
from reconciler.emulator.v3.validate import Checker, required_message

# --- operations (live or draft) ----------------------------------------------------------------


def find(scope: CatalogScope, item_id: str | None) -> dict[str, Any]:
    item = scope.items.get(item_id) if item_id else None
    if item is None:
        raise not_found("ITEM_NOT_FOUND", "item", item_id)
    return item


def _check(item: dict[str, Any], scope: CatalogScope) -> None:
    rules.check_visibility(item["visibilityCriteria"], "item.visibilityCriteria")
    rules.check_dish_options(item.get("dishOptions"), scope, "item.dishOptions")


def create_dish(
    scope: CatalogScope, menu_id: str | None, section_id: str | None, raw: dict[str, Any]
) -> dict[str, Any]:
    section = sections.find(scope, menu_id, section_id)
    if section["archived"]:
        raise archived("SECTION_ARCHIVED", "section", section["id"])
    dish = shapes.build_item(raw, str(uuid.uuid4()), enums.DISH, scope.currency)
    _check(dish, scope)
    scope.items.insert(dish["id"], dish, subtype=enums.DISH)
    sections.append_item(scope, section, dish["id"])
    return dish


def create_variation(scope: CatalogScope, name: str) -> dict[str, Any]:
    variation = shapes.build_item({"name": name}, str(uuid.uuid4()), enums.VARIATION, scope.currency)
    scope.items.insert(variation["id"], variation, subtype=enums.VARIATION)
    return variation


def update(scope: CatalogScope, item_id: str | None, patch: dict[str, Any]) -> dict[str, Any]:
    stored = find(scope, item_id)
    if stored["archived"]:
        raise archived("ITEM_ARCHIVED", "item", stored["id"])
    item = shapes.merge_item(stored, patch)
    _check(item, scope)
    scope.items.update(item["id"], item)
    return item


# --- HTTP handlers ------------------------------------------------------------------------------


def handle_list(call: Call) -> Any:
    scope = live_scope(call)
    return list_reply(call, "items", scope.items, include_archived=call.params.bool("archived", False))


def handle_get(call: Call) -> dict[str, Any]:
    include_criteria = call.params.bool("includeVisibilityCriteria", False)
    scope = live_scope(call)
    item = find(scope, call.path["itemId"])
    if not include_criteria:
        item.pop("visibilityCriteria", None)
    return {"item": item}


def handle_update(call: Call) -> dict[str, Any]:
    checker = Checker()
    required_message(call.body, "item", checker)
    checker.item(call.body.get("item"), "item")
    checker.raise_if_any()
    scope = mutable_live_scope(call)
    return {"item": update(scope, call.path["itemId"], call.body["item"])}


def handle_create_dish(call: Call) -> dict[str, Any]:
    checker = Checker()
    required_message(call.body, "dish", checker)
    checker.item(call.body.get("dish"), "dish")
    checker.raise_if_any()
    scope = mutable_live_scope(call)
    return {"dish": create_dish(scope, call.path["menuId"], call.path["sectionId"], call.body["dish"])}


def handle_create_variation(call: Call) -> dict[str, Any]:
    checker = Checker()
    name = checker.string(call.body.get("name"), "name")
    checker.raise_if_any()
    if not name:
        raise violation("name", "is required", REQUIRED_FIELD)
    scope = mutable_live_scope(call)
    return {"variation": create_variation(scope, name)}
