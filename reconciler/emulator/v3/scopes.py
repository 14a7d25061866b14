"""The first step of every v3 handler: check the catalog id and open the scope the call works on.

- Single-entity endpoints (``/catalogs/{catalogId}/...``) work on the live catalog; the path's
  ``catalogId`` is annotated as a GUID, so a malformed one is a 400 before any lookup.
- Bulk endpoints (``/draft-catalogs/{catalogId}/bulk/...``) work on the catalog's draft and fail
  with 404 ``DRAFT_CATALOG_NOT_FOUND`` when there is none; their ``catalogId`` has no GUID annotation.
- Any mutation of an archived catalog is a 428 ``CATALOG_ARCHIVED``.
"""

from __future__ import annotations

from reconciler.emulator.routing import Call
from reconciler.emulator.store import DRAFT, LIVE
from reconciler.emulator.v3.repo import CatalogScope, check_guid, live_catalog, require_draft, require_unarchived


def live_scope(call: Call) -> CatalogScope:
    catalog_id = call.path["catalogId"]
    check_guid(catalog_id, "catalogId")
    live_catalog(call.tx, catalog_id)
    return CatalogScope(call.tx, catalog_id, LIVE, call.site.currency)


def mutable_live_scope(call: Call) -> CatalogScope:
    catalog_id = call.path["catalogId"]
    check_guid(catalog_id, "catalogId")
    require_unarchived(live_catalog(call.tx, catalog_id))
    return CatalogScope(call.tx, catalog_id, LIVE, call.site.currency)


def draft_scope(call: Call) -> CatalogScope:
    catalog_id = call.path["catalogId"]
    require_unarchived(require_draft(call.tx, catalog_id))
    return CatalogScope(call.tx, catalog_id, DRAFT, call.site.currency)
