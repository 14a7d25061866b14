"""Item pricing one-of, money, modifier-group selection rules (§2.3, §2.7, §7.7)."""

from __future__ import annotations

import pytest

from tests.emulator.menus.helpers import Wix, app_error, ok, violated, violations

pytestmark = pytest.mark.e2e


def test_item_needs_exactly_one_pricing(wix: Wix) -> None:
    app_error(wix.create_raw("items", {"name": "No price"}), 428, "MISSING_ITEM_PRICING")
    variant = wix.create("variants")
    both = {
        "name": "Both",
        "priceInfo": {"price": "1.00"},
        "priceVariants": {"variants": [{"variantId": variant["id"], "priceInfo": {"price": "2.00"}}]},
    }
    violated(wix.create_raw("items", both), "item", "ONE_OF_ALIGNMENT")
    assert wix.count("items") == 0


def test_update_must_carry_pricing_even_when_not_changing_it(wix: Wix) -> None:
    item = wix.create("items", priceInfo={"price": "4.50"})
    app_error(wix.update_raw("items", item["id"], {"revision": "1", "name": "Renamed"}), 428, "MISSING_ITEM_PRICING")
    app_error(
        wix.update_raw("items", item["id"], {"revision": "1", "name": "Renamed"}, mask="name"),
        428,
        "MISSING_ITEM_PRICING",
    )
    updated = wix.update("items", item["id"], "1", name="Renamed", priceInfo={"price": "4.50"})
    assert updated["priceInfo"] == {"price": "4.50"}


def test_masked_bulk_update_echoing_pricing(wix: Wix) -> None:
    """Reference §5 (e): the price rides along to pass the check but is not written (not in the mask)."""
    a, b = wix.many("items", 2, priceInfo={"price": "3.00"})
    body = ok(
        wix.bulk_update(
            "items",
            [
                {
                    "item": {"id": a["id"], "revision": "1", "visible": False, "priceInfo": {"price": "12.00"}},
                    "mask": "visible,priceInfo",
                },
                {
                    "item": {"id": b["id"], "revision": "1", "visible": False, "priceInfo": {"price": "99.00"}},
                    "mask": "visible",
                },
                {"item": {"id": b["id"], "revision": "2", "visible": True}, "mask": "visible"},
            ],
            returnEntity=True,
        )
    )
    first, second, third = body["results"]
    assert (first["item"]["visible"], first["item"]["priceInfo"]) == (False, {"price": "12.00"})
    assert (second["item"]["visible"], second["item"]["priceInfo"]) == (False, {"price": "3.00"})
    assert third["itemMetadata"]["success"] is False
    assert third["itemMetadata"]["error"]["code"] == "MISSING_ITEM_PRICING"
    assert "item" not in third


def test_switching_pricing_side_drops_the_other(wix: Wix) -> None:
    small, large = wix.many("variants", 2)
    item = wix.create("items", priceInfo={"price": "5.00"})
    variants = {
        "variants": [
            {"variantId": small["id"], "priceInfo": {"price": "5.00"}},
            {"variantId": large["id"], "price": "7.5"},
        ]
    }  # the deprecated field is moved
    updated = wix.update("items", item["id"], "1", priceVariants=variants)
    assert "priceInfo" not in updated
    assert updated["priceVariants"] == {
        "variants": [
            {"variantId": small["id"], "priceInfo": {"price": "5.00"}},
            {"variantId": large["id"], "priceInfo": {"price": "7.5"}},
        ]
    }
    back = wix.update("items", item["id"], "2", priceInfo={"price": "6"})
    assert back["priceInfo"] == {"price": "6"} and "priceVariants" not in back


@pytest.mark.parametrize(
    ("price", "rule"),
    [
        ("-1.00", "MIN"),
        ("1.2345", "DECIMAL_MAX_SCALE"),
        ("abc", "FORMAT"),
        ("1,50", "FORMAT"),
        ("", "FORMAT"),
    ],
)
def test_money_strings(wix: Wix, price: str, rule: str) -> None:
    violated(wix.create_raw("items", {"name": "x", "priceInfo": {"price": price}}), "item.priceInfo.price", rule)


def test_money_is_a_string_not_a_number_or_object(wix: Wix) -> None:
    violated(wix.create_raw("items", {"name": "x", "priceInfo": {"price": 3.5}}), "item.priceInfo.price", "FORMAT")
    violated(
        wix.create_raw("items", {"name": "x", "priceInfo": {"price": {"value": "3.5", "currency": "USD"}}}),
        "item.priceInfo.price",
        "FORMAT",
    )
    violated(wix.create_raw("items", {"name": "x", "priceInfo": {}}), "item.priceInfo.price", "REQUIRED_FIELD")
    for good in ("0", "12.5", "12.50", "12.500", "1000000"):
        assert wix.create("items", priceInfo={"price": good})["priceInfo"]["price"] == good


def test_modifier_charges(wix: Wix) -> None:
    modifier = wix.create("modifiers")
    group = wix.create(
        "modifierGroups",
        modifiers=[{"id": modifier["id"], "preSelected": True, "additionalChargeInfo": {"additionalCharge": "0"}}],
    )
    assert group["modifiers"] == [
        {"id": modifier["id"], "preSelected": True, "additionalChargeInfo": {"additionalCharge": "0"}}
    ]
    response = wix.create_raw(
        "modifierGroups",
        {"name": "g", "modifiers": [{"id": modifier["id"], "additionalChargeInfo": {"additionalCharge": "1.0001"}}]},
    )
    violated(response, "modifierGroup.modifiers[0].additionalChargeInfo.additionalCharge", "DECIMAL_MAX_SCALE")


# --- modifier groups -----------------------------------------------------------------------------


def _group(wix: Wix, modifiers: int, **rule: object) -> dict:
    ids = [m["id"] for m in wix.many("modifiers", modifiers)] if modifiers else []
    return {"name": "Toppings", "modifiers": [{"id": ident} for ident in ids], "rule": rule}


def test_group_rules_accepted(wix: Wix) -> None:
    body = _group(wix, 3, required=True, minSelections=1, maxSelections=3)
    assert ok(wix.create_raw("modifierGroups", body))["modifierGroup"]["rule"] == body["rule"]
    derived = ok(wix.create_raw("modifierGroups", _group(wix, 2, minSelections=2)))["modifierGroup"]["rule"]
    assert derived == {"required": True, "minSelections": 2}
    optional = ok(wix.create_raw("modifierGroups", _group(wix, 0, maxSelections=25)))["modifierGroup"]["rule"]
    assert optional == {"required": False, "minSelections": 0, "maxSelections": 25}


@pytest.mark.parametrize(
    ("rule", "field", "violated_rule"),
    [
        ({"minSelections": 3, "maxSelections": 2, "required": True}, "rule.maxSelections", "MIN"),
        ({"maxSelections": 26}, "rule.maxSelections", "MAX"),
        ({"minSelections": 26, "required": True}, "rule.minSelections", "MAX"),
        ({"minSelections": -1}, "rule.minSelections", "MIN"),
        ({"minSelections": 4, "required": True}, "rule.minSelections", "MAX"),  # more than the 3 modifiers
        ({"required": True, "minSelections": 0}, "rule.minSelections", "MIN"),
        ({"required": False, "minSelections": 1}, "rule.required", "OTHER"),
    ],
)
def test_group_rules_rejected(wix: Wix, rule: dict, field: str, violated_rule: str) -> None:
    violated(wix.create_raw("modifierGroups", _group(wix, 3, **rule)), f"modifierGroup.{field}", violated_rule)


def test_group_rules_are_checked_after_a_partial_update(wix: Wix) -> None:
    group = ok(wix.create_raw("modifierGroups", _group(wix, 2, required=True, minSelections=2)))["modifierGroup"]
    response = wix.update_raw("modifierGroups", group["id"], {"revision": "1", "modifiers": group["modifiers"][:1]})
    found = violations(response)
    assert [v["field"] for v in found] == ["modifierGroup.rule.minSelections"]
    assert wix.get("modifierGroups", group["id"])["revision"] == "1"
