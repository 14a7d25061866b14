"""serve and the layer: a dashboard 86 survives the periodic reconcile; an 86's expiry is serve's own timer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from reconciler.serve.status import SyncReason
from reconciler.serve.sync import Syncer
from reconciler.serve.worker import Worker
from reconciler.state.availability import AvailabilityStore, LayerEntry, LayerSource
from reconciler.targets.registry import open_target
from reconciler.yamlio.load import load_catalog
from tests.serve.test_sync import POS, TOKEN, Rig
from tests.support.fake_pos import FakePos

T0 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def rig(tmp_path):
    fake = FakePos("square", POS / "square-catalog.json", token=TOKEN)
    with fake.running() as url:
        rig = Rig(tmp_path, "square", url, fake, interval=0)  # no periodic reconcile: only the expiry can act
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


def _items(rig) -> dict[str, dict]:
    async def read():
        async with open_target("sandbox", None, rig.state) as target:
            return (await target.fetch()).items

    return {i["name"]: i for i in asyncio.run(read()) if not i.get("archived") and i.get("type") == "DISH"}


def _patch(rig, wix_id: str, body: dict) -> None:
    async def go():
        async with open_target("sandbox", None, rig.state) as target:
            catalog = (await target.resolve()).catalog_id
            await target.api.call("updateItem", "PATCH", f"/catalogs/{catalog}/items/{wix_id}", {"item": body})

    asyncio.run(go())


def test_a_dashboard_86_survives_the_periodic_reconcile(rig):
    name, item = sorted(_items(rig).items())[0]
    _patch(rig, item["id"], {"inStock": False})  # a cook, in the Wix dashboard
    for _ in range(2):
        periodic = rig.sync("periodic")
        assert periodic.outcome == "in-step", periodic
        assert _items(rig)[name]["inStock"] is False
    layer = AvailabilityStore(rig.state / "state.sqlite")
    [entry] = layer.entries()
    assert entry.source == LayerSource.WIX_DASHBOARD and entry.until is None and entry.available is False


def test_an_86_for_two_hours_is_undone_at_the_two_hour_mark_by_serves_timer(rig):
    catalog = load_catalog(rig.yaml)
    dish = catalog.dishes[0]
    layer = AvailabilityStore(rig.state / "state.sqlite")
    start = datetime.fromtimestamp(rig.clock(), UTC)
    until = start + timedelta(hours=2)
    layer.put([LayerEntry(dish.id, "dish", "*", False, start, until, "out", LayerSource.CLI)], start)
    assert rig.sync("periodic").outcome == "applied"
    assert _items(rig)[dish.name]["inStock"] is False
    worker = Worker(rig.config, rig.queue, rig.history, rig.syncer, clock=rig.clock, layer=layer)
    rig.clock.now = until.timestamp() - 1
    assert worker.due_jobs() == [] and worker.wake_at == until.timestamp()  # it wakes up exactly then
    rig.clock.now = until.timestamp()
    assert worker.due_jobs() == []  # the entry ended now; its sync waits out the debounce like any other
    assert layer.entries() == [] and layer.log()[0].event == "expired"
    assert worker.wake_at is not None and worker.wake_at > rig.clock.now
    rig.clock.now = worker.wake_at
    [job] = worker.due_jobs()  # no webhook, no periodic interval: the expiry itself
    assert job.reasons == [SyncReason.EXPIRY]
    result = worker.sync(job)
    worker.finish(job, result)
    assert result.outcome == "applied" and _items(rig)[dish.name]["inStock"] is True
