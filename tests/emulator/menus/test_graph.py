"""Referential integrity (§6.2, the emulator's choice) and derived business locations (§3.3)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.menus.helpers import Wix, app_error, new_guid, ok
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e


PRICE = {"priceInfo": {"price": "1"}}
DANGLING = [  # (service, body with X for the missing id, field named in the error)
    ("menus", lambda x: {"sectionIds": [x]}, "menu.sectionIds"),
    ("sections", lambda x: {"itemIds": [x]}, "section.itemIds"),
    ("items", lambda x: {**PRICE, "labels": [{"id": x}]}, "item.labels"),
    ("items", lambda x: {**PRICE, "modifierGroups": [{"id": x}]}, "item.modifierGroups"),
    ("items", lambda x: {"priceVariants": {"variants": [{"variantId": x, **PRICE}]}}, "item.priceVariants"),
    ("modifierGroups", lambda x: {"modifiers": [{"id": x}]}, "modifierGroup.modifiers"),
    ("menus", lambda x: {"businessLocationId": x}, "menu.businessLocationId"),
]


@pytest.mark.parametrize(("service", "body", "field"), DANGLING)
def test_references_to_missing_entities_are_rejected(wix: Wix, service: str, body: Any, field: str) -> None:
    missing = new_guid()
    error = app_error(wix.create_raw(service, {"name": "x", **body(missing)}), 400, "REFERENCED_ENTITY_NOT_FOUND")
    assert error["data"]["id"] == missing and error["data"]["field"].startswith(field)
    assert wix.list(service)[service] == []


def test_update_checks_only_the_references_it_writes(wix: Wix) -> None:
    item = wix.create("items")
    section = wix.create("sections", itemIds=[item["id"]])
    ok(wix.delete("items", item["id"]))
    stored = wix.get("sections", section["id"])
    assert stored["itemIds"] == [item["id"]]  # the deleted id dangles, reads return it
    renamed = wix.update("sections", section["id"], "1", name="Renamed")
    assert renamed["itemIds"] == [item["id"]]
    app_error(
        wix.update_raw("sections", section["id"], {"revision": "2", "itemIds": [item["id"]]}),
        400,
        "REFERENCED_ENTITY_NOT_FOUND",
    )
    assert wix.update("sections", section["id"], "2", itemIds=[])["itemIds"] == []


def test_deleting_a_referenced_entity_removes_nothing_else(wix: Wix) -> None:
    modifier = wix.create("modifiers")
    group = wix.create("modifierGroups", modifiers=[{"id": modifier["id"]}])
    variant = wix.create("variants")
    label = wix.create("labels")
    item = wix.create(
        "items",
        priceInfo=None,
        labels=[{"id": label["id"]}],
        modifierGroups=[{"id": group["id"]}],
        priceVariants={"variants": [{"variantId": variant["id"], "priceInfo": {"price": "1"}}]},
    )
    for service, ident in (
        ("modifiers", modifier["id"]),
        ("labels", label["id"]),
        ("variants", variant["id"]),
        ("modifierGroups", group["id"]),
    ):
        ok(wix.delete(service, ident))
    assert wix.get("items", item["id"]) == item


def test_locations_flow_down_and_back(wix: Wix, site: dict[str, str]) -> None:
    here = site["locationId"]
    modifier = wix.create("modifiers")
    group = wix.create("modifierGroups", modifiers=[{"id": modifier["id"]}])
    variant = wix.create("variants")
    label = wix.create("labels")
    item = wix.create(
        "items",
        priceInfo=None,
        labels=[{"id": label["id"]}],
        modifierGroups=[{"id": group["id"]}],
        priceVariants={"variants": [{"variantId": variant["id"], "priceInfo": {"price": "1"}}]},
    )
    section = wix.create("sections", itemIds=[item["id"]])
    assert "businessLocationId" not in section and item["businessLocationIds"] == []  # detached
    menu = wix.create("menus", sectionIds=[section["id"]], businessLocationId=here)
    assert menu["businessLocationId"] == here
    assert wix.get("sections", section["id"])["businessLocationId"] == here
    for service, ident in (
        ("items", item["id"]),
        ("modifierGroups", group["id"]),
        ("variants", variant["id"]),
        ("modifiers", modifier["id"]),
    ):
        entity = wix.get(service, ident)
        assert entity["businessLocationIds"] == [here], service
        assert entity["revision"] == "2", service  # a derived change is a change (§1.5)
    assert "businessLocationIds" not in wix.get("labels", label["id"])
    wix.update("menus", menu["id"], "1", sectionIds=[])  # detach: locations go away again
    assert "businessLocationId" not in wix.get("sections", section["id"])
    assert wix.get("modifiers", modifier["id"])["businessLocationIds"] == []
    assert wix.get("modifiers", modifier["id"])["revision"] == "3"


def test_menu_location_defaults_and_is_immutable(menus_server: EmulatorServer, wix: Wix, site: dict[str, str]) -> None:
    [other] = menus_server.seed(locations=1, names=["Harbor"], app="menus")
    default = wix.create("menus")
    assert default["businessLocationId"] == site["locationId"]  # the site's default location
    menu = wix.create("menus", businessLocationId=other["locationId"])
    updated = wix.update("menus", menu["id"], "1", businessLocationId=site["locationId"], name="Still at the harbor")
    assert updated["businessLocationId"] == other["locationId"]


def test_items_shared_by_two_locations(menus_server: EmulatorServer, wix: Wix, site: dict[str, str]) -> None:
    [other] = menus_server.seed(locations=1, names=["Harbor"], app="menus")
    item = wix.create("items")
    first = wix.create("sections", itemIds=[item["id"]])
    second = wix.create("sections", itemIds=[item["id"]])
    wix.create("menus", sectionIds=[first["id"]], businessLocationId=site["locationId"])
    harbor = wix.create("menus", sectionIds=[second["id"]], businessLocationId=other["locationId"])
    assert wix.get("items", item["id"])["businessLocationIds"] == [site["locationId"], other["locationId"]]
    ok(wix.delete("menus", harbor["id"]))
    assert wix.get("items", item["id"])["businessLocationIds"] == [site["locationId"]]
    assert "businessLocationId" not in wix.get("sections", second["id"])
