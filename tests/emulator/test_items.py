"""Items on the live catalog (§3.2 #24-28): dishes, variations, money, dish options, Get Item's flag."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.helpers import (
    app_error,
    catalog_path,
    create_dish,
    create_variation,
    list_of,
    menu_section_dish,
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


def test_create_variation_u19_defaults(api: httpx.Client, catalog: dict[str, str]) -> None:
    response = api.post(f"{catalog_path(catalog['catalogId'])}/variations", json={"catalogId": "x", "name": "Large"})
    body = ok(response)
    assert list(body) == ["variation"]
    variation = body["variation"]
    assert variation == {
        "id": variation["id"],
        "name": "Large",
        "description": None,
        "price": {"value": "0.00", "currency": "USD"},
        "imageUrl": None,
        "inStock": True,
        "taxRate": "0.00",
        "archived": False,
        "visibilityCriteria": ALL_VISIBLE,
        "acceptSpecialRequest": True,
        "type": "VARIATION",
    }
    violated(api.post(f"{catalog_path(catalog['catalogId'])}/variations", json={}), "name", "REQUIRED_FIELD")


def test_create_dish_returns_dish_and_joins_its_section(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu, section, first = menu_section_dish(api, cid)
    path = f"{catalog_path(cid)}/menus/{menu['id']}/sections/{section['id']}/items"
    body = ok(
        api.post(
            path,
            json={
                "dish": {
                    "name": "Pizza",
                    "type": "VARIATION",
                    "price": {"value": "14.50", "currency": "EUR"},
                    "labels": {"values": ["spicy", "chef's pick"]},
                }
            },
        )
    )
    assert list(body) == ["dish"]
    dish = body["dish"]
    assert dish["type"] == "DISH"  # read-only input ignored
    assert dish["price"] == {"value": "14.50", "currency": "USD"}  # currency comes from the site
    assert dish["labels"] == {"values": ["spicy", "chef's pick"]}
    stored = ok(api.get(f"{catalog_path(cid)}/menus/{menu['id']}/sections/{section['id']}"))["section"]
    assert stored["itemIds"] == {"values": [first["id"], dish["id"]]}


def test_create_dish_needs_its_menu_and_section(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    menu, section, _ = menu_section_dish(api, cid)
    app_error(
        api.post(f"{catalog_path(cid)}/menus/{new_guid()}/sections/{section['id']}/items", json={"dish": {}}),
        404,
        "MENU_NOT_FOUND",
    )
    app_error(
        api.post(f"{catalog_path(cid)}/menus/{menu['id']}/sections/{new_guid()}/items", json={"dish": {}}),
        404,
        "SECTION_NOT_FOUND",
    )
    violated(
        api.post(f"{catalog_path(cid)}/menus/{menu['id']}/sections/{section['id']}/items", json={}),
        "dish",
        "REQUIRED_FIELD",
    )


@pytest.mark.parametrize("value", ["6", "10.5", "3.99", "0", "1234567.125"])
def test_money_is_echoed_exactly_u18(api: httpx.Client, catalog: dict[str, str], value: str) -> None:
    cid = catalog["catalogId"]
    _menu, _section, dish = menu_section_dish(api, cid)
    updated = ok(api.patch(f"{catalog_path(cid)}/items/{dish['id']}", json={"item": {"price": {"value": value}}}))[
        "item"
    ]
    assert updated["price"] == {"value": value, "currency": "USD"}


@pytest.mark.parametrize("price", [{"value": 3.99}, {"value": "3,99"}, {"value": "1e3"}, {"currency": "USD"}, "3.99"])
def test_money_must_be_a_decimal_string(api: httpx.Client, catalog: dict[str, str], price: Any) -> None:
    cid = catalog["catalogId"]
    _menu, _section, dish = menu_section_dish(api, cid)
    response = api.patch(f"{catalog_path(cid)}/items/{dish['id']}", json={"item": {"price": price}})
    assert response.status_code == 400
    assert any(
        v["field"].startswith("item.price") for v in response.json()["details"]["validationError"]["fieldViolations"]
    )


def test_tax_rate_has_at_most_three_decimals(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    _menu, _section, dish = menu_section_dish(api, cid)
    path = f"{catalog_path(cid)}/items/{dish['id']}"
    violated(api.patch(path, json={"item": {"taxRate": "7.2525"}}), "item.taxRate", "DECIMAL_MAX_SCALE")
    assert ok(api.patch(path, json={"item": {"taxRate": "7.125"}}))["item"]["taxRate"] == "7.125"


def test_get_item_hides_visibility_criteria_unless_asked(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    _, _, dish = menu_section_dish(api, cid)
    hidden = ok(api.get(f"{catalog_path(cid)}/items/{dish['id']}"))["item"]
    assert "visibilityCriteria" not in hidden
    assert {**hidden, "visibilityCriteria": dish["visibilityCriteria"]} == dish
    shown = ok(
        api.get(
            f"{catalog_path(cid)}/items/{dish['id']}",
            params={"catalogId": cid, "itemId": dish["id"], "includeVisibilityCriteria": "true"},
        )
    )["item"]
    assert shown == dish
    # U11: List Items includes it.
    assert list_of(api, cid, "items") == [dish]
    app_error(api.get(f"{catalog_path(cid)}/items/{new_guid()}"), 404, "ITEM_NOT_FOUND")


def test_update_item_merges_and_keeps_currency_u12(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    _, _, dish = menu_section_dish(api, cid)
    patch = {
        "item": {
            "id": dish["id"],
            "price": {"value": "15.00", "currency": "GBP"},
            "inStock": False,
            "description": None,
        }
    }
    updated = ok(api.patch(f"{catalog_path(cid)}/items/{dish['id']}", json=patch))["item"]
    assert updated == {**dish, "price": {"value": "15.00", "currency": "USD"}, "inStock": False}


def dish_with_options(api: httpx.Client, cid: str, options: list[dict[str, Any]]) -> httpx.Response:
    menu, section, _ = menu_section_dish(api, cid)
    path = f"{catalog_path(cid)}/menus/{menu['id']}/sections/{section['id']}/items"
    return api.post(path, json={"dish": {"name": "Pizza", "dishOptions": {"values": options}}})


def test_dish_options_defaults_and_types(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    small, large, cheese = (create_variation(api, cid, n)["id"] for n in ("Small", "Large", "Cheese"))
    extra_dish = create_dish(api, cid, *[x["id"] for x in menu_section_dish(api, cid)[:2]])["id"]
    options = [
        {
            "name": "Size",
            "type": "EXTRAS",
            "selection": {
                "defaultChoice": small,
                "availableChoices": [
                    {"itemId": small, "price": {"value": "0"}},
                    {"itemId": large, "price": {"value": "4.00"}},
                ],
            },
        },
        {
            "name": "Toppings",
            "extras": {"availableChoices": [{"itemId": cheese, "price": {"value": "1.5"}}, {"itemId": extra_dish}]},
        },
        {"name": "Remove", "deselection": {"availableChoices": [{"itemId": cheese, "price": {"value": "0"}}]}},
    ]
    dish = ok(dish_with_options(api, cid, options))["dish"]
    assert dish["dishOptions"] == {
        "values": [
            {
                "name": "Size",
                "type": "SELECTION",
                "selection": {
                    "defaultChoice": small,
                    "availableChoices": [
                        {"itemId": small, "price": {"value": "0", "currency": "USD"}},
                        {"itemId": large, "price": {"value": "4.00", "currency": "USD"}},
                    ],
                },
            },
            {
                "name": "Toppings",
                "type": "EXTRAS",
                "extras": {
                    "defaultChoices": [],
                    "minChoices": 0,
                    "maxChoices": 2,
                    "availableChoices": [
                        {"itemId": cheese, "price": {"value": "1.5", "currency": "USD"}},
                        {"itemId": extra_dish, "price": {"value": "0.00", "currency": "USD"}},
                    ],
                },
            },
            {
                "name": "Remove",
                "type": "DESELECTION",
                "deselection": {"availableChoices": [{"itemId": cheese, "price": {"value": "0", "currency": "USD"}}]},
            },
        ]
    }


def test_dish_option_rules(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    a, b = create_variation(api, cid, "A")["id"], create_variation(api, cid, "B")["id"]
    choices = [{"itemId": a}, {"itemId": b}]
    both = dish_with_options(
        api, cid, [{"name": "x", "selection": {"availableChoices": choices}, "extras": {"availableChoices": choices}}]
    )
    violated(both, "dish.dishOptions.values[0]", "ONE_OF_ALIGNMENT")
    app_error(dish_with_options(api, cid, [{"name": "none"}]), 400, "INVALID_DISH_OPTION")
    app_error(
        dish_with_options(api, cid, [{"extras": {"minChoices": 3, "availableChoices": choices}}]),
        400,
        "INVALID_DISH_OPTION",
    )
    app_error(
        dish_with_options(api, cid, [{"extras": {"minChoices": 2, "maxChoices": 1, "availableChoices": choices}}]),
        400,
        "INVALID_DISH_OPTION",
    )
    app_error(
        dish_with_options(api, cid, [{"extras": {"maxChoices": 3, "availableChoices": choices}}]),
        400,
        "INVALID_DISH_OPTION",
    )
    app_error(
        dish_with_options(api, cid, [{"extras": {"defaultChoices": [new_guid()], "availableChoices": choices}}]),
        400,
        "INVALID_DISH_OPTION",
    )
    app_error(
        dish_with_options(api, cid, [{"selection": {"defaultChoice": new_guid(), "availableChoices": choices}}]),
        400,
        "INVALID_DISH_OPTION",
    )
    app_error(
        dish_with_options(api, cid, [{"deselection": {"availableChoices": [{"itemId": new_guid()}]}}]),
        400,
        "ITEM_NOT_FOUND",
    )
    violated(
        dish_with_options(api, cid, [{"extras": {"maxChoices": 2147483648, "availableChoices": choices}}]),
        "dish.dishOptions.values[0].extras.maxChoices",
        "MAX",
    )
    ok(
        dish_with_options(
            api,
            cid,
            [{"extras": {"minChoices": 1, "maxChoices": 2, "defaultChoices": [a], "availableChoices": choices}}],
        )
    )


def test_variations_may_have_dish_options_u24(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    variation, choice = create_variation(api, cid), create_variation(api, cid, "Choice")
    patch = {
        "item": {
            "dishOptions": {
                "values": [{"name": "Sauce", "deselection": {"availableChoices": [{"itemId": choice["id"]}]}}]
            }
        }
    }
    updated = ok(api.patch(f"{catalog_path(cid)}/items/{variation['id']}", json=patch))["item"]
    assert updated["type"] == "VARIATION" and updated["dishOptions"]["values"][0]["type"] == "DESELECTION"


def test_archived_items_cannot_be_updated(server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    _, _, dish = menu_section_dish(api, cid)
    server.archive(cid, "item", dish["id"])
    app_error(api.patch(f"{catalog_path(cid)}/items/{dish['id']}", json={"item": {"name": "x"}}), 428, "ITEM_ARCHIVED")
    assert list_of(api, cid, "items") == []
    assert [i["archived"] for i in list_of(api, cid, "items", archived="true")] == [True]
    server.archive(cid, "item", dish["id"], archived=False)
    assert ok(api.patch(f"{catalog_path(cid)}/items/{dish['id']}", json={"item": {"name": "x"}}))["item"]["name"] == "x"


def test_list_items_field_mask_through_arrays(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    a = create_variation(api, cid, "A")["id"]
    dish = ok(dish_with_options(api, cid, [{"name": "Opt", "deselection": {"availableChoices": [{"itemId": a}]}}]))[
        "dish"
    ]
    masked = list_of(api, cid, "items", fieldMask="price.value,dishOptions.values.name")
    # `id` and `type` are always kept (the SDK declares `type` present on every listed item).
    assert masked[-1] == {
        "id": dish["id"],
        "price": {"value": "0.00"},
        "dishOptions": {"values": [{"name": "Opt"}]},
        "type": "DISH",
    }
    assert masked[0] == {"id": a, "price": {"value": "0.00"}, "type": "VARIATION"}
