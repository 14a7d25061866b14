"""Small changes a plan must notice, and bookkeeping an apply must get right, on both targets.

Each test pins one way a sync could quietly go wrong: a change to one text field planned as
nothing, display order sorted instead of kept, drift that never clears once reconcile has written
the entity again, staged mapping rows dropped (adoption by name would hide it), an entity added
live that verify does not report. The property tests (test_convergence.py) find these too; these
say exactly which one broke.
"""

from __future__ import annotations

import pytest

from reconciler.engine.verify import verify
from reconciler.errors import ApplyOutcomeUnknown, StalePlan
from tests import oracle
from tests.catalog_edits import PIZZERIA_FILE, dish, edited, kinds, pizzeria, section
from tests.engine.harness import Harness
from tests.support.faults import PERSISTENT, rule

APIS = ["v3", "menus"]


@pytest.fixture(params=APIS)
def h(request, tmp_path) -> Harness:
    harness = Harness(tmp_path, api=request.param)
    harness.apply(pizzeria())
    return harness


def seen(h: Harness, plain: dict) -> None:
    live, wanted = h.board(), oracle.expected(plain, h.api)
    assert live == wanted, oracle.mismatch(live, wanted)


def test_a_description_only_change_is_an_update_of_that_field(h):
    catalog, plain = edited(PIZZERIA_FILE, lambda d: dish(d, "caesar").update(description="Now with kale."))
    plan = h.plan(catalog)
    assert kinds(plan) == [("update", "dish", "caesar")]
    assert [(f.path, f.after) for f in plan.changes[0].fields] == [("description", "Now with kale.")]
    assert h.apply(plan).differences == []
    seen(h, plain)


def test_a_cleared_description_is_an_update_too(h):
    catalog, plain = edited(PIZZERIA_FILE, lambda d: dish(d, "caesar").pop("description"))
    assert kinds(h.plan(catalog)) == [("update", "dish", "caesar")]
    h.apply(catalog)
    seen(h, plain)


def test_section_order_is_kept_as_written_not_sorted(h):
    def reverse(data: dict) -> None:
        data["menus"][0]["sections"].reverse()  # drinks, salads, pizzas: no sorted order

    catalog, plain = edited(PIZZERIA_FILE, reverse)
    assert kinds(h.plan(catalog)) == [("update", "menu", "main")]
    h.apply(catalog)
    assert [s["name"] for s in h.board()[0]["sections"]] == ["Drinks", "Salads", "Pizzas"]
    seen(h, plain)


def test_dish_order_is_kept_as_written_not_sorted(h):
    catalog, plain = edited(
        PIZZERIA_FILE, lambda d: section(d, "pizzas").update(dishes=["funghi", "margherita", "diavola"])
    )
    assert kinds(h.plan(catalog)) == [("update", "section", "pizzas")]
    h.apply(catalog)
    assert [d["name"] for d in h.board()[0]["sections"][0]["dishes"]] == ["Funghi", "Margherita", "Diavola"]
    seen(h, plain)


def _edit_live_name(h: Harness, local_id: str, name: str) -> None:
    wix_id = h.plan(pizzeria()).ids[f"item:{local_id}"]
    if h.api == "v3":
        h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": {"name": name}})
        return
    [item] = [i for i in h.raw_site()["item"] if i["id"] == wix_id]
    body = {"id": wix_id, "revision": item["revision"], "name": name, "priceInfo": item["priceInfo"]}
    h.call("items.updateItem", "PATCH", f"/restaurants/menus-item/v1/items/{wix_id}", {"item": body})


def test_drift_is_reset_by_an_ordinary_apply(h):
    _edit_live_name(h, "caesar", "Caesar (kitchen's version)")
    [change] = h.plan(pizzeria()).changes
    assert change.drift
    h.apply(pizzeria())  # puts the catalog's name back; reconcile wrote it, so it is no one's edit
    later, _ = edited(PIZZERIA_FILE, lambda d: dish(d, "caesar").update(name="Caesar salad"))
    [change] = h.plan(later).changes
    assert not change.drift
    unrelated, _ = edited(PIZZERIA_FILE, lambda d: dish(d, "caprese").update(price="10.50"))
    assert [c.drift for c in h.plan(unrelated).changes] == [False]


def test_an_entity_added_live_is_reported_by_verify(h):
    plan = h.plan(pizzeria())
    assert plan.empty
    _add_live_dish(h, plan.ids["section:salads"])
    with pytest.raises(StalePlan):  # apply reads live again under its lock: this plan is stale now
        h.apply(plan)
    differences = h.run(_verify(h, plan))  # what the verify after an apply says of the dish
    assert differences[0] == "section salads differs from the desired state"  # it lists one dish more
    [extra] = differences[1:]
    assert extra.startswith("item wix:") and extra.endswith("is live but not in the desired state")


async def _verify(h: Harness, plan) -> list[str]:
    async with h.target() as target:
        return await verify(plan, target, h.store)


def _add_live_dish(h: Harness, section_id: str) -> None:
    if h.api == "v3":
        menu_id = h.plan(pizzeria()).ids["menu:main"]
        path = f"/catalogs/{{catalog}}/menus/{menu_id}/sections/{section_id}/items"
        h.call("createDish", "POST", path, {"dish": {"name": "Soup of the day", "price": {"value": "6.00"}}})
        return
    created = h.call(
        "items.createItem",
        "POST",
        "/restaurants/menus-item/v1/items",
        {"item": {"name": "Soup", "priceInfo": {"price": "6"}}},
    )
    [current] = [s for s in h.raw_site()["section"] if s["id"] == section_id]
    body = {"id": section_id, "revision": current["revision"], "itemIds": [*current["itemIds"], created["item"]["id"]]}
    h.call("sections.updateSection", "PATCH", f"/restaurants/menus-section/v1/sections/{section_id}", {"section": body})


def test_rows_staged_by_a_run_whose_publish_went_unconfirmed_are_settled_not_dropped(tmp_path):
    """The publish happened but its answer was lost, and checking it failed too: the run ends with
    its rows pending. The next plan settles them from the live catalog: the new entities are known
    by id (no adoption by name, which would hide lost rows), and nothing is left to do."""
    h = Harness(tmp_path)
    catalog, plain = edited(PIZZERIA_FILE, lambda d: dish(d, "caesar").update(name="Caesar salad"))
    added, plain = edited(
        PIZZERIA_FILE,
        lambda d: (
            d["dishes"].append({"id": "soup", "name": "Soup", "price": "6.00"}),
            section(d, "salads")["dishes"].append("soup"),
        ),
    )
    h.apply(pizzeria())
    h.set_faults(
        [
            rule("publishDraftCatalog", "drop", lost=True, times=PERSISTENT),
            rule("discardDraftCatalog", "500", times=PERSISTENT),
        ]
    )
    with pytest.raises(ApplyOutcomeUnknown):
        h.apply(added)
    h.clear_faults()
    assert h.mapping()["pending"]  # the soup's row waits for the next run
    plan = h.plan(added)
    assert plan.empty and not any("adopt" in note for note in plan.notes)
    h.apply(added)
    assert not h.mapping()["pending"]
    assert ("item", "soup") in {(kind, local) for _, kind, local, *_ in h.mapping()["mapping"]}
    seen(h, plain)
    assert kinds(h.plan(catalog)) == [
        ("update", "section", "salads"),
        ("update", "dish", "caesar"),
        ("remove", "dish", "soup"),
    ]
