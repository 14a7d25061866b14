"""The real engine against a real emulator, in-process or over HTTP: no part of reconcile is faked.

``Harness`` runs the emulator in this process (through its httpx transport); ``HttpHarness`` talks
to `reconcile emulator serve` running as a separate process on 127.0.0.1, one location per
harness. Both offer the same methods, so a scenario can run both ways.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from reconciler.engine.apply import ApplyOptions, ApplyResult, apply_plan
from reconciler.engine.essence import Essence
from reconciler.engine.plan import Plan
from reconciler.engine.planning import make_plan
from reconciler.engine.thresholds import Thresholds
from reconciler.http import RetryPolicy, Session
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import MappingStore
from reconciler.targets.registry import emulator_target
from reconciler.targets.wix_menus.target import WixMenusTarget
from reconciler.targets.wix_v3.target import WixV3Target
from tests import oracle

# Retries without real waiting: backoff delays are computed but tests never sleep on them.
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, jitter=lambda cap: 0.0)


class _Engine:
    """Plan, apply and read through whatever target ``target()`` yields."""

    location: str | None = None

    def __init__(self, tmp_path: Path, policy: RetryPolicy) -> None:
        self.state = tmp_path / "state"
        self.state.mkdir(exist_ok=True)
        self.store = MappingStore(self.state / "state.sqlite")
        self.policy = policy
        self.thresholds = Thresholds(max_update_share=1.0, max_remove_share=1.0, min_existing=10**9)

    def target(self):  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def run(self, coroutine):
        return asyncio.run(coroutine)

    def plan(self, catalog: Catalog, live_updates: bool = True) -> Plan:
        async def go():
            async with self.target() as target:
                return (await make_plan(catalog, target, self.store, self.thresholds, live_updates)).plan

        return self.run(go())

    def apply(self, catalog_or_plan, **options) -> ApplyResult:
        async def go():
            async with self.target() as target:
                plan = catalog_or_plan
                if isinstance(plan, Catalog):
                    plan = (
                        await make_plan(plan, target, self.store, self.thresholds, options.pop("live_updates", True))
                    ).plan
                return await apply_plan(plan, target, self.store, self.state, ApplyOptions(**options))

        return self.run(go())

    def live(self) -> Essence:
        """The live catalog as reconcile reads it, through the current mapping."""

        async def go():
            async with self.target() as target:
                raw = await target.fetch()
                return target.interpret(raw, self.store.entries(await target.scope()), {}).essence

        return self.run(go())

    def raw_live(self) -> dict:
        """Every live entity as Wix returns it (archived ones included), for exact before/after checks."""

        async def go():
            async with self.target() as target:
                raw = await target.fetch()
                return {"menus": raw.menus, "sections": raw.sections, "items": raw.items}

        return self.run(go())

    def call(self, operation: str, method: str, path: str, body: dict | None = None) -> dict:
        """One raw API call; for Catalogs v3 ``{catalog}`` in the path is this harness's catalog."""

        async def go():
            async with self.target() as target:
                path_ = path.format(catalog=(await target.resolve()).catalog_id) if "{catalog}" in path else path
                return await target.api.call(operation, method, path_, body)

        return self.run(go())

    def raw_site(self) -> dict:
        """Every Menus (New) entity by service kind, as the API returns it."""

        async def go():
            async with self.target() as target:
                return (await target.fetch()).lists

        return self.run(go())

    def mapping(self) -> dict:
        return self.store.dump()

    def forget_mapping(self) -> None:
        """Lose the local state (a new machine, a deleted .reconcile/): the next plan must adopt."""
        self.store.close()
        self.state = self.state.parent / f"{self.state.name}-again"
        self.state.mkdir()
        self.store = MappingStore(self.state / "state.sqlite")

    # -- the independent oracle (tests/oracle): plain HTTP, none of reconcile's reading code --------
    def wire(self) -> httpx.Client:  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def board(self) -> list[dict]:
        """What a diner of this harness's location sees, read off the wire by the oracle."""
        with self.wire() as client:
            return oracle.board(client, self.api, self.location)

    def snapshot(self) -> dict:
        """Every entity as the API returns it (revisions and dates aside), read by the oracle."""
        with self.wire() as client:
            return oracle.snapshot(client, self.api, self.location)

    def writes(self) -> dict[str, int]:
        return {op: n for op, n in self.counters()["operations"].items() if not _reads(op)}


class Harness(_Engine):
    """``api``: "v3" (Catalogs v3, the sandbox) or "menus" (Menus (New), the wix-menus target)."""

    def __init__(
        self, tmp_path: Path, policy: RetryPolicy = FAST, new_site: bool = True, api: str = "v3", currency: str = "USD"
    ) -> None:
        super().__init__(tmp_path, policy)
        self.api = api
        self.emulator = Emulator(open_store(str(tmp_path / "emulator.sqlite")))
        if new_site:
            seed(self.emulator.store, locations=1, names=["Test Kitchen"], app=api, currency=currency)

    def target(self):
        label = "sandbox" if self.api == "v3" else "wix-menus"
        return emulator_target(self.emulator, self.location, label, policy=self.policy, api=self.api)

    def wire(self) -> httpx.Client:
        auth = {"Authorization": SANDBOX_TOKEN}
        return httpx.Client(transport=self.emulator.transport(), base_url="http://emulator.invalid", headers=auth)

    def counters(self) -> dict:
        return self.emulator.counters()

    def requests(self, since: int = 0) -> list[dict]:
        return self.emulator.requests(since)

    def reset_counters(self) -> None:
        self.emulator.reset_counters()

    def set_faults(self, rules: list[dict]) -> None:
        self.emulator.set_faults(rules)

    def clear_faults(self) -> None:
        self.emulator.clear_faults()


class HttpHarness(_Engine):
    """The engine over real HTTP against a shared `reconcile emulator serve`, on its own location."""

    def __init__(
        self, tmp_path: Path, server, policy: RetryPolicy = FAST, api: str = "v3", timeout: float = 30.0
    ) -> None:
        super().__init__(tmp_path, policy)
        self.server = server
        self.api = api
        self.timeout = timeout  # the client's: shorter than a "timeout" fault's delayMs gives a real read timeout
        self.location = server.seed(locations=1, names=[f"Kitchen {tmp_path.name}"], app=api)[0]["locationId"]

    @contextlib.asynccontextmanager
    async def target(self):
        async with httpx.AsyncClient(base_url=self.server.url, timeout=self.timeout) as client:
            session = Session(client, {"Authorization": self.server.token}, [self.server.token], self.policy)
            if self.api == "v3":
                yield WixV3Target(session, self.location, label="wix-v3")
            else:
                yield WixMenusTarget(session, self.location)

    def wire(self) -> httpx.Client:
        return self.server.client()

    def counters(self) -> dict:
        return self.server.counters()

    def requests(self, since: int = 0) -> list[dict]:
        return self.server.requests(since)

    def reset_counters(self) -> None:
        self.server.reset()

    def set_faults(self, rules: list[dict]) -> None:
        self.server.set_faults(rules)

    def clear_faults(self) -> None:
        self.server.clear_faults()


# Fixture params for "run it both ways"; the HTTP way starts a real server, so it is e2e.
WAYS = ["in-process", pytest.param("http", marks=pytest.mark.e2e)]


def both_ways(request, tmp_path: Path, api: str = "v3") -> _Engine:
    """For a fixture parametrized with WAYS: the matching harness (http uses `server`)."""
    if request.param == "in-process":
        return Harness(tmp_path, api=api)
    return HttpHarness(tmp_path, request.getfixturevalue("server"), api=api)


def _reads(operation: str) -> bool:
    """List, get and query calls (Menus (New) names them "<service>.<function>")."""
    return operation.rsplit(".", 1)[-1].startswith(("list", "get", "query"))
