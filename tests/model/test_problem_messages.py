"""Each kind of validation problem, in the words `validate` shows (yamlio/load.py's explanations).

A one-dish catalog with a single fault each; the whole problem (line, column, path, message) is
compared, so a message that loses its field name, its quoting or its hint fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import CatalogInvalid
from reconciler.yamlio.load import load_catalog, parse_part
from reconciler.yamlio.source import read

BASE = 'version: 1\ncurrency: {currency}\ndishes:\n  - id: {id}\n    name: {name}\n    price: "2.00"\n{extra}'
GROUP = "option_groups:\n  - id: g\n    name: G\n"
TYPES = 'type must be one of "selection", "extras", "deselection"'
ISO = "'usdx' is not an ISO 4217 currency code such as USD"
ID = "is not a valid id (letters, digits and _ . : # @ + -, starting with a letter or digit)"


def problems(currency: str = "USD", id: str = "tea", name: str = "Tea", extra: str = "") -> list[tuple]:
    text = BASE.format(currency=currency, id=id, name=name, extra=extra)
    located, found = read(text, "c.yaml")
    assert located is not None and not found, found
    part, found = parse_part(located)
    assert part is None
    return [(p.line, p.column, p.path, p.message) for p in found]


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"extra": "    nmae: x\n"}, (7, 5, "dishes[0].nmae", 'unknown field "nmae"; did you mean "name"?')),
        ({"extra": "    zqzqzq: x\n"}, (7, 5, "dishes[0].zqzqzq", 'unknown field "zqzqzq"')),
        # the suggestions come from every model the catalog nests, not only the dish's own fields
        (
            {"extra": "    max_quantty: 2\n"},
            (7, 5, "dishes[0].max_quantty", 'unknown field "max_quantty"; did you mean "max_quantity"?'),
        ),
        ({"name": "5"}, (5, 5, "dishes[0].name", "must be text; write 5 in quotes")),
        ({"name": "true"}, (5, 5, "dishes[0].name", "must be text; write True in quotes")),
        ({"extra": "    visible: maybe\n"}, (7, 5, "dishes[0].visible", "must be true or false, not 'maybe'")),
        (
            {"extra": "    fulfillment: [teleport]\n"},
            (
                7,
                19,
                "dishes[0].fulfillment[0]",
                "'teleport' is not allowed; expected 'delivery' or 'pickup_or_dine_in'",
            ),
        ),
        ({"id": '"-bad"'}, (4, 5, "dishes[0].id", f"'-bad' {ID}")),
        # a validator's own message, without pydantic's "Value error, " and with a small first letter
        (
            {"extra": '    tax_rate: "abc"\n'},
            (7, 5, "dishes[0].tax_rate", 'a tax rate must be a decimal number written as a string, such as "12.50"'),
        ),
        ({"extra": f"{GROUP}    type: chooser\n"}, (10, 5, "option_groups[0].type", TYPES)),
        ({"extra": GROUP}, (8, 5, "option_groups[0].type", TYPES)),
    ],
)
def test_each_kind_of_problem_is_explained_at_its_place(fault, expected):
    assert problems(**fault) == [expected]


def test_a_menus_image_must_be_an_http_url():
    extra = "menus:\n  - id: m\n    name: M\n    image: ftp://host/m.png\n"
    assert problems(extra=extra) == [(10, 5, "menus[0].image", "'ftp://host/m.png' is not an http(s) URL")]


def test_inside_an_option_group_the_path_leaves_out_the_groups_type():
    extra = f"{GROUP}    type: selection\n    choices: [{{item: tea}}]\n    colour: red\n"
    assert problems(extra=extra) == [(12, 5, "option_groups[0].colour", 'unknown field "colour"')]


def test_a_missing_field_is_named():
    extra = "option_groups:\n  - id: g\n    type: selection\n    choices: [{item: tea}]\n"
    assert problems(extra=extra) == [(8, 5, "option_groups[0].name", 'missing required field "name"')]


# -- the catalog's own settings, across its files -----------------------------------------------------

DISH = 'dishes:\n  - id: tea\n    name: Tea\n    price: "2.00"\n'
MISSING = 'currency: missing required field "currency"'


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"c.yaml": "version: 1\ncurrency: usdx\n"}, [("c.yaml", 2, 1, "currency", ISO)]),
        ({"c.yaml": "version: 7\ncurrency: USD\n"}, [("c.yaml", 1, 1, "version", "7 is not allowed; expected 1")]),
        (  # every wrong setting, not only the first
            {"c.yaml": "version: 7\ncurrency: usdx\n"},
            [("c.yaml", 1, 1, "version", "7 is not allowed; expected 1"), ("c.yaml", 2, 1, "currency", ISO)],
        ),
        (  # inside a setting: placed at the inner key
            {"c.yaml": "version: 1\ncurrency: USD\nownership:\n  bogus: 1\n"},
            [("c.yaml", 4, 3, "ownership.bogus", 'unknown field "bogus"; did you mean "hours"?')],
        ),
        ({"c.yaml": "version: 1\n" + DISH}, [("c.yaml", 1, 1, "", MISSING)]),
        # a file that says something, if only an empty list, is not "empty"
        ({"c.yaml": "menus: []\n"}, [("c.yaml", 1, 1, "", MISSING)]),
        ({"a.yaml": "", "b.yaml": "# later\nmenus: []\n"}, [("b.yaml", 2, 1, "", MISSING)]),
        ({"c.yaml": "# nothing yet\n"}, [("c.yaml", 1, 1, "currency", f"{MISSING[10:]} (the file is empty)")]),
        ({"a.yaml": "", "b.yaml": ""}, [("a.yaml", 1, 1, "currency", f"{MISSING[10:]} (every file is empty)")]),
    ],
)
def test_a_setting_that_is_wrong_or_missing_is_placed_in_the_file_that_says_it(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    target = tmp_path if len(files) > 1 else tmp_path / next(iter(files))
    with pytest.raises(CatalogInvalid) as refused:
        load_catalog(target)
    found = [(Path(p.file).name, p.line, p.column, p.path, p.message) for p in refused.value.problems]
    assert found == expected
