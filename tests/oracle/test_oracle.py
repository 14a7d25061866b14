"""The oracle itself: it agrees with the example catalogs applied by reconcile, it notices what a
diner would notice, and it is independent of the code it judges."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reconciler.yamlio.load import load_catalog
from tests import oracle
from tests.engine.harness import Harness
from tests.oracle.catalog import read_file

EXAMPLES = [
    "catalogs/pizzeria.yaml",
    "catalogs/cafe.yaml",
    "catalogs/feature-images.yaml",
]  # the last: a local file and a URL


def applied(tmp_path: Path, example: str, api: str) -> Harness:
    h = Harness(tmp_path, api=api)
    h.apply(load_catalog(example))
    return h


@pytest.mark.parametrize("api", ["v3", "menus"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_an_applied_example_is_what_its_file_says(tmp_path, example, api):
    h = applied(tmp_path, example, api)
    live, wanted = h.board(), oracle.expected(read_file(example), api)
    assert live == wanted, oracle.mismatch(live, wanted)


def test_the_board_shows_what_a_diner_reads_and_picks(tmp_path):
    h = applied(tmp_path, "catalogs/pizzeria.yaml", "v3")
    [menu] = h.board()
    pizzas = menu["sections"][0]
    assert [s["name"] for s in menu["sections"]] == ["Pizzas", "Salads", "Drinks"]
    assert [d["name"] for d in pizzas["dishes"]] == ["Margherita", "Diavola", "Funghi"]
    margherita = pizzas["dishes"][0]
    assert (margherita["price"], margherita["tax_rate"], margherita["labels"]) == ("11", "8.875", ["vegetarian"])
    size, toppings, remove = margherita["options"]
    assert [(c["name"], c["price"], c["preselected"]) for c in size["choices"]] == [
        ("10 inch", "0", False),
        ("12 inch", "2", True),
        ("16 inch", "6", False),
    ]
    assert (toppings["kind"], toppings["min"], toppings["max"]) == ("extras", 0, 3)
    assert all(c["preselected"] for c in remove["choices"])


def test_on_menus_new_sizes_are_the_dish_prices(tmp_path):
    h = applied(tmp_path, "catalogs/pizzeria.yaml", "menus")
    margherita = h.board()[0]["sections"][0]["dishes"][0]
    assert margherita["price"] is None
    assert margherita["sizes"] == [
        {"name": "10 inch", "price": "11"},
        {"name": "12 inch", "price": "13"},
        {"name": "16 inch", "price": "17"},
    ]
    assert [g["name"] for g in margherita["options"]] == ["Extra toppings", "Remove"]


@pytest.mark.parametrize("api", ["v3", "menus"])
def test_a_live_edit_is_seen_and_named(tmp_path, api):
    h = applied(tmp_path, "catalogs/pizzeria.yaml", api)
    wix_id = h.plan(load_catalog("catalogs/pizzeria.yaml")).ids["item:caesar"]
    if api == "v3":
        h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": {"price": {"value": "9.50"}}})
    else:
        [item] = [i for i in h.raw_site()["item"] if i["id"] == wix_id]
        edit = {"id": wix_id, "revision": item["revision"], "priceInfo": {"price": "9.50"}}
        h.call("items.updateItem", "PATCH", f"/restaurants/menus-item/v1/items/{wix_id}", {"item": edit})
    live, wanted = h.board(), oracle.expected(read_file("catalogs/pizzeria.yaml"), api)
    assert live != wanted
    changed = [line.replace(" ", "") for line in oracle.mismatch(live, wanted).splitlines()]
    assert '-"price":"9.5",' in changed and '+"price":"9",' in changed


def test_what_no_diner_can_reach_is_not_on_the_board(tmp_path):
    h = applied(tmp_path, "catalogs/pizzeria.yaml", "v3")
    before = h.board()
    h.call("createVariation", "POST", "/catalogs/{catalog}/variations", {"name": "Loose variation"})
    assert h.board() == before  # exists, but no dish offers it
    assert "Loose variation" in str(h.snapshot())  # the snapshot (for atomicity) has every entity


def test_the_catalog_file_is_read_as_yaml_1_2(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("currency: USD\nmenus:\n  - {id: m, name: no, sections: []}\nhours: [{open: 11:00, n: 012}]\n")
    data = read_file(path)
    assert data["menus"][0]["name"] == "no"
    assert data["hours"] == [{"open": "11:00", "n": 12}]


def test_the_oracle_shares_no_code_with_reconcile():
    for path in Path(__file__).parent.glob("*.py"):
        if path.name.startswith("test_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not {m for m in imported if m.split(".")[0] == "reconciler"}, path.name


@pytest.mark.parametrize("api", ["v3", "menus"])
def test_a_dish_image_is_the_file_it_came_from(tmp_path, api):
    """The oracle tells images apart by where the file came from: a dish pointed at another
    Media Manager file than its catalog's is a mismatch."""
    h = applied(tmp_path, "catalogs/feature-images.yaml", api)
    wanted = oracle.expected(read_file("catalogs/feature-images.yaml"), api)
    swapped = read_file("catalogs/feature-images.yaml")
    burger, fries = swapped["dishes"]
    burger["image"], fries["image"] = fries["image"], burger["image"]
    assert h.board() == wanted and h.board() != oracle.expected(swapped, api)
