"""Scale: a catalog of 10,000 items stays fast, and bulk calls touch only the rows they change."""

from __future__ import annotations

import json
import time
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


def timed(emulator: Emulator, method: str, path: str, body: object = None, query: str = "") -> tuple[float, dict]:
    raw = json.dumps(body).encode() if body is not None else b""
    started = time.perf_counter()
    outcome = emulator.handle(method, path, query, TOKEN, raw)
    elapsed = time.perf_counter() - started
    assert outcome.status == 200, outcome.body[:500]
    return elapsed, json.loads(outcome.body)


def test_list_items_of_10k_is_fast(big: tuple[Emulator, str, list[str]]) -> None:
    emulator, catalog_id, ids = big
    elapsed, body = timed(emulator, "GET", f"/restaurants/v3/catalogs/{catalog_id}/items")
    assert [item["id"] for item in body["items"]] == ids
    assert elapsed < 0.5, f"List Items of {ITEMS} took {elapsed:.3f}s"
    masked_elapsed, masked = timed(emulator, "GET", f"/v3/catalogs/{catalog_id}/items", query="fieldMask=name")
    assert masked["items"][0] == {"id": ids[0], "name": "Dish 0"}
    assert masked_elapsed < 2.0


def test_draft_bulk_and_publish_of_10k(big: tuple[Emulator, str, list[str]]) -> None:
    emulator, catalog_id, ids = big
    store = emulator.store
    create_elapsed, _ = timed(emulator, "POST", f"/v3/draft-catalogs/{catalog_id}/create")
    assert create_elapsed < 2.0, f"Create Draft of {ITEMS} items took {create_elapsed:.3f}s"

    with store.read() as tx:
        changes_before = tx.conn.total_changes
    body = {"items": [{"id": ident, "price": {"value": "1.00"}} for ident in ids[:20]]}
    bulk_elapsed, result = timed(emulator, "POST", f"/v3/draft-catalogs/{catalog_id}/bulk/items/update", body)
    with store.read() as tx:
        changed_rows = tx.conn.total_changes - changes_before
    assert result["bulkActionMetadata"]["totalSuccesses"] == 20
    assert changed_rows <= 20, f"a bulk update of 20 items changed {changed_rows} rows"
    assert bulk_elapsed < 0.5

    publish_elapsed, _ = timed(emulator, "POST", f"/v3/draft-catalogs/{catalog_id}/publish")
    assert publish_elapsed < 3.0
    _, listed = timed(emulator, "GET", f"/v3/catalogs/{catalog_id}/items")
    assert len(listed["items"]) == ITEMS
    assert {item["price"]["value"] for item in listed["items"][:20]} == {"1.00"}
    assert listed["items"][20]["price"]["value"] == "20.50"
