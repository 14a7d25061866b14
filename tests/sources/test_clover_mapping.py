"""Clover mapping rules on small inventories (docs/import.md, the Clover table)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reconciler.model.catalog import Extras, Selection
from reconciler.sources.errors import SourceInvalid
from tests.sources.helpers import POS_FIXTURES, Imported


def refs(*ids: str) -> dict:
    return {"elements": [{"id": i} for i in ids]}


def item(ident: str, name: str, price: int | None = 100, categories=(), groups=(), **extra) -> dict:
    out = {"id": ident, "name": name, "price": price, "priceType": extra.pop("priceType", "FIXED"), **extra}
    if categories:
        out["categories"] = refs(*categories)
    if groups:
        out["modifierGroups"] = refs(*groups)
    return out


def inventory(items=(), categories=(), groups=(), item_groups=(), currency="USD") -> dict:
    return {
        "merchant": {"id": "M1", "currency": currency},
        "items": {"elements": list(items)},
        "categories": {"elements": list(categories)},
        "modifier_groups": {"elements": list(groups)},
        "item_groups": {"elements": list(item_groups)},
    }


def test_categories_by_sort_order_and_items_in_category_order():
    raw = inventory(
        [item("A", "Apple", categories=["C1"]), item("B", "Bread", categories=["C1", "C2"]), item("Z", "Zest")],
        [
            {"id": "C2", "name": "Bakery", "sortOrder": 2, "items": refs("B")},
            {"id": "C1", "name": "Market", "sortOrder": 1, "items": refs("B", "A")},
            {"id": "C3", "name": "Retired", "sortOrder": 0, "deleted": True},
        ],
    )
    out = Imported("clover", raw, menu_name="Shop")
    assert out.catalog.menus[0].name == "Shop"
    assert [s.name for s in out.catalog.menus[0].sections] == ["Market", "Bakery", "Uncategorized"]
    assert out.section("clover-C1").dishes == ["clover-B", "clover-A"]
    assert out.section("clover-C2").dishes == ["clover-B"]
    assert out.section("clover-uncategorized").dishes == ["clover-Z"]


def test_cents_and_other_minor_units():
    assert Imported("clover", inventory([item("A", "Tea", 250)])).dish("clover-A").price == Decimal("2.50")
    assert Imported("clover", inventory([item("A", "Tea", 250)], currency="JPY")).dish("clover-A").price == 250
    assert Imported("clover", inventory([item("A", "Tea", 2500)], currency="BHD")).text.count('"2.500"') == 1


def test_item_group_variants_fold_into_one_dish_with_sizes():
    raw = inventory(
        [
            item("S", "Latte Small", 350, ["C1"], ["MG1"], itemGroup={"id": "G"}),
            item("L", "Latte Large", 450, ["C1"], ["MG1"], itemGroup={"id": "G"}, available=False),
            item(
                "X",
                "Latte Oat Tall",
                500,
                ["C1"],
                itemGroup={"id": "G"},
                options={"elements": [{"id": "o", "name": "Tall"}, {"id": "p", "name": "Oat"}]},
            ),
        ],
        [{"id": "C1", "name": "Coffee", "items": refs("S", "L", "X")}],
        [
            {
                "id": "MG1",
                "name": "Milk",
                "minRequired": 1,
                "maxAllowed": 1,
                "modifierIds": "W,O",
                "modifiers": {
                    "elements": [{"id": "O", "name": "Oat", "price": 75}, {"id": "W", "name": "Whole", "price": 0}]
                },
            }
        ],
        [{"id": "G", "name": "Latte"}],
    )
    out = Imported("clover", raw)
    dish = out.dish("clover-G")
    assert dish.name == "Latte" and dish.price == Decimal("3.50")
    assert dish.options == ["clover-G:size", "clover-MG1"]
    sizes = out.group("clover-G:size")
    assert {(c.item, c.price) for c in sizes.choices} == {
        ("clover-S", Decimal("0.00")),
        ("clover-L", Decimal("1.00")),
        ("clover-X", Decimal("1.50")),
    }
    assert out.variation("clover-S").name == "Small" and out.variation("clover-X").name == "Tall, Oat"
    assert out.variation("clover-L").in_stock is False
    assert out.section("clover-C1").dishes == ["clover-G"]
    milk = out.group("clover-MG1")
    assert isinstance(milk, Selection) and [c.item for c in milk.choices] == ["clover-W", "clover-O"]


def test_modifier_groups_min_max_and_availability():
    raw = inventory(
        [item("A", "Burger", 900, groups=["MG2", "MG1"])],
        groups=[
            {
                "id": "MG1",
                "name": "Toppings",
                "sortOrder": 2,
                "minRequired": 0,
                "maxAllowed": 2,
                "modifiers": {
                    "elements": [
                        {"id": "B", "name": "Bacon", "price": 150},
                        {"id": "C", "name": "Cheese", "price": 100, "available": False},
                        {"id": "E", "name": "Egg", "price": 125},
                    ]
                },
            },
            {
                "id": "MG2",
                "name": "Sauces",
                "sortOrder": 1,
                "modifiers": {"elements": [{"id": "K", "name": "Ketchup"}]},
            },
        ],
    )
    out = Imported("clover", raw)
    assert out.dish("clover-A").options == ["clover-MG2", "clover-MG1"]
    toppings = out.group("clover-MG1")
    assert isinstance(toppings, Extras) and (toppings.min, toppings.max) == (0, 2)
    assert [c.item for c in toppings.choices] == ["clover-B", "clover-C", "clover-E"]  # no modifierIds: by name
    assert out.variation("clover-C").in_stock is False
    sauces = out.group("clover-MG2")
    assert isinstance(sauces, Extras) and sauces.max is None


def test_hidden_unavailable_deleted_and_unfit_prices():
    raw = inventory(
        [
            item("H", "Hidden", hidden=True),
            item("U", "Out", available=False),
            item("D", "Deleted", deletedTime=1700000000000),
            item("V", "Open", None, priceType="VARIABLE"),
            item("P", "Ham", 899, priceType="PER_UNIT", unitName="lb"),
        ]
    )
    out = Imported("clover", raw)
    assert out.dish_ids == {"clover-H", "clover-U", "clover-V"}
    assert out.dish("clover-V").price_on_request
    assert out.dish("clover-H").visible is False and out.dish("clover-U").in_stock is False
    assert any("price on request" in n for n in out.notes_for("V"))
    assert out.notes_for("P") == ["skipped: priced per lb; Wix needs a fixed price"]
    assert out.notes_for("D") == []


def test_currency_from_the_merchant_or_the_flag():
    raw = inventory([item("A", "Tea")], currency=None)
    raw["merchant"] = {"id": "M1"}
    with pytest.raises(SourceInvalid) as caught:
        Imported("clover", raw)
    assert "--currency" in caught.value.render()
    assert Imported("clover", raw, currency="GBP").catalog.currency == "GBP"
    with pytest.raises(SourceInvalid):
        Imported("clover", inventory([item("A", "Tea")], currency="EUR"), currency="USD")


def test_the_fixture_inventory_imports():
    out = Imported("clover", json.loads((POS_FIXTURES / "clover-inventory.json").read_text()))
    assert out.dish("clover-IGLATTE000001").options == ["clover-IGLATTE000001:size", "clover-MGMILK0000001"]
    assert [c.item for c in out.group("clover-MGTOPPINGS001").choices] == [
        "clover-MODCHEESE0001",
        "clover-MODBACON00001",
        "clover-MODEGG0000001",
    ]  # modifierIds order
