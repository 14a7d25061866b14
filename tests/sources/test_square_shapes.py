"""Every Catalog API body that carries catalog objects imports, with nothing lost and nothing guessed.

The bodies in tests/fixtures/square-shapes/ follow the shapes of Square's API reference:
RetrieveCatalogObject with and without related objects, SearchCatalogItems, UpsertCatalogObject
(request, camelCase as the SDKs send it, with nested variations that have no ``type``; and
response), BatchUpsert request and response.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reconciler.sources.base import ImportOptions
from reconciler.sources.errors import SourceInvalid
from reconciler.sources.registry import get_source
from tests.sources.helpers import FIXTURES, Imported, sq, sq_item, sq_variation

SHAPES = FIXTURES / "square-shapes"
SHAPE_FILES = sorted(p.name for p in SHAPES.glob("*.json"))
TEA = "sq-W62UWFY35CWMYGVWK6TWJDNI"


def load(name: str) -> dict:
    return json.loads((SHAPES / name).read_text())


@pytest.mark.parametrize("name", SHAPE_FILES)
def test_each_body_yields_the_item_with_all_its_variations_and_its_currency(name):
    out = Imported("square", load(name))  # no --currency: the prices say USD
    assert out.catalog.currency == "USD"
    (dish,) = out.catalog.dishes
    assert dish.name == "Tea" and dish.price == Decimal("1.50")
    size = out.group(dish.options[0])
    assert [out.variation(c.item).name for c in size.choices] == ["Mug", "Pot"]
    assert [c.price for c in size.choices] == [Decimal("0"), Decimal("2.50")]
    assert dish.description == "Hot leaf tea & honey"  # description_html, as plain text


def test_related_objects_give_the_item_its_section_tax_and_options():
    out = Imported("square", load("retrieve-catalog-object.json"))
    assert out.section("sq-BJNQCF2FJ6S6UIDT65ABHLRX").dishes == [TEA]
    dish = out.dish(TEA)
    assert dish.tax_rate == Decimal("5.0")
    milk = out.group("sq-6MTYU3PXTQ7HBCBWPS4QDTEP")
    assert milk.type == "selection" and [c.price for c in milk.choices] == [Decimal("0"), Decimal("0.50")]


def test_without_related_objects_the_missing_ones_are_named():
    out = Imported("square", load("retrieve-catalog-object-alone.json"))
    assert out.dish_ids == {TEA}
    notes = out.notes_for("W62UWFY35CWMYGVWK6TWJDNI")
    assert any("category BJNQCF2FJ6S6UIDT65ABHLRX is not in the catalog" in n for n in notes)
    assert any("modifier list 6MTYU3PXTQ7HBCBWPS4QDTEP is not in the catalog" in n for n in notes)
    assert any("tax HURXQOOAIC4IZSI2BEXQRYFY is not in the catalog" in n for n in notes)


def test_an_object_without_a_type_takes_it_from_its_data_key():
    raw = {
        "objects": [
            {
                "id": "I1",
                "item_data": {
                    "name": "Soup",
                    "variations": [
                        {
                            "id": "V1",
                            "item_variation_data": {"name": "Bowl", "price_money": {"amount": 650, "currency": "USD"}},
                        }
                    ],
                },
            }
        ]
    }
    out = Imported("square", raw)
    assert out.dish("sq-I1").price == Decimal("6.50")


def test_an_object_whose_type_cannot_be_told_names_what_it_has():
    raw = {"objects": [{"id": "X1", "name": "Soup"}]}
    with pytest.raises(SourceInvalid) as caught:
        get_source("square").translate(raw, ImportOptions())
    assert "payload keys found: none" in caught.value.render()


def test_an_unrecognised_body_names_the_keys_it_found():
    with pytest.raises(SourceInvalid) as caught:
        get_source("square").translate({"merchant": {}, "menu_things": []}, ImportOptions())
    text = caught.value.render()
    assert "found the keys menu_things, merchant" in text and "catalog_object" in text


def test_description_html_is_used_only_without_plain_text():
    item = sq_item("I1", "Soup", [sq_variation("V1", "I1", "Bowl", 650)])
    item["item_data"]["description_html"] = "<p>Old</p>"
    item["item_data"]["description_plaintext"] = "Plain"
    assert Imported("square", sq(item)).dish("sq-I1").description == "Plain"
    del item["item_data"]["description_plaintext"]
    item["item_data"]["description_html"] = "<p>Line one<br>Line two</p><ul><li>salt</li></ul>"
    assert Imported("square", sq(item)).dish("sq-I1").description == "Line one\nLine two\n- salt"


def test_without_any_price_the_currency_message_says_no_price_carries_one():
    raw = sq(sq_item("I1", "Fish", [sq_variation("V1", "I1", "Market", None)]))
    with pytest.raises(SourceInvalid) as caught:
        get_source("square").translate(raw, ImportOptions())
    assert "none with price_money" in caught.value.render()


def test_a_variation_whose_item_is_missing_is_noted():
    raw = sq(sq_variation("V9", "GONE", "Large", 300))
    out = Imported("square", raw)
    assert out.notes_for("V9") == ["skipped: its item GONE is not in the file"]
