"""List, Query, Count and Search: paging block names (§7.4), cursors (§7.14), filters and sort (§2.11)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.menus.helpers import Wix, new_guid, ok, violated

pytestmark = pytest.mark.e2e

PAGING_KEY = {
    "menus": "pagingMetadata",
    "sections": "pagingMetadata",
    "items": "pagingMetadata",
    "variants": "metadata",
    "modifiers": "metadata",
    "modifierGroups": "metadata",
}


def walk_list(wix: Wix, service: str, limit: int, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = {"paging.limit": limit, **params, **({"paging.cursor": cursor} if cursor else {})}
        body = wix.list(service, **query)
        meta = body[PAGING_KEY[service]]
        pages.append([entity["id"] for entity in body[service]])
        assert meta["count"] == len(pages[-1])
        if not meta["hasNext"]:
            assert "next" not in meta["cursors"]
            return pages
        cursor = meta["cursors"]["next"]


@pytest.mark.parametrize("service", list(PAGING_KEY))
def test_list_pages_with_the_right_block_name(wix: Wix, service: str) -> None:
    made = [e["id"] for e in wix.many(service, 7)]
    pages = walk_list(wix, service, 3)
    assert pages == [made[0:3], made[3:6], made[6:7]]
    body = wix.list(service)
    assert set(body) == {service, PAGING_KEY[service]}
    assert [e["id"] for e in body[service]] == made


def test_list_labels_is_unpaged(wix: Wix) -> None:
    made = [wix.create("labels", name=f"L{i}")["id"] for i in range(3)]
    body = wix.list("labels", **{"paging.limit": 1})
    assert list(body) == ["labels"] and [label["id"] for label in body["labels"]] == made


def test_list_by_ids_and_only_visible(wix: Wix) -> None:
    shown = wix.many("items", 2)
    hidden = wix.many("items", 2, visible=False)
    wanted = [hidden[1]["id"], shown[0]["id"], new_guid()]
    body = ok(wix.client.get(wix.url("items"), params=[("itemIds", i) for i in wanted]))
    assert [e["id"] for e in body["items"]] == [shown[0]["id"], hidden[1]["id"]]  # creation order
    body = wix.list("items", onlyVisible="true")
    assert [e["id"] for e in body["items"]] == [e["id"] for e in shown]
    body = ok(wix.client.get(wix.url("items"), params=[("itemIds", wanted[0]), ("onlyVisible", "true")]))
    assert body["items"] == []


def test_default_and_maximum_limits(wix: Wix) -> None:
    made = wix.many("variants", 501)
    body = wix.list("variants")
    assert len(body["variants"]) == 500 and body["metadata"]["hasNext"] is True
    assert [
        e["id"] for e in wix.list("variants", **{"paging.cursor": body["metadata"]["cursors"]["next"]})["variants"]
    ] == [made[-1]["id"]]
    violated(wix.client.get(wix.url("variants"), params={"paging.limit": 501}), "paging.limit", "MAX")
    violated(wix.client.get(wix.url("variants"), params={"paging.limit": -1}), "paging.limit", "MIN")
    violated(wix.query("variants", {"cursorPaging": {"limit": 501}}), "query.cursorPaging.limit", "MAX")
    assert len(ok(wix.query("variants", {}))["variants"]) == 100  # Query default


def test_cursors_are_stable_across_writes(wix: Wix) -> None:
    made = [e["id"] for e in wix.many("modifiers", 6)]
    first = wix.list("modifiers", **{"paging.limit": 2})
    cursor = first["metadata"]["cursors"]["next"]
    wix.delete("modifiers", made[1])  # before the position
    wix.delete("modifiers", made[2])  # the first row of the next page
    late = wix.create("modifiers")["id"]
    second = wix.list("modifiers", **{"paging.cursor": cursor})
    assert [e["id"] for e in second["modifiers"]] == [made[3], made[4]]  # the cursor remembers limit 2
    third = wix.list("modifiers", **{"paging.cursor": second["metadata"]["cursors"]["next"], "paging.limit": 10})
    assert [e["id"] for e in third["modifiers"]] == [made[5], late]
    # the same cursor gives the same page again
    assert wix.list("modifiers", **{"paging.cursor": cursor})["modifiers"] == second["modifiers"]
    back = wix.list("modifiers", **{"paging.cursor": second["metadata"]["cursors"]["prev"]})
    assert [e["id"] for e in back["modifiers"]] == [made[0]]


def test_bad_cursors(wix: Wix) -> None:
    violated(wix.client.get(wix.url("items"), params={"paging.cursor": "garbage!"}), "paging.cursor", "FORMAT")
    wix.many("menus", 2)
    cursor = wix.list("menus", **{"paging.limit": 1})["pagingMetadata"]["cursors"]["next"]
    violated(wix.client.get(wix.url("sections"), params={"paging.cursor": cursor}), "paging.cursor", "FORMAT")
    violated(wix.query("menus", {"cursorPaging": {"cursor": cursor}}), "query.cursorPaging.cursor", "FORMAT")
    violated(wix.query("menus", {"cursorPaging": {"cursor": "x" * 16001}}), "query.cursorPaging.cursor", "MAX_LENGTH")


def query_ids(wix: Wix, service: str, query: dict[str, Any]) -> list[str]:
    return [e["id"] for e in ok(wix.query(service, query))[service]]


def test_query_pages_carry_filter_and_sort(wix: Wix) -> None:
    names = ["delta", "alpha", "echo", "charlie", "bravo", "foxtrot"]
    made = {n: wix.create("menus", name=n, visible=n != "echo")["id"] for n in names}
    query = {
        "filter": {"visible": True},
        "sort": [{"fieldName": "name", "order": "DESC"}],
        "cursorPaging": {"limit": 2},
    }
    body = ok(wix.query("menus", query))
    assert set(body) == {"menus", "pagingMetadata"}
    pages = [[m["name"] for m in body["menus"]]]
    while body["pagingMetadata"]["hasNext"]:
        # later pages send only the cursor; a filter sent along is ignored, never re-applied
        body = ok(
            wix.query(
                "menus",
                {"filter": {"name": "alpha"}, "cursorPaging": {"cursor": body["pagingMetadata"]["cursors"]["next"]}},
            )
        )
        pages.append([m["name"] for m in body["menus"]])
    assert pages == [["foxtrot", "delta"], ["charlie", "bravo"], ["alpha"]]
    assert query_ids(wix, "menus", {"filter": {"id": {"$in": [made["alpha"], made["echo"]]}}}) == [
        made["alpha"],
        made["echo"],
    ]


def test_query_operators(wix: Wix) -> None:
    labels = [wix.create("labels", name=f"L{i}")["id"] for i in range(3)]
    a = wix.create("items", name="Pizza", labels=[{"id": labels[0]}, {"id": labels[1]}], featured=True)["id"]
    b = wix.create("items", name="Pasta", labels=[{"id": labels[1]}])["id"]
    c = wix.create("items", name="Salad", description="green", orderSettings={"inStock": False})["id"]
    assert query_ids(wix, "items", {"filter": {"labels.id": {"$hasSome": [labels[0], labels[2]]}}}) == [a]
    assert query_ids(wix, "items", {"filter": {"labels.id": {"$hasAll": [labels[0], labels[1]]}}}) == [a]
    assert query_ids(wix, "items", {"filter": {"id": {"$nin": [a]}}}) == [b, c]
    assert query_ids(wix, "items", {"filter": {"id": {"$ne": a}, "featured": False}}) == [b, c]
    assert query_ids(wix, "items", {"filter": {"name": {"$startsWith": "Pa"}}}) == [b]
    assert query_ids(wix, "items", {"filter": {"description": {"$exists": True}}}) == [c]
    assert query_ids(wix, "items", {"filter": {"orderSettings.inStock": {"$eq": False}}}) == [c]
    assert query_ids(wix, "items", {"filter": {"$or": [{"_id": a}, {"name": "Salad"}]}}) == [a, c]
    assert query_ids(wix, "items", {"sort": [{"fieldName": "name"}]}) == [b, a, c]
    created = wix.get("items", b)["createdDate"]
    assert query_ids(wix, "items", {"filter": {"createdDate": {"$lt": created}}}) == [a]
    section = wix.create("sections", itemIds=[a])["id"]
    empty = wix.create("sections")["id"]
    assert query_ids(wix, "sections", {"filter": {"itemIds": {"$hasSome": [a]}}}) == [section]
    assert query_ids(wix, "sections", {"filter": {"itemIds": {"$exists": False}}}) == [empty]


def test_query_rejects_what_the_service_cannot_filter_or_sort(wix: Wix) -> None:
    violated(wix.query("sections", {"filter": {"visible": True}}), "query.filter.visible")  # §2.11: no visible filter
    violated(wix.query("variants", {"filter": {"name": {"$startsWith": "S"}}}), "query.filter.name")
    violated(wix.query("sections", {"sort": [{"fieldName": "name"}]}), "query.sort[0].fieldName")
    violated(wix.query("items", {"filter": {"id": {"$in": "not-a-list"}}}), "query.filter.id.$in")
    violated(wix.query("items", {"sort": [{"fieldName": "name", "order": "UP"}]}), "query.sort[0].order")
    violated(wix.query("variants", {"sort": [{"fieldName": "x" * 65}]}), "query.sort[0].fieldName", "MAX_LENGTH")


def test_count(wix: Wix) -> None:
    group_a = wix.create("modifierGroups", name="Sauces")["id"]
    wix.create("modifierGroups", name="Sides")
    assert wix.count("modifierGroups") == 2
    assert wix.count("modifierGroups", {"name": {"$startsWith": "Sa"}}) == 1
    assert wix.count("modifierGroups", {"id": {"$in": [group_a, new_guid()]}}) == 1
    assert wix.count("labels") == 0 and wix.count("variants") == 0 and wix.count("modifiers") == 0


def test_search_items(wix: Wix) -> None:
    a = wix.create("items", name="Margherita pizza", description="tomato")["id"]
    b = wix.create("items", name="Tomato soup")["id"]
    c = wix.create("items", name="Lemonade", visible=False)["id"]

    def search(body: dict[str, Any], get: bool = False) -> list[str]:
        return [e["id"] for e in ok(wix.post(wix.url("items", "/search"), {"search": body}))["items"]]

    assert search({}) == [a, b, c]
    assert search({"search": {"expression": "TOMATO"}}) == [a, b]
    assert search({"search": {"expression": "tomato pizza", "mode": "AND"}}) == [a]
    assert search({"search": {"expression": "tomato", "fields": ["name"]}}) == [b]
    assert search({"filter": {"visible": False}}) == [c]
    body = ok(wix.post(wix.url("items", "/search"), {"search": {"cursorPaging": {"limit": 2}}}))
    assert body["pagingMetadata"]["hasNext"] is True and body["aggregationData"] == {"results": []}
