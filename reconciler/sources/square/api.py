"""Read a Square catalog from the Catalog API: ListCatalog, following ``cursor`` to the end.

Square fixes ListCatalog pages at 100 objects. We also ask for ITEM_VARIATION and MODIFIER, which
Square returns both nested and at top level; :mod:`.parse` merges them by id, so an object
missed in one form is still found in the other.
"""

from __future__ import annotations

import httpx

from reconciler.errors import PermanentApiError
from reconciler.sources.base import ApiSettings
from reconciler.sources.http import request_json

LIST_TYPES = "ITEM,ITEM_VARIATION,CATEGORY,MODIFIER_LIST,MODIFIER,TAX,IMAGE,ITEM_OPTION"
MAX_PAGES = 10_000  # a guard against a server that keeps answering with the same cursor


def list_catalog(client: httpx.Client, settings: ApiSettings) -> dict:
    """Every live object, as one ListCatalog-shaped answer ``{"objects": [...]}``."""
    objects: list = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        params = {"types": LIST_TYPES}
        if cursor:
            params["cursor"] = cursor
        page = request_json(
            client,
            "GET",
            "/v2/catalog/list",
            params=params,
            operation="Square ListCatalog",
            secret=settings.token,
            sleep=settings.sleep,
        )
        if not isinstance(page, dict):
            raise PermanentApiError(
                "Square ListCatalog answered with something that is not an object", operation="Square ListCatalog"
            )
        objects.extend(page.get("objects") or [])
        cursor = page.get("cursor")
        if not cursor:
            return {"objects": objects}
        if cursor in seen:
            raise PermanentApiError("Square ListCatalog returned the same cursor twice", operation="Square ListCatalog")
        seen.add(cursor)
    raise PermanentApiError(f"Square ListCatalog did not end after {MAX_PAGES} pages", operation="Square ListCatalog")
