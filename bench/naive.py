"""The baseline: Wix's sample import flow (shared/reference/wix-sample-flows.md, flow 1), done right.

Every sync archives every live menu and recreates everything, inside one draft:

    listCatalogs (listLocations first on a several-location site)
    createDraftCatalog
    listMenus                       the menus to archive
    bulkArchiveMenus                every live menu
    bulkCreateMenus                 every menu (no sections yet)
    bulkCreateSections              every section, in its new menu
    bulkCreateVariations            every variation (by name)
    bulkCreateDishes                every dish, inside the first section that lists it
    bulkUpdateItems                 variations with more than a name
    bulkUpdateSections, bulkUpdateMenus   the order lists (sectionIds, itemIds)
    publishDraftCatalog

The sample creates variations, dishes, sections, then menus. That order cannot work where a dish
must be created inside an existing section (reference U14, as the emulator checks), so this
baseline creates parents first and sets the order lists last, as any working client must. It makes
the same number of bulk calls per entity as reconcile does for a full create: the difference the
benchmark shows is recreating everything on every sync, nothing else. Calls within a step run
concurrently, with the same bound as reconcile (``concurrency``), so the comparison is fair in time too.

Payloads are built here from the catalog's YAML data, independently of reconciler's converter.
"""

from __future__ import annotations

import asyncio
import math

import httpx

PREFIX = "/restaurants/v3"
BULK = 20
ALL_FULFILLMENT = ["delivery", "pickup_or_dine_in"]
ALL_PLATFORMS = ["site", "mobile_site", "wix_app", "call_center", "chat_bot"]


class NaiveError(RuntimeError):
    pass


# -- payloads -------------------------------------------------------------------------------------
def visibility(entity: dict) -> dict:
    periods = [
        {
            "openDay": w["day"].upper(),
            "openTime": w["open"],
            "closeDay": (w.get("close_day") or w["day"]).upper(),
            "closeTime": w["close"],
        }
        for w in entity.get("hours") or []
    ]
    special = [
        {
            "startDate": s["start"],
            "endDate": s["end"],
            "available": s.get("available", True),
            "eventName": s.get("name"),
        }
        for s in entity.get("special_hours") or []
    ]
    return {
        "visible": entity.get("visible", True),
        "fulfillmentTypes": [f.upper() for f in entity.get("fulfillment") or ALL_FULFILLMENT],
        "platforms": [p.upper() for p in entity.get("platforms") or ALL_PLATFORMS],
        "availability": {"periods": periods, "specialHourPeriods": special} if periods or special else None,
    }


def option(group: dict, ids: dict[str, str]) -> dict:
    choices = [{"itemId": ids[c["item"]], "price": {"value": str(c.get("price", "0"))}} for c in group["choices"]]
    if group["type"] == "selection":
        default = group.get("default")
        return {
            "name": group["name"],
            "selection": {"defaultChoice": ids[default] if default else None, "availableChoices": choices},
        }
    if group["type"] == "extras":
        return {
            "name": group["name"],
            "extras": {
                "defaultChoices": [ids[d] for d in group.get("defaults") or []],
                "minChoices": group.get("min", 0),
                "maxChoices": group.get("max", len(choices)),
                "availableChoices": choices,
            },
        }
    return {"name": group["name"], "deselection": {"availableChoices": choices}}


def item(entity: dict, groups: dict[str, dict], ids: dict[str, str]) -> dict:
    return {
        "name": entity["name"],
        "description": entity.get("description") or "",
        "price": {"value": str(entity.get("price", "0"))},
        "taxRate": str(entity.get("tax_rate", "0")),
        "labels": {"values": list(entity.get("labels") or [])},
        "imageUrl": entity.get("image") or "",
        "inStock": entity.get("in_stock", True),
        "acceptSpecialRequest": entity.get("special_requests", True),
        "visibilityCriteria": visibility(entity),
        "dishOptions": {"values": [option(groups[g], ids) for g in entity.get("options") or []]},
    }


def container(entity: dict) -> dict:
    return {
        "name": entity["name"],
        "description": entity.get("description") or "",
        "imageUrl": entity.get("image") or "",
        "visibilityCriteria": visibility(entity),
    }


_NAME_ONLY = {"id", "name"}


# -- the flow -------------------------------------------------------------------------------------
class NaiveSync:
    def __init__(self, client: httpx.AsyncClient, concurrency: int = 4) -> None:
        self.client = client
        self.concurrency = max(1, concurrency)
        self.calls: dict[str, int] = {}

    async def request(
        self,
        operation: str,
        method: str,
        path: str,
        body: dict | None = None,
        params: list[tuple[str, str]] | None = None,
    ) -> dict:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        response = await self.client.request(method, path, json=body, params=params)
        if response.status_code >= 400:
            raise NaiveError(f"{operation}: HTTP {response.status_code} {response.text[:300]}")
        return response.json() if response.content else {}

    async def bulk(self, operation: str, path: str, key: str, elements: list, extra: dict | None = None) -> list[str]:
        """Send elements 20 per call, ``concurrency`` calls at a time; the new ids, in order."""
        limit = asyncio.Semaphore(self.concurrency)

        async def one(chunk: list) -> list[str]:
            async with limit:
                data = await self.request(
                    operation, "POST", path, {key: chunk, "returnFullEntity": False, **(extra or {})}
                )
            results = sorted(data.get("results") or [], key=lambda r: r["entityMetadata"]["originalIndex"])
            failed = [r["entityMetadata"] for r in results if not r["entityMetadata"].get("success")]
            if failed or len(results) != len(chunk):
                raise NaiveError(f"{operation}: {len(failed)} element(s) failed: {failed[:3]}")
            return [r["entityMetadata"].get("id") for r in results]

        chunks = [elements[i : i + BULK] for i in range(0, len(elements), BULK)]
        found = await asyncio.gather(*(one(c) for c in chunks))
        return [ident for ids in found for ident in ids]

    async def catalog_id(self, location: str | None) -> str:
        params: list[tuple[str, str]] = []
        if location:
            data = await self.request(
                "listLocations", "GET", "/locations/v1/locations", params=[("paging.limit", "100")]
            )
            chosen = [loc["id"] for loc in data.get("locations") or [] if location in (loc.get("id"), loc.get("name"))]
            if not chosen:
                raise NaiveError(f"no location {location!r}")
            params = [("locationIds", chosen[0])]
        data = await self.request("listCatalogs", "GET", f"{PREFIX}/catalogs", params=params)
        catalogs = [c for c in data.get("catalogs") or [] if not c.get("archived")]
        if len(catalogs) != 1:
            raise NaiveError(f"expected one catalog, found {len(catalogs)}")
        return catalogs[0]["id"]

    async def sync(self, catalog: dict, location: str | None = None) -> dict[str, str]:
        """Import ``catalog`` (the YAML data) the sample's way; returns local id -> new Wix id."""
        cid = await self.catalog_id(location or catalog.get("location"))
        bulk = f"{PREFIX}/draft-catalogs/{cid}/bulk"
        await self.request("createDraftCatalog", "POST", f"{PREFIX}/draft-catalogs/{cid}/create", {"catalogId": cid})
        try:
            live = await self.request("listMenus", "GET", f"{PREFIX}/catalogs/{cid}/menus")
            old_menus = [m["id"] for m in live.get("menus") or []]
            if old_menus:
                await self.bulk("bulkArchiveMenus", f"{bulk}/menus/archive", "ids", old_menus)

            ids: dict[str, str] = {}
            menus = catalog.get("menus") or []
            groups = {g["id"]: g for g in catalog.get("option_groups") or []}
            sections = [(m, s) for m in menus for s in m.get("sections") or []]
            # Variations that an option group in use offers; the others never reach Wix.
            offered = {
                c["item"]
                for d in catalog.get("dishes") or []
                for g in d.get("options") or []
                for c in groups[g]["choices"]
            }
            variations = [v for v in catalog.get("variations") or [] if v["id"] in offered]

            menu_ids, variation_ids = await asyncio.gather(
                self.bulk(
                    "bulkCreateMenus",
                    f"{bulk}/menus/create",
                    "menus",
                    [{**container(m), "sectionIds": {"values": []}} for m in menus],
                ),
                self.bulk(
                    "bulkCreateVariations",
                    f"{bulk}/variations/create",
                    "variations",
                    [{"name": v["name"]} for v in variations],
                )
                if variations
                else _nothing(),
            )
            ids.update(zip((m["id"] for m in menus), menu_ids, strict=False))
            ids.update(zip((v["id"] for v in variations), variation_ids, strict=False))
            section_ids = await self.bulk(
                "bulkCreateSections",
                f"{bulk}/sections/create",
                "createSectionRequests",
                [{"menuId": ids[m["id"]], "section": {**container(s), "itemIds": {"values": []}}} for m, s in sections],
            )
            ids.update(zip((s["id"] for _, s in sections), section_ids, strict=False))

            home: dict[str, tuple[str, str]] = {}
            for m, s in sections:
                for dish in s.get("dishes") or []:
                    home.setdefault(dish, (ids[m["id"]], ids[s["id"]]))
            dishes = catalog.get("dishes") or []
            dish_ids = await self.bulk(
                "bulkCreateDishes",
                f"{bulk}/dishes/create",
                "createDishRequests",
                [
                    {"menuId": home[d["id"]][0], "sectionId": home[d["id"]][1], "dish": item(d, groups, ids)}
                    for d in dishes
                ],
            )
            ids.update(zip((d["id"] for d in dishes), dish_ids, strict=False))

            detailed = [v for v in variations if set(v) - _NAME_ONLY]
            await asyncio.gather(
                self.bulk(
                    "bulkUpdateItems",
                    f"{bulk}/items/update",
                    "items",
                    [{"id": ids[v["id"]], **item(v, groups, ids)} for v in detailed],
                )
                if detailed
                else _nothing(),
                self.bulk(
                    "bulkUpdateSections",
                    f"{bulk}/sections/update",
                    "updateSectionsRequests",
                    [
                        {
                            "menuId": ids[m["id"]],
                            "section": {
                                "id": ids[s["id"]],
                                "itemIds": {"values": [ids[d] for d in s.get("dishes") or []]},
                            },
                        }
                        for m, s in sections
                    ],
                ),
                self.bulk(
                    "bulkUpdateMenus",
                    f"{bulk}/menus/update",
                    "menus",
                    [
                        {"id": ids[m["id"]], "sectionIds": {"values": [ids[s["id"]] for s in m.get("sections") or []]}}
                        for m in menus
                    ],
                ),
            )
        except BaseException:
            await self.client.request("DELETE", f"{PREFIX}/draft-catalogs/{cid}/discard")
            raise
        await self.request("publishDraftCatalog", "POST", f"{PREFIX}/draft-catalogs/{cid}/publish", {"catalogId": cid})
        return ids


async def _nothing() -> list[str]:
    return []


def expected_calls(catalog: dict, live_menus: int, several_locations: bool = False) -> dict[str, int]:
    """The calls :meth:`NaiveSync.sync` makes for ``catalog`` on a site with ``live_menus`` menus."""
    menus = catalog.get("menus") or []
    sections = [s for m in menus for s in m.get("sections") or []]
    groups = {g["id"]: g for g in catalog.get("option_groups") or []}
    offered = {
        c["item"] for d in catalog.get("dishes") or [] for g in d.get("options") or [] for c in groups[g]["choices"]
    }
    variations = [v for v in catalog.get("variations") or [] if v["id"] in offered]

    def n(count: int) -> int:
        return math.ceil(count / BULK)

    calls = {
        "listCatalogs": 1,
        "createDraftCatalog": 1,
        "listMenus": 1,
        "bulkArchiveMenus": n(live_menus),
        "bulkCreateMenus": n(len(menus)),
        "bulkCreateSections": n(len(sections)),
        "bulkCreateVariations": n(len(variations)),
        "bulkCreateDishes": n(len(catalog.get("dishes") or [])),
        "bulkUpdateItems": n(len([v for v in variations if set(v) - _NAME_ONLY])),
        "bulkUpdateSections": n(len(sections)),
        "bulkUpdateMenus": n(len(menus)),
        "publishDraftCatalog": 1,
    }
    if several_locations:
        calls["listLocations"] = 1
    return {k: v for k, v in sorted(calls.items()) if v}


async def run(
    base_url: str, token: str, catalog: dict, location: str | None = None, concurrency: int = 4
) -> dict[str, int]:
    """One naive import over HTTP; returns the calls it made by operation."""
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": token}, timeout=60, limits=limits
    ) as client:
        sync = NaiveSync(client, concurrency)
        await sync.sync(catalog, location)
        return dict(sorted(sync.calls.items()))
