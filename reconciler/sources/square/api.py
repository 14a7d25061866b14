"""Read a Square catalog from the Catalog API, and ask it cheaply whether anything changed.

:func:`list_catalog` follows ListCatalog's ``cursor`` to the end. Square fixes its pages at 100
objects. We also ask for ITEM_VARIATION and MODIFIER, which Square returns both nested and at top
level; :mod:`.parse` merges them by id, so an object missed in one form is still found in the other.

:func:`probe` is ``SearchCatalogObjects`` with ``begin_time`` = the stored ``latest_time``
(exclusive) and ``include_deleted_objects``; the answer's ``latest_time`` is the next watermark
(Square's clock, never ours, as Square advises; reference §1.3).
"""

from __future__ import annotations

from collections.abc import Iterator
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
    for page in pages(client, settings, "GET", "/v2/catalog/list", LIST, {"types": ",".join(TYPES)}):
        objects.extend(listing(page, "objects", LIST))
    return {"objects": objects, **_locations(client, settings)}


def pages(
    client: httpx.Client, settings: ApiSettings, method: str, path: str, operation: str, request: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Each page of a cursor-paged Catalog API call, to the last (the one that names no cursor).

    The cursor goes where the call's other arguments go: the query of a GET, the body of a POST.
    A cursor answered twice, or more than MAX_PAGES pages, is a server that would never end.
    """
    where = "params" if method == "GET" else "body"
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        arguments = {**request, "cursor": cursor} if cursor else request
        page = request_object(
            client, method, path, operation=operation, secret=settings.token, sleep=settings.sleep, **{where: arguments}
        )
        yield page
        cursor = page.get("cursor") if isinstance(page.get("cursor"), str) else None
        if not cursor:
            return
        if cursor in seen:
            raise PermanentApiError(f"{operation} returned the same cursor twice", operation=operation)
        seen.add(cursor)
    raise PermanentApiError(f"{operation} did not end after {MAX_PAGES} pages", operation=operation)


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
