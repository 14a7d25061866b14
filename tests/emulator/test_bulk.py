"""Bulk endpoints (§3.2 #5-13, §9.1, U13, U14, U17): 1-20 elements, per-element results."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.helpers import (
    app_error,
    bulk,
    create_draft,
    list_of,
    new_guid,
    ok,
    publish,
    violated,
)
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

ARRAYS = {
    "variations/create": ("variations", lambda i: {"name": f"v{i}"}),
    "dishes/create": ("createDishRequests", lambda i: {"menuId": "m", "sectionId": "s", "dish": {}}),
    "items/update": ("items", lambda i: {"id": "x"}),
    "menus/create": ("menus", lambda i: {"name": f"m{i}"}),
    "menus/update": ("menus", lambda i: {"id": "x"}),
    "menus/archive": ("ids", lambda i: "x"),
    "menus/unarchive": ("ids", lambda i: "x"),
    "sections/create": ("createSectionRequests", lambda i: {"menuId": "m", "section": {}}),
    "sections/update": ("updateSectionsRequests", lambda i: {"menuId": "m", "section": {"id": "x"}}),
}


@pytest.fixture
def draft(api: httpx.Client, catalog: dict[str, str]) -> str:
    create_draft(api, catalog["catalogId"])
    return catalog["catalogId"]


def metadata(response: httpx.Response) -> list[dict[str, Any]]:
    return [result["entityMetadata"] for result in ok(response)["results"]]


@pytest.mark.parametrize("what", sorted(ARRAYS))
@pytest.mark.parametrize("size", [0, 21])
def test_arrays_outside_1_to_20_are_400(api: httpx.Client, draft: str, what: str, size: int) -> None:
    key, element = ARRAYS[what]
    violated(
        bulk(api, draft, what, {key: [element(i) for i in range(size)]}), key, "MIN_SIZE" if size == 0 else "MAX_SIZE"
    )


@pytest.mark.parametrize("what", sorted(ARRAYS))
def test_missing_array_is_400(api: httpx.Client, draft: str, what: str) -> None:
    key, _ = ARRAYS[what]
    violated(bulk(api, draft, what, {"catalogId": draft}), key, "REQUIRED_FIELD")


def test_twenty_elements_and_counters(api: httpx.Client, draft: str) -> None:
    response = bulk(api, draft, "variations/create", {"variations": [{"name": f"v{i}"} for i in range(20)]})
    body = ok(response)
    assert body["bulkActionMetadata"] == {"totalSuccesses": 20, "totalFailures": 0, "undetailedFailures": 0}
    for index, result in enumerate(body["results"]):
        assert result["entityMetadata"] == {
            "id": result["entity"]["id"],
            "originalIndex": index,
            "success": True,
        }  # `error` only on failures
        assert result["entity"]["name"] == f"v{index}" and result["entity"]["type"] == "VARIATION"


def test_return_full_entity_false_u17(api: httpx.Client, draft: str) -> None:
    body = ok(bulk(api, draft, "menus/create", {"menus": [{"name": "a"}], "returnFullEntity": False}))
    assert list(body["results"][0]) == ["entityMetadata"]
    violated(
        bulk(api, draft, "menus/create", {"menus": [{"name": "a"}], "returnFullEntity": "no"}),
        "returnFullEntity",
        "FORMAT",
    )


def test_variation_names_need_one_character(api: httpx.Client, draft: str) -> None:
    violated(
        bulk(api, draft, "variations/create", {"variations": [{"name": "ok"}, {"name": ""}]}),
        "variations[1].name",
        "MIN_LENGTH",
    )
    violated(bulk(api, draft, "variations/create", {"variations": [{}]}), "variations[0].name", "MIN_LENGTH")


def test_a_schema_violation_in_one_element_fails_the_whole_call(api: httpx.Client, draft: str) -> None:
    menus = [{"name": "fine"}, {"name": "bad", "visibilityCriteria": {"platforms": ["PAGER"]}}]
    violated(
        bulk(api, draft, "menus/create", {"menus": menus}),
        "menus[1].visibilityCriteria.platforms[0]",
        "INVALID_ENUM_VALUE",
    )
    publish(api, draft)
    assert list_of(api, draft, "menus") == []


def test_element_failures_are_200_with_details(api: httpx.Client, draft: str) -> None:
    menu = ok(bulk(api, draft, "menus/create", {"menus": [{"name": "m"}]}))["results"][0]["entity"]
    missing = new_guid()
    body = ok(
        bulk(api, draft, "menus/update", {"menus": [{"id": menu["id"], "name": "m2"}, {"id": missing, "name": "x"}]})
    )
    assert body["bulkActionMetadata"] == {"totalSuccesses": 1, "totalFailures": 1, "undetailedFailures": 0}
    good, bad = body["results"]
    assert good["entity"]["name"] == "m2"
    assert bad == {
        "entityMetadata": {
            "id": missing,
            "originalIndex": 1,
            "success": False,
            "error": {
                "code": "MENU_NOT_FOUND",
                "description": bad["entityMetadata"]["error"]["description"],
                "data": {"id": missing},
            },
        }
    }


def test_a_failing_element_leaves_no_partial_write(api: httpx.Client, draft: str) -> None:
    menu = ok(bulk(api, draft, "menus/create", {"menus": [{"name": "m"}]}))["results"][0]["entity"]
    # The second section is rejected by a rule after its menu was found: neither it nor an append remains.
    requests = [
        {"menuId": menu["id"], "section": {"name": "ok"}},
        {"menuId": menu["id"], "section": {"name": "bad", "itemIds": {"values": [new_guid()]}}},
    ]
    [first, second] = metadata(bulk(api, draft, "sections/create", {"createSectionRequests": requests}))
    assert first["success"] and not second["success"] and second["error"]["code"] == "ITEM_NOT_FOUND"
    publish(api, draft)
    assert [s["name"] for s in list_of(api, draft, "sections")] == ["ok"]
    assert list_of(api, draft, "menus")[0]["sectionIds"] == {"values": [first["id"]]}


def test_strict_references_u14(api: httpx.Client, draft: str) -> None:
    menu, other = (
        r["entity"] for r in ok(bulk(api, draft, "menus/create", {"menus": [{"name": "a"}, {"name": "b"}]}))["results"]
    )
    section = ok(
        bulk(
            api, draft, "sections/create", {"createSectionRequests": [{"menuId": menu["id"], "section": {"name": "s"}}]}
        )
    )
    section_id = section["results"][0]["entityMetadata"]["id"]
    dishes = [
        {"menuId": new_guid(), "sectionId": section_id, "dish": {"name": "no menu"}},
        {"menuId": other["id"], "sectionId": section_id, "dish": {"name": "wrong menu"}},
        {"menuId": menu["id"], "sectionId": new_guid(), "dish": {"name": "no section"}},
        {"menuId": menu["id"], "sectionId": section_id, "dish": {"name": "fine", "price": {"value": "9"}}},
    ]
    results = metadata(bulk(api, draft, "dishes/create", {"createDishRequests": dishes}))
    assert [r["error"]["code"] if "error" in r else None for r in results] == [
        "MENU_NOT_FOUND",
        "SECTION_NOT_FOUND",
        "SECTION_NOT_FOUND",
        None,
    ]
    assert [r["id"] is None for r in results] == [True, True, True, False]
    sections = metadata(
        bulk(api, draft, "sections/create", {"createSectionRequests": [{"menuId": new_guid(), "section": {}}]})
    )
    assert sections[0]["error"]["code"] == "MENU_NOT_FOUND"


def test_sample_flow_order_menus_sections_variations_dishes(api: httpx.Client, draft: str) -> None:
    """The recommended client order (U14) builds a whole catalog in one draft, then publishes it."""
    cid = draft
    menu = metadata(bulk(api, cid, "menus/create", {"menus": [{"name": "Dinner"}]}))[0]["id"]
    section = metadata(
        bulk(api, cid, "sections/create", {"createSectionRequests": [{"menuId": menu, "section": {"name": "Pizza"}}]})
    )[0]["id"]
    small, large = (
        m["id"] for m in metadata(bulk(api, cid, "variations/create", {"variations": [{"name": "S"}, {"name": "L"}]}))
    )
    dish_request = {
        "menuId": menu,
        "sectionId": section,
        "dish": {
            "name": "Margherita",
            "price": {"value": "11.00"},
            "dishOptions": {
                "values": [
                    {
                        "name": "Size",
                        "selection": {
                            "defaultChoice": small,
                            "availableChoices": [
                                {"itemId": small, "price": {"value": "0"}},
                                {"itemId": large, "price": {"value": "4.00"}},
                            ],
                        },
                    }
                ]
            },
        },
    }
    dish = metadata(bulk(api, cid, "dishes/create", {"createDishRequests": [dish_request], "returnFullEntity": False}))[
        0
    ]["id"]
    # Explicit order lists (works whether or not the server appended, U13).
    updated = ok(
        bulk(
            api,
            cid,
            "sections/update",
            {
                "updateSectionsRequests": [{"menuId": menu, "section": {"id": section, "itemIds": {"values": [dish]}}}],
                "returnFullEntity": False,
            },
        )
    )
    assert updated["results"] == [{"entityMetadata": {"id": section, "originalIndex": 0, "success": True}}]
    ok(bulk(api, cid, "menus/update", {"menus": [{"id": menu, "sectionIds": {"values": [section]}}]}))
    publish(api, cid)
    assert [m["sectionIds"] for m in list_of(api, cid, "menus")] == [{"values": [section]}]
    assert [s["itemIds"] for s in list_of(api, cid, "sections")] == [{"values": [dish]}]
    assert [i["name"] for i in list_of(api, cid, "items")] == ["S", "L", "Margherita"]


def test_bulk_update_items_and_sections(server: EmulatorServer, api: httpx.Client, draft: str) -> None:
    cid = draft
    menu = metadata(bulk(api, cid, "menus/create", {"menus": [{"name": "m"}]}))[0]["id"]
    section = metadata(
        bulk(api, cid, "sections/create", {"createSectionRequests": [{"menuId": menu, "section": {"name": "s"}}]})
    )[0]["id"]
    dish = metadata(
        bulk(
            api,
            cid,
            "dishes/create",
            {"createDishRequests": [{"menuId": menu, "sectionId": section, "dish": {"name": "d"}}]},
        )
    )[0]["id"]
    results = ok(
        bulk(api, cid, "items/update", {"items": [{"id": dish, "price": {"value": "7.5"}}, {"name": "no id"}]})
    )["results"]
    assert results[0]["entity"]["price"] == {"value": "7.5", "currency": "USD"}
    assert (
        results[1]["entityMetadata"]["error"]["code"] == "ITEM_NOT_FOUND" and results[1]["entityMetadata"]["id"] is None
    )
    server.archive(cid, "section", section, scope="draft")
    archived = metadata(
        bulk(
            api,
            cid,
            "sections/update",
            {"updateSectionsRequests": [{"menuId": menu, "section": {"id": section, "name": "x"}}]},
        )
    )
    assert archived[0]["error"]["code"] == "SECTION_ARCHIVED" and archived[0]["id"] == section
    wrong_menu = metadata(
        bulk(
            api,
            cid,
            "sections/update",
            {"updateSectionsRequests": [{"menuId": new_guid(), "section": {"id": section}}]},
        )
    )
    assert wrong_menu[0]["error"]["code"] == "MENU_NOT_FOUND"


def test_bulk_archive_and_unarchive_menus(api: httpx.Client, draft: str) -> None:
    cid = draft
    a, b = (m["id"] for m in metadata(bulk(api, cid, "menus/create", {"menus": [{"name": "a"}, {"name": "b"}]})))
    body = ok(bulk(api, cid, "menus/archive", {"catalogId": cid, "ids": [a, a, new_guid()]}))
    assert [r["entityMetadata"]["success"] for r in body["results"]] == [True, True, False]
    assert body["results"][0]["entity"]["archived"] is True
    failed = metadata(bulk(api, cid, "menus/update", {"menus": [{"id": a, "name": "x"}]}))
    assert failed[0]["error"]["code"] == "MENU_ARCHIVED"
    assert ok(bulk(api, cid, "menus/unarchive", {"ids": [a, b]}))["bulkActionMetadata"]["totalSuccesses"] == 2
    publish(api, cid)
    assert [m["archived"] for m in list_of(api, cid, "menus")] == [False, False]


def test_single_endpoints_never_touch_the_draft(api: httpx.Client, draft: str) -> None:
    cid = draft
    ok(api.post(f"/v3/catalogs/{cid}/variations", json={"name": "live"}))
    results = metadata(bulk(api, cid, "variations/create", {"variations": [{"name": "draft"}]}))
    publish(api, cid)
    assert [i["id"] for i in list_of(api, cid, "items")] == [results[0]["id"]]
    app_error(
        api.post(f"/v3/draft-catalogs/{cid}/bulk/items/update", json={"items": [{"id": "x"}]}),
        404,
        "DRAFT_CATALOG_NOT_FOUND",
    )
