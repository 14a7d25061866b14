"""Rollback on both targets: apply a pull request, roll it back, and the live site is as before.

Judged by the oracle (tests/oracle: plain HTTP, none of reconcile's reading code): what a diner
sees is the same board as before, every entity that existed before is there again with its Wix
id and its fields (Menus (New) recreates what the run deleted, with new ids, and the plan says
so), and a plan of the old catalog is then empty. A rollback that fails half-way changes nothing.
"""

from __future__ import annotations

import pytest

from reconciler.engine.apply import ApplyOptions, apply_plan
from reconciler.engine.rollback import LiveMoved, find_run, plan_rollback
from reconciler.errors import ApplyFailed, ConfigError
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import FAST, Harness
from tests.oracle import VOLATILE, mismatch
from tests.render.review_case import pull_request
from tests.support.faults import PERSISTENT, plan_positions, rule

APIS = ["v3", "menus"]


def rolled_back_plan(h: Harness, run_id: str | None = None, force: bool = False):
    async def go():
        async with h.target() as target:
            run = find_run(h.store, run_id)
            return run, await plan_rollback(run, target, h.store, h.thresholds, force)

    return h.run(go())


def roll_back(h: Harness, run_id: str | None = None, force: bool = False):
    async def go():
        async with h.target() as target:
            run = find_run(h.store, run_id)
            back = await plan_rollback(run, target, h.store, h.thresholds, force)
            options = ApplyOptions(force=True, saved=True, before=back.planned.live.essence, undoes=run.run.run_id)
            return back, await apply_plan(back.planned.plan, target, h.store, h.state, options)

    return h.run(go())


def journaled_apply(h: Harness, catalog):
    """An apply as the CLI makes it: with the before-state of what it touches."""
    from reconciler.engine.planning import make_plan

    async def go():
        async with h.target() as target:
            planned = await make_plan(catalog, target, h.store, h.thresholds)
            options = ApplyOptions(who="tester@here", before=planned.live.essence)
            return await apply_plan(planned.plan, target, h.store, h.state, options)

    return h.run(go())


def entities(snapshot: dict) -> dict[str, dict]:
    """Every entity by Wix id, revisions and dates aside (the oracle's snapshot, either API)."""
    out = {}
    for kind, listed in snapshot.items():
        for entity in listed:
            out[entity["id"]] = {"_kind": kind, **{k: v for k, v in entity.items() if k not in VOLATILE}}
    return out


def renamed(before: dict[str, dict], after: dict[str, dict]) -> dict[str, str]:
    """Old Wix id -> new one, for what was deleted and recreated: the same kind of entity, the same name."""
    new = {(e["_kind"], e.get("name")): i for i, e in after.items() if i not in before}
    return {i: new[(e["_kind"], e.get("name"))] for i, e in before.items() if i not in after}


def translated(value, ids: dict[str, str]):
    if isinstance(value, dict):
        return {k: translated(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [translated(v, ids) for v in value]
    return ids.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("api", APIS)
def test_apply_then_rollback_is_the_state_before_entity_by_entity(tmp_path, api):
    h = Harness(tmp_path, api=api)
    journaled_apply(h, pizzeria())
    board, before = h.board(), entities(h.snapshot())
    run = journaled_apply(h, edit(pizzeria(), pull_request))
    assert h.board() != board
    back, result = roll_back(h)
    assert not result.differences
    assert not mismatch(h.board(), board)
    after = entities(h.snapshot())
    if api == "v3":  # nothing is deleted: every entity is back with its Wix id, exactly as it was
        for wix_id, entity in before.items():
            assert not mismatch(after.get(wix_id), entity, ("rolled back", "before")), wix_id
    else:  # deleted entities come back with new ids; everything else keeps its id and its fields
        ids = renamed(before, after)
        # the Drinks section, its two dishes, and the "vegan" label only they had
        assert len(ids) == len(set(ids.values())) == 4
        for wix_id, entity in before.items():
            now = after[ids.get(wix_id, wix_id)]
            assert not mismatch(now, translated(entity, ids), ("rolled back", "before")), wix_id
        recreated = [n for n in back.planned.plan.notes if "recreated with new Wix ids" in n]
        assert recreated and "dish lemonade" in recreated[0] and "dish espresso" in recreated[0]
    assert h.plan(pizzeria()).empty
    with pytest.raises(ConfigError, match="already rolled back"):
        rolled_back_plan(h, run.run_id)


@pytest.mark.parametrize("api", APIS)
def test_a_rollback_refuses_when_the_live_side_moved_and_names_what(tmp_path, api):
    h = Harness(tmp_path, api=api)
    journaled_apply(h, pizzeria())
    journaled_apply(h, edit(pizzeria(), lambda d: dish(d, "margherita").update(price="12.00")))
    journaled_apply(h, edit(pizzeria(), lambda d: dish(d, "margherita").update(price="12.00", name="Queen")))
    # roll back the older run: the Margherita was edited since (by the newer run)
    older = [r for r in h.store.runs() if r.status == "applied"][1]
    with pytest.raises(LiveMoved) as refused:
        rolled_back_plan(h, older.run_id)
    assert any("dish margherita" in m and "edited" in m for m in refused.value.moved)
    _, back = rolled_back_plan(h, older.run_id, force=True)
    assert back.moved and not back.planned.plan.empty


@pytest.mark.parametrize("api", APIS)
def test_a_rollback_that_fails_half_way_changes_nothing(tmp_path, api):
    h = Harness(tmp_path, api=api)
    journaled_apply(h, pizzeria())
    journaled_apply(h, edit(pizzeria(), pull_request))
    snapshot, mapping = h.snapshot(), h.mapping()
    _, back = rolled_back_plan(h)
    calls = [p for p in plan_positions(back.planned.plan) if not p.is_read]
    middle = calls[len(calls) // 2]
    # v3: the call fails in every fresh draft; Menus (New): every retry of it fails, and the
    # compensating calls after it get through
    h.set_faults([rule(middle, "500", times=PERSISTENT if api == "v3" else FAST.attempts)])
    with pytest.raises(ApplyFailed):
        roll_back(h)
    h.clear_faults()
    assert not mismatch(h.snapshot(), snapshot, ("after the failed rollback", "before it"))
    assert h.mapping() == mapping
    back, result = roll_back(h)  # and it can be rolled back once the API answers again
    assert not result.differences and h.plan(pizzeria()).empty


@pytest.mark.parametrize("api", APIS)
def test_every_run_journals_the_plan_it_applied_whether_it_applied_or_failed(tmp_path, api):
    """apply packs the plan's JSON while its calls run (engine/apply.py); it is stored however the run ends."""
    from reconciler.engine.journal import plan_text, read_before
    from reconciler.engine.planning import make_plan

    h = Harness(tmp_path, api=api)
    first = journaled_apply(h, pizzeria())
    assert h.store.journal(first.run_id).plan == plan_text(first.plan)

    async def planned():
        async with h.target() as target:
            return await make_plan(edit(pizzeria(), pull_request), target, h.store, h.thresholds)

    change = h.run(planned())
    calls = [p for p in plan_positions(change.plan) if not p.is_read]
    h.set_faults([rule(calls[len(calls) // 2], "500", times=PERSISTENT if api == "v3" else FAST.attempts)])

    async def failing():
        async with h.target() as target:
            options = ApplyOptions(who="tester@here", before=change.live.essence)
            return await apply_plan(change.plan, target, h.store, h.state, options)

    with pytest.raises(ApplyFailed):
        h.run(failing())
    h.clear_faults()
    [failed] = [r for r in h.store.runs() if r.status == "failed"]
    journaled = h.store.journal(failed.run_id)
    assert journaled.plan == plan_text(change.plan) and journaled.who == "tester@here"
    assert read_before(journaled.before) == {c.key: change.live.essence.get(c.key) for c in change.plan.changes}


def test_nothing_to_roll_back_is_a_clear_error(tmp_path):
    h = Harness(tmp_path)
    with pytest.raises(ConfigError, match="no applied run"):
        rolled_back_plan(h)
    h.apply(pizzeria())  # an apply that recorded no before-state (as older versions did)
    with pytest.raises(ConfigError, match="no before-state"):
        rolled_back_plan(h)


def test_an_older_journal_gains_its_columns_in_place(tmp_path):
    import sqlite3

    from reconciler.state.mapping import Journal, MappingStore

    db = sqlite3.connect(tmp_path / "state.sqlite")
    db.execute(
        "CREATE TABLE runs (run_id TEXT PRIMARY KEY, scope TEXT NOT NULL, started REAL NOT NULL, finished REAL, "
        "status TEXT NOT NULL, summary TEXT)"
    )
    db.execute("INSERT INTO runs VALUES ('0ld', 's', 1.0, 2.0, 'applied', 'Plan: 1 to create')")
    db.commit()
    db.close()
    store = MappingStore(tmp_path / "state.sqlite")
    old = store.journal("0ld")
    assert old is not None and (old.run.summary, old.who, old.plan, old.before) == ("Plan: 1 to create", "", "", "")
    store.start_run("s", "new", Journal(who="a@b", plan='{"x": 1}', before="[]", undoes="0ld"))
    new = store.journal("ne")
    assert new is not None and (new.who, new.plan, new.before, new.undoes) == ("a@b", '{"x": 1}', "[]", "0ld")
    store.start_run("s", "loc", Journal(who="a@b", site_run="all-1"))  # the column added last, in place too
    assert [r.run.run_id for r in store.site_run("all-1")] == ["loc"]
    store.close()
