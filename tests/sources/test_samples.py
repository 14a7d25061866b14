"""Every sample imports and validates; imports are deterministic; a change is a small diff."""

from __future__ import annotations

import copy
import difflib
import json

import pytest

from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_file
from tests.sources.helpers import POS_FIXTURES, SAMPLES, Imported

SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.json"))
FIXTURES = [("square", "square-catalog.json"), ("toast", "toast-menus.json"), ("clover", "clover-inventory.json")]


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_each_square_sample_imports_and_validates(name):
    output = import_from_file("square", SAMPLES / name, ImportOptions(currency="USD"))
    catalog = output.result.catalog
    assert catalog.dishes and catalog.menus[0].sections
    assert output.text.startswith("version: 1\ncurrency: USD\n")


def test_seed_sample_details():
    out = Imported(
        "square",
        json.loads((SAMPLES / "square-catalog-subscription-sample-seed-data.json").read_text()),
        currency="USD",
    )
    assert len(out.catalog.dishes) == 21
    assert "sq-bacon-cheeseburger" in out.section("sq-lunch-category").dishes
    assert "sq-bacon-cheeseburger" in out.section("sq-dinner-category").dishes
    assert {n.object_id for n in out.notes if n.object_type == "SUBSCRIPTION_PLAN"} == {
        "#Two-Item-Breakfast",
        "#Two-Item-Lunch-Or-Dinner",
        "#Vegetarian-Meal-Plan",
    }
    assert sum("not an absolute http(s) URL" in n.reason for n in out.notes) == 21


def test_graphql_sample_sizes():
    out = Imported("square", json.loads((SAMPLES / "square-graphql-test-data.json").read_text()))
    croissant = out.group("sq-croissant:size")
    assert [c.item for c in croissant.choices] == ["sq-regular-croissant", "sq-chocolate", "sq-ham-and-swiss"]
    assert croissant.default == "sq-regular-croissant"
    assert out.dish("sq-croissant").tax_rate == 10


@pytest.mark.parametrize(("pos", "name"), FIXTURES + [("square", s) for s in SAMPLE_FILES])
def test_importing_twice_is_byte_identical(pos, name):
    path = (POS_FIXTURES if (POS_FIXTURES / name).exists() else SAMPLES) / name
    options = ImportOptions(currency="USD")
    assert import_from_file(pos, path, options).text == import_from_file(pos, path, options).text


def _diff(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_a_changed_square_price_is_a_one_line_diff():
    raw = json.loads((POS_FIXTURES / "square-catalog.json").read_text())
    before = Imported("square", raw).text
    changed = copy.deepcopy(raw)
    fries = next(o for o in changed["objects"] if o["id"] == "ITEM7FRIES00000000000001")
    top_level = next(o for o in changed["objects"] if o["id"] == "VAR7FRIES000000000000001")
    for variation in (fries["item_data"]["variations"][0], top_level):  # Square lists it twice, same version
        variation["item_variation_data"]["price_money"]["amount"] = 425
        variation["version"] += 1
    changed["objects"].reverse()  # the order Square returns objects in must not matter
    after = Imported("square", changed).text
    assert _diff(before, after) == ['-    price: "3.75"', '+    price: "4.25"']


def test_a_changed_sample_price_is_a_one_line_diff():
    raw = json.loads((SAMPLES / "square-graphql-test-data.json").read_text())
    before = Imported("square", raw).text
    changed = copy.deepcopy(raw)
    coffee = next(o for o in changed["catalog"] if o["id"] == "#coffee")
    coffee["itemData"]["variations"][2]["itemVariationData"]["priceMoney"]["amount"] = 209  # Large: 1.99 → 2.09
    after = Imported("square", changed).text
    assert _diff(before, after) == [
        '-      - {item: sq-large-coffee, price: "0.40"}',
        '+      - {item: sq-large-coffee, price: "0.50"}',
    ]


def test_the_newest_copy_of_a_duplicated_object_wins_whatever_the_order():
    raw = json.loads((POS_FIXTURES / "square-catalog.json").read_text())
    top_level = next(o for o in raw["objects"] if o["id"] == "VAR7FRIES000000000000001")
    top_level["version"] += 1
    top_level["item_variation_data"]["price_money"]["amount"] = 500
    for objects in (raw["objects"], list(reversed(raw["objects"]))):
        assert Imported("square", {"objects": objects}).dish("sq-ITEM7FRIES00000000000001").price == 5


def test_output_has_no_timestamps():
    raw = json.loads((POS_FIXTURES / "toast-menus.json").read_text())
    text = Imported("toast", raw, currency="USD").text
    assert "2024" not in text and "lastUpdated" not in text
