"""Read a Clover inventory from the v3 REST API, page by page.

Lists are paged with ``offset``/``limit`` (at most 1000) until a short page. Expanded nested
collections are capped at 100 elements by Clover and cannot be paged; when a category's ``items``
or a group's ``modifiers`` come back full, the child endpoint is paged for the complete list.
"""

from __future__ import annotations

import httpx

from reconciler.errors import PermanentApiError
from reconciler.sources.base import ApiSettings
from reconciler.sources.http import request_json

DEFAULT_LIMIT = 1000
EXPANSION_CAP = 100
MAX_PAGES = 10_000


def read_inventory(client: httpx.Client, settings: ApiSettings) -> dict:
    base = f"/v3/merchants/{settings.account}"
    limit = settings.page_size or DEFAULT_LIMIT
    secret = settings.token

    def get(path: str, params: dict | None = None):
        answer = request_json(
            client,
            "GET",
            base + path,
            params=params,
            operation=f"Clover GET {path}",
            secret=secret,
            sleep=settings.sleep,
        )
        if not isinstance(answer, dict):
            raise PermanentApiError(f"Clover GET {path} answered with something that is not an object")
        return answer

    def paged(path: str, expand: str | None = None) -> list:
        elements: list = []
        for page in range(MAX_PAGES):
            params = {"limit": limit, "offset": page * limit}
            if expand:
                params["expand"] = expand
            batch = get(path, params).get("elements") or []
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
        "merchant": get(""),
        "items": paged("/items", "categories,modifierGroups,options,menuItem"),
        "categories": categories,
        "modifier_groups": groups,
        "item_groups": paged("/item_groups"),
    }


def _complete(parent: dict, key: str, fetch) -> None:
    nested = parent.get(key)
    elements = nested.get("elements") if isinstance(nested, dict) else None
    if isinstance(elements, list) and len(elements) >= EXPANSION_CAP and isinstance(parent.get("id"), str):
        parent[key] = {"elements": fetch(parent["id"])}
