"""Stock flipped in the Wix dashboard is adopted into the layer (source wix-dashboard), not reverted: both targets."""

from __future__ import annotations

import pytest

from reconciler.engine.availability import LAYER_NOTE
from reconciler.state.availability import LayerSource
from tests.availability.helpers import Layered
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import Harness


@pytest.fixture(params=["v3", "menus"])
def lh(request, tmp_path):
    harness = Harness(tmp_path, api=request.param)
    harness.apply(pizzeria())
    return Layered(harness)


def flip_in_dashboard(h, dish_id: str, in_stock: bool) -> None:
    """What a cook does in the Wix dashboard: the item's stock, through the API, outside reconcile."""
    wix_id = h.plan(pizzeria()).ids[f"item:{dish_id}"]
    if h.api == "v3":
        h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": {"inStock": in_stock}})
        return
    item = next(i for i in h.raw_site()["item"] if i["id"] == wix_id)
    body = {"id": wix_id, "revision": item["revision"], "orderSettings": {**item["orderSettings"], "inStock": in_stock}}
    for key in ("priceVariants", "priceInfo"):
        if key in item:
            body[key] = item[key]
    h.call("items.updateItem", "PATCH", f"/restaurants/menus-item/v1/items/{wix_id}", {"item": body})


def test_a_dashboard_86_is_adopted_not_reverted_and_survives_later_syncs(lh):
    flip_in_dashboard(lh.h, "diavola", False)
    planned = lh.planned(pizzeria())
    assert planned.plan.empty  # nothing to revert
    assert any(n.startswith(LAYER_NOTE) and "diavola" in n and "wix-dashboard" in n for n in planned.plan.notes)
    lh.apply(pizzeria())
    [entry] = lh.layer.entries()
    assert (entry.entity, entry.source, entry.available, entry.until) == (
        "diavola",
        LayerSource.WIX_DASHBOARD,
        False,
        None,
    )
    # A later catalog change to the same dish writes it, and keeps it 86'd.
    repriced = edit(pizzeria(), lambda d: dish(d, "diavola").update(price="14.00"))
    lh.apply(repriced)
    assert lh.stock("dish", "diavola") is False
    assert lh.planned(repriced).plan.empty


def test_putting_it_back_in_the_dashboard_ends_the_entry(lh):
    flip_in_dashboard(lh.h, "diavola", False)
    lh.apply(pizzeria())
    flip_in_dashboard(lh.h, "diavola", True)
    planned = lh.planned(pizzeria())
    assert planned.plan.empty and [e.entity for e in planned.adoption.ended] == ["diavola"]
    lh.apply(pizzeria())
    assert lh.layer.entries() == []


def test_other_dashboard_edits_are_still_drift_and_reverted(lh):
    flip_in_dashboard(lh.h, "diavola", False)
    wix_id = lh.h.plan(pizzeria()).ids["item:funghi"]
    if lh.h.api == "v3":
        lh.h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": {"name": "Edited"}})
        plan = lh.planned(pizzeria()).plan
        assert [(c.id, c.drift) for c in plan.changes] == [("funghi", True)]
