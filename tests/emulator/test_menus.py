"""Menus on the live catalog (§3.2 #14-19): shapes, defaults, partial update, archive rules."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.helpers import (
    app_error,
    catalog_path,
    create_menu,
    create_section,
    list_of,
    new_guid,
    ok,
    violated,
)
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

ALL_VISIBLE = {
    "visible": True,
    "fulfillmentTypes": ["DELIVERY", "PICKUP_OR_DINE_IN"],
    "platforms": ["SITE", "MOBILE_SITE", "WIX_APP", "CALL_CENTER", "CHAT_BOT"],
}  # no "availability": an unset message is left out (the SDK types it T | undefined, never null)


def test_create_menu_returns_the_full_entity_with_defaults(api: httpx.Client, catalog: dict[str, str]) -> None:
    body = {
        "menu": {
            "name": "Dinner",
            "sectionIds": {"values": []},
            "visibilityCriteria": {"visible": True, "fulfillmentTypes": ["DELIVERY"], "platforms": ["SITE"]},
        }
    }
    menu = ok(api.post(f"{catalog_path(catalog['catalogId'])}/menus", json=body))["menu"]
    assert menu == {
        "id": menu["id"],
        "name": "Dinner",
        "description": None,
        "imageUrl": None,
        "visibilityCriteria": {
            "visible": True,
            "fulfillmentTypes": ["DELIVERY"],
            "platforms": ["SITE"],
        },
        "sectionIds": {"values": []},
        "archived": False,
    }
    assert len(menu["id"]) == 36


def test_omitted_criteria_default_to_visible_everywhere_u19(api: httpx.Client, catalog: dict[str, str]) -> None:
    menu = create_menu(api, catalog["catalogId"])
    assert menu["visibilityCriteria"] == ALL_VISIBLE
    assert menu["sectionIds"] == {"values": []}


def test_read_only_and_unknown_fields_are_ignored(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    body = {
        "catalogId": new_guid(),
        "menu": {"name": "x", "id": "mine", "_id": "sdk-leak", "archived": True, "colour": "red"},
    }
    menu = ok(api.post(f"{catalog_path(cid)}/menus", json=body))["menu"]
    assert menu["id"] != "mine" and menu["archived"] is False
    assert "_id" not in menu and "colour" not in menu
    # The path's catalog won, not the body's.
    assert [m["id"] for m in list_of(api, cid, "menus")] == [menu["id"]]


def test_get_and_list(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    first, second = create_menu(api, cid, name="A"), create_menu(api, cid, name="B")
    assert (
        ok(api.get(f"{catalog_path(cid)}/menus/{first['id']}", params={"catalogId": cid, "menuId": "ignored"}))["menu"]
        == first
    )
    assert list_of(api, cid, "menus") == [first, second]


def test_missing_menu_catalog_and_bad_guid(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    app_error(api.get(f"{catalog_path(cid)}/menus/{new_guid()}"), 404, "MENU_NOT_FOUND")
    app_error(api.get(f"{catalog_path(new_guid())}/menus"), 404, "CATALOG_NOT_FOUND")
    violated(api.get(f"{catalog_path('not-a-guid')}/menus"), "catalogId", "FORMAT")
    violated(api.post(f"{catalog_path(cid)}/menus", json={}), "menu", "REQUIRED_FIELD")
    violated(api.post(f"{catalog_path(cid)}/menus", json={"menu": "Dinner"}), "menu", "FORMAT")


def test_update_is_a_per_field_merge_u12(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu = create_menu(
        api,
        cid,
        name="Lunch",
        description="Noon",
        visibilityCriteria={"visible": False, "fulfillmentTypes": ["DELIVERY"], "platforms": ["SITE"]},
    )
    patch = {
        "catalogId": cid,
        "menu": {
            "id": menu["id"],
            "name": "Brunch",
            "description": None,
            "visibilityCriteria": {"platforms": ["WIX_APP"]},
        },
    }
    updated = ok(api.patch(f"{catalog_path(cid)}/menus/{menu['id']}", json=patch))["menu"]
    assert updated["name"] == "Brunch"
    assert updated["description"] == "Noon"  # null means "not provided"
    # A provided nested message replaces the stored one (then gets its defaults).
    assert updated["visibilityCriteria"] == {**ALL_VISIBLE, "platforms": ["WIX_APP"]}
    assert ok(api.get(f"{catalog_path(cid)}/menus/{menu['id']}"))["menu"] == updated


def test_path_id_wins_over_body_id(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    a, b = create_menu(api, cid, name="A"), create_menu(api, cid, name="B")
    ok(api.patch(f"{catalog_path(cid)}/menus/{a['id']}", json={"menu": {"id": b["id"], "name": "A2"}}))
    names = {m["id"]: m["name"] for m in list_of(api, cid, "menus")}
    assert names == {a["id"]: "A2", b["id"]: "B"}


def test_archive_unarchive_and_immutability(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu = create_menu(api, cid)
    base = f"{catalog_path(cid)}/menus/{menu['id']}"
    archived = ok(api.post(f"{base}/archive", json={"catalogId": cid, "menuId": menu["id"]}))["menu"]
    assert archived == {**menu, "archived": True}
    # U16: archiving twice is an idempotent success.
    assert ok(api.post(f"{base}/archive"))["menu"] == archived
    app_error(api.patch(base, json={"menu": {"name": "x"}}), 428, "MENU_ARCHIVED")
    app_error(api.post(f"{base}/sections", json={"section": {"name": "s"}}), 428, "MENU_ARCHIVED")
    # U8: hidden by default, listed with archived=true (together with active ones).
    other = create_menu(api, cid, name="Other")
    assert [m["id"] for m in list_of(api, cid, "menus")] == [other["id"]]
    assert [m["id"] for m in list_of(api, cid, "menus", archived="true")] == [menu["id"], other["id"]]
    assert ok(api.post(f"{base}/unarchive"))["menu"]["archived"] is False
    assert ok(api.post(f"{base}/unarchive"))["menu"]["archived"] is False
    assert ok(api.patch(base, json={"menu": {"name": "Back"}}))["menu"]["name"] == "Back"


def test_archive_missing_menu_is_404(api: httpx.Client, catalog: dict[str, str]) -> None:
    app_error(api.post(f"{catalog_path(catalog['catalogId'])}/menus/{new_guid()}/archive"), 404, "MENU_NOT_FOUND")


def test_field_mask_projection_u10(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu = create_menu(api, cid, name="Masked", description="d")
    assert list_of(api, cid, "menus", fieldMask="name") == [{"id": menu["id"], "name": "Masked"}]
    assert list_of(api, cid, "menus", fieldMask="name,visibilityCriteria.visible,nonsense") == [
        {"id": menu["id"], "name": "Masked", "visibilityCriteria": {"visible": True}}
    ]
    repeated = ok(api.get(f"{catalog_path(cid)}/menus", params=[("fieldMask", "name"), ("fieldMask", "description")]))
    assert repeated["menus"] == [{"id": menu["id"], "name": "Masked", "description": "d"}]
    assert list_of(api, cid, "menus", fieldMask="") == [menu]


def test_section_ids_must_belong_to_the_menu(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    first, second = create_menu(api, cid), create_menu(api, cid)
    section = create_section(api, cid, first["id"])
    app_error(
        api.patch(
            f"{catalog_path(cid)}/menus/{second['id']}", json={"menu": {"sectionIds": {"values": [section["id"]]}}}
        ),
        400,
        "INVALID_MENU_SECTIONS",
    )
    app_error(
        api.post(f"{catalog_path(cid)}/menus", json={"menu": {"sectionIds": {"values": [new_guid()]}}}),
        400,
        "SECTION_NOT_FOUND",
    )
    ok(api.patch(f"{catalog_path(cid)}/menus/{first['id']}", json={"menu": {"sectionIds": {"values": []}}}))
    reordered = ok(
        api.patch(
            f"{catalog_path(cid)}/menus/{first['id']}", json={"menu": {"sectionIds": {"values": [section["id"]]}}}
        )
    )["menu"]
    assert reordered["sectionIds"] == {"values": [section["id"]]}


def test_draft_edits_do_not_show_in_live_reads(
    server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]
) -> None:
    cid = catalog["catalogId"]
    ok(api.post(f"/v3/draft-catalogs/{cid}/create"))
    ok(api.post(f"/v3/draft-catalogs/{cid}/bulk/menus/create", json={"menus": [{"name": "Draft only"}]}))
    assert list_of(api, cid, "menus") == []
