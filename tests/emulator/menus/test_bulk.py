"""Bulk create, update and delete: result keys per service (§7.3), limits, per-element outcomes."""

from __future__ import annotations

import pytest

from tests.emulator.menus.helpers import KIND, MINIMAL, Wix, new_guid, ok, violated

pytestmark = pytest.mark.e2e

# §7.3, written out: (create metadata key, create entity key, update metadata key, update entity key)
RESULT_KEYS = {
    "menus": ("menuMetadata", "menu", "menuMetadata", "menu"),
    "sections": ("itemMetadata", "item", "sectionMetadata", "section"),
    "items": ("itemMetadata", "item", "itemMetadata", "item"),
    "variants": ("itemMetadata", "variant", "itemMetadata", "variant"),
    "modifiers": ("itemMetadata", "modifier", "itemMetadata", "modifier"),
    "modifierGroups": ("itemMetadata", "modifierGroup", "itemMetadata", "modifierGroup"),
}


@pytest.mark.parametrize("service", list(RESULT_KEYS))
def test_bulk_create_and_update_result_keys(wix: Wix, service: str) -> None:
    create_meta, create_entity, update_meta, update_entity = RESULT_KEYS[service]
    body = ok(wix.bulk_create(service, [dict(MINIMAL[service]), dict(MINIMAL[service])], returnEntity=True))
    assert body["bulkActionMetadata"] == {"totalSuccesses": 2, "totalFailures": 0, "undetailedFailures": 0}
    assert [sorted(result) for result in body["results"]] == [sorted([create_meta, create_entity])] * 2
    entities = [result[create_entity] for result in body["results"]]
    assert [result[create_meta] for result in body["results"]] == [
        {"id": entity["id"], "originalIndex": index, "success": True} for index, entity in enumerate(entities)
    ]
    assert all(entity["revision"] == "1" for entity in entities)
    pricing = {"priceInfo": {"price": "1.00"}} if service == "items" else {}
    elements = [
        {KIND[service]: {"id": e["id"], "revision": "1", "name": f"New {i}", **pricing}} for i, e in enumerate(entities)
    ]
    body = ok(wix.bulk_update(service, elements, returnEntity=True))
    assert [sorted(result) for result in body["results"]] == [sorted([update_meta, update_entity])] * 2
    assert [r[update_entity]["name"] for r in body["results"]] == ["New 0", "New 1"]
    assert [r[update_meta]["id"] for r in body["results"]] == [e["id"] for e in entities]


@pytest.mark.parametrize("service", list(RESULT_KEYS))
def test_return_entity_defaults_to_false(wix: Wix, service: str) -> None:
    body = ok(wix.bulk_create(service, [dict(MINIMAL[service])]))
    [result] = body["results"]
    assert list(result) == [RESULT_KEYS[service][0]]
    assert (
        ok(wix.bulk_create(service, [dict(MINIMAL[service])], returnEntity=False))["results"][0].keys() == result.keys()
    )


def test_bulk_sizes(wix: Wix) -> None:
    violated(wix.bulk_create("variants", [{"name": f"v{i}"} for i in range(101)]), "variants", "MAX_SIZE")
    violated(wix.bulk_create("variants", []), "variants", "MIN_SIZE")
    violated(wix.client.post(wix.bulk_url("variants", "create"), json={}), "variants", "REQUIRED_FIELD")
    assert (
        ok(wix.bulk_create("variants", [{"name": f"v{i}"} for i in range(100)]))["bulkActionMetadata"]["totalSuccesses"]
        == 100
    )
    violated(
        wix.bulk_update("variants", [{"variant": {"id": new_guid(), "revision": "1"}}] * 101), "variants", "MAX_SIZE"
    )


def test_a_schema_violation_fails_the_whole_call(wix: Wix) -> None:
    response = wix.bulk_create("modifiers", [{"name": "ok"}, {"name": "x" * 201}, {"name": "fine"}])
    violated(response, "modifiers[1].name", "MAX_LENGTH")
    assert wix.count("modifiers") == 0


def test_bulk_create_failures_are_per_element(wix: Wix) -> None:
    """A dangling reference is a business rule: that element fails, the others are created."""
    good = dict(MINIMAL["items"])
    bad = {**MINIMAL["items"], "labels": [{"id": new_guid()}]}
    body = ok(wix.bulk_create("items", [good, bad, good]))
    results = [r["itemMetadata"] for r in body["results"]]
    assert [r["success"] for r in results] == [True, False, True]
    assert "id" not in results[1] and results[1]["originalIndex"] == 1
    assert results[1]["error"]["code"] == "REFERENCED_ENTITY_NOT_FOUND"
    assert body["bulkActionMetadata"] == {"totalSuccesses": 2, "totalFailures": 1, "undetailedFailures": 0}
    assert wix.count("items") == 2


def test_bulk_update_elements_need_id_and_revision(wix: Wix) -> None:
    label = wix.create("variants")
    response = wix.bulk_update(
        "variants", [{"variant": {"revision": "1", "name": "a"}}, {"variant": {"id": label["id"], "name": "b"}}, {}]
    )
    violated(response, "variants[0].variant.id", "REQUIRED_FIELD")
    violated(response, "variants[1].variant.revision", "REQUIRED_FIELD")
    violated(response, "variants[2].variant", "REQUIRED_FIELD")


def test_bulk_update_of_a_missing_entity_fails_alone(wix: Wix) -> None:
    variant = wix.create("variants")
    missing = new_guid()
    body = ok(
        wix.bulk_update(
            "variants",
            [
                {"variant": {"id": missing, "revision": "1", "name": "x"}},
                {"variant": {"id": variant["id"], "revision": "1", "name": "y"}},
            ],
        )
    )
    first, second = (r["itemMetadata"] for r in body["results"])
    assert (first["id"], first["success"], first["error"]["code"]) == (missing, False, "ENTITY_NOT_FOUND")
    assert second == {"id": variant["id"], "originalIndex": 1, "success": True}


def test_bulk_update_masks_in_both_forms(wix: Wix) -> None:
    a, b = wix.many("modifiers", 2, inStock=True)
    body = ok(
        wix.bulk_update(
            "modifiers",
            [
                {"modifier": {"id": a["id"], "revision": "1", "name": "A2", "inStock": False}, "mask": "inStock"},
                {
                    "modifier": {"id": b["id"], "revision": "1", "name": "B2", "inStock": False},
                    "mask": {"paths": ["name"]},
                },
            ],
            returnEntity=True,
        )
    )
    first, second = (r["modifier"] for r in body["results"])
    assert (first["name"], first["inStock"]) == (a["name"], False)
    assert (second["name"], second["inStock"]) == ("B2", True)


@pytest.mark.parametrize("service", ["sections", "items", "variants", "labels", "modifiers", "modifierGroups"])
def test_bulk_delete_takes_ids_in_the_query(wix: Wix, service: str) -> None:
    made = [wix.create(service) for _ in range(3)]
    missing = new_guid()
    body = ok(wix.bulk_delete(service, [made[0]["id"], missing, made[2]["id"]]))
    assert [list(r) for r in body["results"]] == [["itemMetadata"]] * 3
    metas = [r["itemMetadata"] for r in body["results"]]
    assert [(m["id"], m["originalIndex"], m["success"]) for m in metas] == [
        (made[0]["id"], 0, True),
        (missing, 1, False),
        (made[2]["id"], 2, True),
    ]
    assert metas[1]["error"]["code"] == "ENTITY_NOT_FOUND"
    assert body["bulkActionMetadata"]["totalFailures"] == 1
    assert [e["id"] for e in wix.list(service)[service]] == [made[1]["id"]]


def test_bulk_delete_limits(wix: Wix) -> None:
    violated(wix.bulk_delete("labels", [new_guid() for _ in range(201)]), "ids", "MAX_SIZE")
    violated(wix.bulk_delete("items", [new_guid() for _ in range(201)]), "ids", "MAX_SIZE")  # §6.10: 200 for all
    violated(wix.bulk_delete("labels", []), "ids", "REQUIRED_FIELD")
    violated(wix.bulk_delete("labels", ["not-a-guid"]), "ids[0]", "FORMAT")
    # a JSON body is not where the ids go
    response = wix.client.request("DELETE", wix.bulk_url("labels", "delete"), json={"ids": [new_guid()]})
    violated(response, "ids", "REQUIRED_FIELD")
    body = ok(wix.bulk_delete("variants", [new_guid() for _ in range(200)]))
    assert body["bulkActionMetadata"]["totalFailures"] == 200
