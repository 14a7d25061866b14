"""`reconcile validate`: every problem at once, each at its exact file:line:column."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.errors import CatalogInvalid
from reconciler.yamlio.load import load_catalog

BROKEN = "tests/fixtures/broken"


def problems(name: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(f"{BROKEN}/{name}")
    return [(p.line, p.column, p.path, p.message) for p in caught.value.problems]


def test_structural_problems_are_all_reported_with_locations():
    found = problems("structural.yaml")
    assert [(line, col, path) for line, col, path, _ in found] == [
        (1, 1, "currency"),
        (5, 5, "menus[0].colour"),
        (13, 5, "dishes[0].price"),
        (14, 5, "dishes[1].name"),
        (15, 5, "dishes[1].price"),
        (16, 5, "dishes[1].visible"),
        (17, 5, "dishes[2].id"),
        (23, 5, "variations[0].fulfillment"),
        (25, 10, "variations[0].hours[0].day"),
    ]
    messages = {path: message for _, _, path, message in found}
    assert "quoted string" in messages["dishes[0].price"]
    assert "negative" in messages["dishes[1].price"]
    assert messages["dishes[1].name"] == 'missing required field "name"'
    assert "visible: false" in messages["variations[0].fulfillment"]


def test_semantic_problems_are_all_reported_with_locations():
    found = problems("semantic.yaml")
    assert [(line, col, path) for line, col, path, _ in found] == [
        (8, 25, "menus[0].sections[0].dishes[1]"),
        (8, 32, "menus[0].sections[0].dishes[2]"),
        (9, 9, "menus[0].sections[1].id"),
        (16, 22, "dishes[0].options[1]"),
        (17, 5, "dishes[1].id"),
        (23, 5, "variations[1].id"),
        (29, 5, "option_groups[0].default"),
        (37, 5, "option_groups[1].max"),
        (38, 5, "option_groups[1].choices"),
        (43, 5, "option_groups[2].type"),
    ]
    messages = {path: message for _, _, path, message in found}
    assert messages["menus[0].sections[0].dishes[1]"] == 'no dish has id "ghost"'
    assert "is a variation" in messages["menus[0].sections[0].dishes[2]"]
    assert "used twice" in messages["variations[1].id"] and "semantic.yaml:13" in messages["variations[1].id"]
    assert "in no section" in messages["dishes[1].id"]


def test_yaml_syntax_error_is_located():
    [(line, column, path, message)] = problems("syntax.yaml")
    assert (line, column, path) == (5, 7, "")
    assert message.startswith("YAML syntax error: while parsing a flow sequence:") and "','" in message


def test_repeated_key_is_an_error_not_a_silent_overwrite():
    assert problems("duplicate-key.yaml")[0][:3] == (2, 1, "currency")


def test_times_are_text_even_unquoted(tmp_path):
    # YAML 1.1 reads 11:00 as the integer 660; our loader keeps it as "11:00".
    file = tmp_path / "c.yaml"
    file.write_text(
        "currency: USD\nmenus:\n  - id: m\n    name: M\n    hours:\n      - {day: mon, open: 11:00, close: 15:00}\n"
    )
    catalog = load_catalog(file)
    assert catalog.menus[0].hours[0].open == "11:00"


def test_cli_lists_every_problem_and_exits_1():
    result = CliRunner().invoke(cli, ["validate", f"{BROKEN}/structural.yaml", "catalogs/pizzeria.yaml"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(BROKEN)]
    assert len(lines) == 9
    assert lines[0].startswith(f"{BROKEN}/structural.yaml:1:1: currency:")
    assert "ok catalogs/pizzeria.yaml" in result.output


@pytest.mark.parametrize("example", ["catalogs/pizzeria.yaml", "catalogs/cafe.yaml"])
def test_examples_are_valid_and_canonical(example):
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", example]).exit_code == 0
    assert runner.invoke(cli, ["fmt", "--check", example]).exit_code == 0


def test_split_catalog_directory_merges_files(tmp_path):
    (tmp_path / "00-settings.yaml").write_text("currency: USD\n")
    (tmp_path / "10-dinner.yaml").write_text(
        "menus:\n  - id: dinner\n    name: Dinner\n    sections:\n      - id: mains\n        name: Mains\n"
        "        dishes: [steak]\n"
    )
    (tmp_path / "20-dishes.yaml").write_text('dishes:\n  - id: steak\n    name: Steak\n    price: "20.00"\n')
    catalog = load_catalog(tmp_path)
    assert [d.id for d in catalog.dishes] == ["steak"]
    (tmp_path / "30-more.yaml").write_text('currency: EUR\ndishes:\n  - id: steak\n    name: Steak\n    price: "1"\n')
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(tmp_path)
    rendered = caught.value.render()
    assert "30-more.yaml:1:1: currency: currency 'EUR' disagrees with 'USD'" in rendered
    assert "30-more.yaml:3:5: dishes[0].id: item id \"steak\" is used twice (first at" in rendered
    assert "20-dishes.yaml:2)" in rendered


def test_fmt_refuses_to_drop_comments(tmp_path):
    file = tmp_path / "c.yaml"
    original = "# header kept\ncurrency: USD  # a comment fmt would lose\n"
    file.write_text(original)
    runner = CliRunner()
    result = runner.invoke(cli, ["fmt", str(file)])
    assert result.exit_code == 1 and "line(s) 2" in result.output
    assert file.read_text() == original
    assert runner.invoke(cli, ["fmt", "--drop-comments", str(file)]).exit_code == 0
    assert file.read_text() == "# header kept\ncurrency: USD\n"


def _sides_catalog(tmp_path, bread_options: str, choices: str):
    """Pizza and bread in one section; pizza offers the "sides" group; ``choices`` of the group."""
    file = tmp_path / "c.yaml"
    file.write_text(
        "currency: USD\n"
        "menus: [{id: m, name: M, sections: [{id: s, name: S, dishes: [pizza, bread]}]}]\n"
        "dishes:\n"
        '  - {id: pizza, name: Pizza, price: "10", options: [sides]}\n'
        f'  - {{id: bread, name: Bread, price: "3"{bread_options}}}\n'
        "option_groups:\n"
        f"  - {{id: sides, name: Sides, type: extras, choices: [{choices}]}}\n"
    )
    return file


def test_an_option_group_that_offers_the_dish_itself_is_refused(tmp_path):
    file = _sides_catalog(tmp_path, ", options: [sides]", "{item: pizza}, {item: bread}")
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(file)
    found = [(p.line, p.path, p.message) for p in caught.value.problems]
    assert found == [
        (4, "dishes[0].options[0]", 'option group "sides" offers the dish "pizza" itself'),
        (5, "dishes[1].options[0]", 'option group "sides" offers the dish "bread" itself'),
    ]


def test_an_option_group_offering_another_dish_is_fine(tmp_path):
    file = _sides_catalog(tmp_path, "", "{item: bread}")
    assert [d.id for d in load_catalog(file).dishes] == ["pizza", "bread"]
