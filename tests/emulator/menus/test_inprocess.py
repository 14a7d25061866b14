"""The Menus (New) API in-process, through ``Emulator.transport()``: fast checks of the same code."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime

import httpx

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from tests.emulator.menus.conftest import Box
from tests.emulator.menus.helpers import Wix, app_error, ok, violated


def test_build_bottom_up_then_read_top_down(box: Box) -> None:
    """Reference §3.2: variants, labels, modifiers, groups, items, sections, menu; then read back."""
    wix = box.wix
    small, large = (
        r["variant"]
        for r in ok(wix.bulk_create("variants", [{"name": "S"}, {"name": "L"}], returnEntity=True))["results"]
    )
    label = wix.create("labels", name="Vegan")
    mods = [
        r["itemMetadata"]["id"] for r in ok(wix.bulk_create("modifiers", [{"name": "Oat"}, {"name": "Soy"}]))["results"]
    ]
    [group_id] = [
        r["itemMetadata"]["id"]
        for r in ok(
            wix.bulk_create(
                "modifierGroups",
                [
                    {
                        "name": "Milk",
                        "rule": {"required": True, "minSelections": 1, "maxSelections": 1},
                        "modifiers": [
                            {"id": mods[0], "preSelected": True},
                            {"id": mods[1], "additionalChargeInfo": {"additionalCharge": "0.5"}},
                        ],
                    }
                ],
            )
        )["results"]
    ]
    items = ok(
        wix.bulk_create(
            "items",
            [
                {
                    "name": "Latte",
                    "labels": [{"id": label["id"]}],
                    "modifierGroups": [{"id": group_id}],
                    "priceVariants": {
                        "variants": [
                            {"variantId": small["id"], "priceInfo": {"price": "3.00"}},
                            {"variantId": large["id"], "priceInfo": {"price": "4.00"}},
                        ]
                    },
                },
                {"name": "Water", "priceInfo": {"price": "1.00"}},
            ],
        )
    )["results"]
    item_ids = [r["itemMetadata"]["id"] for r in items]
    [section] = [
        r["item"]
        for r in ok(wix.bulk_create("sections", [{"name": "Drinks", "itemIds": item_ids}], returnEntity=True))[
            "results"
        ]
    ]
    menu = wix.create("menus", name="All day", sectionIds=[section["id"]])
    assert menu["businessLocationId"] == box.location.location_id
    sections = ok(box.client.get(wix.url("sections"), params={"sectionIds": menu["sectionIds"]}))["sections"]
    assert [s["itemIds"] for s in sections] == [item_ids]
    latte = wix.get("items", item_ids[0])
    assert latte["businessLocationIds"] == [box.location.location_id]
    assert wix.get("modifiers", mods[1])["businessLocationIds"] == [box.location.location_id]
    assert box.emulator.counters()["operations"]["items.bulkCreateItems"] == 1


def test_frozen_clock_still_moves_updated_date() -> None:
    store = open_store(None)
    try:
        seed(store, 1, app="menus")
        frozen = datetime(2025, 3, 2, 9, 15, tzinfo=UTC)
        emulator = Emulator(store, token="t", now=lambda: frozen)
        with httpx.Client(
            transport=emulator.transport(), base_url="http://x", headers={"Authorization": "t"}
        ) as client:
            wix = Wix(client)
            label = wix.create("labels")
            assert label["createdDate"] == "2025-03-02T09:15:00.000Z"
            updated = wix.update("labels", label["id"], "1", name="again")
            assert updated["updatedDate"] == "2025-03-02T09:15:00.001Z"
            assert updated["createdDate"] == label["createdDate"]
    finally:
        store.close()


def test_unseeded_store_has_only_the_legacy_app() -> None:
    store = open_store(None)
    try:
        emulator = Emulator(store, token="t")
        status, _headers, body = emulator.handle(
            "GET", "/restaurants/menus-menu/v1/menus", None, {"Authorization": "t"}
        )
        assert status == 404 and json.loads(body)["details"]["applicationError"]["code"] == "APP_NOT_INSTALLED"
        assert emulator.handle("GET", "/v3/catalogs", None, {"Authorization": "t"}).status == 200
        assert emulator.handle("GET", "/restaurants/menus-menu/v1/menus", None, {}).status == 401  # auth first
    finally:
        store.close()


def test_touch_in_process(box: Box) -> None:
    section = box.wix.create("sections")
    box.emulator.set_faults(
        [
            {
                "operation": "sections.bulkUpdateSection",
                "fault": "touch",
                "entity": {"service": "sections", "id": section["id"]},
            }
        ]
    )
    body = ok(box.wix.bulk_update("sections", [{"section": {"id": section["id"], "revision": "1", "name": "x"}}]))
    assert body["results"][0]["sectionMetadata"]["error"]["code"] == "INVALID_REVISION"
    assert box.emulator.requests()[-1]["fault"] == "touch"
    assert box.emulator.faults()[0]["entity"] == {"service": "sections", "id": section["id"]}


def test_async_client(box: Box) -> None:
    async def run() -> list[int]:
        async with httpx.AsyncClient(
            transport=box.emulator.transport(), base_url="http://sandbox", headers={"Authorization": SANDBOX_TOKEN}
        ) as client:
            responses = await asyncio.gather(
                *(
                    client.post("/restaurants/item-labels/v1/labels", json={"label": {"name": f"L{i}"}})
                    for i in range(5)
                )
            )
            return [r.status_code for r in responses]

    assert asyncio.run(run()) == [200] * 5
    assert box.wix.count("labels") == 5


def test_wrong_method_and_unknown_path(box: Box) -> None:
    app_error(box.client.put("/restaurants/menus-menu/v1/menus"), 404, "NOT_FOUND")


def test_search_as_get_with_the_request_in_dot_r(box: Box) -> None:
    wix = box.wix
    wanted = wix.create("items", name="Tiramisu")["id"]
    wix.create("items", name="Espresso")
    request = json.dumps({"search": {"search": {"expression": "tira"}, "cursorPaging": {"limit": 5}}})
    encoded = base64.urlsafe_b64encode(request.encode()).decode().rstrip("=")
    body = ok(box.client.get(wix.url("items", "/search"), params={".r": encoded}))
    assert [item["id"] for item in body["items"]] == [wanted]
    assert box.emulator.requests()[-1]["operation"] == "items.searchItems"


def test_nested_mask_paths(box: Box) -> None:
    wix = box.wix
    item = wix.create("items", orderSettings={"inStock": True, "acceptSpecialRequests": False})
    body = ok(
        wix.bulk_update(
            "items",
            [
                {
                    "item": {
                        "id": item["id"],
                        "revision": "1",
                        "priceInfo": {"price": "10.00"},
                        "orderSettings": {"inStock": False, "acceptSpecialRequests": True},
                        "createdDate": "2020-01-01T00:00:00.000Z",
                    },
                    "mask": "orderSettings.inStock,createdDate,noSuchField",
                }
            ],
            returnEntity=True,
        )
    )
    updated = body["results"][0]["item"]
    assert updated["orderSettings"] == {"inStock": False, "acceptSpecialRequests": False}
    assert updated["createdDate"] == item["createdDate"]


def test_return_entity_must_be_a_boolean(box: Box) -> None:
    violated(box.wix.bulk_create("variants", [{"name": "v"}], returnEntity="yes"), "returnEntity", "FORMAT")


def test_an_element_fault_fails_one_element_of_a_menus_bulk_call(box: Box) -> None:
    made = [e["id"] for e in box.wix.many("variants", 3)]
    box.emulator.set_faults([{"operation": "variants.bulkUpdateVariants", "fault": "element", "element": 2}])
    current = {e["id"]: e for e in box.wix.list("variants")["variants"]}
    elements = [
        {"variant": {"id": i, "revision": current[i]["revision"], "name": f"New {n}"}} for n, i in enumerate(made)
    ]
    results = ok(box.wix.bulk_update("variants", elements))["results"]
    assert [(r["itemMetadata"]["success"], r["itemMetadata"].get("error", {}).get("code")) for r in results] == [
        (True, None),
        (True, None),
        (False, "INJECTED_FAILURE"),
    ]
    names = {e["id"]: e["name"] for e in box.wix.list("variants")["variants"]}
    assert [names[i] for i in made] == ["New 0", "New 1", current[made[2]]["name"]]
