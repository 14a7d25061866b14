"""`reconcile pull`'s rewrite of a catalog file (yamlio/patch.py): only the lines a change touches.

Each case writes a catalog by hand, changes its model the way a pull does (a dump, an edit, a
validation) and compares the whole text `patched` returns with the text a person would write.
"""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.model.catalog import CatalogPart
from reconciler.yamlio.load import parse_part
from reconciler.yamlio.patch import NotCanonical, comment_starts, patched
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


def pull(text: str, new: CatalogPart) -> str:
    return patched(text, part_of(text), new, "USD")


def test_a_changed_price_replaces_its_line_only_and_every_comment_stays():
    text = f"# the cafe\nversion: 1\ncurrency: USD\ndishes:\n{TEA}  # cakes below\n{CAKE}"
    after = pull(text, edited(part_of(text), "cake", price="3.75"))
    assert after == text.replace('"3.50"', '"3.75"')


def test_a_comment_after_a_changed_value_follows_the_new_value():
    text = f'version: 1\ndishes:\n  - id: tea\n    name: Tea\n    price: "2.00"  # before tax\n{CAKE}'
    after = pull(text, edited(part_of(text), "tea", price="2.10"))
    assert after == text.replace('"2.00"  # before tax', '"2.10"  # before tax')


def test_a_removed_dish_takes_its_lines_and_leaves_its_own_line_comments():
    text = f'version: 1\ndishes:\n  - id: tea\n    # seasonal\n    name: Tea\n    price: "2.00"\n{CAKE}'
    data = part_of(text).model_dump()
    data["dishes"] = [d for d in data["dishes"] if d["id"] != "tea"]
    after = pull(text, CatalogPart.model_validate(data))
    assert after == f"version: 1\ndishes:\n    # seasonal\n{CAKE}"


def test_an_added_field_goes_after_the_line_before_it_in_the_canonical_form():
    text = f"version: 1\ndishes:\n{TEA}{CAKE}"
    after = pull(text, edited(part_of(text), "tea", description="Black"))
    assert after == text.replace("    name: Tea\n", "    name: Tea\n    description: Black\n")


def test_a_dish_added_last_goes_after_the_last_line():
    text = f"version: 1\ndishes:\n{TEA}"
    data = part_of(text).model_dump()
    data["dishes"].append({"id": "cake", "name": "Cake", "price": "3.50"})
    assert pull(text, CatalogPart.model_validate(data)) == f"version: 1\ndishes:\n{TEA}{CAKE}"


def test_a_file_without_a_last_newline_gets_one():
    text = f"version: 1\ndishes:\n{TEA}".rstrip("\n")
    after = pull(text, edited(part_of(text), "tea", price="2.10"))
    assert after == f"version: 1\ndishes:\n{TEA}".replace('"2.00"', '"2.10"')


def test_an_unchanged_model_leaves_the_text_as_it_is_even_where_it_is_not_canonical():
    text = "version: 1\ndishes:\n  - {id: tea, name: Tea, price: '2.00'}\n"
    assert pull(text, part_of(text)) == text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the changed price written in single quotes: its line is not the canonical one
        ("version: 1\ndishes:\n  - id: tea\n    name: Tea\n    price: '2.00'\n", 5),
        # the whole dish on one line: the nearest canonical line before it is `dishes:` (line 2)
        ("version: 1\ndishes:\n  - {id: tea, name: Tea, price: '2.00'}\n", 3),
    ],
)
def test_a_change_to_lines_not_in_the_canonical_form_is_refused_naming_the_first(text, line):
    with pytest.raises(NotCanonical) as caught:
        pull(text, edited(part_of(text), "tea", price="2.10"))
    assert caught.value.line == line
    assert str(caught.value) == f"line {line} is not in the canonical form; run `reconcile fmt` on the file first"


def test_in_a_long_file_a_line_repeated_many_times_is_still_matched_to_its_own_place():
    # more than 200 lines, most of them repeated: difflib's "autojunk" would set those aside
    dishes = "".join(f'  - id: d{n}\n    name: Dish {n}\n    price: "2.00"\n' for n in range(120))
    text = f"version: 1\ndishes:\n{dishes}"
    after = pull(text, edited(part_of(text), "d60", price="2.50"))
    lines, new = text.splitlines(), after.splitlines()
    assert [n for n, (a, b) in enumerate(zip(lines, new, strict=True)) if a != b] == [2 + 60 * 3 + 2]


def test_comment_starts_finds_each_lines_first_comment_outside_scalars():
    text = 'name: "a # not a comment"  # note\n# alone\nprice: "2.00" # one  # two\n'
    assert comment_starts(text) == {0: 27, 1: 0, 2: 14}
    # a '#' inside the very first scalar of the text is not a comment either
    assert comment_starts('"a # b": 1  # c\n') == {0: 12}
