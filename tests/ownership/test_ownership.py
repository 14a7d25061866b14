"""Field ownership: what the live side owns never appears in a plan, on both targets, after a live edit of it."""

from __future__ import annotations

import pytest

from reconciler.model.ownership import Ownership
from tests.availability.test_dashboard import flip_in_dashboard
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import Harness
from tests.engine.test_convergence import edit_live_dish


def owned(catalog_wide: dict | None = None, **per_dish: dict):
    """The pizzeria with ``ownership:`` at the top and on the dishes named."""

    def change(data: dict) -> None:
        data["ownership"] = catalog_wide
        for dish_id, ownership in per_dish.items():
            dish(data, dish_id)["ownership"] = ownership

    return edit(pizzeria(), change)


@pytest.fixture(params=["v3", "menus"])
def h(request, tmp_path):
    return Harness(tmp_path, api=request.param)


def wix_id(h, dish_id: str) -> str:
    return h.plan(pizzeria()).ids[f"item:{dish_id}"]


def fields_of(plan, dish_id: str) -> set[str]:
    return {f.path.split("[")[0].split(".")[0] for c in plan.changes if c.id == dish_id for f in c.fields}


def test_a_price_owned_live_never_appears_in_a_plan_after_a_live_edit(h):
    catalog = owned({"live": ["price"]})
    h.apply(catalog)
    edit_live_dish(h, wix_id(h, "funghi"), {"price": "19.00"})  # a dish with sizes: every size's price moves
    edit_live_dish(h, wix_id(h, "caesar"), {"price": "21.00"})
    plan = h.plan(catalog)
    assert plan.empty, [(c.kind, c.id, [f.path for f in c.fields]) for c in plan.changes]
    # A new price in the YAML is not written either: the live side owns it.
    repriced = edit(catalog, lambda d: dish(d, "caesar").update(price="9.99"))
    assert h.plan(repriced).empty
    # Another field of the same dish is written, and the live price stays as the dashboard set it.
    described = edit(catalog, lambda d: dish(d, "caesar").update(description="Romaine, parmesan."))
    plan = h.plan(described)
    assert fields_of(plan, "caesar") == {"description"} and not any(c.drift for c in plan.changes)
    before = h.live()
    h.apply(described)
    after = h.live()
    key = next(k for k in after if k[1] == "caesar")
    assert after[key]["price"] == before[key]["price"] and after[key]["price"].startswith("21")
    assert h.plan(described).empty


def test_without_ownership_the_same_live_edit_is_drift_that_apply_reverts(h):
    """The control: ownership is what keeps the edit, not something else."""
    h.apply(pizzeria())
    edit_live_dish(h, wix_id(h, "caesar"), {"price": "21.00"})
    [change] = h.plan(pizzeria()).changes
    assert change.id == "caesar" and change.drift and fields_of(h.plan(pizzeria()), "caesar") == {"price"}


def test_an_entity_override_wins_over_the_catalog_wide_owner(h):
    catalog = owned({"live": ["name"]}, caesar={"catalog": ["name"]})
    h.apply(catalog)
    edit_live_dish(h, wix_id(h, "caesar"), {"name": "Caesar (edited)"})
    edit_live_dish(h, wix_id(h, "caprese"), {"name": "Caprese (edited)"})
    plan = h.plan(catalog)
    assert [(c.id, c.drift) for c in plan.changes] == [("caesar", True)]  # caprese's name is the live side's


def test_a_create_still_sets_a_live_owned_field_from_the_catalog(h):
    h.apply(pizzeria())

    def add(data: dict) -> None:
        data["ownership"] = {"live": ["price", "name"]}
        data["dishes"].append({"id": "calzone", "name": "Calzone", "price": "15.00"})
        data["menus"][0]["sections"][0]["dishes"].append("calzone")

    catalog = edit(pizzeria(), add)
    plan = h.plan(catalog)
    created = next(c for c in plan.changes if c.id == "calzone")
    assert {f.path: f.after for f in created.fields}["price"] == "15.00"
    h.apply(catalog)
    assert h.plan(catalog).empty


def test_availability_owned_live_is_never_reverted_nor_adopted(h):
    catalog = owned({"live": ["availability"]})
    h.apply(catalog)
    flip_in_dashboard(h, "diavola", False)
    plan = h.plan(catalog)
    assert plan.empty and all("availability layer" not in n for n in plan.notes)
    # The YAML saying out of stock is not written either.
    assert h.plan(edit(catalog, lambda d: dish(d, "caprese").update(in_stock=False))).empty


def test_availability_owned_by_the_catalog_reverts_a_dashboard_flip(h):
    """Today's default adopts a dashboard 86 into the layer; `catalog: [availability]` makes the YAML win."""
    from tests.availability.helpers import Layered

    lh = Layered(h)
    catalog = owned({"catalog": ["availability"]})
    lh.apply(catalog)
    flip_in_dashboard(h, "diavola", False)
    [change] = lh.planned(catalog).plan.changes
    assert change.id == "diavola" and change.drift
    assert lh.planned(pizzeria()).plan.empty  # the default: adopted, not reverted


def test_ownership_validates_with_every_unknown_field_named():
    with pytest.raises(ValueError) as caught:
        Ownership.model_validate({"live": ["imgae", "price", "prise"]})
    assert '"imgae", "prise"' in str(caught.value) and "availability" in str(caught.value)
    with pytest.raises(ValueError, match="one owner"):
        Ownership.model_validate({"live": ["price"], "catalog": ["price"]})
