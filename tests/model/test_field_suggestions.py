"""An unknown field's "did you mean": the names of every model the catalog nests, however nested.

A field misspelt where it does not belong is often one of another entry's (a choice's, a
location's, an opening window's): the suggestion is drawn from the fields of every model under the
catalog, reached through lists, optional values, unions and annotated types alike.
"""

from __future__ import annotations

import pytest

from reconciler.yamlio.load import parse_part
from reconciler.yamlio.source import read

DISH = 'dishes:\n  - id: tea\n    name: Tea\n    price: "2.00"\n    {field}: x\n'


def message(field: str) -> str:
    located, found = read(DISH.format(field=field), "c.yaml")
    assert located is not None and not found, found
    part, found = parse_part(located)
    assert part is None
    [problem] = found
    assert (problem.line, problem.column, problem.path) == (5, 5, f"dishes[0].{field}")
    return problem.message


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("calores", "calories"),  # the dish's own (a list of dishes)
        ("menus_nw", "menus_new"),  # a setting of the catalog itself
        ("shar", "share"),  # menus_new's (a model, not in a list)
        ("laye", "layer"),  # ownership's (an optional model)
        ("max_quantty", "max_quantity"),  # a choice's (in a list of a union of annotated group types)
        ("pos_locaton", "pos_location"),  # a location's
        ("close_dy", "close_day"),  # an opening window's (under hours)
    ],
)
def test_a_misspelt_field_suggests_the_field_of_whichever_model_has_it(typo, meant):
    assert message(typo) == f'unknown field "{typo}"; did you mean "{meant}"?'


def test_a_field_like_none_gets_no_suggestion():
    assert message("zqzqzq") == 'unknown field "zqzqzq"'
