"""The incremental plan of a webhook sync, on both targets: a few entities' fields are planned from a
read of only those entities, with the same changes the full plan makes; anything structural is the
full plan's."""

from __future__ import annotations

import pytest

from bench import generate
from reconciler.engine.apply import ApplyOptions, apply_plan
from reconciler.engine.incremental import MAX_ENTITIES, plan_changed, verify_read
from reconciler.engine.planning import make_plan
from reconciler.model.catalog import Catalog
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import Harness
from tests.engine.test_convergence import edit_live_dish

APIS = ["v3", "menus"]
WHERE = {"listLocations", "listCatalogs"}


@pytest.fixture(params=APIS)
def h(request, tmp_path):
    harness = Harness(tmp_path, api=request.param)
    harness.apply(pizzeria())
    return harness


def incremental(h: Harness, before: Catalog, after: Catalog, live_updates: bool = True):
    async def go():
        async with h.target() as target:
            return await plan_changed(before, after, target, h.store, h.thresholds, live_updates, None)

    return h.run(go())


def full_changes(h: Harness, catalog: Catalog) -> list[tuple]:
    return [(str(c.kind), c.id, [(f.path, f.after) for f in c.fields]) for c in h.plan(catalog).changes]


def changes_of(plan) -> list[tuple]:
    return [(str(c.kind), c.id, [(f.path, f.after) for f in c.fields]) for c in plan.changes]


def apply_incremental(h: Harness, found):
    async def go():
        async with h.target() as target:
            options = ApplyOptions(read=found.raw, entries=found.entries, verify=False)
            from reconciler.engine.apply import catalog_lock

            with catalog_lock(h.state, await target.scope(), h.store) as lock:
                result = await apply_plan(found.planned.plan, target, h.store, h.state, options, lock=lock)
            return result, await verify_read(found.planned.plan, target, result.mapping)

    return h.run(go())


def calls(h: Harness) -> tuple[dict, dict]:
    reads, writes = {}, {}
    for op, n in h.counters()["operations"].items():
        if op.rsplit(".", 1)[-1] in WHERE or op in WHERE:
            continue
        (reads if op.rsplit(".", 1)[-1].startswith(("list", "get", "query")) else writes)[op] = n
    return reads, writes


def repriced(catalog: Catalog, dish_id: str, price: str) -> Catalog:
    return edit(catalog, lambda d: dish(d, dish_id).update(price=price))


def test_a_price_change_is_one_read_and_one_write_with_the_full_plans_changes(h):
    after = repriced(pizzeria(), "caesar", "9.75")
    expected = full_changes(h, after)
    h.reset_counters()
    found = incremental(h, pizzeria(), after)
    assert found is not None and changes_of(found.planned.plan) == expected
    result, differences = apply_incremental(h, found)
    reads, writes = calls(h)
    assert differences == [] and not result.differences
    if h.api == "v3":
        assert reads == {"getItem": 2} and writes == {"updateItem": 1}  # the read, the apply's none, verify's
    else:
        assert reads == {"items.listItems": 2} and writes == {"items.bulkUpdateItem": 1}
    assert h.plan(after).empty  # what the full plan sees afterwards: nothing left to do


def test_an_option_groups_choice_price_is_planned_like_the_full_plan(h):
    def change(d: dict) -> None:
        group = next(g for g in d["option_groups"] if g["id"] == "pizza-toppings")
        group["choices"][0]["price"] = "2.25"

    after = edit(pizzeria(), change)
    expected = full_changes(h, after)
    found = incremental(h, pizzeria(), after)
    if h.api == "v3":  # the three pizzas offering it: a draft, which the full plan makes
        assert found is None and [c[1] for c in expected] == ["diavola", "funghi", "margherita"]
        return
    assert found is not None and changes_of(found.planned.plan) == expected  # the group, one entity
    apply_incremental(h, found)
    assert h.plan(after).empty


def test_drift_elsewhere_is_left_to_the_full_plan(h):
    other = h.plan(pizzeria()).ids["item:diavola"]
    edit_live_dish(h, other, {"name": "Diavola (edited)"})
    after = repriced(pizzeria(), "caesar", "9.75")
    found = incremental(h, pizzeria(), after)
    assert [c.id for c in found.planned.plan.changes] == ["caesar"]
    apply_incremental(h, found)
    assert [c.id for c in h.plan(after).changes] == ["diavola"]  # the periodic reconcile's


def _moved(d: dict) -> None:
    pizzas, salads = d["menus"][0]["sections"][:2]
    pizzas["dishes"].remove("funghi")
    salads["dishes"].append("funghi")


def _added(d: dict) -> None:
    d["dishes"].append({**dish(d, "caesar"), "id": "greek", "name": "Greek Salad"})
    d["menus"][0]["sections"][1]["dishes"].append("greek")


def _reordered(d: dict) -> None:
    d["menus"][0]["sections"][0]["dishes"].reverse()


def _protected(d: dict) -> None:
    dish(d, "caesar").update(price="9.75", protect=True)


@pytest.mark.parametrize(
    "change",
    [_moved, _added, _reordered, _protected, lambda d: d["menus"][0].update(name="All Day")],
    ids=["moved", "added", "reordered", "protect-changed", "menu-renamed"],
)
def test_anything_structural_is_the_full_plans(h, change):
    assert incremental(h, pizzeria(), edit(pizzeria(), change)) is None


def test_no_change_and_a_change_of_nothing_live_are_the_full_plans(h):
    assert incremental(h, pizzeria(), pizzeria()) is None


@pytest.mark.parametrize("api", APIS)
def test_the_calls_do_not_grow_with_the_catalog(tmp_path, api):
    seen = []
    for dishes in (40, 400):
        (tmp_path / str(dishes)).mkdir()
        h = Harness(tmp_path / str(dishes), api=api)
        catalog = Catalog.model_validate(generate.generate(dishes, seed=3))
        h.apply(catalog)
        target_dish = catalog.dishes[0]
        after = repriced(catalog, target_dish.id, "99.50")
        h.reset_counters()
        found = incremental(h, catalog, after)
        assert found is not None and [c.id for c in found.planned.plan.changes] == [target_dish.id]
        apply_incremental(h, found)
        seen.append(calls(h))
        assert h.plan(after).empty
    assert seen[0] == seen[1]


def test_a_big_change_is_the_full_plans(tmp_path):
    h = Harness(tmp_path, api="v3")
    catalog = Catalog.model_validate(generate.generate(60, seed=3))
    h.apply(catalog)

    def every_price(d: dict) -> None:
        for entry in d["dishes"][: MAX_ENTITIES + 1]:
            entry["price"] = "42.00"

    assert incremental(h, catalog, edit(catalog, every_price)) is None


def test_an_unsafe_change_by_the_thresholds_is_the_full_plans(h):
    from reconciler.engine.thresholds import Thresholds

    h.thresholds = Thresholds(max_update_share=0.01, max_remove_share=0.01, min_existing=1)
    assert incremental(h, pizzeria(), repriced(pizzeria(), "caesar", "9.75")) is None

    async def full():
        async with h.target() as target:
            return await make_plan(repriced(pizzeria(), "caesar", "9.75"), target, h.store, h.thresholds)

    assert h.run(full()).plan.safety.unsafe  # which the full plan then holds, as serve does


def test_without_live_updates_a_draft_target_takes_the_full_plan(h):
    found = incremental(h, pizzeria(), repriced(pizzeria(), "caesar", "9.75"), live_updates=False)
    assert (found is None) == (h.api == "v3")  # Catalogs v3 would need a draft; Menus (New) has none
