"""VisibilityCriteria and Availability limits (§6.6, §6.10, U26) on menus, sections and items."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.helpers import app_error, catalog_path, ok, violated, violations

pytestmark = pytest.mark.e2e


def create_menu_with(api: httpx.Client, cid: str, criteria: dict[str, Any]) -> httpx.Response:
    return api.post(f"{catalog_path(cid)}/menus", json={"menu": {"name": "m", "visibilityCriteria": criteria}})


def period(
    open_day: str = "MON", open_time: str = "11:00", close_day: str = "MON", close_time: str = "22:00"
) -> dict[str, str]:
    return {"openDay": open_day, "openTime": open_time, "closeDay": close_day, "closeTime": close_time}


@pytest.mark.parametrize(
    ("criteria", "field", "rule"),
    [
        ({"fulfillmentTypes": []}, "menu.visibilityCriteria.fulfillmentTypes", "MIN_SIZE"),
        (
            {"fulfillmentTypes": ["DELIVERY", "PICKUP_OR_DINE_IN", "DELIVERY"]},
            "menu.visibilityCriteria.fulfillmentTypes",
            "MAX_SIZE",
        ),
        ({"fulfillmentTypes": ["DELIVERY", "DELIVERY"]}, "menu.visibilityCriteria.fulfillmentTypes[1]", None),
        (
            {"fulfillmentTypes": ["UNSPECIFIED_FULFILLMENT_TYPE"]},
            "menu.visibilityCriteria.fulfillmentTypes[0]",
            "INVALID_ENUM_VALUE",
        ),
        ({"fulfillmentTypes": ["TAKEOUT"]}, "menu.visibilityCriteria.fulfillmentTypes[0]", "INVALID_ENUM_VALUE"),
        ({"platforms": []}, "menu.visibilityCriteria.platforms", "MIN_SIZE"),
        (
            {"platforms": ["SITE", "MOBILE_SITE", "WIX_APP", "CALL_CENTER", "CHAT_BOT", "SITE"]},
            "menu.visibilityCriteria.platforms",
            "MAX_SIZE",
        ),
        ({"platforms": ["UNSPECIFIED_PLATFORM"]}, "menu.visibilityCriteria.platforms[0]", "INVALID_ENUM_VALUE"),
        ({"visible": "yes"}, "menu.visibilityCriteria.visible", "FORMAT"),
        (
            {"availability": {"periods": [{**period(), "openDay": "FUNDAY"}]}},
            "menu.visibilityCriteria.availability.periods[0].openDay",
            "INVALID_ENUM_VALUE",
        ),
    ],
)
def test_schema_limits_are_400_validation_errors(
    api: httpx.Client, catalog: dict[str, str], criteria: dict[str, Any], field: str, rule: str | None
) -> None:
    violated(create_menu_with(api, catalog["catalogId"], criteria), field, rule)


def test_every_violation_is_reported_at_once(api: httpx.Client, catalog: dict[str, str]) -> None:
    response = create_menu_with(
        api, catalog["catalogId"], {"fulfillmentTypes": [], "platforms": ["NOPE"], "visible": 1}
    )
    fields = {v["field"] for v in violations(response)}
    assert fields == {
        "menu.visibilityCriteria.fulfillmentTypes",
        "menu.visibilityCriteria.platforms[0]",
        "menu.visibilityCriteria.visible",
    }


@pytest.mark.parametrize(
    "bad_period",
    [
        period(open_time="25:00"),
        period(close_time="9:00"),
        period(open_time="11:60"),
        period(open_time="11:00:00"),
        period(open_time="22:00", close_time="11:00"),
        period(open_time="11:00", close_time="11:00"),
        period(open_day="UNDEFINED"),
        {"openDay": "MON", "openTime": "11:00"},
    ],
)
def test_availability_business_rules_u26(
    api: httpx.Client, catalog: dict[str, str], bad_period: dict[str, str]
) -> None:
    response = create_menu_with(api, catalog["catalogId"], {"availability": {"periods": [bad_period]}})
    app_error(response, 400, "INVALID_AVAILABILITY")


def test_valid_availability_is_echoed_with_defaults(api: httpx.Client, catalog: dict[str, str]) -> None:
    availability = {
        "periods": [
            period(close_time="24:00"),
            period("FRI", "18:00", "SAT", "01:00"),
            period("SUN", "00:00", "SUN", "23:59"),
        ],
        "specialHourPeriods": [
            {
                "startDate": "2024-12-25T00:00:00Z",
                "endDate": "2024-12-26T00:00:00Z",
                "available": False,
                "eventName": "Christmas",
            },
            {"startDate": "2024-12-31T18:00:00Z", "endDate": "2025-01-01T02:00:00Z"},
        ],
    }
    criteria = {
        "visible": False,
        "fulfillmentTypes": ["PICKUP_OR_DINE_IN"],
        "platforms": ["CHAT_BOT", "WIX_APP"],
        "availability": availability,
    }
    menu = ok(create_menu_with(api, catalog["catalogId"], criteria))["menu"]
    assert menu["visibilityCriteria"] == {
        **criteria,
        "availability": {
            "periods": availability["periods"],
            "specialHourPeriods": [
                availability["specialHourPeriods"][0],
                {**availability["specialHourPeriods"][1], "available": True, "eventName": None},
            ],
        },
    }


def test_at_most_100_periods(api: httpx.Client, catalog: dict[str, str]) -> None:
    hundred = [period() for _ in range(100)]
    ok(create_menu_with(api, catalog["catalogId"], {"availability": {"periods": hundred}}))
    app_error(
        create_menu_with(api, catalog["catalogId"], {"availability": {"periods": [*hundred, period()]}}),
        400,
        "INVALID_AVAILABILITY",
    )


def test_item_criteria_use_the_same_rules(api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    variation = ok(api.post(f"{catalog_path(cid)}/variations", json={"name": "v"}))["variation"]
    path = f"{catalog_path(cid)}/items/{variation['id']}"
    violated(
        api.patch(path, json={"item": {"visibilityCriteria": {"platforms": []}}}),
        "item.visibilityCriteria.platforms",
        "MIN_SIZE",
    )
    app_error(
        api.patch(path, json={"item": {"visibilityCriteria": {"availability": {"periods": [period(open_time="7")]}}}}),
        400,
        "INVALID_AVAILABILITY",
    )
