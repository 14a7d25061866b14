"""Every change of every kind, on every target, reaches the reader: in text, Markdown and JSON.

Real plans from the real engine against the emulator of each API: an empty site gets the whole
pizzeria (a create of every kind), then one edit per kind (an update of every kind that can be
updated), then an empty catalog (a removal of every kind). The oracle is the plan's own list of
changes: each one must have its line in the text, its row in the Markdown table, and its entry in
the JSON, and together the three plans must touch every kind the target manages.
"""

from __future__ import annotations

import json

import pytest

from reconciler.engine.planfile import to_json
from reconciler.model.catalog import Catalog
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from tests.catalog_edits import dish, edit, pizzeria, section
from tests.engine.harness import Harness

SYMBOLS = {"create": "+", "update": "~", "remove": "-"}
# What each API does to a removed entity (reference: wix-catalogs-v3.md, wix-menus-new.md).
REMOVALS = {
    "v3": {"menu": "archive", "section": "unlist", "dish": "unlist", "variation": "unlist"},
    "menus": dict.fromkeys(("menu", "section", "dish", "option_group", "variant", "modifier", "label"), "delete"),
}


def one_edit_per_kind(data: dict) -> None:
    data["menus"][0]["name"] = "All-day Menu"  # menu
    section(data, "salads")["name"] = "Fresh Salads"  # section
    dish(data, "margherita")["price"] = "11.50"  # dish
    next(v for v in data["variations"] if v["id"] == "size-10")["name"] = "Small (10 inch)"  # variation / variant
    next(v for v in data["variations"] if v["id"] == "top-olives")["name"] = "Green olives"  # variation / modifier
    next(g for g in data["option_groups"] if g["id"] == "pizza-toppings")["max"] = 2  # option group
    dish(data, "funghi")["labels"].append("organic")  # a new label


def empty(catalog: Catalog) -> Catalog:
    return Catalog(currency=catalog.currency)


def plans(h: Harness) -> list:
    """Create everything, change one thing of each kind, remove everything: three plans."""
    catalog = pizzeria()
    created = h.plan(catalog)
    h.apply(created)
    edited = edit(catalog, one_edit_per_kind)
    updated = h.plan(edited)
    h.apply(updated)
    return [created, updated, h.plan(empty(catalog))]


@pytest.fixture(scope="module", params=["v3", "menus"])
def target_plans(request, tmp_path_factory):
    h = Harness(tmp_path_factory.mktemp(request.param), api=request.param)
    return request.param, plans(h)


def test_the_three_plans_touch_every_kind_the_target_manages(target_plans):
    api, made = target_plans
    touched = {change.kind for plan in made for change in plan.changes}
    declared = set(REMOVALS[api])
    assert touched == declared, api
    updated = {c.kind for c in made[1].changes if c.action == "update"}
    assert updated == declared - {"label"}, api  # a label is its name: a new one is a create
    assert all(c.action == "create" for plan in made[:1] for c in plan.changes)
    assert all(c.action == "remove" for c in made[2].changes) and {c.kind for c in made[2].changes} == declared


def test_every_change_has_its_line_in_the_text(target_plans):
    api, made = target_plans
    for plan in made:
        text = render_text(plan, color=False)
        for change in plan.changes:
            verb = REMOVALS[api][change.kind] if change.action == "remove" else change.action
            assert f"  {SYMBOLS[change.action]} {verb} {change.kind} {change.id} " in text, change


def test_every_change_has_its_row_in_the_markdown(target_plans):
    _, made = target_plans
    for plan in made:
        markdown = render_markdown(plan)
        for change in plan.changes:
            assert f"| `{SYMBOLS[change.action]}` | {change.kind} | `{change.id}` |" in markdown, change


def test_every_change_is_in_the_json(target_plans):
    _, made = target_plans
    for plan in made:
        listed = [(c["action"], c["kind"], c["id"]) for c in json.loads(to_json(plan))["changes"]]
        assert listed == [(c.action, c.kind, c.id) for c in plan.changes]


def test_the_header_names_the_location_and_a_catalog_only_where_there_is_one(target_plans):
    api, made = target_plans
    target = json.loads(to_json(made[0]))["target"]
    header = render_text(made[0], color=False).splitlines()[1]
    assert f'location "{target["location_name"]}" ({target["location_id"]})' in header
    if api == "v3":
        assert f"catalog {target['catalog_id']}" in header
    else:
        assert "catalog" not in header  # Menus (New) has no catalog: its id is not the location's
    assert f"**Target:** {header.removeprefix('Target: ')}" in render_markdown(made[0])
