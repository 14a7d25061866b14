"""Read a Clover inventory from the v3 REST API, page by page, and ask it what changed.

Lists are paged with ``offset``/``limit`` (at most 1000) until a short page. Expanded nested
collections are capped at 100 elements by Clover and cannot be paged; when a category's ``items``
or a group's ``modifiers`` come back full, the child endpoint is paged for the complete list.

:func:`probe` filters items, modifier groups and item groups with ``modifiedTime>=``; the newest
``modifiedTime`` seen is the watermark (reference §3.3). Categories may not support the filter and
deletions are not listed, so a category event, a DELETE event, or a periodic run always re-imports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from reconciler.errors import PermanentApiError
from reconciler.http import listing
from reconciler.sources.base import ApiSettings, Hints, Probe
from reconciler.sources.shape import request_object

DEFAULT_LIMIT = 1000
EXPANSION_CAP = 100
MAX_PAGES = 10_000
PROBED = ("items", "modifier_groups", "item_groups")
PROBE_PAGES = 100


def _get(client: httpx.Client, settings: ApiSettings, path: str, params: Any = None) -> dict[str, Any]:
    return request_object(
        client,
        "GET",
        f"/v3/merchants/{settings.account}{path}",
        params=params,
        operation=f"Clover GET {path}",
        secret=settings.token,
        sleep=settings.sleep,
    )


def read_inventory(client: httpx.Client, settings: ApiSettings) -> dict[str, Any]:
    limit = settings.page_size or DEFAULT_LIMIT

    def paged(path: str, expand: str | None = None) -> list[Any]:
        elements: list[Any] = []
        for page in range(MAX_PAGES):
            params: dict[str, str | int] = {"limit": limit, "offset": page * limit}
            if expand:
                params["expand"] = expand
            batch = listing(_get(client, settings, path, params), "elements", f"Clover GET {path}")
            elements.extend(batch)
            if len(batch) < limit:
                return elements
        raise PermanentApiError(f"Clover GET {path} did not end after {MAX_PAGES} pages")

    categories = paged("/categories", "items")
    for category in categories:
        _complete(category, "items", lambda cid: paged(f"/categories/{cid}/items"))
    groups = paged("/modifier_groups", "modifiers")
    for group in groups:
        _complete(group, "modifiers", lambda gid: paged(f"/modifier_groups/{gid}/modifiers"))
    return {
        "merchant": _get(client, settings, ""),
        "items": paged("/items", "categories,modifierGroups,options,menuItem"),
        "categories": categories,
        "modifier_groups": groups,
        "item_groups": paged("/item_groups"),
    }


def _complete(parent: dict[str, Any], key: str, fetch: Callable[[str], list[Any]]) -> None:
    nested = parent.get(key)
    elements = nested.get("elements") if isinstance(nested, dict) else None
    if isinstance(elements, list) and len(elements) >= EXPANSION_CAP and isinstance(parent.get("id"), str):
        parent[key] = {"elements": fetch(parent["id"])}


def probe(
    client: httpx.Client, settings: ApiSettings, since: str | None, hints: Hints = (), full: bool = False
) -> Probe:
    newest = int(since) if since and since.isdigit() else None
    seen = 0
    for kind in PROBED:
        for number in range(PROBE_PAGES):
            params: list[tuple[str, str | int]] = [("limit", DEFAULT_LIMIT), ("offset", number * DEFAULT_LIMIT)]
            if since:
                params.append(("filter", f"modifiedTime>={int(since) + 1}"))
            elements = _get(client, settings, f"/{kind}", params).get("elements") or []
            for element in elements:
                stamp = element.get("modifiedTime") if isinstance(element, dict) else None
                if isinstance(stamp, int):
                    newest = stamp if newest is None else max(newest, stamp)
            seen += len(elements)
            if len(elements) < DEFAULT_LIMIT:
                break
    watermark = str(newest) if newest is not None else since
    unseen = [h["object"] for h in hints if str(h.get("object", "")).startswith("IC:") or h.get("type") == "DELETE"]
    if since is None:
        return Probe(None, watermark, "first sync: no watermark yet")
    if full or unseen:
        why = "periodic full re-import" if full else f"category or deletion events ({', '.join(unseen[:3])})"
        return Probe(None, watermark, why)
    return Probe(seen > 0, watermark, f"{seen} object(s) modified after {since}")
