"""How a catalog maps onto Menus (New): sizes, modifier groups, labels, and what cannot be held."""

from __future__ import annotations

import pytest

from reconciler.errors import UnsupportedByTarget
from reconciler.model.catalog import Catalog
from reconciler.targets.wix_menus.project import project
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness


def cafe() -> Catalog:
    return load_catalog("catalogs/cafe.yaml")


def test_sizes_become_price_variants_priced_from_the_dish():
    essence, _, refused = project(cafe())
    assert refused == []
    latte = essence[("dish", "latte")]
    assert latte["price"] is None
    assert latte["variants"] == [{"variant": "cup-small", "price": "4.25"}, {"variant": "cup-large", "price": "5.00"}]
    assert latte["groups"] == ["milk"]  # the second selection stays a modifier group
    assert essence[("variant", "cup-large")] == {"name": "Large"}


def test_option_kinds_become_modifier_group_rules():
    essence, _, _ = project(cafe())
    milk = essence[("option_group", "milk")]
    assert (milk["required"], milk["min"], milk["max"]) == (True, 1, 1)
    assert [m["preselected"] for m in milk["modifiers"]] == [True, False, False]
    extras = essence[("option_group", "toast-extras")]
    assert (extras["required"], extras["min"], extras["max"]) == (False, 0, 2)
    removal = essence[("option_group", "sandwich-remove")]
    assert (removal["required"], removal["min"], removal["max"]) == (False, 0, 2)
    assert all(m["preselected"] for m in removal["modifiers"])
    assert essence[("modifier", "milk-oat")] == {"name": "Oat milk", "in_stock": True}


def test_what_menus_new_cannot_hold_is_reported_not_silently_dropped():
    essence, notes, _ = project(cafe())
    assert any("platform restrictions: dish iced-tea" in n for n in notes)
    # Menu hours go to the menu's Online Orders settings; only breakfast closes at Christmas, and
    # a Wix closure would close lunch too, so it is reported rather than held.
    assert not any("opening hours" in n and "menu " in n for n in notes)
    assert essence[("menu", "breakfast")]["hours"][0] == {"day": "mon", "start": "07:00", "end": "11:00"}
    assert any("holiday closures of only some menus" in n and "menu breakfast" in n for n in notes)
    assert not [key for key in essence if key[0] == "closure"]


def test_limits_that_change_what_a_diner_may_order_are_refused(tmp_path):
    data = cafe().model_dump()
    data["variations"] += [{"id": f"top-{i}", "name": f"Topping {i}"} for i in range(30)]
    data["option_groups"].append(
        {"id": "many", "name": "Many", "type": "extras", "choices": [{"item": f"top-{i}"} for i in range(30)]}
    )
    next(d for d in data["dishes"] if d["id"] == "blt")["options"].append("many")
    catalog = Catalog.model_validate(data)
    _, _, refused = project(catalog)
    assert refused == [
        "option group many allows up to 30 choices; Menus (New) allows at most 25 (set `max: 25` or split the group)"
    ]
    h = Harness(tmp_path, api="menus")
    with pytest.raises(UnsupportedByTarget, match="at most 25"):
        h.plan(catalog)
