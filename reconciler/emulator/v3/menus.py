"""Menus: the live single-entity endpoints (list, get, create, update, archive, unarchive) and the
menu operations that bulk calls reuse on a draft.

A menu lists its sections in ``sectionIds``; every listed section must belong to it. Archived menus
cannot be updated (428); archiving is idempotent (U16) and does not cascade (U15).
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator.errors import archived, not_found
from reconciler.emulator.routing import Call
from reconciler.emulator.v3 import rules, shapes
from reconciler.emulator.v3.listing import list_reply
from reconciler.emulator.v3.repo import CatalogScope
from reconciler.emulator.v3.scopes import live_scope, mutable_live_scope
from reconciler.emulator.v3.validate import Checker, required_message

# --- operations (live or draft) ----------------------------------------------------------------


def find(scope: CatalogScope, menu_id: str | None) -> dict[str, Any]:
    menu = scope.menus.get(menu_id) if menu_id else None
    if menu is None:
        raise not_found("MENU_NOT_FOUND", "menu", menu_id)
    return menu


def create(scope: CatalogScope, raw: dict[str, Any]) -> dict[str, Any]:
    menu = shapes.build_menu(raw, str(uuid.uuid4()))
    rules.check_visibility(menu["visibilityCriteria"], "menu.visibilityCriteria")
    rules.check_menu_sections(menu, scope)
    scope.menus.insert(menu["id"], menu)
    return menu


def update(scope: CatalogScope, menu_id: str | None, patch: dict[str, Any]) -> dict[str, Any]:
    stored = find(scope, menu_id)
    if stored["archived"]:
        raise archived("MENU_ARCHIVED", "menu", stored["id"])
    menu = shapes.merge_menu(stored, patch)
    rules.check_visibility(menu["visibilityCriteria"], "menu.visibilityCriteria")
    rules.check_menu_sections(menu, scope)
    scope.menus.update(menu["id"], menu)
    return menu


def set_archived(scope: CatalogScope, menu_id: str | None, flag: bool) -> dict[str, Any]:
    menu = find(scope, menu_id)
    if menu["archived"] != flag:
        menu["archived"] = flag
        scope.menus.update(menu["id"], menu)
    return menu


def append_section(scope: CatalogScope, menu: dict[str, Any], section_id: str) -> None:
    """U13: a new section joins the end of its menu's ``sectionIds``."""
    values = menu["sectionIds"]["values"]
    if section_id not in values:
        values.append(section_id)
        scope.menus.update(menu["id"], menu)


# --- HTTP handlers ------------------------------------------------------------------------------


def handle_list(call: Call) -> Any:
    scope = live_scope(call)
    return list_reply(call, "menus", scope.menus, include_archived=call.params.bool("archived", False))


def handle_get(call: Call) -> dict[str, Any]:
    scope = live_scope(call)
    return {"menu": find(scope, call.path["menuId"])}


def handle_create(call: Call) -> dict[str, Any]:
    checker = Checker()
    required_message(call.body, "menu", checker)
    checker.menu(call.body.get("menu"), "menu")
    checker.raise_if_any()
    scope = mutable_live_scope(call)
    return {"menu": create(scope, call.body["menu"])}


def handle_update(call: Call) -> dict[str, Any]:
    checker = Checker()
    required_message(call.body, "menu", checker)
    checker.menu(call.body.get("menu"), "menu")
    checker.raise_if_any()
    scope = mutable_live_scope(call)
    return {"menu": update(scope, call.path["menuId"], call.body["menu"])}


def handle_archive(call: Call) -> dict[str, Any]:
    scope = mutable_live_scope(call)
    return {"menu": set_archived(scope, call.path["menuId"], True)}


def handle_unarchive(call: Call) -> dict[str, Any]:
    scope = mutable_live_scope(call)
    return {"menu": set_archived(scope, call.path["menuId"], False)}
