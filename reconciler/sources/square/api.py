"""Read a Square catalog from the Catalog API, and ask it cheaply whether anything changed.

:func:`list_catalog` follows ListCatalog's ``cursor`` to the end. Square fixes its pages at 100
objects. We also ask for ITEM_VARIATION and MODIFIER, which Square returns both nested and at top
level; :mod:`.parse` merges them by id, so an object missed in one form is still found in the other.

:func:`probe` is ``SearchCatalogObjects`` with ``begin_time`` = the stored ``latest_time``
(exclusive) and ``include_deleted_objects``; the answer's ``latest_time`` is the next watermark
(Square's clock, never ours, as Square advises; reference §1.3).
"""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.errors import PermanentApiError
from reconciler.http import listing
from reconciler.sources.base import ApiSettings, Hints, Probe
from reconciler.sources.shape import request_object

TYPES = ["ITEM", "ITEM_VARIATION", "CATEGORY", "MODIFIER_LIST", "MODIFIER", "TAX", "IMAGE", "ITEM_OPTION"]
MAX_PAGES = 10_000  # a guard against a server that keeps answering with the same cursor
LIST = "Square ListCatalog"


def list_catalog(client: httpx.Client, settings: ApiSettings) -> dict[str, Any]:
    """Every live object, as one ListCatalog-shaped answer ``{"objects": [...]}``."""
    objects: list[Any] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        params = {"types": ",".join(TYPES)}
        if cursor:
            params["cursor"] = cursor
        page = request_object(
            client,
            "GET",
            "/v2/catalog/list",
            params=params,
            operation=LIST,
            secret=settings.token,
            sleep=settings.sleep,
        )
        objects.extend(listing(page, "objects", LIST))
        cursor = page.get("cursor") if isinstance(page.get("cursor"), str) else None
        if not cursor:
            return {"objects": objects, **_locations(client, settings)}
        if cursor in seen:
            raise PermanentApiError("Square ListCatalog returned the same cursor twice", operation=LIST)
        seen.add(cursor)
    raise PermanentApiError(f"Square ListCatalog did not end after {MAX_PAGES} pages", operation=LIST)


def _locations(client: httpx.Client, settings: ApiSettings) -> dict:
    """The merchant's locations (ListLocations), for an import of all of them; none if the token may not list them."""
    try:
        page = request_object(
            client,
            "GET",
            "/v2/locations",
            operation="Square ListLocations",
            secret=settings.token,
            sleep=settings.sleep,
        )
    except PermanentApiError:  # e.g. a token without MERCHANT_PROFILE_READ: import one location, as before
        return {}
    locations = page.get("locations")
    return {"locations": locations} if isinstance(locations, list) else {}


def probe(
    client: httpx.Client, settings: ApiSettings, since: str | None, hints: Hints = (), full: bool = False
) -> Probe:
    """Webhooks say nothing about what changed, so ``hints`` do not matter; ``full`` needs no special case."""
    body: dict[str, Any] = {"object_types": TYPES, "include_deleted_objects": True, "limit": 1}
    if since:
        body["begin_time"] = since
    page = request_object(
        client,
        "POST",
        "/v2/catalog/search",
        operation="Square SearchCatalogObjects",
        body=body,
        secret=settings.token,
        sleep=settings.sleep,
    )
    latest = page.get("latest_time") if isinstance(page.get("latest_time"), str) else None
    if since is None:
        return Probe(None, latest, "first sync: no watermark yet")
    changed = bool(page.get("objects"))
    return Probe(changed, latest or since, f"{'objects changed' if changed else 'no change'} after {since}")
