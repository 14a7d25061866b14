"""`locations:`, overrides and only_at/except_at: validation at file:line:column, fmt, and show-effective."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.errors import CatalogInvalid, ConfigError
from reconciler.model.effective import effective, select_locations
from reconciler.yamlio.fmt import canonical_text
from reconciler.yamlio.load import load_catalog

CHAIN = "catalogs/chain.yaml"


def test_every_location_problem_is_reported_at_its_place():
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog("tests/fixtures/broken/locations.yaml")
    found = [(p.line, p.column, p.path) for p in caught.value.problems]
    assert found == [
        (6, 17, "menus[0].except_at[0]"),
        (20, 16, "option_groups[0].choices[0].item"),
        (25, 10, "locations[1].dishes[0].id"),
        (26, 10, "locations[1].dishes[1].id"),
        (28, 10, "locations[1].dishes[3].id"),
        (30, 10, "locations[1].variations[0].id"),
        (32, 24, "locations[1].choices[0].item"),
        (33, 10, "locations[1].choices[1].group"),
        (35, 10, "locations[1].sections[0].id"),
        (36, 5, "locations[2].name"),
    ]
    messages = {p.path: p.message for p in caught.value.problems}
    assert 'named "Harbour"' in messages["menus[0].except_at[0]"]
    assert 'location "Airport" has "margherita"' in messages["option_groups[0].choices[0].item"]
    assert messages["locations[1].dishes[0].id"] == 'no dish has id "ghost"'
    assert "override it under variations:" in messages["locations[1].dishes[1].id"]
    assert "overridden twice" in messages["locations[1].dishes[3].id"]
    assert "listed twice" in messages["locations[2].name"]


@pytest.mark.parametrize(
    "yaml_text, path, words",
    [
        ("location: Downtown\nlocations: [{name: Downtown}]\n", "location", "not both"),
        ("locations: [{pos_location: L1}]\n", "locations[0]", "give name:"),
        ("locations: [{name: A, dishes: [{id: d}]}]\n", "locations[0].dishes[0]", "overrides nothing"),
        ("locations: [{name: A, dishes: [{id: d, price: 1.5}]}]\n", "locations[0].dishes[0].price", "quoted"),
        ("locations: [{name: A, colour: red}]\n", "locations[0].colour", "unknown field"),
        ("dishes_at: []\n", "dishes_at", "unknown field"),
    ],
)
def test_shape_problems_of_a_location_entry(tmp_path, yaml_text, path, words):
    file = tmp_path / "c.yaml"
    file.write_text(
        "currency: USD\nmenus: [{id: m, name: M, sections: [{id: s, name: S, dishes: [d]}]}]\n"
        'dishes: [{id: d, name: D, price: "1.00"}]\n' + yaml_text
    )
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(file)
    problems = {p.path: p for p in caught.value.problems}
    assert path in problems, caught.value.render()
    assert words in problems[path].message and problems[path].line > 0


def test_only_at_without_a_locations_list_is_an_error(tmp_path):
    file = tmp_path / "c.yaml"
    file.write_text(
        "currency: USD\nmenus: [{id: m, name: M, sections: [{id: s, name: S, dishes: [d]}]}]\n"
        'dishes: [{id: d, name: D, price: "1.00", only_at: [Airport]}]\n'
    )
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(file)
    [problem] = caught.value.problems
    assert (problem.line, problem.path) == (3, "dishes[0].only_at")
    assert "no `locations:` list" in problem.message


def test_overrides_that_change_nothing_are_warnings(tmp_path):
    file = tmp_path / "c.yaml"
    file.write_text(
        "currency: USD\nmenus: [{id: m, name: M, sections: [{id: s, name: S, dishes: [d, e]}]}]\n"
        'dishes: [{id: d, name: D, price: "1.00"}, {id: e, name: E, price: "2.00", only_at: [A]}]\n'
        'locations:\n  - {name: A, dishes: [{id: d, price: "1.00"}]}\n  - {name: B, dishes: [{id: e, price: "3.00"}]}\n'
    )
    warnings: list = []
    load_catalog(file, warnings)
    assert [(w.path, w.line) for w in warnings] == [("locations[0].dishes[0].id", 5), ("locations[1].dishes[0].id", 6)]
    assert "equals the base value" in warnings[0].message
    assert 'not at location "B"' in warnings[1].message


def test_the_example_chain_is_canonical_and_each_location_gets_its_own_menu():
    text = Path(CHAIN).read_text(encoding="utf-8")
    assert canonical_text(text, CHAIN) == (text, "")
    chain = load_catalog(CHAIN)
    airport, campus, downtown = (effective(chain, name) for name in ("Airport", "Campus", "Downtown"))
    prices = {name: {d.id: str(d.price) for d in c.dishes} for name, c in [("A", airport), ("D", downtown)]}
    assert prices["A"]["margherita"] == "13.00" and prices["D"]["margherita"] == "11.00"
    assert "airport-panino" in prices["A"] and "airport-panino" not in prices["D"]
    assert [s.id for s in campus.menus[0].sections] == ["pizzas", "pasta", "soft-drinks"]
    assert {d.id for d in campus.dishes} == {"margherita", "diavola", "carbonara", "pesto", "lemonade", "espresso"}
    assert next(d for d in campus.dishes if d.id == "carbonara").in_stock is False


def test_selecting_locations():
    chain = load_catalog(CHAIN)
    assert [loc.key for loc in select_locations(chain, None)] == ["Downtown", "Airport", "Campus"]
    assert [loc.key for loc in select_locations(chain, "all")] == ["Downtown", "Airport", "Campus"]
    assert [loc.key for loc in select_locations(chain, "Campus, Downtown")] == ["Campus", "Downtown"]
    with pytest.raises(ConfigError, match='no location named "Uptown"'):
        select_locations(chain, "Downtown,Uptown")


def test_show_effective_prints_one_location_as_canonical_yaml(tmp_path):
    result = CliRunner().invoke(cli, ["show-effective", CHAIN, "--location", "Airport"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith('# The effective catalog of location "Airport"')
    file = tmp_path / "airport.yaml"
    file.write_text(result.output, encoding="utf-8")
    airport = load_catalog(file)
    assert airport.location == "Airport" and not airport.locations
    assert canonical_text(result.output, str(file)) == (result.output, "")
    assert airport == effective(load_catalog(CHAIN), "Airport")


def test_show_effective_needs_a_location_of_the_catalog():
    missing = CliRunner().invoke(cli, ["show-effective", CHAIN])
    assert missing.exit_code != 0 and "--location" in str(missing.exception) + missing.output
    plain = CliRunner().invoke(cli, ["show-effective", "catalogs/pizzeria.yaml"])
    assert plain.exit_code == 0 and plain.output == Path("catalogs/pizzeria.yaml").read_text().split("\n", 2)[2]
