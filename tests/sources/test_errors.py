"""Catalogs that cannot be read: a clear error naming the object and field, and no file written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reconciler.cli.import_cmd import import_command
from reconciler.sources.base import ImportOptions
from reconciler.sources.errors import ImportOutputInvalid, SourceInvalid
from reconciler.sources.service import import_from_file, validate_text
from tests.sources.helpers import Imported, sq, sq_item, sq_simple, sq_variation


def _problems(pos: str, raw, **options) -> str:
    with pytest.raises(SourceInvalid) as caught:
        Imported(pos, raw, **options)
    return caught.value.render()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (sq({"type": "ITEM", "id": "I1"}), "ITEM 'I1': item_data: missing required field"),
        (sq({"type": "WIDGET", "id": "W1"}), "WIDGET 'W1': type: unknown catalog object type 'WIDGET'"),
        (sq({"type": "ITEM", "item_data": {"name": "x"}}), "ITEM: objects[0].id: missing required field"),
        (
            sq(
                sq_item(
                    "I1",
                    "Tea",
                    [
                        sq_variation("V1", "I1", "Cup", 100)
                        | {
                            "item_variation_data": {
                                "item_id": "I1",
                                "name": "Cup",
                                "price_money": {"amount": "1.00", "currency": "USD"},
                            }
                        }
                    ],
                )
            ),
            "ITEM_VARIATION 'V1': item_variation_data.price_money.amount: expected an integer, found the text '1.00'",
        ),
        (sq(sq_item("I1", "Tea", "not a list")), "ITEM 'I1': item_data.variations: expected a list, found the text"),
        (
            sq(sq_simple("I1", "Tea", 100, categories=[]))
            | {"objects": [{"type": "ITEM", "id": "I1", "item_data": {"variations": []}}]},
            "ITEM 'I1': item_data.name: missing required",
        ),
        (sq(sq_simple("I1", "Tea", 100, tax_ids="T1")), "ITEM 'I1': item_data.tax_ids: expected a list"),
        ({"something": "else"}, "not a Square catalog"),
        ("just text", "not a Square catalog"),
        (sq("not an object"), "expected a catalog object"),
    ],
)
def test_square_shape_errors_name_the_object_and_field(raw, expected):
    assert expected in _problems("square", raw)


def test_every_problem_is_reported_at_once():
    text = _problems(
        "square",
        sq(
            {"type": "ITEM", "id": "I1"},
            {"type": "CATEGORY", "id": "C1", "category_data": {}},
            {"type": "NOPE", "id": "N1"},
        ),
    )
    assert "3 problem(s)" in text
    assert "ITEM 'I1'" in text and "CATEGORY 'C1': category_data.name" in text and "NOPE 'N1'" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"menus": "x"}, "Restaurant: menus: expected a list"),
        ({"menus": [{"name": "Lunch"}]}, "Menu: menus[0].guid: missing required field"),
        (
            {"menus": [{"guid": "M1", "menuGroups": [{"guid": "G1", "menuItems": [{"guid": "I1", "price": "ten"}]}]}]},
            "MenuItem 'I1': price: expected a number, found the text 'ten'",
        ),
        (
            {"menus": [], "modifierGroupReferences": {"1": {"guid": "MG1", "modifierOptionReferences": [5]}}},
            "ModifierGroup 'MG1': modifierOptionReferences: no modifier option has referenceId 5",
        ),
        ([1, 2], "choose one with --location"),
    ],
)
def test_toast_shape_errors(raw, expected):
    assert expected in _problems("toast", raw, currency="USD")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"items": [{"name": "Tea", "price": 100}]}, "item: items[0].id: missing required field"),
        (
            {"items": [{"id": "A", "name": "Tea", "price": 1.5}]},
            "item 'A': price: expected an integer, found the number 1.5",
        ),
        ({"items": [{"id": "A", "name": "Tea"}]}, "item 'A': price: missing required field"),
        (
            {"items": [{"id": "A", "name": "Tea", "price": 1, "categories": {"elements": ["C1"]}}]},
            "item 'A': categories[0]: expected",
        ),
        ({"categories": "nope"}, "file: categories: expected a list"),
        (
            {"modifier_groups": [{"id": "G", "name": "X", "modifiers": {"elements": [{"name": "m"}]}}]},
            "modifier group 'G': modifiers[0].id",
        ),
        ([], "not a Clover inventory"),
    ],
)
def test_clover_shape_errors(raw, expected):
    assert expected in _problems("clover", raw, currency="USD")


@pytest.mark.parametrize("pos", ["square", "toast", "clover"])
def test_malformed_json_names_the_file_and_writes_nothing(tmp_path, pos):
    source = tmp_path / "export.json"
    source.write_text('{"objects": [', encoding="utf-8")
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(import_command, [pos, "--from-file", str(source), "-o", str(out), "--currency", "USD"])
    assert result.exit_code == 1
    assert f"file '{source}'" in result.stderr and "not JSON" in result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"]  # no partial or temporary file


def test_an_invalid_catalog_leaves_an_existing_output_untouched(tmp_path):
    source = tmp_path / "export.json"
    source.write_text(json.dumps(sq({"type": "ITEM", "id": "I1"})), encoding="utf-8")
    out = tmp_path / "catalog.yaml"
    out.write_text("previous\n", encoding="utf-8")
    result = CliRunner().invoke(import_command, ["square", "--from-file", str(source), "-o", str(out)])
    assert result.exit_code == 1 and "ITEM 'I1'" in result.stderr
    assert out.read_text() == "previous\n"


def test_missing_file():
    with pytest.raises(SourceInvalid, match="problem") as caught:
        import_from_file("square", "/nonexistent/export.json", ImportOptions())
    assert "cannot be read" in caught.value.render()


def test_output_that_does_not_validate_is_reported_as_our_bug():
    result = Imported("square", sq(sq_simple("I1", "Tea", 100)))
    with pytest.raises(ImportOutputInvalid) as caught:
        validate_text("square", result.text.replace("sq-I1\n", "sq-nope\n", 1), result)
    assert "bug" in caught.value.render() and 'no dish has id "sq-nope"' in caught.value.render()
