"""The HTML plan on both targets: every change a diner would notice is marked, every price is right.

Real plans from the real engine against each API's emulator. The expectations come from the
oracle (tests/oracle/catalog.py reads the catalog data on its own): what a diner should see before
and after the pull request, dish by dish. The page is read back with html.parser
(tests/render/review_case.py), never with reconcile's own renderer.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reconciler.engine.planfile import to_json
from tests.catalog_edits import edit, pizzeria
from tests.engine.harness import Harness
from tests.oracle import expected
from tests.render.review_case import planned_page, pull_request, read_page

APIS = ["v3", "menus"]


def board_dishes(data: dict, api: str) -> dict[str, tuple[str, int, dict]]:
    """dish name -> (section name, position, what the oracle says a diner sees)."""
    return {
        d["name"]: (s["name"], i, d)
        for menu in expected(data, api)
        for s in menu["sections"]
        for i, d in enumerate(s["dishes"])
    }


def prices(seen: dict) -> list[Decimal]:
    return [Decimal(s["price"]) for s in seen["sizes"]] if seen.get("sizes") else [Decimal(seen["price"])]


def choice_prices(seen: dict) -> list[Decimal]:
    return [Decimal(c["price"]) for o in seen["options"] for c in o["choices"]]


def applied_then_changed(tmp_path, api):
    h = Harness(tmp_path, api=api)
    before = pizzeria()
    h.apply(before)
    after = edit(before, pull_request)
    plan, page = planned_page(h, after)
    return h, before.model_dump(mode="json"), after.model_dump(mode="json"), plan, page


@pytest.mark.parametrize("api", APIS)
def test_every_change_of_a_pull_request_is_marked(tmp_path, api):
    _, before, after, _, page = applied_then_changed(tmp_path, api)
    old, new = board_dishes(before, api), board_dishes(after, api)
    shown = {d.name: d for d in read_page(page).dishes}
    assert set(shown) == set(old) | set(new)
    for name in set(new) - set(old):
        assert shown[name].status == "added", name
    for name in set(old) - set(new):
        assert shown[name].status == "removed", name
    kept = set(old) & set(new)
    differ = {n for n in kept if old[n][2] != new[n][2] or old[n][0] != new[n][0]}
    reordered = {n for n in kept if old[n][1] != new[n][1]}
    marked = {n for n in kept if shown[n].status != "unchanged"}
    assert differ <= marked <= differ | reordered, (differ, marked, reordered)
    assert shown["Caprese"].status == "moved"
    # the option change reaches every dish that offers the group, on both APIs
    assert {"Margherita", "Diavola", "Funghi"} <= marked


@pytest.mark.parametrize("api", APIS)
def test_every_price_shown_is_the_plans(tmp_path, api):
    _, before, after, plan, page = applied_then_changed(tmp_path, api)
    old, new = board_dishes(before, api), board_dishes(after, api)
    changes = {(c["kind"], c["id"]): c for c in json.loads(to_json(plan))["changes"]}
    for seen in read_page(page).dishes:
        truth = old[seen.name][2] if seen.status == "removed" else new[seen.name][2]
        assert seen.prices == prices(truth), seen
        assert seen.choices == choice_prices(truth), seen
        if seen.before:  # old prices are shown only for prices the plan changes, as the plan has them
            change = changes[("dish", seen.dish)]
            edits = [f for f in change["fields"] if f["path"] == "price" or f["path"].startswith("variants[")]
            assert seen.before == [Decimal(f["before"]) for f in edits]
            assert {Decimal(f["after"]) for f in edits} <= set(seen.prices)
    price_edits = {n for n in set(old) & set(new) if prices(old[n][2]) != prices(new[n][2])}
    assert {d.name for d in read_page(page).dishes if d.before} == price_edits


@pytest.mark.parametrize("api", APIS)
def test_the_page_fetches_nothing_and_is_deterministic(tmp_path, api):
    h, _, _, plan, page = applied_then_changed(tmp_path, api)
    reader = read_page(page)
    assert reader.external == []
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page  # the browser refuses any fetch the page would try
    assert plan.summary_line() in page and plan.checksum in page
    for op in plan.operations:
        assert op.call in page
    assert planned_page(h, edit(pizzeria(), pull_request))[1] == page


@pytest.mark.parametrize("api", APIS)
def test_an_empty_plan_marks_nothing_and_collapses_every_section(tmp_path, api):
    h = Harness(tmp_path, api=api)
    h.apply(pizzeria())
    plan, page = planned_page(h, pizzeria())
    assert plan.empty
    reader = read_page(page)
    assert {d.status for d in reader.dishes} == {"unchanged"}
    assert set(reader.sections.values()) == {"unchanged"}
    assert " open>" not in page
    assert "No changes" in page


@pytest.mark.parametrize("api", APIS)
def test_a_first_apply_shows_everything_added(tmp_path, api):
    h = Harness(tmp_path, api=api)
    _, page = planned_page(h, pizzeria())
    reader = read_page(page)
    assert {d.status for d in reader.dishes} == {"added"}
    assert len(reader.dishes) == sum(
        len(s["dishes"]) for m in expected(pizzeria().model_dump(mode="json"), api) for s in m["sections"]
    )


@pytest.mark.parametrize("api", APIS)
def test_menu_hours_are_shown_on_both_targets(tmp_path, api):
    h = Harness(tmp_path, api=api)
    hours = [{"day": "mon", "open": "11:00", "close": "15:00"}]
    catalog = edit(pizzeria(), lambda d: d["menus"][0].update(hours=hours))
    _, page = planned_page(h, catalog)
    assert "mon 11:00–15:00" in page


CHRISTMAS = {"name": "Christmas", "start": "2026-12-25T00:00:00Z", "end": "2026-12-26T00:00:00Z", "available": False}
NEW_YEAR = {"name": "New Year", "start": "2027-01-01T00:00:00Z", "end": "2027-01-02T00:00:00Z", "available": False}


def online_orders_before_and_after(tmp_path, api):
    """Menu hours and a closure applied; then the hours move, a closure is added, online ordering is switched off."""
    h = Harness(tmp_path, api=api)
    monday = [{"day": "mon", "open": "11:00", "close": "15:00"}]
    h.apply(edit(pizzeria(), lambda d: d["menus"][0].update(hours=monday, special_hours=[CHRISTMAS])))
    later = [{"day": "mon", "open": "12:00", "close": "15:00"}]
    change = {"hours": later, "special_hours": [CHRISTMAS, NEW_YEAR], "platforms": ["call_center"]}
    plan, page = planned_page(h, edit(pizzeria(), lambda d: d["menus"][0].update(change)))
    return plan, page


# What each API holds of "only for the call centre": Menus (New) has the Online Orders switch.
OFFLINE = {"v3": "only on call center", "menus": "not for online orders"}


@pytest.mark.parametrize("api", APIS)
def test_online_orders_settings_are_shown_and_marked_when_they_change(tmp_path, api):
    plan, page = online_orders_before_and_after(tmp_path, api)
    assert not plan.empty
    menu = read_page(page).menus["main"]
    assert menu["status"] == "changed"
    facts = menu["facts"]
    assert "mon 12:00–15:00" in facts and "mon 11:00" not in facts
    assert "closed 2026-12-25T00:00:00Z – 2026-12-26T00:00:00Z (Christmas)" in facts
    assert "closed 2027-01-01T00:00:00Z – 2027-01-02T00:00:00Z (New Year)" in facts
    assert OFFLINE[api] in facts
    deltas = menu["deltas"]  # the menu's availability, before → after
    assert deltas.startswith("availability: ") and "mon 11:00–15:00" in deltas and "New Year" in deltas
    assert "1 menu marked" in page
    assert {d.status for d in read_page(page).dishes} == {"unchanged"}  # the dishes themselves did not change


@pytest.mark.parametrize("api", APIS)
def test_unchanged_online_orders_settings_are_shown_unmarked(tmp_path, api):
    h = Harness(tmp_path, api=api)
    catalog = edit(pizzeria(), lambda d: d["menus"][0].update(special_hours=[CHRISTMAS], platforms=["call_center"]))
    h.apply(catalog)
    plan, page = planned_page(h, catalog)
    assert plan.empty
    menu = read_page(page).menus["main"]
    assert menu["status"] == "unchanged" and menu["deltas"] == ""
    assert "(Christmas)" in menu["facts"] and OFFLINE[api] in menu["facts"]
