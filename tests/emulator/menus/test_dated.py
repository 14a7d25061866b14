"""Query and Count filtered on ``updatedDate`` alone (dated.py) answer exactly what the general path
answers: the same filter inside ``$and`` takes the general path (every body parsed and tested)."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator.menus import repo
from tests.emulator.menus.conftest import Box
from tests.emulator.menus.helpers import ok

# What a stored ``updatedDate`` may be besides our own stamps: an offset, no milliseconds, a date
# that does not exist, not a date, a number, null, an object, an array, and absent.
ODD: list[Any] = [
    "2030-01-01T02:00:00.000+02:00",
    "2030-01-01T00:00:00Z",
    "2030-13-01T00:00:00.000Z",
    "yesterday",
    17,
    None,
    {"$date": "2030-01-01T00:00:00.000Z"},
    ["2030-01-01T00:00:00.000Z"],
    "absent",
]
OPERANDS = ["2030-01-01T00:00:00.000Z", "2030-01-01T00:00:00.001Z", "2029-12-31T23:59:59.999Z", "2030-01-01"]


def _odd_site(box: Box) -> None:
    items = box.wix.many("items", 2 * len(ODD) + 3)
    with box.store.write() as tx:
        rows = repo.rows(tx, "item")
        for position, (item, odd) in enumerate(zip(items[1::2], ODD, strict=False)):
            body = rows.get(item["id"])
            assert body is not None
            if odd == "absent":
                del body["updatedDate"]
            else:
                body["updatedDate"] = odd
            rows.update(item["id"], body)
            if position % 3 == 0:  # some of our own stamps on the date asked for, either side of it
                other = rows.get(items[2 * position]["id"])
                assert other is not None
                other["updatedDate"] = ["2030-01-01T00:00:00.000Z", "2029-12-31T23:59:59.999Z"][position % 2]
                rows.update(items[2 * position]["id"], other)


def _walk(box: Box, query: dict[str, Any]) -> list[list[str]]:
    pages: list[list[str]] = []
    body = ok(box.wix.query("items", {**query, "cursorPaging": {"limit": 2}}))
    while True:
        pages.append([e["id"] for e in body["items"]] + sorted(body["pagingMetadata"]["cursors"]))
        following = body["pagingMetadata"]["cursors"].get("next")
        if not following:
            return pages
        body = ok(box.wix.query("items", {"cursorPaging": {"cursor": following}}))


@pytest.mark.parametrize("op", ["$gte", "$gt", "$lt", "$lte"])
@pytest.mark.parametrize("operand", OPERANDS)
def test_dated_query_and_count_answer_as_the_general_path(box: Box, op: str, operand: str) -> None:
    _odd_site(box)
    dated = {"updatedDate": {op: operand}}
    general = {"$and": [dated]}
    assert _walk(box, {"filter": dated}) == _walk(box, {"filter": general})
    assert box.wix.count("items", dated) == box.wix.count("items", general)
    sdk = {"_updatedDate": {op: operand}}
    assert box.wix.count("items", sdk) == box.wix.count("items", general)


def test_dated_answers_follow_writes(box: Box) -> None:
    """A create, an update and a delete after a time are each seen by both the Query and the Count."""
    since = "2020-01-01T00:00:00.000Z"  # before any write below, whatever the clock's resolution
    made = box.wix.many("items", 4)
    with box.store.write() as tx:
        for item in made:
            body = repo.rows(tx, "item").get(item["id"])
            assert body is not None
            repo.rows(tx, "item").update(item["id"], {**body, "updatedDate": since})
    items = [box.wix.get("items", item["id"]) for item in made]
    after = {"updatedDate": {"$gt": since}}
    assert ok(box.wix.query("items", {"filter": after}))["items"] == []
    assert box.wix.count("items", {"updatedDate": {"$lte": since}}) == 4 == box.wix.count("items")
    updated = box.wix.update("items", items[0]["id"], items[0]["revision"], name="Renamed", priceInfo={"price": "2.00"})
    created = box.wix.create("items", name="New", priceInfo={"price": "1.00"})
    box.wix.delete("items", items[1]["id"])
    found = [e["id"] for e in ok(box.wix.query("items", {"filter": after}))["items"]]
    assert found == [updated["id"], created["id"]]
    assert box.wix.count("items", {"updatedDate": {"$lte": since}}) == 2
    assert box.wix.count("items") == 4
