"""The shortcuts of the emulator's write path answer exactly as the long way did.

A nested mask path copies its way down instead of a deep copy of the stored entity, the derived
locations of a level are read in one query, and a stamp after an earlier one of our own form is
compared as text instead of parsed (``repo.later_stamp``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reconciler.emulator import open_store
from reconciler.emulator.menus import repo
from reconciler.emulator.store import LIVE, SITE
from tests.emulator.menus.conftest import Box
from tests.emulator.menus.helpers import ok


def _slow_later_stamp(previous: str | None, now: datetime) -> str:
    """The definition: ``now``, or 1 ms after ``previous`` when the clock has not moved past it."""
    if previous:
        try:
            floor = datetime.strptime(previous, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) + timedelta(milliseconds=1)
        except ValueError:
            floor = now
        if now < floor:
            now = floor
    now = now.astimezone(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


NOW = datetime(2026, 3, 2, 9, 15, 0, 500_700, tzinfo=UTC)


@pytest.mark.parametrize(
    "previous",
    [
        None,
        "",
        "2026-03-02T09:15:00.499Z",  # a millisecond before now's
        "2026-03-02T09:15:00.500Z",  # now's own millisecond: 1 ms later
        "2026-03-02T09:15:00.501Z",  # after now (a frozen or skewed clock)
        "2027-01-01T00:00:00.000Z",
        "2025-12-31T23:59:59.999Z",
        "2026-03-02T09:15:00.5Z",  # another width: parsed
        "2026-03-02T09:15:00.500700Z",
        "2026-03-02T09:15:00Z",  # not a stamp it can parse: now
        "garbage",
    ],
)
def test_later_stamp_is_the_definition(previous: str | None) -> None:
    assert repo.later_stamp(previous, NOW) == _slow_later_stamp(previous, NOW)
    ahead = NOW + timedelta(microseconds=299)  # the next millisecond begins
    assert repo.later_stamp(previous, ahead) == _slow_later_stamp(previous, ahead)


def test_a_nested_mask_path_leaves_the_stored_entity_as_it_was(box: Box) -> None:
    """The update's "before" is what decides which variants it detaches: were it changed in place,
    the variant swapped out would keep its location."""
    wix = box.wix
    old, new = (
        r["variant"]
        for r in ok(wix.bulk_create("variants", [{"name": "S"}, {"name": "L"}], returnEntity=True))["results"]
    )
    variants = {"variants": [{"variantId": old["id"], "priceInfo": {"price": "1"}}]}
    item = ok(wix.create_raw("items", {"name": "Tea", "priceVariants": variants}))["item"]
    section = wix.create("sections", name="S", itemIds=[item["id"]])
    wix.create("menus", name="M", sectionIds=[section["id"]])
    located = wix.get("variants", old["id"])
    assert located["businessLocationIds"] and wix.get("variants", new["id"])["businessLocationIds"] == []
    current = wix.get("items", item["id"])
    body = {
        "id": item["id"],
        "revision": current["revision"],
        "priceVariants": {"variants": [{"variantId": new["id"], "priceInfo": {"price": "2"}}]},
    }
    ok(wix.bulk_update("items", [{"item": body, "mask": "priceVariants.variants"}]))
    detached = wix.get("variants", old["id"])
    assert detached["businessLocationIds"] == []
    assert int(detached["revision"]) == int(located["revision"]) + 1
    assert wix.get("variants", new["id"])["businessLocationIds"] == located["businessLocationIds"]
    assert [v["variantId"] for v in wix.get("items", item["id"])["priceVariants"]["variants"]] == [new["id"]]


def test_get_many_is_get_of_each() -> None:
    store = open_store(None)
    try:
        with store.write() as tx:
            rows = tx.collection(repo.API, LIVE, SITE, "variant")
            made = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 4)]
            for n, ident in enumerate(made):
                rows.insert(ident, {"id": ident, "name": f"v{n}", "nested": {"n": [n]}})
            missing = "00000000-0000-4000-8000-000000000000"
            assert rows.get_many([made[2], missing, made[0], made[2]]) == {i: rows.get(i) for i in (made[2], made[0])}
            assert rows.get_many([]) == {}
    finally:
        store.close()
