"""The roll-out driver (waves, lanes, the gate, continuing) and the shared request budgets."""

from __future__ import annotations

import asyncio
import math

import pytest

from reconciler.fleet.budget import Budget, _pacing
from reconciler.fleet.records import FleetRecords
from reconciler.fleet.rollout import RolloutDriver, RolloutSpec, Wave
from reconciler.state.database import Database


def spec(waves: list[Wave], concurrency: int = 2) -> RolloutSpec:
    return RolloutSpec("r1", "chain", "sha256:x", "apply", waves, concurrency)


class Sites:
    """A fake site runner: results by site id, with the most sites in flight at once recorded."""

    def __init__(self, failing: set[str] = frozenset()) -> None:
        self.failing = failing
        self.started: list[str] = []
        self.in_flight = 0
        self.most = 0

    async def __call__(self, wave: str, site_id: str) -> str:
        self.started.append(site_id)
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await asyncio.sleep(0)  # let the other lanes run
        await asyncio.sleep(0)
        self.in_flight -= 1
        return "failed" if site_id in self.failing else "converged"


def test_waves_run_in_order_within_the_concurrency_bound():
    sites = Sites()
    waves = [Wave("canary", ["a"], 0), Wave("rest", [f"s{i}" for i in range(7)], 0)]
    result = asyncio.run(RolloutDriver(spec(waves, concurrency=3), sites).run())
    assert result.status == "finished"
    assert sites.started == ["a", *[f"s{i}" for i in range(7)]], "file order, canary first"
    assert sites.most == 3
    assert result.spec.tally == {"converged": 8}


def test_a_wave_halts_once_over_its_threshold_and_starts_nothing_more():
    sites = Sites(failing={"s1", "s2"})
    waves = [Wave("canary", ["a"], 0), Wave("rest", [f"s{i}" for i in range(6)], 1), Wave("late", ["z"], 0)]
    result = asyncio.run(RolloutDriver(spec(waves, concurrency=1), sites).run())
    assert (result.status, result.wave) == ("halted", "rest")
    assert sites.started == ["a", "s0", "s1", "s2"], "one lane: nothing starts after the second failure"
    assert result.spec.failed_sites == ["s1", "s2"] and result.spec.failures == 2
    assert "2 of its sites failed (at most 1 allowed)" in result.message


def test_plan_waves_never_halt():
    sites = Sites(failing={"a", "b"})
    result = asyncio.run(RolloutDriver(spec([Wave("all", ["a", "b", "c"], None)]), sites).run())
    assert result.status == "finished" and result.spec.tally == {"failed": 2, "converged": 1}


def test_a_run_stops_at_its_limit_and_the_next_run_carries_on():
    sites = Sites()
    waves = [Wave("one", ["a", "b", "c"], 0), Wave("two", ["d", "e"], 0)]
    first = asyncio.run(RolloutDriver(spec(waves, concurrency=2), sites, limit=4).run())
    assert first.status == "continue" and (first.spec.wave_index, first.spec.position) == (1, 1)
    second = asyncio.run(RolloutDriver(first.spec, sites, limit=4).run())
    assert second.status == "finished"
    assert sites.started == ["a", "b", "c", "d", "e"], "each site exactly once across runs"
    assert second.spec.tally == {"converged": 5}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.e2e)])
def records(request, tmp_path):
    url = (
        str(tmp_path / "state.sqlite")
        if request.param == "sqlite"
        else request.getfixturevalue("postgres").create_database()
    )
    dbs = [Database(url), Database(url)]
    yield [FleetRecords(db) for db in dbs]
    for db in dbs:
        db.close()


def test_pacing_never_allows_more_than_the_rate_in_a_minute():
    for rate in (1, 7, 60, 200, 12_000):
        interval, tolerance = _pacing(rate)
        burst = round(tolerance / interval) + 1
        # GCRA: at most a burst at once, then one per interval; in any minute [t, t + 60):
        most = math.ceil(60 / interval - 1e-9) + burst - 1
        assert most <= rate, (rate, most)


def test_budgets_are_shared_by_every_worker(records):
    """Two workers (two connections) reserving from one site's budget: the schedule they are given,
    together, never lets more requests go than the budget allows."""
    first, second = records
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    interval, _ = _pacing(60)  # 60 a minute: bursts of 3, then one every 60/57 s
    budgets = [Budget(r, "chain", 60, None, sleep=sleep) for r in (first, second)]

    async def main() -> None:
        for i in range(12):
            await budgets[i % 2].take("site-a")

    asyncio.run(main())
    assert len(waits) >= 12 - 3, waits
    # The k-th request beyond the burst waits about k intervals: the two workers share one clock.
    beyond = sorted(waits)[-1]
    assert beyond >= (12 - 3) * interval - 1.0, (beyond, interval)
    assert sum(b.waited for b in budgets) == pytest.approx(sum(waits))


def test_the_fleet_budget_binds_across_sites(records):
    first, _ = records
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    budget = Budget(first, "chain", 100_000, 60, sleep=sleep)

    async def main() -> None:
        for i in range(10):
            await budget.take(f"site-{i}")  # ten different sites, one fleet budget

    asyncio.run(main())
    assert len(waits) >= 10 - 3 and max(waits) >= (10 - 3) * _pacing(60)[0] - 1.0
