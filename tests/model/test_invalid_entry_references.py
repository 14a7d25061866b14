"""An entry that fails validation still exists as far as its author is concerned.

`validate` reports what is wrong inside it, and nothing else about it: a reference to its id (or,
for a location, to its name), a location's override of one of its sections, or "in no section" for
a dish its sections list would only add noise to the one problem that matters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import CatalogInvalid
from reconciler.yamlio.load import load_catalog

CATALOG = """\
version: 1
currency: USD
menus:
  - id: main
    name: Main
    sections:
      - id: food
        name: Food
        dishes: [soup, tea]
  - id: late
    name: Late
    colour: red
    sections:
      - id: night
        name: Night
        dishes: [stew]
      - just a name
      - id: dawn
        name: Dawn
        dishes: none
dishes:
  - id: soup
    name: Soup
    price: "4.00"
    only_at: [Campus, uptown]
  - id: tea
    name: Tea
    price: "2.00"
  - id: stew
    name: Stew
    price: "6.00"
locations:
  - name: Campus
    colour: blue
  - name: Downtown
    id: uptown
    colour: blue
  - name: Airport
    menus:
      - {id: late, visible: false}
    sections:
      - {id: night, visible: false}
      - {id: dawn, visible: false}
    dishes:
      - {id: stew, price: "7.00"}
"""


def problems(tmp_path: Path, text: str) -> list[tuple]:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(path)
    return [(p.line, p.column, p.path, p.message) for p in caught.value.problems]


def test_only_the_faults_inside_invalid_entries_are_reported(tmp_path):
    assert problems(tmp_path, CATALOG) == [
        (12, 5, "menus[1].colour", 'unknown field "colour"'),
        (17, 9, "menus[1].sections[1]", "input should be a valid dictionary or instance of Section"),
        (20, 9, "menus[1].sections[2].dishes", "input should be a valid list"),
        (34, 5, "locations[0].colour", 'unknown field "colour"'),
        (37, 5, "locations[1].colour", 'unknown field "colour"'),
    ]


def test_references_to_an_entry_are_reported_once_it_is_valid(tmp_path):
    """The same catalog with every fault mended: the references that were hidden stand on their own
    (and here are all valid), so the hiding is of the invalid entries only."""
    mended = CATALOG.replace("    colour: red\n", "").replace("    colour: blue\n", "")
    mended = mended.replace("      - just a name\n", "").replace("        dishes: none\n", "        dishes: [tea]\n")
    path = tmp_path / "c.yaml"
    path.write_text(mended, encoding="utf-8")
    catalog = load_catalog(path)
    assert [menu.id for menu in catalog.menus] == ["main", "late"]
    assert [location.key for location in catalog.locations] == ["Campus", "Downtown", "Airport"]
    broken = mended.replace("only_at: [Campus, uptown]", "only_at: [Campus, uptown, Nowhere]")
    assert [p[3] for p in problems(tmp_path, broken)] == [
        'no location in `locations:` is named "Nowhere"; they are: "Campus", "Downtown", "Airport"'
    ]
