"""The Wix Restaurants Catalogs v3 calls reconcile makes.

Each method is one documented endpoint (see ../shared/reference/wix-catalogs-v3.md §3); the
operation names are the SDK's function names, which the emulator's counters also use. Only
reads, updates and archives are marked idempotent: creates are never retried blindly
(see reconciler.http).
"""

from __future__ import annotations

import base64
import json

from reconciler.canonical import JsonObject
from reconciler.errors import ApiError, PermanentApiError
from reconciler.http import Session, listing

PREFIX = "/restaurants/v3"
BULK_LIMIT = 20  # every bulk endpoint takes 1..20 elements
# The live lists, as (operation, key of the answer, path under the catalog): every one archived included.
LISTS = (("listMenus", "menus", "menus"), ("listSections", "sections", "sections"), ("listItems", "items", "items"))


class CatalogsV3:
    def __init__(self, session: Session, prefix: str = PREFIX) -> None:
        self.session = session
        self.prefix = prefix

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        body: JsonObject | None = None,
        params: list[tuple[str, str]] | None = None,
        idempotent: bool = True,
    ) -> JsonObject:
        return await self.session.call(
            operation, method, self.prefix + path, json_body=body, params=params, idempotent=idempotent
        )

    # -- catalogs ---------------------------------------------------------------------------------
    async def list_catalogs(self, location_ids: list[str] | None = None) -> list[JsonObject]:
        """Catalogs (of some locations, or all), following offset pages of 1,000."""
        found: list[JsonObject] = []
        while True:
            # Paging and sorting travel in the SDK's `.r` form (base64url JSON).
            request: JsonObject = {"paging": {"limit": 1000, "offset": len(found)}}
            if location_ids:
                request["locationIds"] = location_ids
            encoded = base64.urlsafe_b64encode(json.dumps(request, separators=(",", ":")).encode()).decode()
            data = await self.call("listCatalogs", "GET", "/catalogs", params=[(".r", encoded.rstrip("="))])
            page = listing(data, "catalogs", "listCatalogs")
            found.extend(page)
            if len(page) < 1000:
                return found

    # -- live reads ------------------------------------------------------------------------------
    async def list_menus(self, catalog_id: str) -> list[JsonObject]:
        data = await self.call("listMenus", "GET", f"/catalogs/{catalog_id}/menus", params=[("archived", "true")])
        return listing(data, "menus", "listMenus")

    async def list_sections(self, catalog_id: str) -> list[JsonObject]:
        data = await self.call("listSections", "GET", f"/catalogs/{catalog_id}/sections", params=[("archived", "true")])
        return listing(data, "sections", "listSections")

    async def list_items(self, catalog_id: str) -> list[JsonObject]:
        data = await self.call("listItems", "GET", f"/catalogs/{catalog_id}/items", params=[("archived", "true")])
        return listing(data, "items", "listItems")

    async def list_bytes(self, catalog_id: str, kind: str) -> bytes:
        """One of :data:`LISTS` (``kind``: its path), its answer undecoded (raw.Answers)."""
        operation = next(op for op, _, path in LISTS if path == kind)
        return await self.session.call_bytes(
            operation, "GET", f"{self.prefix}/catalogs/{catalog_id}/{kind}", params=[("archived", "true")]
        )

    async def get_item(self, catalog_id: str, item_id: str) -> JsonObject:
        """One item as List Items gives it: Get Item leaves ``visibilityCriteria`` out unless asked."""
        data = await self.call(
            "getItem", "GET", f"/catalogs/{catalog_id}/items/{item_id}", params=[("includeVisibilityCriteria", "true")]
        )
        item = data.get("item")
        if not isinstance(item, dict):
            raise PermanentApiError(
                message='the answer has no "item" object; the API answered in an unexpected shape', operation="getItem"
            )
        return item

    # -- drafts ----------------------------------------------------------------------------------
    async def create_draft(self, catalog_id: str) -> JsonObject:
        return await self.call(
            "createDraftCatalog",
            "POST",
            f"/draft-catalogs/{catalog_id}/create",
            {"catalogId": catalog_id},
            idempotent=False,
        )

    async def publish_draft(self, catalog_id: str) -> JsonObject:
        return await self.call(
            "publishDraftCatalog",
            "POST",
            f"/draft-catalogs/{catalog_id}/publish",
            {"catalogId": catalog_id},
            idempotent=False,
        )

    async def discard_draft(self, catalog_id: str) -> bool:
        """Discard the draft; False when there was none (already published or discarded)."""
        try:
            await self.call("discardDraftCatalog", "DELETE", f"/draft-catalogs/{catalog_id}/discard")
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True


def is_draft_conflict(error: ApiError) -> bool:
    return error.status == 409 or error.code == "DRAFT_CATALOG_ALREADY_EXISTS"
