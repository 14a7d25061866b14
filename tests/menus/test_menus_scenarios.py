"""The wix-menus target against the Menus (New) emulator, in-process and over real HTTP."""

from __future__ import annotations

import copy

import pytest

from reconciler.state.mapping import MappingStore
from reconciler.yamlio.load import load_catalog
from tests.catalog_edits import dish, edit, kinds, pizzeria
from tests.engine.harness import WAYS, both_ways

EXAMPLES = ["catalogs/pizzeria.yaml", "catalogs/cafe.yaml"]


@pytest.fixture(params=WAYS)
def h(request, tmp_path):
    return both_ways(request, tmp_path, api="menus")


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_applies_and_converges(h, example):
    catalog = load_catalog(example)
    plan = h.plan(catalog)
    assert plan.target.guarantee.startswith("compensated")
    assert any(n.startswith("not supported by Menus (New), left out:") for n in plan.notes)
    result = h.apply(plan)
    assert result.differences == []
    assert result.cutover_seconds is not None
    assert h.plan(catalog).empty


def test_build_then_cut_over_then_clean_up_in_that_order(h):
    plan = h.plan(pizzeria())
    phases = [op.phase for op in plan.operations]
    assert phases == sorted(phases, key=["build", "cut-over", "clean-up"].index)
    assert [op.call for op in plan.operations if op.phase == "cut-over"] == ["menus.bulkUpdateMenu"]
    created_menu = next(op for op in plan.operations if op.call == "menus.bulkCreateMenus")
    assert created_menu.body["menus"][0]["visible"] is False  # built hidden, shown at the cut-over


def test_one_price_change_is_one_call(h):
    h.apply(pizzeria())
    changed = edit(pizzeria(), lambda d: dish(d, "caesar").update(price="9.50"))
    plan = h.plan(changed)
    assert kinds(plan) == [("update", "dish", "caesar")]
    assert [op.call for op in plan.operations] == ["items.bulkUpdateItem"]
    h.reset_counters()
    h.apply(plan, verify=False)
    assert h.writes() == {"items.bulkUpdateItem": 1}
    assert h.plan(changed).empty


def test_a_size_price_change_updates_the_price_variant(h):
    h.apply(pizzeria())

    def cheaper_large(d):
        group = next(g for g in d["option_groups"] if g["id"] == "pizza-size")
        group["choices"][2]["price"] = "5.00"

    changed = edit(pizzeria(), cheaper_large)
    plan = h.plan(changed)
    assert kinds(plan) == [
        ("update", "dish", "diavola"),
        ("update", "dish", "funghi"),
        ("update", "dish", "margherita"),
    ]
    assert [f.path for f in plan.changes[0].fields] == ["variants[size-16].price"]
    h.apply(plan)
    assert h.plan(changed).empty


def test_removed_dish_and_option_group_are_detached_then_deleted(h):
    h.apply(pizzeria())
    caesar = h.plan(pizzeria()).ids["item:caesar"]

    def remove(d):
        d["menus"][0]["sections"][1]["dishes"].remove("caesar")
        d["dishes"] = [x for x in d["dishes"] if x["id"] != "caesar"]

    removed = edit(pizzeria(), remove)
    plan = h.plan(removed)
    assert kinds(plan) == [
        ("update", "section", "salads"),
        ("remove", "dish", "caesar"),
        ("remove", "option_group", "salad-remove"),
        ("remove", "modifier", "no-anchovies"),
        ("remove", "modifier", "no-croutons"),
    ]
    assert plan.summary_line().endswith("4 to delete")
    assert [op.phase for op in plan.operations if "Delete" in op.call] == ["clean-up"] * 3
    h.apply(plan)
    assert caesar not in {i["id"] for i in h.raw_site()["item"]}
    assert h.plan(removed).empty


def test_renamed_dish_keeps_its_wix_item(h):
    h.apply(pizzeria())
    before = h.plan(pizzeria()).ids["item:margherita"]
    renamed = edit(pizzeria(), lambda d: dish(d, "margherita").update(name="Margherita DOP"))
    h.apply(renamed)
    assert h.plan(renamed).ids["item:margherita"] == before and h.plan(renamed).empty


def test_live_edit_is_drift_and_site_is_adopted_without_mapping(h, tmp_path):
    h.apply(pizzeria())
    wix_id = h.plan(pizzeria()).ids["item:funghi"]
    item = next(i for i in h.raw_site()["item"] if i["id"] == wix_id)
    h.call(
        "items.updateItem",
        "PATCH",
        f"/restaurants/menus-item/v1/items/{wix_id}",
        {
            "item": {
                "id": wix_id,
                "revision": item["revision"],
                "name": "Funghi (edited)",
                "priceVariants": item["priceVariants"],
            }
        },
    )  # Wix wants the pricing echoed on every update
    plan = h.plan(pizzeria())
    assert kinds(plan) == [("update", "dish", "funghi")] and plan.changes[0].drift
    h.apply(plan)
    fresh = copy.copy(h)
    fresh.store = MappingStore(tmp_path / "other.sqlite")
    adopted = fresh.plan(pizzeria())
    assert adopted.empty and any("adopting" in n for n in adopted.notes)
