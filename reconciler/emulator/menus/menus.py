"""The menu-only endpoints: Update Extended Fields, Get Menu Site URL, Query Menus Site URL.

- Update Extended Fields (``POST /menus/{id}/updateExtendedFields``, ``{namespace, namespaceData}``)
  replaces one namespace of ``extendedFields.namespaces`` and answers ``{namespace, namespaceData}``.
  It needs no revision and, as every change to an entity here, adds 1 to the menu's revision (§6.1).
- Site URL: ``{"menuSiteUrl": {"path"}}`` with ``path = "/our-menus/<slug>"``, the slug being the
  menu's ``urlQueryParam`` or, without one, its name in lower case with runs of other characters
  turned into ``-`` (§6.6: the emulator never stores a generated ``urlQueryParam``). Query Menus Site
  URL takes a Query Menus ``query`` and answers ``{"menuSiteUrls": [{"path"}], "pagingMetadata"}``.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.errors import FORMAT, REQUIRED_FIELD, violation
from reconciler.emulator.menus import repo, shapes
from reconciler.emulator.menus.crud import path_id, query_page
from reconciler.emulator.menus.services import MENU, MENUS
from reconciler.emulator.routing import Call


def slug(menu: dict[str, Any]) -> str:
    if menu.get("urlQueryParam"):
        return str(menu["urlQueryParam"])
    return re.sub(r"[^a-z0-9]+", "-", str(menu.get("name") or "").lower()).strip("-") or menu["id"]


def site_url(menu: dict[str, Any]) -> dict[str, str]:
    return {"path": f"/our-menus/{slug(menu)}"}


def handle_update_extended_fields(call: Call) -> dict[str, Any]:
    ident = path_id(call, MENUS, "id")
    namespace = call.body.get("namespace")
    if not isinstance(namespace, str) or not namespace:
        raise violation("namespace", "is required", REQUIRED_FIELD)
    data = call.body.get("namespaceData", {})
    if not isinstance(data, dict):
        raise violation("namespaceData", "expected an object", FORMAT)
    stored = repo.find(call.tx, MENUS, ident)
    fields = dict(stored.get("extendedFields") or {})
    namespaces = dict(fields.get("namespaces") or {})
    namespaces[namespace] = data
    fields["namespaces"] = namespaces
    menu = shapes.normalize(MENU, {**stored, "extendedFields": fields})
    repo.bump(menu, call.site.now())
    repo.save(call.tx, MENU, menu, stored)
    return {"namespace": namespace, "namespaceData": data}


def handle_get_site_url(call: Call) -> dict[str, Any]:
    menu = repo.find(call.tx, MENUS, path_id(call, MENUS, "id"))
    return {"menuSiteUrl": site_url(menu)}


def handle_query_site_urls(call: Call) -> dict[str, Any]:
    found = query_page(call, MENUS, "menus.queryMenusSiteUrl")
    return {"menuSiteUrls": [site_url(menu) for menu in found.rows], "pagingMetadata": found.metadata}
