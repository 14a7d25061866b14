"""Catalogs v3 state changes that no public endpoint offers, for seeding and tests.

- :func:`create_catalog`: catalogs come into existence only here, one per location (U28).
- :func:`set_archived`: the only way sections and items become archived (U15); also catalogs and
  menus, in the live or the draft scope. Archiving never cascades.

Called by ``seed.py`` and by ``admin.py`` (``POST /_emulator/archive``).
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator.errors import application_error, not_found
from reconciler.emulator.store import DRAFT, LIVE, Tx
from reconciler.emulator.v3.repo import catalogs, content

ARCHIVABLE = ("catalog", "menu", "section", "item")


def create_catalog(tx: Tx, location_id: str) -> dict[str, Any]:
    existing = [row for row in catalogs(tx).all() if row.get("locationId") == location_id]
    if existing:  # one catalog per location
        return existing[0]
    header = {"id": str(uuid.uuid4()), "locationId": location_id, "archived": False, "draftPublishedDate": None}
    catalogs(tx).insert(header["id"], header, parent=location_id)
    return header


def set_archived(
    tx: Tx, catalog_id: str, kind: str, entity_id: str | None, flag: bool, scope: str = LIVE
) -> dict[str, Any]:
    if kind not in ARCHIVABLE:
        raise application_error(400, "INVALID_KIND", f"kind must be one of {', '.join(ARCHIVABLE)}")
    if scope not in (LIVE, DRAFT):
        raise application_error(400, "INVALID_SCOPE", "scope must be 'live' or 'draft'")
    if kind == "catalog":
        collection = catalogs(tx, scope)
        entity_id = catalog_id
    else:
        collection = content(tx, catalog_id, scope, kind)
    entity = collection.get(entity_id) if entity_id else None
    if entity is None:
        raise not_found(f"{kind.upper()}_NOT_FOUND", f"{scope} {kind}", entity_id)
    entity["archived"] = flag
    collection.update(entity["id"], entity)
    return entity
