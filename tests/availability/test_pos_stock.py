"""POS stock signals through serve: a layer entry (source pos) and one minimal live update; back in stock ends it."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest

from reconciler.serve.queue import Item
from reconciler.serve.sync import Job, Syncer
from reconciler.sources.registry import get_source
from reconciler.state.availability import AvailabilityStore, LayerSource
from reconciler.yamlio.load import load_catalog
from tests.availability.test_serve_layer import T0, Clock, _items
from tests.serve.test_sync import FRIES, POS, TOAST_GUID, TOKEN, Rig
from tests.support.fake_pos import FakePos

SQUARE = json.loads((POS / "square-catalog.json").read_text(encoding="utf-8"))


def square_count(variation: str, quantity: str, location: str = "LOC2", event: str = "e1") -> bytes:
    """An ``inventory.count.updated`` body, in Square's documented shape."""
    count = {
        "catalog_object_id": variation,
        "catalog_object_type": "ITEM_VARIATION",
        "state": "IN_STOCK",
        "location_id": location,
        "quantity": quantity,
        "calculated_at": "2026-12-01T18:00:00Z",
    }
    body = {
        "merchant_id": "M1",
        "type": "inventory.count.updated",
        "event_id": event,
        "created_at": "2026-12-01T18:00:01Z",
        "data": {"type": "inventory_counts", "id": "x", "object": {"inventory_counts": [count]}},
    }
    return json.dumps(body).encode()


def deliver(rig, pos: str, body: bytes, headers: dict | None = None):
    """What serve's webhook endpoint does with a verified body: its events, queued; then one sync."""
    events = get_source(pos).parse_webhook(body, headers or {})
    for e in events:
        rig.queue.put(Item("main", e.event_id, pos, e.kind, rig.clock(), e.hint))
    job = Job("main", rig.queue.claim("main", rig.clock() + 10))
    return events, rig.syncer(job)


@pytest.fixture
def square(tmp_path):
    fake = FakePos("square", copy.deepcopy(SQUARE), token=TOKEN)
    with fake.running() as url:
        rig = Rig(tmp_path, "square", url, fake, pos_location="LOC2", interval=0)
        rig.clock = Clock()
        rig.syncer = Syncer(
            rig.config,
            rig.state,
            rig.history,
            rig.environ,
            rig.syncer.redact,
            rig.stopping,
            sleep=lambda s: None,
            clock=rig.clock,
        )
        assert rig.sync("startup").outcome == "applied"
        yield rig


def test_square_inventory_zero_is_one_write_and_back_in_stock_ends_it(square):

    assert _items(square)["Fries"]["inStock"] is True
    events, result = deliver(square, "square", square_count(FRIES, "0"))
    assert events[0].relevant and result.outcome == "applied", result
    assert result.details["stock"]["calls"] == {"updateItem": 1}  # one write, no draft, no re-import
    assert _items(square)["Fries"]["inStock"] is False
    [entry] = AvailabilityStore(square.state / "state.sqlite").entries()
    assert entry.source == LayerSource.POS and entry.reason.startswith("sold out")
    events, result = deliver(square, "square", square_count(FRIES, "12", event="e2"))
    assert result.details["stock"]["back"] and _items(square)["Fries"]["inStock"] is True
    assert AvailabilityStore(square.state / "state.sqlite").entries() == []


def test_a_count_at_another_square_location_changes_nothing_here(square):
    _, result = deliver(square, "square", square_count(FRIES, "0", location="LOC3"))
    assert result.outcome == "in-step" and _items(square)["Fries"]["inStock"] is True


def test_square_sold_out_until_is_a_layer_entry_with_its_expiry_at_that_location_only(square):
    until = datetime.fromtimestamp(T0, UTC) + timedelta(hours=3)
    data = copy.deepcopy(SQUARE)
    for obj in data["objects"]:
        if obj["id"] == "ITEM7FRIES00000000000001":
            variation = obj["item_data"]["variations"][0]["item_variation_data"]
            variation["location_overrides"] = [
                {
                    "location_id": "LOC2",
                    "sold_out": True,
                    "sold_out_valid_until": until.isoformat().replace("+00:00", "Z"),
                }
            ]
    square.fake.set_catalog(data)
    result = square.sync("catalog.version.updated")
    assert result.outcome == "applied", result
    assert _items(square)["Fries"]["inStock"] is False
    fries = next(d for d in load_catalog(square.yaml).dishes if d.name == "Fries")
    assert fries.in_stock is True  # the YAML is not where a timed sold-out lives
    [entry] = AvailabilityStore(square.state / "state.sqlite").entries()
    assert (entry.source, entry.until) == (LayerSource.POS, until)


def test_toast_stock_webhook_out_of_stock_and_quantity(tmp_path):
    from reconciler.sources.toast.webhook import stock_signal

    out = stock_signal({"itemGuid": "g1", "multiLocationId": "100", "status": "OUT_OF_STOCK"}, TOAST_GUID)
    assert (out.pos_ids, out.available, out.location) == (("g1", "100"), False, TOAST_GUID)
    assert stock_signal({"itemGuid": "g1", "status": "QUANTITY", "quantity": 0}, None).available is False
    assert stock_signal({"itemGuid": "g1", "status": "QUANTITY", "quantity": 3.5}, None).available is True
    assert stock_signal({"itemGuid": "g1", "status": "IN_STOCK"}, None).available is True
    body = {
        "timestamp": "2026-12-01T18:00:00.000Z",
        "eventCategory": "stock",
        "eventType": "out_of_stock",
        "guid": "ev-1",
        "details": {"itemGuid": "g1", "restaurantGuid": TOAST_GUID, "status": "OUT_OF_STOCK", "multiLocationId": "1"},
    }
    [event] = get_source("toast").parse_webhook(json.dumps(body).encode(), {})
    assert event.relevant and event.hint["stock"][0]["available"] is False


def test_clover_item_stock_and_availability_events():
    body = {
        "appId": "APP",
        "merchants": {
            "M1": [
                {"objectId": "IS:ITEMA", "type": "UPDATE", "ts": 1, "stockCount": 0},
                {"objectId": "IA:ITEMB", "type": "UPDATE", "ts": 2, "data": {"available": True}},
                {"objectId": "I:ITEMC", "type": "UPDATE", "ts": 3},
            ]
        },
    }
    events = get_source("clover").parse_webhook(json.dumps(body).encode(), {})
    stock = [e.hint.get("stock") for e in events]
    assert stock[0][0]["ids"] == ["ITEMA"] and stock[0][0]["available"] is False
    assert stock[1][0]["available"] is True and stock[2] is None
