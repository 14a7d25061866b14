"""Menu hours, holiday closures and "not for online orders" on Menus (New), through the Online
Orders APIs (reconciler/targets/wix_menus/ordering.py): they converge, are no longer left out,
survive a failed apply untouched, and leave alone the closures reconcile does not own."""

from __future__ import annotations

import pytest

from reconciler.model.catalog import Catalog
from tests.catalog_edits import edit, kinds, pizzeria
from tests.engine.harness import WAYS, both_ways

CHRISTMAS = {"name": "Christmas", "start": "2026-12-25T00:00:00Z", "end": "2026-12-26T00:00:00Z", "available": False}
HOURS = [
    {"day": "mon", "open": "11:00", "close": "15:00"},
    {"day": "fri", "open": "18:00", "close_day": "sat", "close": "01:00"},  # past midnight
]
S = "/menu-ordering-settings/v1"
E = "/restaurants-availability-exceptions/v1"


@pytest.fixture(params=WAYS)
def h(request, tmp_path):
    return both_ways(request, tmp_path, api="menus")


def with_hours(catalog: Catalog, **menu_fields) -> Catalog:
    def change(data: dict) -> None:
        for menu in data["menus"]:
            menu.update({"hours": HOURS, "special_hours": [CHRISTMAS], **menu_fields})

    return edit(catalog, change)


def settings(h) -> dict[str, dict]:
    """The settings of this harness's location's menus (an HTTP harness shares its server)."""
    found = h.call("menuOrderingSettings.queryMenuOrderingSettings", "POST", f"{S}/menu-ordering-settings/query", {})
    return {
        s["menuId"]: s
        for s in found["menuOrderingSettings"]
        if h.location is None or s["businessLocationId"] == h.location
    }


def exceptions(h) -> list[dict]:
    operations = {s["operationId"] for s in settings(h).values()}
    path = f"{E}/availability-exceptions/query"
    found = h.call("availabilityExceptions.queryAvailabilityExceptions", "POST", path, {})
    return [e for e in found["availabilityExceptions"] if e["operationId"] in operations]


def test_hours_and_a_holiday_closure_converge_with_nothing_left_out(h):
    catalog = with_hours(pizzeria())
    plan = h.plan(catalog)
    assert not [n for n in plan.notes if "hours" in n or "closure" in n or "special" in n], plan.notes
    assert ("create", "closure", "2026-12-25T00:00:00Z/2026-12-26T00:00:00Z") in kinds(plan)
    result = h.apply(plan)
    assert result.differences == []
    assert h.plan(catalog).empty
    menu_id = plan.ids.get("menu:main") or h.plan(catalog).ids["menu:main"]
    availability = settings(h)[menu_id]["availability"]
    assert availability["type"] == "WEEKLY_SCHEDULE"
    days = {d["dayOfWeek"]: d["timeRanges"] for d in availability["weeklyScheduleOptions"]["availableTimes"]}
    assert days["FRI"] == [{"startTime": {"hours": 18, "minutes": 0}, "endTime": {"hours": 0, "minutes": 0}}]
    assert days["SAT"] == [{"startTime": {"hours": 0, "minutes": 0}, "endTime": {"hours": 1, "minutes": 0}}]
    [closure] = exceptions(h)
    assert (closure["name"], closure["startTime"], closure["available"]) == ("Christmas", CHRISTMAS["start"], False)
    assert closure["operationId"] == settings(h)[menu_id]["operationId"]


def test_changing_hours_updates_only_the_settings_and_removing_the_closure_deletes_it(h):
    h.apply(with_hours(pizzeria()))
    later = with_hours(pizzeria(), hours=[{"day": "mon", "open": "12:00", "close": "15:00"}], special_hours=[])
    plan = h.plan(later)
    assert sorted(op.call for op in plan.operations) == [
        "availabilityExceptions.deleteAvailabilityException",
        "menuOrderingSettings.upsertMenuOrderingSettingsByMenuId",
    ]
    h.apply(plan)
    assert exceptions(h) == []
    assert h.plan(later).empty


def test_not_for_online_orders_switches_online_ordering_off(h):
    offline = with_hours(pizzeria(), platforms=["call_center"])
    plan = h.plan(offline)
    assert not [n for n in plan.notes if "platform" in n], plan.notes
    h.apply(plan)
    assert {s["onlineOrderingEnabled"] for s in settings(h).values()} == {False}
    assert h.plan(offline).empty


def test_a_closure_of_reconciles_never_undoes_a_managers_pause(h):
    h.apply(pizzeria())
    [menu] = settings(h).values()
    pause = {"startTime": "2026-11-01T10:00:00Z", "endTime": "2026-11-01T12:00:00Z", "operationId": menu["operationId"]}
    h.call(
        "availabilityExceptions.createAvailabilityException",
        "POST",
        f"{E}/availability-exceptions",
        {"availabilityException": {**pause, "name": "Kitchen repair"}},
    )
    catalog = with_hours(pizzeria())
    h.apply(catalog)
    assert sorted(e["name"] for e in exceptions(h)) == ["Christmas", "Kitchen repair"]
    h.apply(pizzeria())  # the closure goes away again; the pause stays
    assert [e["name"] for e in exceptions(h)] == ["Kitchen repair"]
    assert h.plan(pizzeria()).empty


def test_a_closure_of_some_menus_only_is_reported_left_out(h):
    def two_menus(data: dict) -> None:
        second = {**data["menus"][0], "id": "late", "name": "Late", "sections": [], "special_hours": []}
        data["menus"][0]["special_hours"] = [CHRISTMAS]
        data["menus"].append(second)

    plan = h.plan(edit(pizzeria(), two_menus))
    assert any("closures of only some menus" in n for n in plan.notes), plan.notes
    assert not [k for k in kinds(plan) if k[1] == "closure"]
