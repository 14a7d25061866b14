"""Draft catalogs (§3.2 #2-4, §5, U2-U6): one per catalog, publish replaces live and consumes it."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.emulator.helpers import (
    app_error,
    bulk,
    catalog_path,
    create_draft,
    draft_path,
    list_of,
    menu_section_dish,
    new_guid,
    ok,
    publish,
    violated,
)
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

RFC3339_MS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def test_create_draft_is_keyed_by_the_live_catalog_u2(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    draft = ok(api.post(f"{draft_path(cid)}/create", json={"catalogId": cid}))["catalog"]
    assert draft == {"id": cid, "locationId": catalog["locationId"], "archived": False, "draftPublishedDate": None}
    app_error(api.post(f"{draft_path(cid)}/create"), 409, "DRAFT_CATALOG_ALREADY_EXISTS")


def test_no_draft_means_404(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    app_error(api.post(f"{draft_path(cid)}/publish"), 404, "DRAFT_CATALOG_NOT_FOUND")
    app_error(api.delete(f"{draft_path(cid)}/discard", params={"catalogId": cid}), 404, "DRAFT_CATALOG_NOT_FOUND")
    app_error(bulk(api, cid, "menus/create", {"menus": [{"name": "x"}]}), 404, "DRAFT_CATALOG_NOT_FOUND")
    app_error(
        bulk(api, new_guid(), "variations/create", {"variations": [{"name": "x"}]}), 404, "DRAFT_CATALOG_NOT_FOUND"
    )
    app_error(api.post(f"{draft_path(new_guid())}/create"), 404, "CATALOG_NOT_FOUND")


@pytest.mark.parametrize(("method", "action"), [("POST", "create"), ("POST", "publish"), ("DELETE", "discard")])
def test_draft_endpoints_need_a_guid(api: httpx.Client, method: str, action: str) -> None:
    violated(api.request(method, f"{draft_path('not-a-guid')}/{action}"), "catalogId", "FORMAT")


def test_publish_replaces_live_keeps_ids_and_consumes_the_draft(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu, section, dish = menu_section_dish(api, cid)
    create_draft(api, cid)
    # Edit the draft: rename the dish (same id, U6), add a new menu, archive the old menu.
    ok(bulk(api, cid, "items/update", {"items": [{"id": dish["id"], "name": "Renamed"}]}))
    created = ok(bulk(api, cid, "menus/create", {"menus": [{"name": "New"}]}))["results"][0]["entity"]
    ok(bulk(api, cid, "menus/archive", {"ids": [menu["id"]]}))
    # Nothing shows live before publish (U5).
    assert list_of(api, cid, "items")[0]["name"] == "Dish"
    assert [m["id"] for m in list_of(api, cid, "menus")] == [menu["id"]]

    published = ok(api.post(f"{draft_path(cid)}/publish", json={"catalogId": cid}))["catalog"]
    assert published["id"] == cid and published["locationId"] == catalog["locationId"]
    assert RFC3339_MS_Z.match(published["draftPublishedDate"]), published
    listed = ok(api.get("/v3/catalogs", params={"locationIds": catalog["locationId"]}))["catalogs"]
    assert listed == [published]

    assert list_of(api, cid, "items") == [{**dish, "name": "Renamed"}]
    assert [m["id"] for m in list_of(api, cid, "menus", archived="true")] == [menu["id"], created["id"]]
    assert [m["id"] for m in list_of(api, cid, "menus")] == [created["id"]]
    assert list_of(api, cid, "sections") == [section]
    # U3: the draft is gone.
    app_error(bulk(api, cid, "menus/create", {"menus": [{"name": "x"}]}), 404, "DRAFT_CATALOG_NOT_FOUND")
    app_error(api.post(f"{draft_path(cid)}/publish"), 404, "DRAFT_CATALOG_NOT_FOUND")
    assert create_draft(api, cid)["draftPublishedDate"] == published["draftPublishedDate"]


def test_discard_drops_the_draft_and_leaves_live_alone(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu, _, _ = menu_section_dish(api, cid)
    create_draft(api, cid)
    ok(bulk(api, cid, "menus/update", {"menus": [{"id": menu["id"], "name": "Draft name"}]}))
    response = api.delete(f"{draft_path(cid)}/discard", params={"catalogId": cid})
    assert ok(response) == {}
    assert list_of(api, cid, "menus") == [menu]
    app_error(bulk(api, cid, "menus/create", {"menus": [{"name": "x"}]}), 404, "DRAFT_CATALOG_NOT_FOUND")
    # A fresh draft starts from live again.
    create_draft(api, cid)
    results = ok(bulk(api, cid, "menus/update", {"menus": [{"id": menu["id"]}]}))["results"]
    assert results[0]["entity"]["name"] == "Menu"


def test_live_edits_during_a_draft_are_overwritten_at_publish_u4(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    _, _, dish = menu_section_dish(api, cid)
    create_draft(api, cid)
    ok(api.patch(f"{catalog_path(cid)}/items/{dish['id']}", json={"item": {"name": "Live edit"}}))
    extra = ok(api.post(f"{catalog_path(cid)}/variations", json={"name": "Live only"}))["variation"]
    assert {i["name"] for i in list_of(api, cid, "items")} == {"Live edit", "Live only"}
    publish(api, cid)
    items = list_of(api, cid, "items")
    assert [i["name"] for i in items] == ["Dish"]
    assert extra["id"] not in {i["id"] for i in items}


def test_new_entities_get_fresh_ids_u6(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu, section, dish = menu_section_dish(api, cid)
    create_draft(api, cid)
    result = ok(bulk(api, cid, "variations/create", {"variations": [{"name": "Tiny"}]}))["results"][0]
    publish(api, cid)
    ids = [i["id"] for i in list_of(api, cid, "items")]
    assert ids == [dish["id"], result["entityMetadata"]["id"]]
    assert len(set(ids) | {menu["id"], section["id"]}) == 4


def test_archived_entities_stay_archived_through_draft_and_publish(
    server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]
) -> None:
    cid = catalog["catalogId"]
    _, _, dish = menu_section_dish(api, cid)
    server.archive(cid, "item", dish["id"])
    create_draft(api, cid)
    failed = ok(bulk(api, cid, "items/update", {"items": [{"id": dish["id"], "name": "x"}]}))["results"][0]
    assert failed["entityMetadata"]["error"]["code"] == "ITEM_ARCHIVED"
    publish(api, cid)
    assert [i["archived"] for i in list_of(api, cid, "items", archived="true")] == [True]


def test_draft_hook_can_archive_draft_entities(
    server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]
) -> None:
    cid = catalog["catalogId"]
    _menu, section, _ = menu_section_dish(api, cid)
    create_draft(api, cid)
    server.archive(cid, "section", section["id"], scope="draft")
    assert list_of(api, cid, "sections")[0]["archived"] is False
    publish(api, cid)
    assert list_of(api, cid, "sections") == []
