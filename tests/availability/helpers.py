"""The availability layer against a real emulator harness (tests/engine/harness.py), with a clock we move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reconciler.engine.availability import Layer, read_layer, record
from reconciler.engine.live_update import LiveUpdate, update_stock
from reconciler.engine.planning import Planned, make_plan
from reconciler.model.catalog import Catalog
from reconciler.state.availability import AvailabilityStore, LayerEntry, LayerSource

START = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


class Clock:
    """An injectable clock: reads ``now``, moved by the test, never by sleeping."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Layered:
    """A harness plus the availability layer in the harness's state directory."""

    def __init__(self, harness, clock: Clock | None = None) -> None:
        self.h = harness
        self.clock = clock or Clock()
        self.layer = AvailabilityStore(harness.state / "state.sqlite")

    def entry(
        self,
        entity: str,
        until: datetime | None = None,
        source=LayerSource.CLI,
        kind: str = "dish",
        location: str | None = None,
        available: bool = False,
    ) -> LayerEntry:
        where = location or self.location_id()
        return LayerEntry(entity, kind, where, available, self.clock(), until, "test", source)

    def location_id(self) -> str:
        async def go():
            async with self.h.target() as target:
                return (await target.describe()).location_id

        return self.h.run(go())

    def put(self, *entries: LayerEntry) -> None:
        self.layer.put(entries, self.clock())

    def planned(self, catalog: Catalog, adopt: bool = True) -> Planned:
        async def go():
            async with self.h.target() as target:
                layer = Layer(tuple(self.layer.active(self.clock())), self.clock(), adopt)
                return await make_plan(catalog, target, self.h.store, self.h.thresholds, True, layer)

        return self.h.run(go())

    def apply(self, catalog: Catalog):
        """Like `reconcile apply`: plan with the layer, apply, keep what the dashboard changed."""
        from reconciler.engine.apply import ApplyOptions, apply_plan

        async def go():
            async with self.h.target() as target:
                now = self.clock()
                planned = await make_plan(
                    catalog, target, self.h.store, self.h.thresholds, True, read_layer(self.layer, now)
                )
                result = await apply_plan(planned.plan, target, self.h.store, self.h.state, ApplyOptions())
                record(self.layer, planned.adoption, now)
                return result

        return self.h.run(go())

    def update(self, catalog: Catalog, *entities: str) -> LiveUpdate:
        async def go():
            async with self.h.target() as target:
                layer = read_layer(self.layer, self.clock())
                return await update_stock(catalog, target, self.h.store, self.h.state, layer, set(entities))

        return self.h.run(go())

    def stock(self, kind: str, entity: str) -> bool:
        return bool(self.h.live()[(kind, entity)]["in_stock"])
