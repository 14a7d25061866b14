"""Adopting a site by name when several live entities share a name: content decides, not list order.

The live site is built so that Wix lists its entities in another order than the catalog's: first
from the catalog with every list reversed (creation order, which is list order), then the catalog
itself (only the order of what menus and sections list changes, by update). The id mapping is
then lost. Pairing by list order took same-named option groups, modifiers and dishes for each
other (a dish's groups swapped, a group's modifiers swapped); adoption must plan nothing for the
unchanged catalog and exactly the one change for a one-price-change catalog, on both targets.
"""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import generate
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import MappingStore
from reconciler.targets import adoption
from tests.engine.harness import Harness
from tests.engine.site_harness import SiteHarness

TARGETS = ["v3", "menus"]


def namesakes() -> dict:
    """Three "Extras" groups with different choices, two "Cheese" choices in different groups
    (alike in everything but their id), two "Burger" dishes in different sections, two "Mains"
    sections in one menu."""
    return {
        "version": 1,
        "currency": "USD",
        "menus": [
            {
                "id": "m",
                "name": "All Day",
                "sections": [
                    {"id": "s-1", "name": "Mains", "dishes": ["burger-1", "salad"]},
                    {"id": "s-2", "name": "Mains", "dishes": ["burger-2", "fries"]},
                    {"id": "s-3", "name": "Sides", "dishes": ["burger-3"]},
                ],
            }
        ],
        # Listed in another order than a diner meets them (menus, sections, dishes, groups), so
        # that neither the catalog's order nor the lists' can pair them right by chance.
        "dishes": [
            {"id": "burger-3", "name": "Burger", "price": "12.00", "options": ["x-2", "x-3"]},
            {"id": "fries", "name": "Fries", "price": "4.00", "options": ["x-1", "x-3"]},
            {"id": "burger-2", "name": "Burger", "price": "12.00", "options": ["x-2"]},
            {"id": "salad", "name": "Salad", "price": "8.00", "options": ["x-3"]},
            {"id": "burger-1", "name": "Burger", "price": "10.00", "options": ["x-1"]},
        ],
        "variations": [
            {"id": "cheese-2", "name": "Cheese"},
            {"id": "egg", "name": "Egg"},
            {"id": "bacon", "name": "Bacon"},
            {"id": "cheese-1", "name": "Cheese"},
        ],
        "option_groups": [
            {"id": "x-3", "name": "Extras", "type": "extras", "choices": [{"item": "egg", "price": "2.00"}]},
            {
                "id": "x-2",
                "name": "Extras",
                "type": "extras",
                "choices": [{"item": "cheese-2", "price": "0.75"}, {"item": "egg", "price": "1.00"}],
            },
            {
                "id": "x-1",
                "name": "Extras",
                "type": "extras",
                "choices": [{"item": "cheese-1", "price": "0.50"}, {"item": "bacon", "price": "1.00"}],
            },
        ],
    }


def entity(data: dict, key: str, entity_id: str) -> dict:
    return next(e for e in data[key] if e["id"] == entity_id)


def reordered(data: dict, rng: random.Random | None = None) -> dict:
    """The same catalog with every list in another order (reversed, or shuffled by ``rng``)."""

    def order(items: list) -> list:
        items = list(items)
        if rng is None:
            items.reverse()
        else:
            rng.shuffle(items)
        return items

    data = copy.deepcopy(data)
    for key in ("menus", "dishes", "variations", "option_groups"):
        data[key] = order(data.get(key) or [])
    for menu in data["menus"]:
        menu["sections"] = order(menu["sections"])
        for section in menu["sections"]:
            section["dishes"] = order(section["dishes"])
    return data


def adopting(h: Harness, data: dict, tmp_path, rng: random.Random | None = None) -> Harness:
    """``data`` applied with the live lists in another order, then a harness that lost the mapping."""
    h.apply(Catalog.model_validate(reordered(data, rng)))
    h.apply(Catalog.model_validate(data))
    assert h.plan(Catalog.model_validate(data)).empty
    fresh = copy.copy(h)
    fresh.store = MappingStore(tmp_path / "lost.sqlite")
    return fresh


def changes(plan) -> list[tuple[str, str, str, list[tuple[str, object, object]]]]:
    return [(c.action, c.kind, c.id, [(f.path, f.before, f.after) for f in c.fields]) for c in plan.changes]


@pytest.mark.parametrize("api", TARGETS)
def test_an_unchanged_site_with_namesakes_is_adopted_with_nothing_to_do(api, tmp_path):
    fresh = adopting(Harness(tmp_path, api=api), namesakes(), tmp_path)
    plan = fresh.plan(Catalog.model_validate(namesakes()))
    assert plan.empty, changes(plan)
    assert any("adopting" in n for n in plan.notes)


@pytest.mark.parametrize("api", TARGETS)
def test_a_one_price_change_of_a_site_with_namesakes_plans_that_change_only(api, tmp_path):
    fresh = adopting(Harness(tmp_path, api=api), namesakes(), tmp_path)
    edited = namesakes()
    entity(edited, "dishes", "burger-2")["price"] = "12.50"  # one of three "Burger"s
    plan = fresh.plan(Catalog.model_validate(edited))
    assert changes(plan) == [("update", "dish", "burger-2", [("price", "12.00", "12.50")])]
    fresh.apply(plan)
    assert fresh.plan(Catalog.model_validate(edited)).empty


@pytest.mark.parametrize("api", TARGETS)
def test_a_group_price_change_is_planned_on_that_group_only(api, tmp_path):
    """The group closest by content is adopted when none matches exactly (Menus (New))."""
    fresh = adopting(Harness(tmp_path, api=api), namesakes(), tmp_path)
    edited = namesakes()
    entity(edited, "option_groups", "x-2")["choices"][1]["price"] = "1.25"  # its egg
    plan = fresh.plan(Catalog.model_validate(edited))
    # Catalogs v3 keeps a group inside the dishes offering it: those dishes change, nothing else
    expected = [("dish", "burger-2"), ("dish", "burger-3")] if api == "v3" else [("option_group", "x-2")]
    assert [(k, i) for _, k, i, _ in changes(plan)] == expected
    fresh.apply(plan)
    assert fresh.plan(Catalog.model_validate(edited)).empty


@pytest.mark.parametrize("api", TARGETS)
def test_namesakes_alike_in_content_are_named_in_the_plan_as_ambiguous(api, tmp_path):
    fresh = adopting(Harness(tmp_path, api=api), namesakes(), tmp_path)
    plan = fresh.plan(Catalog.model_validate(namesakes()))
    kind = "variation" if api == "v3" else "modifier"
    [note] = [n for n in plan.notes if "could not be decided by content" in n]
    assert f"{kind} cheese-1" in note and f"{kind} cheese-2" in note
    assert "option_group" not in note and "dish" not in note  # told apart by their content


@pytest.mark.parametrize("api", TARGETS)
def test_a_change_to_one_of_two_namesakes_alike_is_planned_on_that_one(api, tmp_path):
    """Out of stock, cheese-1 matches neither live "Cheese" exactly, cheese-2 both: the groups
    listing them tell which is which."""
    fresh = adopting(Harness(tmp_path, api=api), namesakes(), tmp_path)
    edited = namesakes()
    entity(edited, "variations", "cheese-1")["in_stock"] = False
    plan = fresh.plan(Catalog.model_validate(edited))
    kind = "variation" if api == "v3" else "modifier"
    assert changes(plan) == [("update", kind, "cheese-1", [("in_stock", True, False)])]
    fresh.apply(plan)
    assert fresh.plan(Catalog.model_validate(edited)).empty


def small(seed: int) -> dict:
    data = generate.generate(30, seed=seed)
    for dish in data["dishes"]:
        dish.pop("image", None)
    return data


@pytest.mark.parametrize("api", TARGETS)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(1, 10_000), order=st.randoms(use_true_random=False))
def test_a_generated_site_listed_in_any_order_is_adopted_with_nothing_to_do(api, tmp_path_factory, seed, order):
    """Live lists in a random order, and the catalog's own lists of dishes, choices and groups too
    (the same catalog: only what menus and sections list is ordered content)."""
    tmp_path = tmp_path_factory.mktemp("adopt")
    data = small(seed)
    fresh = adopting(Harness(tmp_path, api=api), data, tmp_path, order)
    listed = copy.deepcopy(data)
    for key in ("dishes", "variations", "option_groups"):
        order.shuffle(listed[key])
    plan = fresh.plan(Catalog.model_validate(listed))
    assert plan.empty, changes(plan)[:5]
    edited = generate.one_price_change(data, seed=seed)
    assert len(changes(fresh.plan(Catalog.model_validate(edited)))) == 1


def shared(data: dict) -> dict:
    """``data`` at two locations of one Menus (New) site, entities shared, one dish split by a price."""
    data = copy.deepcopy(data)
    data["menus_new"] = {"share": True}
    data["locations"] = [{"name": "Downtown"}, {"name": "Airport", "dishes": [{"id": "burger-1", "price": "11.00"}]}]
    return data


def site_changes(site_plan) -> list[tuple[str, str, str, list[tuple[str, object, object]]]]:
    return [change for entry in site_plan.locations for change in changes(entry.plan)]


def test_a_shared_site_of_several_locations_with_namesakes_is_adopted_by_content(tmp_path):
    site = SiteHarness(tmp_path, api="menus", names=["Downtown", "Airport"])
    site.apply(Catalog.model_validate(shared(reordered(namesakes()))))
    site.apply(Catalog.model_validate(shared(namesakes())))
    assert site.plan(Catalog.model_validate(shared(namesakes()))).empty
    site.store = MappingStore(tmp_path / "lost.sqlite")
    plan = site.plan(Catalog.model_validate(shared(namesakes())))
    assert site_changes(plan) == []
    edited = namesakes()
    entity(edited, "dishes", "burger-2")["price"] = "12.50"
    assert site_changes(site.plan(Catalog.model_validate(shared(edited)))) == [
        ("update", "dish", "burger-2", [("price", "12.00", "12.50")])
    ]


def test_a_tie_is_paired_again_by_votes_only_within_what_a_parent_allows():
    pairs = [("live-a", "cheese-2"), ("live-b", "cheese-1")]
    everything = {(lw, dl) for lw, _ in pairs for _, dl in pairs}
    votes = {("live-a", "cheese-1"): 2, ("live-b", "cheese-2"): 1}
    assert adoption.repair(pairs, votes, everything) == [("live-a", "cheese-1"), ("live-b", "cheese-2")]
    assert adoption.repair(pairs, {}, everything) == pairs  # no vote: kept
    # live-b may not be cheese-2 (another parent): moving live-a would leave live-b without one
    assert adoption.repair(pairs, votes, everything - {("live-b", "cheese-2")}) == pairs
