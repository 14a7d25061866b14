"""`reconcile pull`'s minimal rewrite (yamlio/patch.py) at the edges of a hand-written file.

The whole text `patched` returns is compared with the text a person would write: a file without a
last line break, one that starts with a blank line, a part file whose prices are in the other
file's currency, comments with trailing spaces, several edits in one pull, long files of many
equal lines, and the line a refusal names.
"""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.model.catalog import CatalogPart
from reconciler.yamlio.load import parse_part
from reconciler.yamlio.patch import NotCanonical, patched
from reconciler.yamlio.source import read

TEA = '  - id: tea\n    name: Tea\n    price: "2.00"\n'
CAKE = '  - id: cake\n    name: Cake\n    price: "3.50"\n'


def part_of(text: str) -> CatalogPart:
    located, problems = read(text, "catalog.yaml", comments=True)
    assert located is not None and not problems, problems
    part, problems = parse_part(located)
    assert part is not None, problems
    return part


def edited(part: CatalogPart, dish: str, **fields: Any) -> CatalogPart:
    data = part.model_dump()
    [entry] = [d for d in data["dishes"] if d["id"] == dish]
    entry.update(fields)
    return CatalogPart.model_validate(data)


def pull(text: str, new: CatalogPart, currency: str | None = "USD") -> str:
    return patched(text, part_of(text), new, currency)


def test_a_file_without_a_last_line_break_gets_one_and_nothing_else_changes():
    text = f"version: 1\ndishes:\n{TEA}{CAKE}".rstrip("\n")
    after = pull(text, edited(part_of(text), "tea", price="2.10"))
    assert after == f"version: 1\ndishes:\n{TEA}{CAKE}".replace('"2.00"', '"2.10"')


def test_a_file_that_starts_with_a_blank_line_keeps_a_comment_after_a_changed_value():
    text = f'\nversion: 1\ndishes:\n  - id: tea\n    name: Tea # our own\n    price: "2.00"\n{CAKE}'
    after = pull(text, edited(part_of(text), "tea", name="Green Tea"))
    assert after == text.replace("name: Tea # our own", "name: Green Tea  # our own")
    text = "\nversion: 1 # first\ndishes:\n" + TEA
    after = pull(text, edited(part_of(text), "tea", price="2.10"))
    assert after == text.replace('"2.00"', '"2.10"')


def test_a_comment_keeps_its_trailing_spaces_and_its_last_letters():
    text = f'version: 1\ndishes:\n  - id: tea\n    name: Tea\n    price: "2.00"  # see XX  \n{CAKE}'
    after = pull(text, edited(part_of(text), "tea", price="2.10"))
    assert after == text.replace('"2.00"  # see XX  ', '"2.10"  # see XX  ')
    text = f'version: 1\ndishes:\n  - id: tea\n    name: Tea\n    price: "2.00"  # see X\n{CAKE}'
    after = pull(text, edited(part_of(text), "tea", price="2.10"))
    assert after == text.replace('"2.00"  # see X', '"2.10"  # see X')


def test_a_part_file_in_another_files_currency_is_patched_in_that_currency():
    text = 'dishes:\n  - id: ramen\n    name: Ramen\n    price: "1200"\n'
    text += '  - id: gyoza\n    name: Gyoza\n    price: "600"\n'
    after = pull(text, edited(part_of(text), "gyoza", name="Pan Gyoza"), currency="JPY")
    assert after == text.replace("name: Gyoza", "name: Pan Gyoza")
    after = pull(text, edited(part_of(text), "gyoza", price="650"), currency="JPY")
    assert after == text.replace('"600"', '"650"')


def test_two_changes_of_one_pull_are_both_made_an_inserted_line_and_a_changed_one_above_it():
    text = f"version: 1\ndishes:\n{TEA}{CAKE}"
    new = edited(edited(part_of(text), "tea", price="2.10"), "cake", description="Lemon")
    after = pull(text, new)
    assert after == (
        'version: 1\ndishes:\n  - id: tea\n    name: Tea\n    price: "2.10"\n'
        '  - id: cake\n    name: Cake\n    description: Lemon\n    price: "3.50"\n'
    )


def test_a_line_inserted_after_the_first_line_goes_after_it():
    text = 'dishes:\n  - id: tea\n    name: Tea\n    price: "2.00"\n'
    data = part_of(text).model_dump()
    data["version"] = 1
    new = CatalogPart.model_validate(data)
    assert pull(text, new, currency=None).splitlines()[0] == "version: 1"


def test_comment_lines_inside_a_replaced_block_stay_after_its_new_lines():
    text = 'version: 1\ndishes:\n  - id: tea\n    name: Tea\n    # about the price\n    price: "2.00"\n' + CAKE
    after = pull(text, edited(part_of(text), "tea", name="Green Tea", price="2.10"))
    tea = '  - id: tea\n    name: Green Tea\n    price: "2.10"\n    # about the price\n'
    assert after == "version: 1\ndishes:\n" + tea + CAKE


def test_a_long_file_of_many_equal_lines_is_patched_where_the_change_is():
    dishes = "".join(f'  - id: d{n}\n    name: Dish\n    price: "2.00"\n    in_stock: false\n' for n in range(120))
    text = "version: 1\ncurrency: USD\ndishes:\n" + dishes
    after = pull(text, edited(part_of(text), "d117", price="2.50"))
    dish = 'id: d117\n    name: Dish\n    price: "2.00"'
    assert after == text.replace(dish, dish.replace('"2.00"', '"2.50"'))
    after = pull(text, edited(part_of(text), "d3", name="Soup"))
    assert after == text.replace("id: d3\n    name: Dish", "id: d3\n    name: Soup")


def test_a_line_out_of_the_canonical_form_above_a_change_does_not_stop_it():
    text = f"version: 1\ndishes:\n  - {{id: tea, name: Tea, price: '2.00'}}\n{CAKE}"
    after = pull(text, edited(part_of(text), "cake", price="3.75"))
    assert after == text.replace('"3.50"', '"3.75"')


def test_a_refusal_names_the_first_line_when_nothing_above_is_canonical():
    text = "{version: 1, dishes: [{id: tea, name: Tea, price: '2.00'}]}\n"
    with pytest.raises(NotCanonical) as caught:
        pull(text, edited(part_of(text), "tea", price="2.10"))
    assert caught.value.line == 1


def test_a_changed_first_line_after_a_blank_one_keeps_its_comment_two_spaces_after():
    text = "\ncurrency: USD # ours\ndishes:\n" + TEA
    data = part_of(text).model_dump()
    data["currency"] = "EUR"
    assert pull(text, CatalogPart.model_validate(data), currency=None) == text.replace("USD # ours", "EUR  # ours")


def test_a_dish_added_first_goes_under_the_list_key():
    text = "dishes:\n" + TEA
    data = part_of(text).model_dump()
    data["dishes"].insert(0, part_of("dishes:\n" + CAKE).model_dump()["dishes"][0])
    assert pull(text, CatalogPart.model_validate(data), currency=None) == "dishes:\n" + CAKE + TEA
