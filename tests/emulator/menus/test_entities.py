"""Single-entity calls of every service: envelopes, server-made fields, defaults, PATCH semantics."""

from __future__ import annotations

import re

import pytest

from tests.emulator.menus.helpers import KIND, MINIMAL, Wix, app_error, new_guid, ok, violated

pytestmark = pytest.mark.e2e

SERVICES = list(KIND)
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.mark.parametrize("service", SERVICES)
def test_create_get_update_delete_with_envelopes(wix: Wix, service: str) -> None:
    kind = KIND[service]
    created = ok(wix.create_raw(service, dict(MINIMAL[service])))
    assert list(created) == [kind]
    entity = created[kind]
    assert GUID.match(entity["id"]) and entity["revision"] == "1"
    assert STAMP.match(entity["createdDate"]) and entity["updatedDate"] == entity["createdDate"]
    assert wix.get(service, entity["id"]) == entity
    pricing = {"priceInfo": {"price": "10.00"}} if service == "items" else {}  # §7.7: updates carry pricing
    response = wix.update_raw(service, entity["id"], {"revision": "1", "name": "Renamed", **pricing})
    assert list(ok(response)) == [kind]
    updated = response.json()[kind]
    assert (updated["name"], updated["revision"]) == ("Renamed", "2")
    assert updated["createdDate"] == entity["createdDate"] and updated["updatedDate"] > entity["updatedDate"]
    assert ok(wix.delete(service, entity["id"])) == {}
    app_error(wix.client.get(wix.url(service, f"/{entity['id']}")), 404, "ENTITY_NOT_FOUND")
    app_error(wix.delete(service, entity["id"]), 404, "ENTITY_NOT_FOUND")


@pytest.mark.parametrize("service", SERVICES)
def test_read_only_fields_and_client_ids_are_ignored_on_create(wix: Wix, service: str) -> None:
    mine = new_guid()
    entity = wix.create(
        service,
        id=mine,
        revision="42",
        createdDate="2020-01-01T00:00:00.000Z",
        updatedDate="2020-01-01T00:00:00.000Z",
        businessLocationIds=[new_guid()],
        sortOrder=3,
        unknownField="x",
    )
    assert entity["id"] != mine and entity["revision"] == "1"
    assert not entity["createdDate"].startswith("2020")
    assert "sortOrder" not in entity and "unknownField" not in entity
    if "businessLocationIds" in entity:
        assert entity["businessLocationIds"] == []


def test_read_only_fields_are_ignored_on_update(wix: Wix) -> None:
    item = wix.create("items")
    updated = wix.update(
        "items",
        item["id"],
        "1",
        priceInfo={"price": "10.00"},
        createdDate="2020-01-01T00:00:00.000Z",
        businessLocationIds=[new_guid()],
        id=new_guid(),
    )
    assert updated["id"] == item["id"] and updated["createdDate"] == item["createdDate"]
    assert updated["businessLocationIds"] == []


def test_name_is_required_on_create(wix: Wix) -> None:
    for service in SERVICES:
        violated(
            wix.create_raw(service, {"description": "x"} if service in ("menus", "sections") else {}),
            f"{KIND[service]}.name",
            "REQUIRED_FIELD",
        )
    violated(wix.client.post(wix.url("labels"), json={}), "label", "REQUIRED_FIELD")


def test_defaults(wix: Wix) -> None:
    item = wix.create("items")
    assert item["visible"] is True and item["featured"] is False
    assert item["orderSettings"] == {"inStock": True, "acceptSpecialRequests": True}
    assert item["labels"] == [] and item["modifierGroups"] == [] and item["businessLocationIds"] == []
    assert "description" not in item and "priceVariants" not in item
    assert wix.create("modifiers")["inStock"] is True
    group = wix.create("modifierGroups")
    assert group["modifiers"] == [] and group["rule"] == {"required": False, "minSelections": 0}
    assert wix.create("sections")["itemIds"] == []
    assert wix.create("menus")["sectionIds"] == []


def test_patch_keeps_omitted_fields_and_replaces_arrays_whole(wix: Wix) -> None:
    labels = [wix.create("labels", name=f"L{i}")["id"] for i in range(3)]
    item = wix.create(
        "items", description="Keep me", labels=[{"id": labels[0]}, {"id": labels[1]}], orderSettings={"inStock": False}
    )
    assert item["orderSettings"] == {"inStock": False, "acceptSpecialRequests": True}
    updated = wix.update(
        "items", item["id"], "1", priceInfo={"price": "10.00"}, labels=[{"id": labels[2]}], description=None
    )
    assert updated["description"] == "Keep me"  # null and omitted fields are kept
    assert updated["labels"] == [{"id": labels[2]}]
    assert updated["orderSettings"] == {"inStock": False, "acceptSpecialRequests": True}


def test_arrays_keep_the_order_sent(wix: Wix) -> None:
    items = [wix.create("items", name=f"I{i}")["id"] for i in range(5)]
    order = [items[3], items[0], items[4], items[1], items[2]]
    section = wix.create("sections", itemIds=order)
    assert section["itemIds"] == order
    reordered = list(reversed(order))
    assert wix.update("sections", section["id"], "1", itemIds=reordered)["itemIds"] == reordered
    assert wix.get("sections", section["id"])["itemIds"] == reordered


def test_single_update_takes_a_mask_in_both_forms(wix: Wix) -> None:
    menu = wix.create("menus", description="Old", urlQueryParam="old")
    response = wix.update_raw(
        "menus", menu["id"], {"revision": "1", "name": "New", "description": "Ignored"}, mask="name,urlQueryParam"
    )
    updated = ok(response)["menu"]
    assert (updated["name"], updated["description"]) == ("New", "Old")
    assert "urlQueryParam" not in updated  # in the mask, left out of the request: cleared
    response = wix.update_raw(
        "menus", menu["id"], {"revision": "2", "description": "New too"}, mask={"paths": ["description"]}
    )
    assert ok(response)["menu"]["description"] == "New too"


def test_path_id_wins_and_must_be_a_guid(wix: Wix) -> None:
    variant = wix.create("variants")
    response = wix.client.patch(
        wix.url("variants", f"/{variant['id']}"),
        json={"variant": {"id": new_guid(), "revision": "1", "name": "Path wins"}},
    )
    assert ok(response)["variant"]["id"] == variant["id"]
    violated(wix.client.get(wix.url("variants", "/not-a-guid")), "variantId", "FORMAT")
    app_error(wix.client.get(wix.url("variants", f"/{new_guid()}")), 404, "ENTITY_NOT_FOUND")


def test_images_and_extended_fields_round_trip(wix: Wix) -> None:
    image = {
        "id": "wix-media-1",
        "url": "https://static.example/1.jpg",
        "height": 10,
        "width": 20,
        "altText": "alt",
        "filename": "1.jpg",
    }
    section = wix.create(
        "sections",
        image=image,
        additionalImages=[image, image],
        extendedFields={"namespaces": {"@acme/pos": {"posId": "42"}}},
    )
    assert section["image"] == image and section["additionalImages"] == [image, image]
    assert section["extendedFields"] == {"namespaces": {"@acme/pos": {"posId": "42"}}}
    label = wix.create("labels", icon={"url": "https://static.example/spicy.svg"})
    assert label["icon"] == {"url": "https://static.example/spicy.svg"}
    violated(
        wix.create_raw("labels", {"name": "x", "icon": "https://static.example/spicy.svg"}), "label.icon", "FORMAT"
    )
