"""serve polls Toast's stock API on its own timer, through the POS contract (``stock_api``, ``read_stock``).

A fake Toast on 127.0.0.1 answers ``GET /stock/v1/inventory`` with the records at risk; the worker's
timer (an injectable clock, no sleeps) queues the poll, and the sync turns OUT_OF_STOCK and QUANTITY 0
into layer entries (source pos) with one live update each; an item no longer listed is back in stock.
"""

from __future__ import annotations

import pytest

from reconciler.serve.status import SyncReason
from reconciler.serve.sync import Syncer
from reconciler.serve.worker import Worker
from reconciler.sources.registry import get_source
from reconciler.state.availability import AvailabilityStore, LayerSource
from tests.availability.test_serve_layer import Clock, _items
from tests.serve.test_sync import POS, TOAST_GUID, TOKEN, Rig
from tests.support.fake_pos import FakePos

BURGER, PIZZA, LEMONADE = (
    "2c8e5e77-7f20-4c7b-9e6f-0dd3d3c2e003",
    "60c292bb-b364-40bf-b2a3-41171706a007",
    "a406d6ff-f7a8-44f3-b6e7-85515b4ae011",
)


@pytest.fixture
def toast(tmp_path):
    fake = FakePos("toast", POS / "toast-menus.json", token=TOKEN)
    with fake.running() as url:
        environ = {"TOAST_ACCESS_TOKEN": TOKEN, "TOAST_API_BASE_URL": url, "TOAST_RESTAURANT_GUID": TOAST_GUID}
        rig = Rig(tmp_path, "toast", url, fake, environ, currency="USD", interval=0, stock_interval=60)
        rig.clock = Clock()
        rig.syncer = Syncer(
            rig.config, rig.state, rig.history, rig.environ, rig.syncer.redact, rig.stopping, lambda s: None, rig.clock
        )
        assert rig.sync("startup").outcome == "applied"
        yield rig


def poll(rig):
    """What serve's worker does when the stock timer is due: queue the poll, claim it, run it."""
    worker = Worker(rig.config, rig.queue, rig.history, rig.syncer, clock=rig.clock)
    assert worker.due_jobs() == []  # not due yet
    rig.clock.now += 60
    worker.due_jobs()  # queued now; it starts once its debounce allows
    rig.clock.now += rig.config.catalog("main").max_wait
    [job] = worker.due_jobs()
    assert job.reasons == [SyncReason.STOCK]
    rig.fake.counts.clear()
    return rig.syncer(job)


def test_the_source_contract_declares_the_stock_api():
    assert get_source("toast").stock_api is True
    assert get_source("square").stock_api is False  # serve polls nothing for it


def test_out_of_stock_and_quantity_zero_become_pos_entries_with_one_write_each_and_come_back(toast):
    toast.fake.stock = [
        {"guid": BURGER, "multiLocationId": "100000000003", "status": "OUT_OF_STOCK", "versionId": 1},
        {"guid": LEMONADE, "multiLocationId": "100000000011", "status": "QUANTITY", "quantity": 0},
        {"guid": PIZZA, "multiLocationId": "100000000007", "status": "QUANTITY", "quantity": 4},
    ]
    result = poll(toast)
    assert result.outcome == "applied", result
    assert toast.fake.counts["/stock/v1/inventory"] == 1 and toast.fake.counts["/menus/v2/menus"] == 0
    assert result.details["stock"]["sold_out"] == [f"toast-{BURGER}", f"toast-{LEMONADE}"]
    assert sum(result.details["stock"]["calls"].values()) == 2  # one minimal live update per entity
    items = _items(toast)
    assert items["Cheeseburger"]["inStock"] is False and items["Lemonade"]["inStock"] is False
    assert items["Pizza"].get("inStock", True) is True
    entries = AvailabilityStore(toast.state / "state.sqlite").entries()
    assert {(e.entity, e.source, e.reason) for e in entries} == {
        (f"toast-{BURGER}", LayerSource.POS, "out of stock"),
        (f"toast-{LEMONADE}", LayerSource.POS, "quantity 0"),
    }
    # Nothing changed at Toast: the next poll writes nothing.
    again = poll(toast)
    assert again.outcome == "in-step" and not again.details["stock"]["calls"]
    # The lemonade is back (no longer listed at risk): its entry ends and it is orderable again.
    toast.fake.stock = toast.fake.stock[:1]
    back = poll(toast)
    assert back.details["stock"]["back"] == [f"toast-{LEMONADE}"], back.details
    assert _items(toast)["Lemonade"].get("inStock", True) is True
    assert [e.entity for e in AvailabilityStore(toast.state / "state.sqlite").entries()] == [f"toast-{BURGER}"]


def test_a_failing_stock_api_fails_the_poll_and_changes_nothing(toast):
    toast.fake.stock = [{"guid": BURGER, "status": "OUT_OF_STOCK"}]
    toast.fake.fail_next(500, times=10)
    result = poll(toast)
    assert result.outcome == "failed" and result.retry
    assert _items(toast)["Cheeseburger"].get("inStock", True) is True
    assert AvailabilityStore(toast.state / "state.sqlite").entries() == []
