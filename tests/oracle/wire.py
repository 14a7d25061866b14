"""Read a Wix site straight off the wire: plain HTTP and JSON, no part of reconcile's targets.

The paths, list keys and paging rules are written out here from the Wix references
(/work/shared/reference/), independently of ``reconciler/targets/``: if reconcile's client read
the wrong field or the wrong page, this reader would not make the same mistake. It takes a
synchronous ``httpx.Client`` already pointed at the emulator (over a socket, or in-process through
``Emulator.transport()``) and authenticated.
"""

from __future__ import annotations

import httpx

# Menus (New): (list path, key of the entities, key of the paging block or None for unpaged)
MENUS_SERVICES = {
    "menus": ("/restaurants/menus-menu/v1/menus", "menus", "pagingMetadata"),
    "sections": ("/restaurants/menus-section/v1/sections", "sections", "pagingMetadata"),
    "items": ("/restaurants/menus-item/v1/items", "items", "pagingMetadata"),
    "variants": ("/restaurants/item-variants/v1/variants", "variants", "metadata"),
    "labels": ("/restaurants/item-labels/v1/labels", "labels", None),
    "modifiers": ("/restaurants/item-modifiers/v1/modifiers", "modifiers", "metadata"),
    "modifier_groups": ("/restaurants/item-modifier-group/v1/modifier-groups", "modifierGroups", "metadata"),
}


class WireError(AssertionError):
    pass


def _get(client: httpx.Client, path: str, params: list[tuple[str, str]] | None = None) -> dict:
    response = client.get(path, params=params)
    if response.status_code != 200:
        raise WireError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
    return response.json()


def locations(client: httpx.Client) -> list[dict]:
    found: list[dict] = []
    while True:
        page = _get(client, "/locations/v1/locations", [("paging.limit", "1000"), ("paging.offset", str(len(found)))])
        batch = page.get("locations") or []
        found += batch
        if not batch or len(found) >= (page.get("pagingMetadata") or {}).get("total", 0):
            return found


def location_id(client: httpx.Client, location: str | None) -> str:
    """The id of the location named by id or name; the only one when ``location`` is None."""
    known = [loc for loc in locations(client) if not loc.get("archived")]
    if location is None:
        if len(known) != 1:
            raise WireError(f"the site has {len(known)} locations: name one")
        return known[0]["id"]
    matches = [loc["id"] for loc in known if location in (loc["id"], loc.get("name"))]
    if len(matches) != 1:
        raise WireError(f"no single location {location!r} among {[loc.get('name') for loc in known]}")
    return matches[0]


def read_v3(client: httpx.Client, location: str, archived: bool = False) -> dict[str, list[dict]]:
    """The live Catalogs v3 catalog of a location: menus, sections, items (archived ones too if asked)."""
    catalogs = _get(client, "/v3/catalogs", [("locationIds", location)]).get("catalogs") or []
    if len(catalogs) != 1:
        raise WireError(f"location {location} has {len(catalogs)} catalogs")
    catalog = catalogs[0]["id"]
    flag = [("archived", "true")] if archived else []
    return {
        kind: _get(client, f"/v3/catalogs/{catalog}/{kind}", flag).get(kind) or []
        for kind in ("menus", "sections", "items")
    }


def read_menus(client: httpx.Client) -> dict[str, list[dict]]:
    """Every Menus (New) entity of the site, by service, following every cursor."""
    site: dict[str, list[dict]] = {}
    for service, (path, key, paging) in MENUS_SERVICES.items():
        found: list[dict] = []
        cursor: str | None = None
        while True:
            params = [("paging.limit", "100")] + ([("paging.cursor", cursor)] if cursor else [])
            if paging is None:
                params = []
            page = _get(client, path, params)
            found += page.get(key) or []
            meta = page.get(paging) or {} if paging else {}
            cursor = (meta.get("cursors") or {}).get("next")
            if not meta.get("hasNext") or not cursor:
                break
        site[service] = found
    return site
