"""Rollback of an apply of several locations, on both targets: every location it changed is put back.

The apply is made as `reconcile apply --location all` makes it (each location's live essence kept as
its before-state, one run id for all); the rollback as `reconcile rollback` makes it. Judged by the
oracle: what a diner of each location sees is the board the old catalog gives there, and a plan of
the old catalog is then empty at every location. A location that moved since the run is refused and
left alone while the others are put back; a rollback failing at one location leaves that one as it was.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from reconciler.engine.apply import ApplyOptions, apply_plan
from reconciler.engine.locations import LocationOutcome, Rollout, apply_locations, plan_locations
from reconciler.engine.planning import make_plan
from reconciler.engine.site_rollback import apply_site_rollback, plan_site_rollback, site_runs
from reconciler.model.effective import effective, select_locations
from tests.catalog_edits import edited
from tests.engine.harness import FAST
from tests.engine.site_harness import SiteHarness
from tests.engine.test_rollback import entities
from tests.oracle import mismatch
from tests.render.site_case import CHAIN, LOCATIONS, entry, site_pull_request
from tests.support.faults import PERSISTENT, plan_positions, rule

APIS = ["v3", "menus"]


def journaled_apply(h: SiteHarness, catalog):
    """As `apply --location all`: each location planned (its live essence kept), then applied."""
    locations = select_locations(catalog, None)
    site = asyncio.run(plan_locations(catalog, locations, h.opener, h.store, h.thresholds))
    options = ApplyOptions(who="tester@here", force=True)
    return asyncio.run(apply_locations(site, h.opener, h.store, h.state, options, Rollout(parallel=1)))


def plan_back(h: SiteHarness, run_id: str | None = None, force: bool = False):
    several = site_runs(h.store, run_id)
    assert several is not None
    return asyncio.run(plan_site_rollback(*several, h.opener, h.store, h.thresholds, force))


def roll_back(h: SiteHarness, back, force: bool = False):
    options = ApplyOptions(force=force, who="tester@here")
    return asyncio.run(apply_site_rollback(back, h.opener, h.store, h.state, options, h.thresholds))


def v3_entities(h: SiteHarness, location: str) -> dict[str, dict]:
    return entities(h.snapshot(location))


def pull_request_applied(tmp_path, api: str):
    h = SiteHarness(tmp_path, api=api, names=LOCATIONS)
    old, old_data = edited(CHAIN, lambda data: None)
    assert journaled_apply(h, old).exit_code == 0
    snapshots = {name: v3_entities(h, name) for name in LOCATIONS} if api == "v3" else {}
    new, new_data = edited(CHAIN, site_pull_request)
    result = journaled_apply(h, new)
    assert [r.outcome for r in result.results] == [LocationOutcome.APPLIED] * 3 and result.site_run
    for name in LOCATIONS:
        assert h.board(name) == h.expected(new_data, name), name
    return h, old, old_data, new_data, result, snapshots


@pytest.mark.parametrize("api", APIS)
def test_rolling_back_an_apply_of_every_location_puts_each_back(tmp_path, api):
    h, old, old_data, _, applied, snapshots = pull_request_applied(tmp_path, api)
    back = plan_back(h)  # no run id: the last applied run, which was one location of `applied`
    assert back.site_run == applied.site_run and back.refused == {}
    assert [key for key, _ in back.backs] == sorted(LOCATIONS)  # by name
    result = roll_back(h, back)
    assert [r.outcome for r in result.results] == [LocationOutcome.APPLIED] * 3, result.summary_line()
    assert result.site_run and result.site_run != applied.site_run
    for name in LOCATIONS:
        assert h.board(name) == h.expected(old_data, name), name
        if api == "v3":  # Catalogs v3 never deletes: every entity is back with its Wix id, as it was
            now = v3_entities(h, name)
            for wix_id, was in snapshots[name].items():
                assert not mismatch(now.get(wix_id), was, ("rolled back", "before")), (name, wix_id)
    assert h.plan(old).empty
    # each location's rollback run undoes that location's run, and is itself one run of several
    undone = {r.location: r for r in result.results}
    for r in applied.results:
        done = undone[r.location]
        assert [u.run_id for u in h.store.undone(r.result.run_id)] == [done.result.run_id]
        assert h.store.journal(done.result.run_id).site_run == result.site_run
    with pytest.raises(Exception, match="already rolled back"):
        site_runs(h.store, applied.site_run)


@pytest.mark.parametrize("api", APIS)
def test_a_location_that_moved_since_is_refused_and_the_others_are_put_back(tmp_path, api):
    h, old, old_data, _, applied, _ = pull_request_applied(tmp_path, api)
    # someone raises the Airport's Margherita again, after the run (a one-location apply of its own)
    later, later_data = edited(CHAIN, lambda d: (site_pull_request(d), _airport_margherita(d, "14.00")))

    async def edit_airport():
        async with h.opener("Airport") as target:
            planned = await make_plan(effective(later, "Airport"), target, h.store, h.thresholds)
            await apply_plan(planned.plan, target, h.store, h.state, ApplyOptions())

    asyncio.run(edit_airport())
    back = plan_back(h, applied.site_run[:12])
    assert list(back.refused) == ["Airport"] and "margherita" in back.refused["Airport"]
    result = roll_back(h, back)
    outcomes = {r.location: r.outcome for r in result.results}
    assert outcomes == {"Downtown": "applied", "Airport": "failed", "Campus": "applied"}
    airport = next(r for r in result.results if r.location == "Airport")
    assert result.exit_code == 4 and "--force" in airport.error
    assert h.board("Airport") == h.expected(later_data, "Airport")  # left exactly as it was
    for name in ("Downtown", "Campus"):
        assert h.board(name) == h.expected(old_data, name), name
    # forced, the Airport is put back too (its own edit with it)
    forced = plan_back(h, applied.site_run, force=True)
    assert [key for key, _ in forced.backs] == ["Airport"] and forced.refused == {}
    assert [r.outcome for r in roll_back(h, forced, force=True).results] == [LocationOutcome.APPLIED]
    assert h.board("Airport") == h.expected(old_data, "Airport")
    assert h.plan(old).empty


def _airport_margherita(data: dict, price: str) -> None:
    next(o for o in entry(data, "Airport")["dishes"] if o["id"] == "margherita")["price"] = price


@pytest.mark.parametrize("api", APIS)
def test_a_rollback_failing_at_one_location_leaves_that_one_as_it_was(tmp_path, api):
    h, old, old_data, new_data, applied, _ = pull_request_applied(tmp_path, api)
    back = plan_back(h)
    plans = {key: way.planned.plan for key, way in back.backs}
    *others, last = plans  # one after the other, by name: Airport, Campus, then Downtown
    # the first write of the last location's way back fails: v3, in every fresh draft; Menus (New),
    # every retry of it, and the compensating calls after it get through
    first = next(p for p in plan_positions(plans[last]) if not p.is_read)
    earlier = sum(p.call == first.call for key in others for p in plan_positions(plans[key]))
    h.set_faults([rule(first.call, "500", nth=earlier + 1, times=PERSISTENT if api == "v3" else FAST.attempts)])
    result = roll_back(h, back)
    h.clear_faults()
    outcomes = {r.location: r.outcome for r in result.results}
    assert outcomes == {**dict.fromkeys(others, "applied"), last: "failed"}, result.summary_line()
    assert h.board(last) == h.expected(new_data, last)  # as the run left it: nothing changed there
    for name in others:
        assert h.board(name) == h.expected(old_data, name), name
    # the rollback again: only that location is left to put back
    again = plan_back(h, applied.site_run)
    assert [key for key, _ in again.backs] == [last]
    assert [r.outcome for r in roll_back(h, again).results] == [LocationOutcome.APPLIED]
    assert h.board(last) == h.expected(old_data, last)
    assert h.plan(old).empty


def test_rollback_and_history_of_an_apply_of_every_location_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    def run(*args: str):
        return CliRunner().invoke(cli, [*args, "--state-dir", str(tmp_path / "state")])

    assert run("apply", CHAIN, "--auto-approve").exit_code == 0
    changed = tmp_path / "chain.yaml"
    changed.write_text(Path(CHAIN).read_text(encoding="utf-8").replace('"11.00"', '"11.50"'), encoding="utf-8")
    applied = run("apply", str(changed), "--auto-approve", "--format", "json")
    assert applied.exit_code == 0, applied.output
    site_run = json.loads(applied.output[applied.output.index("{") :])["site_run"]
    listed = run("history").output
    assert listed.count(f"one location of run {site_run}") == 2  # Downtown and Campus: the Airport overrides it
    shown = run("history", site_run[:12])
    assert shown.exit_code == 0 and shown.output.startswith(f"Run {site_run}: 2 location run(s)")
    back = run("rollback", "--auto-approve")
    assert back.exit_code == 0, back.output
    assert f"Rollback of run {site_run[:12]} at 2 location(s): Campus, Downtown" in back.output
    rows = [line.split()[:2] for line in back.output.splitlines() if line.startswith(("Downtown ", "Campus "))]
    assert rows[-2:] == [["Campus", "applied"], ["Downtown", "applied"]]
    again = run("plan", CHAIN, "--detailed-exitcode")
    assert again.exit_code == 0, again.output  # the old catalog plans nothing at any location
    refused = run("rollback", site_run, "--auto-approve")
    assert refused.exit_code != 0 and "already rolled back" in refused.output + str(refused.exception)


def test_an_apply_of_a_saved_plan_of_several_locations_rolls_back_too(tmp_path):
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    def run(*args: str):
        return CliRunner().invoke(cli, [*args, "--state-dir", str(tmp_path / "state")])

    assert run("apply", CHAIN, "--auto-approve").exit_code == 0
    changed = tmp_path / "chain.yaml"
    changed.write_text(Path(CHAIN).read_text(encoding="utf-8").replace('"14.00"', '"14.50"'), encoding="utf-8")
    saved = tmp_path / "plan.json"
    assert run("plan", str(changed), "--out", str(saved)).exit_code == 0
    applied = run("apply", "--plan", str(saved), "--auto-approve", "--format", "json")
    assert applied.exit_code == 0, applied.output
    result = json.loads(applied.output[applied.output.index("{") :])
    assert result["summary"]["applied"] == 3 and result["site_run"]
    back = run("rollback", result["site_run"], "--auto-approve", "--format", "json")
    assert back.exit_code == 0, back.output
    undone = json.loads(back.output[back.output.index("{") :])
    assert [e["result"] for e in undone["locations"]] == ["applied"] * 3
    assert run("plan", CHAIN, "--detailed-exitcode").exit_code == 0  # the old catalog: nothing to do anywhere
