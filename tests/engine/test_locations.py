"""Plan and apply a catalog of four locations: convergence, minimal writes, canary and halt-after.

Judged by the independent oracle: what a diner of each location sees (tests/oracle/board.py)
must be what the catalog file says that location gets (tests/oracle/locations.py, which reads
the file without reconcile's loader or effective catalog).
"""

from __future__ import annotations

import pytest

from reconciler.engine.locations import LocationOutcome, Rollout
from reconciler.errors import ConfigError, ExitCode, UnsafePlan
from reconciler.model.catalog import Catalog
from tests.catalog_edits import dish, edited
from tests.engine.site_harness import NAMES, SiteHarness
from tests.support.faults import PERSISTENT, rule

CHAIN = "catalogs/chain.yaml"


def _four(data: dict) -> None:
    data["locations"].append({"name": "Harbor", "dishes": [{"id": "lemonade", "price": "4.50"}]})


def chain(*changes) -> tuple[Catalog, dict]:
    def change(data: dict) -> None:
        _four(data)
        for more in changes:
            more(data)

    return edited(CHAIN, change)


def converged(h: SiteHarness, data: dict) -> None:
    for name in NAMES:
        live, wanted = h.board(name), h.expected(data, name)
        assert live == wanted, name


@pytest.fixture(params=["v3"])
def site(request, tmp_path) -> SiteHarness:
    return SiteHarness(tmp_path, api=request.param)


def test_four_locations_apply_in_one_run_and_then_plan_nothing(site):
    catalog, data = chain()
    result = site.apply(catalog)
    assert [r.outcome for r in result.results] == [LocationOutcome.APPLIED] * 4
    assert result.exit_code == ExitCode.OK
    converged(site, data)
    again = site.plan(catalog)
    assert again.empty and [e.location for e in again.locations] == NAMES


def test_a_price_change_at_one_location_is_one_write_there_and_nothing_elsewhere(site):
    catalog, _ = chain()
    site.apply(catalog)

    def airport_espresso(data: dict) -> None:
        airport = next(e for e in data["locations"] if e["name"] == "Airport")
        next(o for o in airport["dishes"] if o["id"] == "espresso")["price"] = "3.80"

    changed, data = chain(airport_espresso)
    plan = site.plan(changed)
    assert [e.location for e in plan.locations if not e.plan.empty] == ["Airport"]
    assert [(c.action, c.id) for c in plan.plan_of("Airport").changes] == [("update", "espresso")]
    site.reset_counters()
    result = site.apply(plan)
    assert [r.outcome for r in result.results] == [
        LocationOutcome.UNCHANGED,
        LocationOutcome.APPLIED,
        LocationOutcome.UNCHANGED,
    ] * 1 + [LocationOutcome.UNCHANGED]
    assert sum(site.writes().values()) == 1
    converged(site, data)


def test_a_base_price_change_reaches_every_location_but_the_one_that_overrides_it(site):
    catalog, _ = chain()
    site.apply(catalog)
    changed, data = chain(lambda d: dish(d, "margherita").update(price="11.50"))
    plan = site.plan(changed)
    changed_at = [e.location for e in plan.locations if not e.plan.empty]
    assert changed_at == ["Downtown", "Campus", "Harbor"]  # the Airport overrides the margherita's price
    site.reset_counters()
    site.apply(plan)
    assert sum(site.writes().values()) == 3  # one per location whose catalog changed: the minimum on v3
    converged(site, data)


def test_the_canary_goes_first_and_alone_and_a_failing_canary_stops_the_rest(site):
    catalog, data = chain()
    site.set_faults([rule("publishDraftCatalog", "500", times=PERSISTENT)])
    result = site.apply(catalog, Rollout(parallel=4, canary="Campus"))
    site.clear_faults()
    assert site.started == ["Campus"]
    outcomes = {r.location: r.outcome for r in result.results}
    assert outcomes == {
        "Downtown": LocationOutcome.SKIPPED,
        "Airport": LocationOutcome.SKIPPED,
        "Campus": LocationOutcome.FAILED,
        "Harbor": LocationOutcome.SKIPPED,
    }
    assert "canary" in next(r.error for r in result.results if r.location == "Airport")
    assert result.exit_code == ExitCode.APPLY_FAILED
    assert all(site.board(name) == [] for name in NAMES)
    healthy = site.apply(catalog, Rollout(parallel=2, canary="Campus"))
    assert site.started[0] == "Campus" and sorted(site.started) == sorted(NAMES)
    assert all(r.outcome == LocationOutcome.APPLIED for r in healthy.results)
    converged(site, data)


def test_halt_after_stops_starting_locations_and_a_rerun_finishes_them(site):
    catalog, data = chain()
    # Downtown's and the Airport's publishes fail; after two failures nothing new starts.
    site.set_faults([rule("publishDraftCatalog", "500", nth=1, times=2 * 3)])
    result = site.apply(catalog, Rollout(parallel=1, halt_after=2), attempts=1)
    site.clear_faults()
    outcomes = [r.outcome for r in result.results]
    assert outcomes == [
        LocationOutcome.FAILED,
        LocationOutcome.FAILED,
        LocationOutcome.SKIPPED,
        LocationOutcome.SKIPPED,
    ]
    assert site.started == ["Downtown", "Airport"]
    assert "halted after 2" in result.results[2].error
    again = site.apply(catalog, Rollout(parallel=1, halt_after=2))
    assert [r.outcome for r in again.results] == [LocationOutcome.APPLIED] * 4
    converged(site, data)


def test_an_unsafe_location_refuses_the_whole_run_before_anything_is_touched(site, tmp_path):
    catalog, _ = chain()
    site.apply(catalog)
    site.thresholds = type(site.thresholds)(max_update_share=0.1, max_remove_share=0.1, min_existing=1)
    cheaper, _ = chain(
        lambda d: [x.update(price="1.00") for x in d["dishes"] if x["id"] in ("lemonade", "espresso", "pesto")]
    )
    plan = site.plan(cheaper)
    assert plan.unsafe
    site.reset_counters()
    with pytest.raises(UnsafePlan, match="--location"):
        site.apply(plan)
    assert site.writes() == {}


def test_a_canary_that_is_not_applied_is_refused(site):
    catalog, _ = chain()
    with pytest.raises(ConfigError, match="--canary"):
        site.apply(site.plan(catalog, "Downtown,Airport"), Rollout(canary="Campus"))


# -- a failure at any call of location 3 of 4 ------------------------------------------------------
def _next_version(data: dict) -> None:
    """Changes at every location: a base price, a new dish, an override, a dish gone."""
    dish(data, "carbonara")["price"] = "14.50"
    data["dishes"].append({"id": "tiramisu", "name": "Tiramisu", "price": "6.00"})
    next(s for s in data["menus"][0]["sections"] if s["id"] == "pasta")["dishes"].append("tiramisu")
    campus = next(e for e in data["locations"] if e["name"] == "Campus")
    campus["dishes"] = [{"id": "carbonara", "in_stock": True}, {"id": "pesto", "price": "12.00"}]
    soft = next(s for s in data["menus"][0]["sections"] if s["id"] == "soft-drinks")
    soft["dishes"] = [d for d in soft["dishes"] if d != "espresso"]
    data["dishes"] = [d for d in data["dishes"] if d["id"] != "espresso"]
    for entry in data["locations"]:
        entry["dishes"] = [o for o in entry.get("dishes", []) if o["id"] != "espresso"]


@pytest.fixture(scope="module")
def applied_site(tmp_path_factory):
    """Four locations with the chain applied, the next version's plan, and where location 3's calls are."""
    root = tmp_path_factory.mktemp("site")
    h = SiteHarness(root)
    h.apply(chain()[0])
    plan = h.plan(chain(_next_version)[0])
    h.store.close()
    probe = _copy(root, tmp_path_factory.mktemp("probe"))
    start = probe.last_seq()
    probe.apply(plan)
    log = probe.requests(start)
    calls = positions_of(log)
    window = [p for p in calls if probe.marks["Campus"] < p.seq <= probe.marks["Harbor"]]
    return root, plan, window


def positions_of(log: list[dict]):
    from tests.support.faults import positions

    found = positions(entry["operation"] for entry in log if entry["operation"])
    seqs = [entry["seq"] for entry in log if entry["operation"]]
    return [_Seq(p, s) for p, s in zip(found, seqs, strict=True)]


class _Seq:
    def __init__(self, position, seq: int) -> None:
        self.position, self.seq = position, seq


def _copy(root, to) -> SiteHarness:
    import shutil

    shutil.copytree(root, to, dirs_exist_ok=True)
    return SiteHarness(to, new_site=False)


@pytest.mark.parametrize("lost", [False, True], ids=["refused", "answer-lost"])
def test_a_failure_at_any_call_of_location_3_leaves_it_as_it_was_and_a_rerun_converges(applied_site, tmp_path, lost):
    root, plan, window = applied_site
    _, data = chain(_next_version)
    assert len(window) >= 8  # reads, the draft, its bulk calls, the publish, the verify
    for at in window:
        position = at.position
        if lost and position.is_read:
            continue
        h = _copy(root, tmp_path / f"{position.label}-{lost}")
        before = {name: h.snapshot(name) for name in ("Campus", "Harbor")}
        h.set_faults([rule(position, "500", lost=lost, times=PERSISTENT)])
        result = h.apply(plan, attempts=2)
        h.clear_faults()
        assert h.started == NAMES  # one at a time, in catalog order: 1, 2, then 3, then 4
        outcomes = {r.location: r.outcome for r in result.results}
        assert outcomes["Downtown"] == outcomes["Airport"] == LocationOutcome.APPLIED, position.label
        for name in ("Downtown", "Airport"):
            assert h.board(name) == h.expected(data, name), (position.label, name)
        # Location 4 runs after 3: applied, or (the same fault still there) failed and untouched.
        if outcomes["Harbor"] in (
            LocationOutcome.APPLIED,
            LocationOutcome.VERIFY_FAILED,
        ):  # verify: its reads were faulted
            assert h.board("Harbor") == h.expected(data, "Harbor"), position.label
        else:
            assert outcomes["Harbor"] == LocationOutcome.FAILED and h.snapshot("Harbor") == before["Harbor"], (
                position.label
            )
        if outcomes["Campus"] == LocationOutcome.FAILED:
            assert h.snapshot("Campus") == before["Campus"], f"Campus changed after a failure at {position.label}"
            assert result.exit_code != ExitCode.OK
        else:  # the publish happened (its answer was lost, or only the verify after it failed)
            assert outcomes["Campus"] in (LocationOutcome.APPLIED, LocationOutcome.VERIFY_FAILED), position.label
        again = h.apply(h.plan(chain(_next_version)[0]))
        assert all(r.outcome in (LocationOutcome.APPLIED, LocationOutcome.UNCHANGED) for r in again.results), (
            position.label
        )
        converged(h, data)
        assert h.plan(chain(_next_version)[0]).empty
        h.store.close()
