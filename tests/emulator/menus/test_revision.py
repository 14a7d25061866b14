"""The revision rule (§1.5), and the ``touch`` fault that makes a stale revision happen on cue."""

from __future__ import annotations

import pytest

from tests.emulator.menus.helpers import Wix, app_error, new_guid, ok, violated
from tests.support.emulator_server import EmulatorServer, EmulatorServerError

pytestmark = pytest.mark.e2e


def test_revision_starts_at_1_and_goes_up_by_1(wix: Wix) -> None:
    section = wix.create("sections")
    for expected in range(2, 6):
        section = wix.update("sections", section["id"], section["revision"], name=f"n{expected}")
        assert section["revision"] == str(expected)
    assert wix.get("sections", section["id"])["revision"] == "5"


def test_stale_revision_is_409_and_changes_nothing(wix: Wix) -> None:
    label = wix.create("labels", name="Spicy")
    wix.update("labels", label["id"], "1", name="Hot")
    error = app_error(wix.update_raw("labels", label["id"], {"revision": "1", "name": "Mild"}), 409, "INVALID_REVISION")
    assert "already changed" in error["description"]
    app_error(wix.update_raw("labels", label["id"], {"revision": "9", "name": "Mild"}), 409, "INVALID_REVISION")
    stored = wix.get("labels", label["id"])
    assert (stored["name"], stored["revision"]) == ("Hot", "2")


def test_revision_is_required_and_numeric(wix: Wix) -> None:
    menu = wix.create("menus")
    violated(wix.update_raw("menus", menu["id"], {"name": "x"}), "menu.revision", "REQUIRED_FIELD")
    violated(wix.update_raw("menus", menu["id"], {"revision": "", "name": "x"}), "menu.revision", "REQUIRED_FIELD")
    violated(wix.update_raw("menus", menu["id"], {"revision": "one", "name": "x"}), "menu.revision", "FORMAT")
    assert (
        ok(wix.update_raw("menus", menu["id"], {"revision": 1, "name": "int64 as a number"}))["menu"]["revision"] == "2"
    )


def test_revision_sent_on_create_is_ignored(wix: Wix) -> None:
    assert wix.create("modifiers", revision="7")["revision"] == "1"


def test_bulk_update_stale_element_fails_alone(wix: Wix) -> None:
    a, b, c = wix.many("items", 3)
    wix.update("items", b["id"], "1", priceInfo={"price": "2.00"})  # b is now at revision 2
    body = ok(
        wix.bulk_update(
            "items",
            [
                {
                    "item": {"id": a["id"], "revision": "1", "visible": False, "priceInfo": {"price": "10.00"}},
                    "mask": "visible",
                },
                {
                    "item": {"id": b["id"], "revision": "1", "visible": False, "priceInfo": {"price": "2.00"}},
                    "mask": "visible",
                },
                {
                    "item": {"id": c["id"], "revision": "1", "visible": False, "priceInfo": {"price": "10.00"}},
                    "mask": "visible",
                },
            ],
        )
    )
    metas = [r["itemMetadata"] for r in body["results"]]
    assert [m["success"] for m in metas] == [True, False, True]
    assert metas[1]["id"] == b["id"] and metas[1]["error"]["code"] == "INVALID_REVISION"
    assert body["bulkActionMetadata"] == {"totalSuccesses": 2, "totalFailures": 1, "undetailedFailures": 0}
    assert [wix.get("items", x["id"])["visible"] for x in (a, b, c)] == [False, True, False]
    assert [wix.get("items", x["id"])["revision"] for x in (a, b, c)] == ["2", "2", "2"]


def test_delete_needs_no_revision(wix: Wix) -> None:
    variant = wix.create("variants")
    wix.update("variants", variant["id"], "1", name="x")
    assert ok(wix.delete("variants", variant["id"])) == {}


# --- the touch fault ------------------------------------------------------------------------------


def test_touch_makes_the_next_update_stale(menus_server: EmulatorServer, wix: Wix) -> None:
    item = wix.create("items", name="Original")
    [rule] = menus_server.touch("items", item["id"], operation="items.updateItem", set={"name": "Edited elsewhere"})
    assert rule["entity"] == {"service": "items", "id": item["id"]} and rule["fault"] == "touch"
    app_error(
        wix.update_raw("items", item["id"], {"revision": "1", "name": "Mine", "priceInfo": {"price": "1.00"}}),
        409,
        "INVALID_REVISION",
    )
    touched = wix.get("items", item["id"])
    assert (touched["revision"], touched["name"]) == ("2", "Edited elsewhere")
    assert touched["updatedDate"] > item["updatedDate"]
    # the rule fired once: re-reading and retrying succeeds
    assert wix.update("items", item["id"], "2", name="Mine", priceInfo={"price": "1.00"})["revision"] == "3"
    log = menus_server.requests()
    updates = [e for e in log if e["operation"] == "items.updateItem"]
    assert [(e["fault"], e["status"]) for e in updates] == [("touch", 409), (None, 200)]


def test_touch_at_an_exact_position_of_a_bulk_sequence(menus_server: EmulatorServer, wix: Wix) -> None:
    a, b = wix.many("modifiers", 2)
    menus_server.touch("modifiers", b["id"], operation="modifiers.bulkUpdateModifiers", nth=2)
    first = ok(wix.bulk_update("modifiers", [{"modifier": {"id": a["id"], "revision": "1", "name": "a1"}}]))
    assert first["bulkActionMetadata"]["totalSuccesses"] == 1
    second = ok(
        wix.bulk_update(
            "modifiers",
            [
                {"modifier": {"id": a["id"], "revision": "2", "name": "a2"}},
                {"modifier": {"id": b["id"], "revision": "1", "name": "b2"}},
            ],
        )
    )
    assert [r["itemMetadata"]["success"] for r in second["results"]] == [True, False]
    assert second["results"][1]["itemMetadata"]["error"]["code"] == "INVALID_REVISION"
    assert wix.get("modifiers", b["id"])["revision"] == "2"
    [rule] = menus_server.faults()
    assert (rule["seen"], rule["fired"]) == (2, 1)


def test_touch_rules_are_checked(menus_server: EmulatorServer, wix: Wix) -> None:
    for bad in (
        {"operation": "*", "fault": "touch"},
        {"operation": "*", "fault": "touch", "entity": {"service": "dishes", "id": new_guid()}},
        {"operation": "*", "fault": "500", "entity": {"service": "items", "id": new_guid()}},
        {"operation": "*", "fault": "touch", "entity": {"service": "items", "id": "x"}, "set": []},
    ):
        with pytest.raises(EmulatorServerError, match="400"):
            menus_server.set_faults([bad])


def test_touching_a_missing_entity_fails_the_call_loudly(menus_server: EmulatorServer, wix: Wix) -> None:
    menus_server.touch("labels", new_guid(), operation="labels.createLabel")
    app_error(wix.create_raw("labels", {"name": "x"}), 500, "TOUCH_FAILED")
    assert wix.count("labels") == 0
    assert menus_server.requests()[-2]["executed"] is False
