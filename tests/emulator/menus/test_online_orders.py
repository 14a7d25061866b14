"""Online Orders: Menu Ordering Settings and Availability Exceptions (docs/wix-online-orders.md).

In-process (the ``box`` fixture): each menu has settings from its creation, writes follow the
revision rules, the availability rules are checked, and List Menus Availability Status answers
from the settings and the exceptions of the menu's operation.
"""

from __future__ import annotations

from typing import Any

from tests.emulator.menus.conftest import Box

S = "/menu-ordering-settings/v1"
E = "/restaurants-availability-exceptions/v1"
WEEKDAYS = {
    "availableTimes": [
        {
            "dayOfWeek": "MON",
            "timeRanges": [{"startTime": {"hours": 11, "minutes": 0}, "endTime": {"hours": 15, "minutes": 0}}],
        }
    ]
}


def _settings(box: Box) -> list[dict[str, Any]]:
    response = box.client.post(f"{S}/menu-ordering-settings/query", json={"query": {}})
    assert response.status_code == 200, response.text
    return response.json()["menuOrderingSettings"]


def _status(box: Box, start: str, end: str) -> dict[str, str]:
    params = {"timeSlot.startTime": start, "timeSlot.endTime": end}
    response = box.client.get(f"{S}/menu-ordering-settings/menus-availability-status", params=params)
    assert response.status_code == 200, response.text
    return {s["menuId"]: s["availabilityStatus"] for s in response.json()["menusAvailabilityStatus"]}


def test_every_menu_has_default_settings_that_follow_it(box: Box) -> None:
    lunch = box.wix.create("menus", name="Lunch")
    dinner = box.wix.create("menus", name="Dinner")
    [first, second] = _settings(box)
    assert (first["menuId"], second["menuId"]) == (lunch["id"], dinner["id"])
    assert first["onlineOrderingEnabled"] is True and first["revision"] == "1"
    assert first["availability"]["type"] == "ALWAYS_AVAILABLE"
    assert first["businessLocationId"] == lunch["businessLocationId"]
    got = box.client.get(f"{S}/menu-ordering-settings/{first['id']}")
    assert got.status_code == 200 and got.json()["menuOrderingSettings"] == first
    assert box.wix.delete("menus", lunch["id"]).status_code == 200
    assert [s["menuId"] for s in _settings(box)] == [dinner["id"]]  # gone with its menu
    assert box.client.get(f"{S}/menu-ordering-settings/{first['id']}").status_code == 404


def test_updates_need_the_revision_and_valid_availability(box: Box) -> None:
    menu = box.wix.create("menus", name="Lunch")
    [current] = _settings(box)
    body = {"menuOrderingSettings": {"revision": current["revision"], "onlineOrderingEnabled": False}}
    updated = box.client.patch(f"{S}/menu-ordering-settings/{current['id']}", json=body)
    assert updated.status_code == 200 and updated.json()["menuOrderingSettings"]["revision"] == "2"
    stale = box.client.patch(f"{S}/menu-ordering-settings/{current['id']}", json=body)
    assert stale.status_code == 409 and stale.json()["details"]["applicationError"]["code"] == "INVALID_REVISION"
    bad = {"type": "WEEKLY_SCHEDULE", "weeklyScheduleOptions": {"availableTimes": [{"dayOfWeek": "MON", "timeRanges": [
        {"startTime": {"hours": 15}, "endTime": {"hours": 11}}]}]}}  # fmt: skip
    refused = box.client.post(
        f"{S}/menu-ordering-settings/upsert/menu-id/{menu['id']}", json={"menuOrderingSettings": {"availability": bad}}
    )
    assert refused.status_code == 400 and "endTime" in refused.text
    mixed = {"type": "ALWAYS_AVAILABLE", "weeklyScheduleOptions": WEEKDAYS}
    assert (
        box.client.post(
            f"{S}/menu-ordering-settings/upsert/menu-id/{menu['id']}",
            json={"menuOrderingSettings": {"availability": mixed}},
        ).status_code
        == 400
    )


def test_bulk_update_reports_each_element(box: Box) -> None:
    box.wix.create("menus", name="Lunch")
    box.wix.create("menus", name="Dinner")
    first, second = _settings(box)
    weekly = {"type": "WEEKLY_SCHEDULE", "weeklyScheduleOptions": WEEKDAYS}
    body = {
        "menusOrderingSettings": [
            {
                "menuOrderingSettings": {"id": first["id"], "revision": "1", "availability": weekly},
                "mask": ["availability"],
            },
            {"menuOrderingSettings": {"id": second["id"], "revision": "7", "onlineOrderingEnabled": False}},
        ],
        "returnEntity": True,
    }
    response = box.client.post(f"{S}/bulk/menu-ordering-settings/update", json=body)
    assert response.status_code == 200, response.text
    ok, stale = response.json()["results"]
    assert ok["menuOrderingSettingsMetadata"]["success"] is True
    assert ok["menuOrderingSettings"]["availability"]["weeklyScheduleOptions"] == WEEKDAYS
    assert stale["menuOrderingSettingsMetadata"]["error"]["code"] == "INVALID_REVISION"
    assert response.json()["bulkActionMetadata"] == {"totalSuccesses": 1, "totalFailures": 1, "undetailedFailures": 0}


def test_availability_status_follows_hours_switch_and_closures(box: Box) -> None:
    lunch = box.wix.create("menus", name="Lunch")
    dinner = box.wix.create("menus", name="Dinner")
    weekly = {"type": "WEEKLY_SCHEDULE", "weeklyScheduleOptions": WEEKDAYS}
    box.client.post(
        f"{S}/menu-ordering-settings/upsert/menu-id/{lunch['id']}",
        json={"menuOrderingSettings": {"availability": weekly}},
    )
    monday_noon, monday_late = (
        ("2026-12-07T12:00:00Z", "2026-12-07T12:30:00Z"),
        ("2026-12-07T18:00:00Z", "2026-12-07T18:30:00Z"),
    )
    assert _status(box, *monday_noon) == {lunch["id"]: "AVAILABLE", dinner["id"]: "AVAILABLE"}
    assert _status(box, *monday_late) == {lunch["id"]: "UNAVAILABLE", dinner["id"]: "AVAILABLE"}
    [settings, _] = _settings(box)
    closure = {
        "startTime": "2026-12-07T00:00:00Z",
        "endTime": "2026-12-08T00:00:00Z",
        "name": "Staff day",
        "operationId": settings["operationId"],
    }
    created = box.client.post(f"{E}/availability-exceptions", json={"availabilityException": closure})
    assert created.status_code == 200, created.text
    exception = created.json()["availabilityException"]
    assert exception["available"] is False
    assert exception["affectedFulfillmentMethods"] == {"affectedMethods": "ALL_FULFILLMENT_METHODS"}
    assert exception["businessLocationId"] == lunch["businessLocationId"]
    assert _status(box, *monday_noon) == {lunch["id"]: "UNAVAILABLE", dinner["id"]: "UNAVAILABLE"}
    assert box.client.delete(f"{E}/availability-exceptions/{exception['id']}").status_code == 200
    assert _status(box, *monday_noon)[dinner["id"]] == "AVAILABLE"


def test_exception_rules_and_bulk_calls(box: Box) -> None:
    box.wix.create("menus", name="Lunch")
    operation = _settings(box)[0]["operationId"]
    period = {"startTime": "2026-12-25T00:00:00Z", "endTime": "2026-12-26T00:00:00Z", "operationId": operation}
    for broken, field in (
        ({**period, "endTime": "2026-12-24T00:00:00Z"}, "endTime"),
        ({**period, "available": True}, "available"),
        ({k: v for k, v in period.items() if k != "operationId"}, "operationId"),
        (
            {**period, "affectedFulfillmentMethods": {"affectedMethods": "SPECIFIC_FULFILLMENT_METHODS"}},
            "fulfillmentMethodIds",
        ),
    ):
        refused = box.client.post(f"{E}/availability-exceptions", json={"availabilityException": broken})
        assert refused.status_code == 400 and field in refused.text, (field, refused.text)
    unknown = box.client.post(
        f"{E}/availability-exceptions",
        json={"availabilityException": {**period, "operationId": "00000000-0000-4000-8000-000000000000"}},
    )
    assert unknown.status_code == 404
    made = box.client.post(
        f"{E}/bulk/availability-exceptions/create",
        json={
            "availabilityExceptions": [{**period, "name": "Christmas"}, {**period, "endTime": "bad"}],
            "returnEntity": True,
        },
    ).json()
    assert [r["itemMetadata"]["success"] for r in made["results"]] == [True, False]
    christmas = made["results"][0]["availabilityException"]
    element = {
        "availabilityException": {"id": christmas["id"], "revision": "1", "name": "Christmas Day"},
        "mask": ["name"],
    }
    updated = box.client.post(
        f"{E}/bulk/availability-exceptions/update", json={"availabilityExceptions": [element], "returnEntity": True}
    ).json()
    assert updated["results"][0]["item"]["name"] == "Christmas Day" and updated["results"][0]["item"]["revision"] == "2"
    found = box.client.post(
        f"{E}/availability-exceptions/query", json={"query": {"filter": {"name": {"$startsWith": "Christ"}}}}
    ).json()
    assert [e["id"] for e in found["availabilityExceptions"]] == [christmas["id"]]
    assert found["pagingMetadata"]["hasNext"] is False
