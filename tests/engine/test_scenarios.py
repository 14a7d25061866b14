"""Plan and apply scenarios against the real emulator, in-process (issue: plan, apply)."""

from __future__ import annotations

import copy

import pytest

from reconciler.state.mapping import MappingStore
from reconciler.yamlio.load import load_catalog
from tests.catalog_edits import dish, edit, kinds, pizzeria, section
from tests.engine.harness import WAYS, both_ways


@pytest.fixture(params=WAYS)
def h(request, tmp_path):
    """Each scenario runs against the emulator in-process and over real HTTP."""
    return both_ways(request, tmp_path, api="v3")


def calls(plan) -> list[str]:
    return [op.call for op in plan.operations]


def test_empty_site_full_create_then_noop(h):
    plan = h.plan(pizzeria())
    assert plan.counts == {"create": 22, "update": 0, "remove": 0}
    assert calls(plan) == [
        "createDraftCatalog",
        "bulkCreateMenus",
        "bulkCreateVariations",
        "bulkCreateSections",
        "bulkCreateDishes",
        "bulkUpdateItems",
        "bulkUpdateSections",
        "bulkUpdateMenus",
        "publishDraftCatalog",
    ]
    result = h.apply(plan)
    assert result.differences == []
    assert h.plan(pizzeria()).empty


def test_one_price_change_is_one_live_update(h):
    h.apply(pizzeria())
    changed = edit(pizzeria(), lambda d: dish(d, "margherita").update(price="11.75"))
    plan = h.plan(changed)
    assert kinds(plan) == [("update", "dish", "margherita")]
    assert [(f.path, f.before, f.after) for f in plan.changes[0].fields] == [("price", "11.00", "11.75")]
    assert calls(plan) == ["updateItem"]
    h.reset_counters()
    h.apply(plan, verify=False)
    assert h.writes() == {"updateItem": 1}
    assert h.plan(changed).empty


def test_one_price_change_without_live_updates_uses_three_writes(h):
    h.apply(pizzeria())
    changed = edit(pizzeria(), lambda d: dish(d, "margherita").update(price="11.75"))
    plan = h.plan(changed, live_updates=False)
    assert calls(plan) == ["createDraftCatalog", "bulkUpdateItems", "publishDraftCatalog"]
    h.apply(plan)
    assert h.plan(changed).empty


def test_renamed_dish_is_an_update_of_the_same_wix_item(h):
    h.apply(pizzeria())
    before = h.live()[("dish", "margherita")]
    renamed = edit(pizzeria(), lambda d: dish(d, "margherita").update(name="Margherita DOP"))
    plan = h.plan(renamed)
    assert kinds(plan) == [("update", "dish", "margherita")]
    wix_before = plan.ids["item:margherita"]
    h.apply(plan)
    assert h.live()[("dish", "margherita")]["name"] == "Margherita DOP"
    assert h.plan(renamed).ids["item:margherita"] == wix_before
    assert before["price"] == h.live()[("dish", "margherita")]["price"]


def test_dish_moved_between_sections(h):
    h.apply(pizzeria())

    def move(d):
        section(d, "pizzas")["dishes"].remove("funghi")
        section(d, "salads")["dishes"].append("funghi")

    moved = edit(pizzeria(), move)
    plan = h.plan(moved)
    assert kinds(plan) == [("update", "section", "pizzas"), ("update", "section", "salads")]
    h.apply(plan)
    live = h.live()
    assert live[("section", "salads")]["dishes"] == ["caesar", "caprese", "funghi"]
    assert "funghi" not in live[("section", "pizzas")]["dishes"]
    assert h.plan(moved).empty


def test_dish_removed_is_unlisted_and_hidden_and_comes_back_with_its_id(h):
    h.apply(pizzeria())
    wix_id = h.plan(pizzeria()).ids["item:caprese"]

    def remove(d):
        section(d, "salads")["dishes"].remove("caprese")
        d["dishes"] = [x for x in d["dishes"] if x["id"] != "caprese"]

    removed = edit(pizzeria(), remove)
    plan = h.plan(removed)
    assert kinds(plan) == [("update", "section", "salads"), ("remove", "dish", "caprese")]
    h.apply(plan)
    assert ("dish", "caprese") not in h.live()
    item = next(i for i in h.raw_live()["items"] if i["id"] == wix_id)
    assert item["visibilityCriteria"]["visible"] is False
    assert h.plan(removed).empty
    back = h.plan(pizzeria())
    assert ("create", "dish", "caprese") in kinds(back)
    assert "bulkCreateDishes" not in calls(back)  # the old Wix item is reused
    h.apply(back)
    assert h.plan(pizzeria()).ids["item:caprese"] == wix_id
    assert h.plan(pizzeria()).empty


def test_menu_removed_is_archived(h):
    cafe = load_catalog("catalogs/cafe.yaml")
    h.apply(cafe)
    wix_lunch = h.plan(cafe).ids["menu:lunch"]
    no_lunch = edit(
        cafe,
        lambda d: d.update(
            menus=[m for m in d["menus"] if m["id"] != "lunch"],
            dishes=[x for x in d["dishes"] if x["id"] not in ("blt", "grilled-cheese", "iced-tea")],
        ),
    )
    plan = h.plan(no_lunch)
    assert ("remove", "menu", "lunch") in kinds(plan)
    assert plan.summary_line().endswith("to archive")
    assert "bulkArchiveMenus" in calls(plan)
    h.apply(plan)
    menu = next(m for m in h.raw_live()["menus"] if m["id"] == wix_lunch)
    assert menu["archived"] is True
    assert h.plan(no_lunch).empty
    again = h.plan(cafe)
    assert "bulkUnarchiveMenus" in calls(again) and "bulkCreateMenus" not in calls(again)
    h.apply(again)
    assert h.plan(cafe).empty


def test_new_option_group(h):
    h.apply(pizzeria())

    def add(d):
        d["variations"].append({"id": "dip-garlic", "name": "Garlic dip"})
        d["variations"].append({"id": "dip-chili", "name": "Chili dip", "price": "0.50"})
        d["option_groups"].append(
            {
                "id": "dips",
                "name": "Dips",
                "type": "extras",
                "max": 1,
                "choices": [{"item": "dip-garlic", "price": "0.80"}, {"item": "dip-chili"}],
            }
        )
        dish(d, "funghi")["options"].append("dips")

    added = edit(pizzeria(), add)
    plan = h.plan(added)
    assert kinds(plan) == [
        ("update", "dish", "funghi"),
        ("create", "variation", "dip-chili"),
        ("create", "variation", "dip-garlic"),
    ]
    assert [f.path for f in plan.changes[0].fields] == ["options"]
    h.apply(plan)
    assert [o["name"] for o in h.live()[("dish", "funghi")]["options"]] == ["Size", "Extra toppings", "Dips"]
    assert h.plan(added).empty


def test_live_edit_outside_reconcile_is_drift(h):
    h.apply(pizzeria())
    wix_id = h.plan(pizzeria()).ids["item:diavola"]
    h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": {"price": {"value": "99.00"}}})
    plan = h.plan(pizzeria())
    assert kinds(plan) == [("update", "dish", "diavola")]
    assert plan.changes[0].drift is True
    assert [(f.path, f.before, f.after) for f in plan.changes[0].fields] == [("price", "99.00", "13.50")]
    h.apply(plan)
    assert h.plan(pizzeria()).empty


def test_site_adopted_without_mapping_plans_no_duplicates(h, tmp_path):
    h.apply(pizzeria())
    # The mapping is lost: a fresh state directory on another machine.
    fresh = copy.copy(h)
    fresh.store = MappingStore(tmp_path / "other.sqlite")
    plan = fresh.plan(pizzeria())
    assert plan.empty, [str(c) for c in plan.changes]
    assert any("adopting 22 live entities" in n for n in plan.notes)
    fresh.apply(plan)
    assert len(fresh.mapping()["mapping"]) == 22
    assert fresh.plan(pizzeria()).notes == ()
