"""A site of several business locations in one in-process emulator, driven by the real engine.

``SiteHarness`` seeds one emulated Wix site with named locations (Catalogs v3 or Menus (New)),
plans and applies a catalog of several locations through :mod:`reconciler.engine.locations`, and
reads what diners of each location see through the independent oracle (tests/oracle).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from reconciler.engine.apply import ApplyOptions
from reconciler.engine.locations import Rollout, SiteResult, apply_locations, plan_locations
from reconciler.engine.siteplan import SitePlan
from reconciler.engine.thresholds import Thresholds
from reconciler.model.catalog import Catalog
from reconciler.model.effective import select_locations
from reconciler.state.mapping import MappingStore
from reconciler.targets.registry import emulator_target
from tests import oracle
from tests.engine.harness import FAST
from tests.oracle.locations import location_data

NAMES = ["Downtown", "Airport", "Campus", "Harbor"]


class SiteHarness:
    def __init__(self, tmp_path: Path, api: str = "v3", names: list[str] | None = None, new_site: bool = True):
        self.api = api
        self.names = list(names or NAMES)
        self.state = tmp_path / "state"
        self.state.mkdir(parents=True, exist_ok=True)
        self.store = MappingStore(self.state / "state.sqlite")
        self.emulator = Emulator(open_store(str(tmp_path / "emulator.sqlite")))
        if new_site:
            seed(self.emulator.store, locations=len(self.names), names=self.names, app=api)
        self.thresholds = Thresholds(max_update_share=1.0, max_remove_share=1.0, min_existing=10**9)
        self.started: list[str] = []  # location keys, in the order apply started them
        self.marks: dict[str, int] = {}  # location key -> request-log position when it started

    def opener(self, location: str):
        label = "sandbox" if self.api == "v3" else "wix-menus"
        return emulator_target(self.emulator, location, label, policy=FAST, api=self.api)

    def plan(self, catalog: Catalog, wanted: str | None = None) -> SitePlan:
        locations = select_locations(catalog, wanted)
        return asyncio.run(plan_locations(catalog, locations, self.opener, self.store, self.thresholds))

    def apply(self, catalog_or_plan: Catalog | SitePlan, rollout: Rollout | None = None, **options) -> SiteResult:
        site = self.plan(catalog_or_plan) if isinstance(catalog_or_plan, Catalog) else catalog_or_plan
        self.started = []

        def started(key: str) -> None:
            self.started.append(key)
            self.marks[key] = self.last_seq()

        return asyncio.run(
            apply_locations(
                site,
                self.opener,
                self.store,
                self.state,
                ApplyOptions(**options),
                rollout or Rollout(parallel=1),
                started=started,
            )
        )

    # -- the oracle --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def wire(self):
        auth = {"Authorization": SANDBOX_TOKEN}
        with httpx.Client(transport=self.emulator.transport(), base_url="http://emulator.invalid", headers=auth) as c:
            yield c

    def board(self, location: str) -> list[dict]:
        with self.wire() as client:
            return oracle.board(client, self.api, location)

    def expected(self, data: dict, location: str) -> list[dict]:
        return oracle.expected(location_data(data, location), self.api)

    def snapshot(self, location: str) -> dict:
        with self.wire() as client:
            return oracle.snapshot(client, self.api, location)

    # -- the emulator's knobs ----------------------------------------------------------------------
    def requests(self, since: int = 0) -> list[dict]:
        return self.emulator.requests(since)

    def last_seq(self) -> int:
        log = self.emulator.requests(0)
        return log[-1]["seq"] if log else 0

    def set_faults(self, rules: list[dict]) -> None:
        self.emulator.set_faults(rules)

    def clear_faults(self) -> None:
        self.emulator.clear_faults()

    def writes(self) -> dict[str, int]:
        ops = self.emulator.counters()["operations"]
        return {op: n for op, n in ops.items() if not op.split(".")[-1].startswith(("list", "get", "query"))}

    def reset_counters(self) -> None:
        self.emulator.reset_counters()
