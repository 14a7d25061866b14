"""Toast mapping rules on small Menus v2 documents (docs/import.md, the Toast table)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reconciler.model.catalog import Extras, OpeningWindow, Selection
from reconciler.sources.errors import SourceInvalid
from tests.sources.helpers import POS_FIXTURES, Imported

ONLINE = ["POS", "TOAST_ONLINE_ORDERING"]


def item(guid: str, name: str, price, refs=(), **extra) -> dict:
    return {
        "guid": guid,
        "name": name,
        "price": price,
        "pricingStrategy": extra.pop("pricingStrategy", "BASE_PRICE"),
        "visibility": extra.pop("visibility", ONLINE),
        "modifierGroupReferences": list(refs),
        **extra,
    }


def group(guid: str, name: str, items: list, groups: list = (), **extra) -> dict:
    return {
        "guid": guid,
        "name": name,
        "menuItems": items,
        "menuGroups": list(groups),
        "visibility": extra.pop("visibility", ONLINE),
        **extra,
    }


def doc(menus: list, groups: dict | None = None, options: dict | None = None) -> dict:
    return {
        "restaurantGuid": "R1",
        "menus": menus,
        "modifierGroupReferences": groups or {},
        "modifierOptionReferences": options or {},
    }


def menu(guid: str, name: str, groups: list, **extra) -> dict:
    return {"guid": guid, "name": name, "menuGroups": groups, "visibility": extra.pop("visibility", ONLINE), **extra}


def mod_group(ref: int, guid: str, name: str, options: list[int], low=0, high=None, **extra) -> dict:
    return {
        "referenceId": ref,
        "guid": guid,
        "name": name,
        "minSelections": low,
        "maxSelections": high,
        "modifierOptionReferences": options,
        "pricingStrategy": "NONE",
        **extra,
    }


def option(ref: int, guid: str, name: str, price=0.0, **extra) -> dict:
    return {"referenceId": ref, "guid": guid, "name": name, "price": price, **extra}


def test_menus_groups_items_and_nested_groups_flattened_in_document_order():
    raw = doc(
        [
            menu(
                "M1",
                "Lunch",
                [
                    group(
                        "G1",
                        "Mains",
                        [item("I2", "Stew", 12.0), item("I1", "Pie", 9.5)],
                        [group("G2", "Specials", [item("I3", "Fish", 15.0)])],
                    ),
                    group("G3", "Sides", [item("I4", "Salad", 4.25), item("I1", "Pie", 9.5)]),
                ],
            ),
            menu("M2", "Bar", [group("G4", "Snacks", [item("I1", "Pie", 9.5)])]),
        ]
    )
    out = Imported("toast", raw, currency="USD")
    assert [m.id for m in out.catalog.menus] == ["toast-M1", "toast-M2"]
    assert [s.name for s in out.catalog.menus[0].sections] == ["Mains", "Specials", "Sides"]
    assert out.section("toast-G1").dishes == ["toast-I2", "toast-I1"]
    assert out.section("toast-G3").dishes == ["toast-I4", "toast-I1"]
    assert out.section("toast-G4").dishes == ["toast-I1"]
    assert any("nested in menu group" in n for n in out.notes_for("G2"))
    assert out.dish("toast-I4").price == Decimal("4.25")


def test_float_prices_are_converted_exactly():
    raw = doc(
        [
            menu(
                "M1",
                "Menu",
                [
                    group(
                        "G1",
                        "All",
                        [item("I1", "A", 0.1), item("I2", "B", 19.99), item("I3", "C", 1.005), item("I4", "D", 7)],
                    )
                ],
            )
        ]
    )
    out = Imported("toast", raw, currency="USD")
    assert out.dish("toast-I1").price == Decimal("0.10")
    assert out.dish("toast-I2").price == Decimal("19.99")
    assert out.dish("toast-I3").price == Decimal("1.01")
    assert any("rounded" in n for n in out.notes_for("I3"))
    assert out.dish("toast-I4").price == Decimal("7.00")
    assert Imported("toast", raw, currency="JPY").dish("toast-I2").price == Decimal("20")


def test_min_max_null_is_unlimited_and_required_forces_at_least_one():
    raw = doc(
        [menu("M1", "Menu", [group("G1", "All", [item("I1", "Burger", 10.0, refs=[1, 2, 3])])])],
        {
            "1": mod_group(1, "MG1", "Toppings", [11, 12], 0, None),
            "2": mod_group(2, "MG2", "Temperature", [21, 22], 0, 1, requiredMode="REQUIRED"),
            "3": mod_group(3, "MG3", "Sauces", [31, 32, 33], 0, 2, requiredMode="OPTIONAL_FORCE_SHOW"),
        },
        {
            "11": option(11, "O11", "Bacon", 1.5),
            "12": option(12, "O12", "Egg", 1.0, isDefault=True),
            "21": option(21, "O21", "Rare"),
            "22": option(22, "O22", "Well", isDefault=True),
            "31": option(31, "O31", "Mayo"),
            "32": option(32, "O32", "Ketchup"),
            "33": option(33, "O33", "Aioli", 0.5),
        },
    )
    out = Imported("toast", raw, currency="USD")
    toppings, temperature, sauces = (out.group(f"toast-MG{k}") for k in (1, 2, 3))
    assert isinstance(toppings, Extras) and (toppings.min, toppings.max) == (0, None)
    assert toppings.defaults == ["toast-O12"]
    assert [(c.item, c.price) for c in toppings.choices] == [
        ("toast-O11", Decimal("1.50")),
        ("toast-O12", Decimal("1.00")),
    ]
    assert isinstance(temperature, Selection) and temperature.default == "toast-O22"
    assert isinstance(sauces, Extras) and (sauces.min, sauces.max) == (0, 2)
    assert out.dish("toast-I1").options == ["toast-MG1", "toast-MG2", "toast-MG3"]


def test_shared_groups_and_options_keep_one_id():
    groups = {"1": mod_group(1, "MG1", "Milk", [11, 12]), "2": mod_group(2, "MG2", "Extras", [13, 11])}
    options = {
        "11": option(11, "O1", "Oat", 0.5),
        "12": option(12, "O2", "Soy", 0.5),
        "13": option(13, "O3", "Shot", 1.0),
    }
    raw = doc(
        [
            menu(
                "M1",
                "Drinks",
                [group("G1", "Coffee", [item("I1", "Latte", 4.0, refs=[1, 2]), item("I2", "Mocha", 4.5, refs=[1])])],
            )
        ],
        groups,
        options,
    )
    out = Imported("toast", raw, currency="USD")
    assert out.dish("toast-I2").options == ["toast-MG1"]
    assert [c.item for c in out.group("toast-MG2").choices] == ["toast-O3", "toast-O1"]  # O1 shared by two groups
    assert len(out.catalog.variations) == 3


def test_size_price_items_get_a_size_selection():
    groups = {"3": mod_group(3, "SZ", "Size", [31, 32], 1, 1, requiredMode="REQUIRED")}
    options = {"31": option(31, "S", "Small", 12.0), "32": option(32, "L", "Large", 16.5)}
    raw = doc(
        [
            menu(
                "M1",
                "Menu",
                [
                    group(
                        "G1",
                        "Pizza",
                        [
                            item(
                                "I1",
                                "Margherita",
                                None,
                                refs=[3],
                                pricingStrategy="SIZE_PRICE",
                                pricingRules={"sizeSpecificPricingGuid": "SZ"},
                            )
                        ],
                    )
                ],
            )
        ],
        groups,
        options,
    )
    out = Imported("toast", raw, currency="USD")
    dish = out.dish("toast-I1")
    assert dish.price == Decimal("12.00") and dish.options == ["toast-I1:size"]
    assert [(c.item, c.price) for c in out.group("toast-I1:size").choices] == [
        ("toast-S", Decimal("0.00")),
        ("toast-L", Decimal("4.50")),
    ]


def test_open_price_hidden_and_visibility():
    raw = doc(
        [
            menu(
                "M1",
                "Menu",
                [
                    group(
                        "G1",
                        "All",
                        [
                            item("I1", "Market", None, pricingStrategy="OPEN_PRICE"),
                            item("I2", "Staff", 5.0, visibility=["POS"]),
                            item("I3", "Nowhere", 5.0, visibility=[]),
                            item("I4", "Partners", 5.0, visibility=["ORDERING_PARTNERS"]),
                        ],
                    ),
                    group("G2", "POS only", [item("I5", "Tab", 1.0)], visibility=["POS"]),
                ],
            )
        ]
    )
    out = Imported("toast", raw, currency="USD")
    assert out.dish("toast-I1").price_on_request and any("open price" in n for n in out.notes_for("I1"))
    assert out.dish("toast-I2").visible is False and out.dish("toast-I3").visible is False
    assert out.dish("toast-I4").visible is True
    assert out.section("toast-G2").visible is False


def test_same_item_with_different_prices_per_menu_is_reported():
    raw = doc(
        [
            menu("M1", "Lunch", [group("G1", "A", [item("I1", "Soup", 6.0)])]),
            menu("M2", "Dinner", [group("G2", "B", [item("I1", "Soup", 7.5, pricingStrategy="MENU_SPECIFIC_PRICE")])]),
        ]
    )
    out = Imported("toast", raw, currency="USD")
    assert out.dish("toast-I1").price == Decimal("6.00")
    assert any('costs 7.50 on menu "Dinner"' in n for n in out.notes_for("I1"))


def test_schedules_become_menu_hours():
    raw = doc(
        [
            menu(
                "M1",
                "Brunch",
                [group("G1", "A", [item("I1", "Eggs", 8.0)])],
                availability={
                    "alwaysAvailable": False,
                    "schedule": [
                        {"days": ["SATURDAY", "SUNDAY"], "timeRanges": [{"start": "09:00", "end": "14:00"}]},
                        {
                            "days": ["FRIDAY"],
                            "timeRanges": [
                                {"start": "22:00:00", "end": "01:30:00"},
                                {"start": "18:00", "end": "00:00"},
                            ],
                        },
                    ],
                },
            )
        ]
    )
    hours = Imported("toast", raw, currency="USD").catalog.menus[0].hours
    assert hours == [
        OpeningWindow(day="fri", open="18:00", close="24:00"),
        OpeningWindow(day="fri", open="22:00", close_day="sat", close="01:30"),
        OpeningWindow(day="sat", open="09:00", close="14:00"),
        OpeningWindow(day="sun", open="09:00", close="14:00"),
    ]


def test_currency_is_required():
    with pytest.raises(SourceInvalid) as caught:
        Imported("toast", doc([]))
    assert "--currency" in caught.value.render()


def test_unknown_reference_names_the_item():
    raw = doc([menu("M1", "Menu", [group("G1", "A", [item("I1", "Burger", 10.0, refs=[7])])])])
    with pytest.raises(SourceInvalid) as caught:
        Imported("toast", raw, currency="USD")
    assert "MenuItem 'I1': modifierGroupReferences: no modifier group has referenceId 7" in caught.value.render()


def test_several_documents_need_a_location():
    one = doc([menu("M1", "Menu", [group("G1", "A", [item("I1", "Tea", 2.0)])])])
    two = {**one, "restaurantGuid": "R2"}
    with pytest.raises(SourceInvalid, match="problem"):
        Imported("toast", [one, two], currency="USD")
    assert Imported("toast", [one, two], currency="USD", location="R2").dish_ids == {"toast-I1"}


def test_the_fixture_document_imports():
    raw = json.loads((POS_FIXTURES / "toast-menus.json").read_text())
    out = Imported("toast", raw, currency="USD")
    assert len(out.catalog.menus) == 2 and out.catalog.menus[0].hours
