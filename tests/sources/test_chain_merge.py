"""Merging one-location imports into one catalog: each location gets back exactly its own import.

Property: for imports of the same POS catalog that differ, location by location, only in what the
format can override (prices, stock, visibility, and which menus, sections and dishes are there),
the merged catalog is valid and its effective catalog at each location equals that location's
import, order included (the order of menus, sections and dishes is what diners see). Base values
are the most common ones, so a location that matches the majority has no overrides at all.

The explicit examples are the shape that random inputs found: three locations that each lack a
different one of three entities, so no location's list alone fixes the order of all three.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reconciler.model import rules
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective
from reconciler.model.locations import Location
from reconciler.sources.base import ImportResult, PosLocation
from reconciler.sources.chain import merge_locations
from tests.strategies import catalogs, money

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def one_location(draw, base: Catalog) -> Catalog:
    """The base as one location sells it: some values changed, some menus, sections, dishes not there."""
    data = base.model_dump()
    for kind in ("dishes", "variations"):
        for item in data[kind]:
            if draw(st.integers(0, 3)) == 0:
                item["price"] = draw(money())
            if draw(st.integers(0, 5)) == 0:
                item["in_stock"] = not item["in_stock"]
            if draw(st.integers(0, 6)) == 0:
                item["visible"] = not item["visible"]
    for group in data["option_groups"]:
        for choice in group["choices"]:
            if draw(st.integers(0, 4)) == 0:
                choice["price"] = draw(money())
    absent = {d["id"] for d in data["dishes"] if draw(st.integers(0, 5)) == 0}
    for menu in data["menus"]:
        if draw(st.integers(0, 6)) == 0:
            menu["visible"] = not menu["visible"]
        for section in menu["sections"]:
            if draw(st.integers(0, 6)) == 0:
                section["visible"] = not section["visible"]
            section["dishes"] = [d for d in section["dishes"] if d not in absent]
        menu["sections"] = [s for s in menu["sections"] if draw(st.integers(0, 6)) != 0]
    data["menus"] = [m for m in data["menus"] if draw(st.integers(0, 6)) != 0]
    listed = {d for m in data["menus"] for s in m["sections"] for d in s["dishes"]}
    data["dishes"] = [d for d in data["dishes"] if d["id"] in listed]
    return Catalog.model_validate(data)


@st.composite
def imports(draw) -> list[tuple[PosLocation, ImportResult]]:
    base = draw(catalogs())
    count = draw(st.integers(2, 4))
    places = [PosLocation(f"L{i}", f"Place {i}") for i in range(count)]
    return [(place, ImportResult(draw(one_location(base)))) for place in places]


def _menu_catalog(menus: list[tuple[str, list[tuple[str, list[str]]]]]) -> Catalog:
    """A catalog of these menus (id, [(section id, dish ids)]), every dish defined in listing order."""
    dishes = list(dict.fromkeys(d for _, sections in menus for _, listed in sections for d in listed))
    return Catalog.model_validate(
        {
            "currency": "USD",
            "menus": [
                {"id": m, "name": m, "sections": [{"id": s, "name": s, "dishes": listed} for s, listed in sections]}
                for m, sections in menus
            ],
            "dishes": [{"id": d, "name": d, "price": "1.00"} for d in dishes],
        }
    )


def _at_places(*catalogs: Catalog) -> list[tuple[PosLocation, ImportResult]]:
    return [(PosLocation(f"L{i}", f"Place {i}"), ImportResult(c)) for i, c in enumerate(catalogs)]


def _dishes(*listed: str) -> Catalog:
    return _menu_catalog([("m", [("s", list(listed))])])


def _sections(*ids: str) -> Catalog:
    return _menu_catalog([("m", [(s, [f"d-{s}"]) for s in ids])])


def _menus(*ids: str) -> Catalog:
    return _menu_catalog([(m, [(f"s-{m}", [f"d-{m}"])]) for m in ids])


@SETTINGS
@given(imported=imports())
@example(imported=_at_places(_dishes("d0", "d2"), _dishes("d1", "d2"), _dishes("d0", "d1")))
@example(imported=_at_places(_dishes("d0", "d2", "d3"), _dishes("d1", "d3"), _dishes("d0", "d1", "d2")))
@example(imported=_at_places(_sections("s0", "s2"), _sections("s1", "s2"), _sections("s0", "s1")))
@example(imported=_at_places(_menus("m0", "m2"), _menus("m1", "m2"), _menus("m0", "m1"), _menus("m2")))
def test_each_location_gets_back_exactly_its_own_import(imported):
    merged = merge_locations("square", imported).catalog
    assert rules.check(merged) == []
    assert [loc.pos_location for loc in merged.locations] == [place.id for place, _ in imported]
    for place, result in imported:
        assert effective(merged, place.name) == result.catalog.model_copy(update={"location": place.name})


@SETTINGS
@given(imported=imports())
def test_a_location_like_the_majority_has_no_overrides(imported):
    place, first = imported[0]
    same = [(place, first)] + [(PosLocation(f"S{i}", f"Same {i}"), first) for i in range(2)] + imported[1:2]
    merged = merge_locations("square", same).catalog
    assert [loc.overlay_empty for loc in merged.locations[:3]] == [True, True, True]


def test_the_most_common_price_is_the_base_and_a_tie_goes_to_the_earliest_location():
    def catalog(price: str) -> Catalog:
        return Catalog.model_validate(
            {
                "currency": "USD",
                "menus": [{"id": "m", "name": "M", "sections": [{"id": "s", "name": "S", "dishes": ["d"]}]}],
                "dishes": [{"id": "d", "name": "D", "price": price}],
            }
        )

    prices = ["12.00", "10.00", "10.00", "11.00"]
    merged = merge_locations(
        "square", [(PosLocation(f"L{i}", f"P{i}"), ImportResult(catalog(p))) for i, p in enumerate(prices)]
    ).catalog
    assert str(merged.dishes[0].price) == "10.00"
    overrides = {loc.key: [(o.id, str(o.price)) for o in loc.dishes] for loc in merged.locations}
    assert overrides == {"P0": [("d", "12.00")], "P1": [], "P2": [], "P3": [("d", "11.00")]}
    tie = merge_locations(
        "square", [(PosLocation(f"L{i}", f"P{i}"), ImportResult(catalog(p))) for i, p in enumerate(["9.00", "8.00"])]
    ).catalog
    assert str(tie.dishes[0].price) == "9.00"


def test_locations_that_list_dishes_in_different_orders_are_told_which_order_they_get():
    imported = _at_places(_dishes("a", "b", "c"), _dishes("c", "b", "a"), _dishes("a", "c"))
    result = merge_locations("square", imported)
    assert result.catalog.menus[0].sections[0].dishes == ["a", "b", "c"]
    assert [d.id for d in effective(result.catalog, "Place 2").dishes] == ["a", "c"]
    lost = [n for n in result.notes if n.object_id == "s" and "another order" in n.reason]
    assert [n.reason.split(" are in another order at ")[1].split(";")[0] for n in lost] == ["Place 1"]


def test_names_and_ids_written_by_hand_survive_a_reimport():
    base = Catalog.model_validate(
        {
            "currency": "USD",
            "menus": [{"id": "m", "name": "M", "sections": [{"id": "s", "name": "S", "dishes": ["d"]}]}],
            "dishes": [{"id": "d", "name": "D", "price": "1.00"}],
        }
    )
    keep = {"L1": Location(name="Airport (Terminal 2)", id="wix-location-7", pos_location="L1")}
    merged = merge_locations(
        "square", [(PosLocation("L0", "Main"), ImportResult(base)), (PosLocation("L1", "T2"), ImportResult(base))], keep
    ).catalog
    assert [(loc.name, loc.id, loc.pos_location) for loc in merged.locations] == [
        ("Main", None, "L0"),
        ("Airport (Terminal 2)", "wix-location-7", "L1"),
    ]
