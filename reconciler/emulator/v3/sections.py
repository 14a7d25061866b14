"""Sections: the live single-entity endpoints (list, get, create, update) and the section operations
that bulk calls reuse on a draft.

A section belongs to exactly one menu, set when it is created (``menuId`` is read-only), and lists
dishes in ``itemIds`` (variations are refused). Creating one appends it to its menu (U13); the menu
must exist (U14) and not be archived. Sections are archived only through the emulator's admin hook
(U15); archived sections cannot be updated or receive new dishes (428).
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator.errors import archived, not_found
from reconciler.emulator.routing import Call
from reconciler.emulator.v3 import menus, rules, shapes
from reconciler.emulator.v3.listing import list_reply
from reconciler.emulator.v3.repo import CatalogScope
from reconciler.emulator.v3.scopes import live_scope, mutable_live_scope
from reconciler.emulator.v3.validate import Checker, required_message

# --- operations (live or draft) ----------------------------------------------------------------


def find(scope: CatalogScope, menu_id: str | None, section_id: str | None) -> dict[str, Any]:
    """The section, which must belong to the given menu (itself required to exist)."""
    menus.find(scope, menu_id)
    section = scope.sections.get(section_id) if section_id else None
    if section is None or section["menuId"] != menu_id:
        raise not_found("SECTION_NOT_FOUND", "section", section_id)
    return section


def create(scope: CatalogScope, menu_id: str | None, raw: dict[str, Any]) -> dict[str, Any]:
    menu = menus.find(scope, menu_id)
    if menu["archived"]:
        raise archived("MENU_ARCHIVED", "menu", menu["id"])
    section = shapes.build_section(raw, str(uuid.uuid4()), menu["id"])
    rules.check_visibility(section["visibilityCriteria"], "section.visibilityCriteria")
    rules.check_section_items(section, scope)
    scope.sections.insert(section["id"], section, parent=menu["id"])
    menus.append_section(scope, menu, section["id"])
    return section


def update(scope: CatalogScope, menu_id: str | None, section_id: str | None, patch: dict[str, Any]) -> dict[str, Any]:
    stored = find(scope, menu_id, section_id)
    if stored["archived"]:
        raise archived("SECTION_ARCHIVED", "section", stored["id"])
    section = shapes.merge_section(stored, patch)
    rules.check_visibility(section["visibilityCriteria"], "section.visibilityCriteria")
    rules.check_section_items(section, scope)
    scope.sections.update(section["id"], section)
    return section


def append_item(scope: CatalogScope, section: dict[str, Any], item_id: str) -> None:
    """U13: a new dish joins the end of its section's ``itemIds``."""
    values = section["itemIds"]["values"]
    if item_id not in values:
        values.append(item_id)
        scope.sections.update(section["id"], section)


# --- HTTP handlers ------------------------------------------------------------------------------


def handle_list(call: Call) -> Any:
    scope = live_scope(call)
    return list_reply(call, "sections", scope.sections, include_archived=call.params.bool("archived", False))


def handle_get(call: Call) -> dict[str, Any]:
    scope = live_scope(call)
    return {"section": find(scope, call.path["menuId"], call.path["sectionId"])}


def handle_create(call: Call) -> dict[str, Any]:
    checker = Checker()
    required_message(call.body, "section", checker)
    checker.section(call.body.get("section"), "section")
    checker.raise_if_any()
    scope = mutable_live_scope(call)
    return {"section": create(scope, call.path["menuId"], call.body["section"])}


def handle_update(call: Call) -> dict[str, Any]:
    checker = Checker()
    required_message(call.body, "section", checker)
    checker.section(call.body.get("section"), "section")
    checker.raise_if_any()
    scope = mutable_live_scope(call)
    return {"section": update(scope, call.path["menuId"], call.path["sectionId"], call.body["section"])}
