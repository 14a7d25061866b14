"""Discounts (§3.2 #29-32, §6.8, U7, U9, U20, U21): live only, oneofs, narrower platforms."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.helpers import (
    app_error,
    catalog_path,
    create_draft,
    create_variation,
    discount_body,
    list_of,
    menu_section_dish,
    new_guid,
    ok,
    publish,
    violated,
    violations,
)
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e


def create(api: httpx.Client, cid: str, **overrides: object) -> httpx.Response:
    return api.post(f"{catalog_path(cid)}/discounts", json={"discount": discount_body(**overrides)})


def test_create_percentage_discount_shape(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    condition = {
        "fulfillmentTypes": ["PICKUP_OR_DINE_IN"],
        "platforms": ["SITE", "MOBILE_SITE"],
        "minOrderPrice": {"value": "20.00"},
        "availability": {
            "periods": [{"openDay": "MON", "openTime": "11:00", "closeDay": "MON", "closeTime": "15:00"}],
            "specialHourPeriods": [],
        },
        "coupon": {"applied": True, "code": "HACK"},
    }
    discount = ok(create(api, cid, condition=condition))["discount"]
    assert discount == {
        "id": discount["id"],
        "name": "Lunch 10%",
        "description": None,
        "active": True,
        "type": "OFF_ORDER",
        "percentage": "10",
        "condition": {
            "fulfillmentTypes": ["PICKUP_OR_DINE_IN"],
            "platforms": ["SITE", "MOBILE_SITE"],
            "availability": condition["availability"],
            "minOrderPrice": {"value": "20.00", "currency": "USD"},
        },  # the coupon input is read-only: ignored (U20)
    }
    assert ok(api.get(f"{catalog_path(cid)}/discounts/{discount['id']}"))["discount"] == discount


def test_item_targeted_amount_discount(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    _, section, dish = menu_section_dish(api, cid)
    discount = ok(
        create(api, cid, type="OFF_ITEM", percentage=None, amount={"value": "2.00"}, itemIds={"values": [dish["id"]]})
    )["discount"]
    assert discount["amount"] == {"value": "2.00", "currency": "USD"}
    assert "percentage" not in discount and discount["itemIds"] == {"values": [dish["id"]]}
    by_section = ok(create(api, cid, sectionIds={"values": [section["id"]]}))["discount"]
    assert by_section["sectionIds"] == {"values": [section["id"]]} and "itemIds" not in by_section


def test_required_fields_on_create(api: httpx.Client, catalog: dict[str, str]) -> None:
    response = api.post(f"{catalog_path(catalog['catalogId'])}/discounts", json={"discount": {"percentage": "5"}})
    fields = {v["field"] for v in violations(response)}
    assert fields == {
        "discount.name",
        "discount.active",
        "discount.condition.fulfillmentTypes",
        "discount.condition.platforms",
        "discount.condition.minOrderPrice",
    }
    violated(create(api, catalog["catalogId"], percentage=None), "discount.amount", "REQUIRED_FIELD")


def test_oneofs_u21(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    violated(create(api, cid, amount={"value": "1"}), "discount", "ONE_OF_ALIGNMENT")
    violated(create(api, cid, sectionIds={"values": []}, itemIds={"values": []}), "discount", "ONE_OF_ALIGNMENT")


def test_limits(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    violated(create(api, cid, percentage="10.1234"), "discount.percentage", "DECIMAL_MAX_SCALE")
    violated(create(api, cid, type="HALF_OFF"), "discount.type", "INVALID_ENUM_VALUE")
    narrow = discount_body()["condition"] | {"platforms": ["SITE", "WIX_APP"]}
    violated(create(api, cid, condition=narrow), "discount.condition.platforms[1]", "INVALID_ENUM_VALUE")
    too_many = discount_body()["condition"] | {"platforms": ["SITE", "MOBILE_SITE", "CALL_CENTER", "SITE"]}
    violated(create(api, cid, condition=too_many), "discount.condition.platforms", "MAX_SIZE")


def test_targets_must_exist_and_be_dishes(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    variation = create_variation(api, cid)
    app_error(create(api, cid, itemIds={"values": [variation["id"]]}), 400, "INVALID_DISCOUNT_TARGET")
    app_error(create(api, cid, itemIds={"values": [new_guid()]}), 400, "INVALID_DISCOUNT_TARGET")
    app_error(create(api, cid, sectionIds={"values": [new_guid()]}), 400, "INVALID_DISCOUNT_TARGET")


def test_get_discount_id_must_be_a_guid(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    violated(api.get(f"{catalog_path(cid)}/discounts/not-a-guid"), "discountId", "FORMAT")
    app_error(api.get(f"{catalog_path(cid)}/discounts/{new_guid()}"), 404, "DISCOUNT_NOT_FOUND")
    # Update Discount's id carries no GUID annotation: an unknown one is simply not found.
    app_error(
        api.patch(f"{catalog_path(cid)}/discounts/not-a-guid", json={"discount": {"name": "x"}}),
        404,
        "DISCOUNT_NOT_FOUND",
    )


def test_update_merges_and_switches_oneof_branches(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    discount = ok(create(api, cid))["discount"]
    path = f"{catalog_path(cid)}/discounts/{discount['id']}"
    updated = ok(
        api.patch(
            path,
            json={
                "discount": {
                    "id": discount["id"],
                    "amount": {"value": "3.50"},
                    "name": "Flat",
                    "condition": {"platforms": ["CALL_CENTER"]},
                }
            },
        )
    )["discount"]
    assert updated["name"] == "Flat" and updated["amount"] == {"value": "3.50", "currency": "USD"}
    assert "percentage" not in updated
    assert updated["condition"]["platforms"] == ["CALL_CENTER"]
    assert updated["condition"]["minOrderPrice"] == discount["condition"]["minOrderPrice"]
    # U27: what was sent is what is stored and returned.
    assert ok(api.patch(path, json={"discount": {"percentage": "12.00"}}))["discount"]["percentage"] == "12.00"
    violated(
        api.patch(path, json={"discount": {"percentage": "1", "amount": {"value": "1"}}}),
        "discount",
        "ONE_OF_ALIGNMENT",
    )


def test_list_active_only_by_default_u9(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    active = ok(create(api, cid, name="On"))["discount"]
    inactive = ok(create(api, cid, name="Off", active=False))["discount"]
    assert [d["id"] for d in list_of(api, cid, "discounts")] == [active["id"]]
    assert [d["id"] for d in list_of(api, cid, "discounts", active="false")] == [active["id"], inactive["id"]]
    assert list_of(api, cid, "discounts", active="false", fieldMask="id,name") == [
        {"id": active["id"], "name": "On"},
        {"id": inactive["id"], "name": "Off"},
    ]


def test_type_defaults_to_unspecified_u20(api: httpx.Client, catalog: dict[str, str]) -> None:
    assert ok(create(api, catalog["catalogId"], type=None))["discount"]["type"] == "UNSPECIFIED_TYPE"


def test_seeded_coupon_is_returned(server: EmulatorServer, api: httpx.Client) -> None:
    [entry] = server.seed(locations=1, demo=True)
    coupons = [d["condition"].get("coupon") for d in list_of(api, entry["catalogId"], "discounts", active="false")]
    assert {"applied": True, "code": "PIZZANIGHT"} in coupons and None in coupons


def test_discounts_survive_publish_and_discard_u7(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    discount = ok(create(api, cid))["discount"]
    create_draft(api, cid)
    publish(api, cid)
    create_draft(api, cid)
    ok(api.delete(f"/v3/draft-catalogs/{cid}/discard"))
    assert list_of(api, cid, "discounts") == [discount]
