"""Sections on the live catalog (§3.2 #20-23): one menu each, dishes only, archive rules (U13-U15)."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.helpers import (
    app_error,
    catalog_path,
    create_dish,
    create_menu,
    create_section,
    create_variation,
    list_of,
    new_guid,
    ok,
    violated,
)
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e


def test_create_section_shape_and_append_to_menu_u13(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu = create_menu(api, cid)
    first = create_section(api, cid, menu["id"], name="Starters", menuId=new_guid())
    second = create_section(api, cid, menu["id"], name="Mains")
    assert first == {
        "id": first["id"],
        "menuId": menu["id"],  # from the path; the body's menuId is read-only
        "name": "Starters",
        "description": None,
        "imageUrl": None,
        "itemIds": {"values": []},
        "visibilityCriteria": {
            "visible": True,
            "fulfillmentTypes": ["DELIVERY", "PICKUP_OR_DINE_IN"],
            "platforms": ["SITE", "MOBILE_SITE", "WIX_APP", "CALL_CENTER", "CHAT_BOT"],
        },
        "archived": False,
    }
    stored_menu = ok(api.get(f"{catalog_path(cid)}/menus/{menu['id']}"))["menu"]
    assert stored_menu["sectionIds"] == {"values": [first["id"], second["id"]]}


def test_get_requires_the_owning_menu(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu, other = create_menu(api, cid), create_menu(api, cid)
    section = create_section(api, cid, menu["id"])
    assert ok(api.get(f"{catalog_path(cid)}/menus/{menu['id']}/sections/{section['id']}"))["section"] == section
    app_error(api.get(f"{catalog_path(cid)}/menus/{other['id']}/sections/{section['id']}"), 404, "SECTION_NOT_FOUND")
    app_error(api.get(f"{catalog_path(cid)}/menus/{new_guid()}/sections/{section['id']}"), 404, "MENU_NOT_FOUND")
    app_error(api.post(f"{catalog_path(cid)}/menus/{new_guid()}/sections", json={"section": {}}), 404, "MENU_NOT_FOUND")


def test_list_sections_spans_menus_in_creation_order(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    a, b = create_menu(api, cid), create_menu(api, cid)
    s1 = create_section(api, cid, b["id"])
    s2 = create_section(api, cid, a["id"])
    assert [s["id"] for s in list_of(api, cid, "sections")] == [s1["id"], s2["id"]]
    assert list_of(api, cid, "sections", fieldMask="menuId") == [
        {"id": s1["id"], "menuId": b["id"]},
        {"id": s2["id"], "menuId": a["id"]},
    ]


def test_update_cannot_move_the_section(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu, other = create_menu(api, cid), create_menu(api, cid)
    section = create_section(api, cid, menu["id"])
    path = f"{catalog_path(cid)}/menus/{menu['id']}/sections/{section['id']}"
    updated = ok(api.patch(path, json={"menuId": menu["id"], "section": {"name": "Renamed", "menuId": other["id"]}}))[
        "section"
    ]
    assert updated["menuId"] == menu["id"] and updated["name"] == "Renamed"
    app_error(
        api.patch(f"{catalog_path(cid)}/menus/{other['id']}/sections/{section['id']}", json={"section": {"name": "x"}}),
        404,
        "SECTION_NOT_FOUND",
    )


def test_item_ids_list_existing_dishes_only(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu = create_menu(api, cid)
    section = create_section(api, cid, menu["id"])
    dish = create_dish(api, cid, menu["id"], section["id"])
    variation = create_variation(api, cid)
    path = f"{catalog_path(cid)}/menus/{menu['id']}/sections/{section['id']}"
    app_error(
        api.patch(path, json={"section": {"itemIds": {"values": [dish["id"], variation["id"]]}}}),
        400,
        "INVALID_SECTION_ITEMS",
    )
    app_error(api.patch(path, json={"section": {"itemIds": {"values": [new_guid()]}}}), 400, "ITEM_NOT_FOUND")
    # U24: one dish may sit in several sections.
    other = create_section(api, cid, menu["id"], itemIds={"values": [dish["id"]]})
    assert other["itemIds"] == {"values": [dish["id"]]}
    assert ok(api.patch(path, json={"section": {"itemIds": {"values": []}}}))["section"]["itemIds"] == {"values": []}


def test_archived_sections_u15(server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu = create_menu(api, cid)
    section = create_section(api, cid, menu["id"])
    keep = create_section(api, cid, menu["id"])
    assert server.archive(cid, "section", section["id"])["archived"] is True
    path = f"{catalog_path(cid)}/menus/{menu['id']}/sections/{section['id']}"
    app_error(api.patch(path, json={"section": {"name": "x"}}), 428, "SECTION_ARCHIVED")
    app_error(api.post(f"{path}/items", json={"dish": {"name": "x"}}), 428, "SECTION_ARCHIVED")
    assert [s["id"] for s in list_of(api, cid, "sections")] == [keep["id"]]
    assert [s["id"] for s in list_of(api, cid, "sections", archived="true")] == [section["id"], keep["id"]]
    # Archiving a menu does not cascade.
    ok(api.post(f"{catalog_path(cid)}/menus/{menu['id']}/archive"))
    assert ok(api.get(f"{catalog_path(cid)}/menus/{menu['id']}/sections/{keep['id']}"))["section"]["archived"] is False


def test_section_schema_violations(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu = create_menu(api, cid)
    path = f"{catalog_path(cid)}/menus/{menu['id']}/sections"
    violated(api.post(path, json={}), "section", "REQUIRED_FIELD")
    violated(api.post(path, json={"section": {"name": 5}}), "section.name", "FORMAT")
    violated(api.post(path, json={"section": {"itemIds": {"values": "abc"}}}), "section.itemIds.values", "FORMAT")
    assert list_of(api, cid, "sections") == []
