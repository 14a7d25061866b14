"""Duplicate Menu / Section / Item, Update Extended Fields, menu site URLs."""

from __future__ import annotations

import pytest

from tests.emulator.menus.helpers import BASE, Wix, app_error, new_guid, ok

pytestmark = pytest.mark.e2e


def _menu_tree(wix: Wix) -> tuple[dict, dict, dict]:
    item = wix.create("items", name="Burger")
    section = wix.create("sections", name="Mains", itemIds=[item["id"]])
    menu = wix.create("menus", name="Lunch", sectionIds=[section["id"]])
    return menu, section, item


def test_duplicate_menu(menus_server, wix: Wix, site: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    menu, section, item = _menu_tree(wix)
    [other] = menus_server.seed(locations=1, names=["Harbor"], app="menus")
    body = ok(wix.post(wix.url("menus", f"/{menu['id']}/duplicate"), {}))
    [same] = body["menuIds"]
    copy = wix.get("menus", same)
    assert (copy["name"], copy["sectionIds"], copy["businessLocationId"]) == (
        "Lunch",
        [section["id"]],
        site["locationId"],
    )
    assert copy["revision"] == "1" and copy["id"] != menu["id"]
    body = ok(
        wix.post(
            wix.url("menus", f"/{menu['id']}/duplicate"),
            {"businessLocationIds": [other["locationId"]], "duplicateSubEntities": True, "menuName": "Copy"},
        )
    )
    [deep] = body["menuIds"]
    deep_copy = wix.get("menus", deep)
    assert deep_copy["name"] == "Copy" and deep_copy["businessLocationId"] == other["locationId"]
    [new_section] = deep_copy["sectionIds"]
    assert new_section != section["id"] and wix.get("sections", new_section)["itemIds"] == [item["id"]]
    assert wix.get("items", item["id"])["businessLocationIds"] == [site["locationId"], other["locationId"]]
    app_error(
        wix.post(wix.url("menus", f"/{menu['id']}/duplicate"), {"businessLocationIds": [new_guid()]}),
        400,
        "REFERENCED_ENTITY_NOT_FOUND",
    )


def test_duplicate_section_and_item(wix: Wix, site: dict[str, str]) -> None:
    _menu, section, item = _menu_tree(wix)
    body = ok(wix.post(wix.url("sections", f"/{section['id']}/duplicate"), {}))
    [copy_id] = body["sectionId"]
    copy = wix.get("sections", copy_id)
    assert copy["itemIds"] == [item["id"]] and "businessLocationId" not in copy  # detached
    [deep_id] = ok(wix.post(wix.url("sections", f"/{section['id']}/duplicate"), {"duplicateSubEntities": True}))[
        "sectionId"
    ]
    [item_copy] = wix.get("sections", deep_id)["itemIds"]
    assert item_copy != item["id"] and wix.get("items", item_copy)["name"] == "Burger"
    body = ok(wix.post(wix.url("items", f"/{item['id']}/duplicate"), {"businessLocationIds": [site["locationId"]]}))
    assert len(body["itemId"]) == 1
    copy = wix.get("items", body["itemId"][0])
    assert copy["priceInfo"] == item["priceInfo"] and copy["businessLocationIds"] == []
    app_error(wix.post(wix.url("items", f"/{new_guid()}/duplicate"), {}), 404, "ENTITY_NOT_FOUND")


def test_update_extended_fields(wix: Wix) -> None:
    menu = wix.create("menus")
    body = ok(
        wix.post(
            wix.url("menus", f"/{menu['id']}/updateExtendedFields"),
            {"namespace": "@acme/pos", "namespaceData": {"posMenuId": "7"}},
        )
    )
    assert body == {"namespace": "@acme/pos", "namespaceData": {"posMenuId": "7"}}
    stored = wix.get("menus", menu["id"])
    assert stored["extendedFields"] == {"namespaces": {"@acme/pos": {"posMenuId": "7"}}}
    assert stored["revision"] == "2"


def test_site_urls(wix: Wix) -> None:
    menu = wix.create("menus", name="Dinner Menu!")
    slugged = wix.create("menus", name="x", urlQueryParam="late-night")
    base = BASE["menus"] + "/menus-site-url/menus"
    assert ok(wix.client.get(f"{base}/{menu['id']}")) == {"menuSiteUrl": {"path": "/our-menus/dinner-menu"}}
    body = ok(wix.post(f"{base}/query", {"query": {"filter": {"id": {"$eq": slugged["id"]}}}}))
    assert body["menuSiteUrls"] == [{"path": "/our-menus/late-night"}]
    assert body["pagingMetadata"]["count"] == 1
