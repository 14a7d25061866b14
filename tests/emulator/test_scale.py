"""Scale: a catalog of 10,000 items lists whole, and bulk calls touch only the rows they change.

How fast is a benchmark figure (python -m bench.emulator), never an assertion here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator, open_store, seed
from reconciler.emulator.store import LIVE, Store
from reconciler.emulator.v3 import enums, shapes
from reconciler.emulator.v3.repo import CatalogScope

ITEMS = 10_000
TOKEN = {"Authorization": "t"}


def fill(store: Store, catalog_id: str, count: int) -> list[str]:
    """Insert ``count`` dishes straight into the store (the API would need 500 bulk calls)."""
    ids = []
    with store.write() as tx:
        scope = CatalogScope(tx, catalog_id, LIVE, "USD")
        for index in range(count):
            raw = {
                "name": f"Dish {index}",
                "description": "A dish of some length " * 3,
                "price": {"value": f"{index}.50"},
                "labels": {"values": ["vegan"]},
                "visibilityCriteria": {
                    "availability": {
                        "periods": [{"openDay": "MON", "openTime": "11:00", "closeDay": "MON", "closeTime": "22:00"}]
                    }
                },
            }
            item = shapes.build_item(raw, str(uuid.uuid4()), enums.DISH, "USD")
            scope.items.insert(item["id"], item, subtype=enums.DISH)
            ids.append(item["id"])
    return ids


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, str, list[str]]]:
    store = open_store(str(tmp_path_factory.mktemp("scale") / "big.sqlite"))
    [entry] = seed(store, 1)
    ids = fill(store, entry.catalog_id, ITEMS)
    yield Emulator(store, token="t"), entry.catalog_id, ids
    store.close()


def call(emulator: Emulator, method: str, path: str, body: object = None, query: str = "") -> dict:
    raw = json.dumps(body).encode() if body is not None else b""
    outcome = emulator.handle(method, path, query, TOKEN, raw)
    assert outcome.status == 200, outcome.body[:500]
    return json.loads(outcome.body)


def test_list_items_of_10k_lists_every_item_in_order(big: tuple[Emulator, str, list[str]]) -> None:
    emulator, catalog_id, ids = big
    body = call(emulator, "GET", f"/restaurants/v3/catalogs/{catalog_id}/items")
    assert [item["id"] for item in body["items"]] == ids
    masked = call(emulator, "GET", f"/v3/catalogs/{catalog_id}/items", query="fieldMask=name")
    assert masked["items"][0] == {"id": ids[0], "name": "Dish 0", "type": "DISH"}
    assert len(masked["items"]) == ITEMS


def test_draft_bulk_and_publish_of_10k(big: tuple[Emulator, str, list[str]]) -> None:
    emulator, catalog_id, ids = big
    store = emulator.store
    call(emulator, "POST", f"/v3/draft-catalogs/{catalog_id}/create")

    with store.read() as tx:
        changes_before = tx.conn.total_changes
    body = {"items": [{"id": ident, "price": {"value": "1.00"}} for ident in ids[:20]]}
    result = call(emulator, "POST", f"/v3/draft-catalogs/{catalog_id}/bulk/items/update", body)
    with store.read() as tx:
        changed_rows = tx.conn.total_changes - changes_before
    assert result["bulkActionMetadata"]["totalSuccesses"] == 20
    assert changed_rows <= 20, f"a bulk update of 20 items changed {changed_rows} rows"

    call(emulator, "POST", f"/v3/draft-catalogs/{catalog_id}/publish")
    listed = call(emulator, "GET", f"/v3/catalogs/{catalog_id}/items")
    assert len(listed["items"]) == ITEMS
    assert {item["price"]["value"] for item in listed["items"][:20]} == {"1.00"}
    assert listed["items"][20]["price"]["value"] == "20.50"
