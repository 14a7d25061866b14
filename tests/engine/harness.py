"""A real emulator in-process and the real engine around it: no part of reconcile is faked."""

from __future__ import annotations

import asyncio
from pathlib import Path

from reconciler.emulator import Emulator, open_store, seed
from reconciler.engine.apply import ApplyOptions, ApplyResult, apply_plan
from reconciler.engine.essence import Essence
from reconciler.engine.plan import Plan
from reconciler.engine.planning import make_plan
from reconciler.engine.safety import Thresholds
from reconciler.http import RetryPolicy
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import MappingStore
from reconciler.targets.registry import emulator_target

# Retries without real waiting: backoff delays are computed but tests never sleep on them.
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, jitter=lambda cap: 0.0)


class Harness:
    def __init__(self, tmp_path: Path, policy: RetryPolicy = FAST, new_site: bool = True) -> None:
        self.emulator = Emulator(open_store(str(tmp_path / "emulator.sqlite")))
        if new_site:
            seed(self.emulator.store, locations=1, names=["Test Kitchen"])
        self.state = tmp_path / "state"
        self.state.mkdir(exist_ok=True)
        self.store = MappingStore(self.state / "state.sqlite")
        self.policy = policy
        self.thresholds = Thresholds(max_update_share=1.0, max_remove_share=1.0, min_existing=10**9)

    def run(self, coroutine):
        return asyncio.run(coroutine)

    def plan(self, catalog: Catalog, live_updates: bool = True) -> Plan:
        async def go():
            async with emulator_target(self.emulator, None, "sandbox", policy=self.policy) as target:
                return (await make_plan(catalog, target, self.store, self.thresholds, live_updates)).plan

        return self.run(go())

    def apply(self, catalog_or_plan, **options) -> ApplyResult:
        async def go():
            async with emulator_target(self.emulator, None, "sandbox", policy=self.policy) as target:
                plan = catalog_or_plan
                if isinstance(plan, Catalog):
                    plan = (await make_plan(plan, target, self.store, self.thresholds,
                                            options.pop("live_updates", True))).plan
                return await apply_plan(plan, target, self.store, self.state, ApplyOptions(**options))

        return self.run(go())

    def live(self) -> Essence:
        """The live catalog as reconcile reads it, through the current mapping."""

        async def go():
            async with emulator_target(self.emulator, None, "sandbox", policy=self.policy) as target:
                raw = await target.fetch()
                return target.interpret(raw, self.store.entries(await target.scope()), {}).essence

        return self.run(go())

    def raw_live(self) -> dict:
        """Every live entity as Wix returns it (archived ones included), for exact before/after checks."""

        async def go():
            async with emulator_target(self.emulator, None, "sandbox", policy=self.policy) as target:
                raw = await target.fetch()
                return {"menus": raw.menus, "sections": raw.sections, "items": raw.items}

        return self.run(go())

    def mapping(self) -> dict:
        return self.store.dump()
