"""Square mapping rules, one small catalog each (docs/import.md, the Square table)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.model.catalog import Extras, Selection
from reconciler.sources.errors import SourceInvalid
from tests.sources.helpers import (
    Imported,
    money,
    sq,
    sq_category,
    sq_item,
    sq_list,
    sq_modifier,
    sq_simple,
    sq_variation,
)


def test_categories_become_sections_of_one_menu_in_ordinal_then_name_order():
    raw = sq(
        sq_category("C-B", "Zebra drinks", ordinal=2),
        sq_category("C-A", "Mains", ordinal=1),
        sq_category("C-C", "Apps"),  # no ordinal: after those that have one
        sq_category("C-D", "Bakery"),
        sq_simple("I1", "Burger", 900, [("C-A", 2), ("C-C", 0)]),
        sq_simple("I2", "Arancini", 700, [("C-A", 1)]),
        sq_simple("I3", "Bagel", 300, ["C-A"]),  # no ordinal in the category: last
    )
    out = Imported("square", raw, menu_name="Dinner")
    assert [m.name for m in out.catalog.menus] == ["Dinner"]
    assert [s.name for s in out.catalog.menus[0].sections] == ["Mains", "Zebra drinks", "Apps", "Bakery"]
    assert out.section("sq-C-A").dishes == ["sq-I2", "sq-I1", "sq-I3"]
    assert out.section("sq-C-C").dishes == ["sq-I1"]  # one dish, listed in two sections
    assert out.section("sq-C-D").dishes == []


def test_legacy_category_id_and_no_category_goes_to_uncategorized():
    raw = sq(
        sq_category("C1", "Mains"),
        sq_simple("I1", "Soup", 500, category_id="C1"),
        sq_simple("I2", "Bread", 200),
        sq_simple("I3", "Apple", 100),
    )
    out = Imported("square", raw)
    assert out.section("sq-C1").dishes == ["sq-I1"]
    uncategorized = out.section("sq-uncategorized")
    assert uncategorized.name == "Uncategorized"
    assert uncategorized.dishes == ["sq-I3", "sq-I2"]  # by name
    assert out.catalog.menus[0].sections[-1] is uncategorized


def test_several_variations_become_a_size_selection_priced_from_the_lowest():
    raw = sq(
        sq_item(
            "I1",
            "Coffee",
            [
                sq_variation("V-M", "I1", "Medium", 350, ordinal=1),
                sq_variation("V-S", "I1", "Small", 300, ordinal=0),
                sq_variation("V-L", "I1", "Large", 425, ordinal=2),
            ],
        )
    )
    out = Imported("square", raw)
    dish = out.dish("sq-I1")
    assert dish.price == Decimal("3.00")
    assert dish.options == ["sq-I1:size"]
    group = out.group("sq-I1:size")
    assert isinstance(group, Selection) and group.name == "Size"
    assert [(c.item, c.price) for c in group.choices] == [
        ("sq-V-S", Decimal("0.00")),
        ("sq-V-M", Decimal("0.50")),
        ("sq-V-L", Decimal("1.25")),
    ]
    assert group.default == "sq-V-S"
    assert out.variation("sq-V-M").name == "Medium"


def test_base_variation_is_the_cheapest_even_when_not_first():
    raw = sq(sq_item("I1", "Pie", [sq_variation("V1", "I1", "Whole", 2000), sq_variation("V2", "I1", "Slice", 450)]))
    out = Imported("square", raw)
    assert out.dish("sq-I1").price == Decimal("4.50")
    group = out.group("sq-I1:size")
    assert group.default == "sq-V2"
    assert all(c.price >= 0 for c in group.choices)


def test_single_variation_gives_a_plain_price_and_no_group():
    out = Imported("square", sq(sq_simple("I1", "Tea", 250)))
    assert out.dish("sq-I1").price == Decimal("2.50")
    assert out.dish("sq-I1").options == []
    assert out.catalog.option_groups == [] and out.catalog.variations == []


@pytest.mark.parametrize(
    ("list_fields", "info", "kind", "low", "high"),
    [
        ({"selection_type": "SINGLE"}, {}, Selection, 1, 1),
        ({"selection_type": "MULTIPLE"}, {}, Extras, 0, None),
        ({}, {}, Extras, 0, None),
        ({"selection_type": "SINGLE", "min_selected_modifiers": 0, "max_selected_modifiers": 2}, {}, Extras, 0, 2),
        ({"min_selected_modifiers": 1, "max_selected_modifiers": 0}, {}, Extras, 1, None),  # list max 0: unlimited
        ({"min_selected_modifiers": -1, "max_selected_modifiers": -1, "selection_type": "SINGLE"}, {}, Selection, 1, 1),
        ({"selection_type": "MULTIPLE"}, {"min_selected_modifiers": 1, "max_selected_modifiers": 1}, Selection, 1, 1),
        ({"selection_type": "SINGLE"}, {"min_selected_modifiers": 0, "max_selected_modifiers": -1}, Extras, 0, 1),
        ({"max_selected_modifiers": 3}, {"min_selected_modifiers": 2}, Extras, 2, None),  # 3 of 3 choices
    ],
)
def test_modifier_list_limits_item_then_list_then_legacy(list_fields, info, kind, low, high):
    mods = [sq_modifier(f"M{k}", "L1", name, 100 * k) for k, name in enumerate(["Ketchup", "Mustard", "Relish"])]
    item = sq_simple("I1", "Hot dog", 400, modifier_list_info=[{"modifier_list_id": "L1", **info}])
    out = Imported("square", sq(sq_list("L1", "Condiments", mods, **list_fields), item))
    (group_id,) = out.dish("sq-I1").options
    group = out.group(group_id)
    assert isinstance(group, kind)
    if isinstance(group, Extras):
        assert (group.min, group.max) == (low, high)


def test_modifiers_become_variations_and_their_price_the_choice_price():
    mods = [sq_modifier("M1", "L1", "Bacon", 150, ordinal=2), sq_modifier("M2", "L1", "Avocado", 200, ordinal=1)]
    out = Imported(
        "square",
        sq(
            sq_list("L1", "Toppings", mods),
            sq_simple("I1", "Toast", 500, modifier_list_info=[{"modifier_list_id": "L1"}]),
        ),
    )
    group = out.group("sq-L1")
    assert [(c.item, c.price) for c in group.choices] == [("sq-M2", Decimal("2.00")), ("sq-M1", Decimal("1.50"))]
    assert out.variation("sq-M1").name == "Bacon"


def test_shared_list_is_one_group_and_item_overrides_fork_it():
    mods = [sq_modifier("M1", "L1", "Cheddar", 100), sq_modifier("M2", "L1", "Swiss", 100, on_by_default=True)]
    raw = sq(
        sq_list("L1", "Cheese", mods, selection_type="MULTIPLE"),
        sq_simple("I1", "Burger", 900, modifier_list_info=[{"modifier_list_id": "L1"}]),
        sq_simple("I2", "Melt", 800, modifier_list_info=[{"modifier_list_id": "L1", "min_selected_modifiers": -1}]),
        sq_simple(
            "I3",
            "Sandwich",
            700,
            modifier_list_info=[{"modifier_list_id": "L1", "min_selected_modifiers": 1, "max_selected_modifiers": 1}],
        ),
        sq_simple(
            "I4",
            "Salad",
            600,
            modifier_list_info=[
                {"modifier_list_id": "L1", "modifier_overrides": [{"modifier_id": "M2", "on_by_default": False}]}
            ],
        ),
        sq_simple("I5", "Wrap", 650, modifier_list_info=[{"modifier_list_id": "L1", "enabled": False}]),
    )
    out = Imported("square", raw)
    assert out.dish("sq-I1").options == ["sq-L1"]
    assert out.dish("sq-I2").options == ["sq-L1"]
    assert out.dish("sq-I3").options == ["sq-L1@I3"]
    assert isinstance(out.group("sq-L1@I3"), Selection)
    assert out.dish("sq-I4").options == ["sq-L1@I4"]
    assert out.group("sq-L1@I4").defaults == [] and out.group("sq-L1").defaults == ["sq-M2"]
    assert out.dish("sq-I5").options == []
    assert {g.id for g in out.catalog.option_groups} == {"sq-L1", "sq-L1@I3", "sq-L1@I4"}


def test_item_level_max_zero_offers_nothing_and_is_reported():
    out = Imported(
        "square",
        sq(
            sq_list("L1", "Sauce", [sq_modifier("M1", "L1", "Aioli")]),
            sq_simple("I1", "Chips", 300, modifier_list_info=[{"modifier_list_id": "L1", "max_selected_modifiers": 0}]),
        ),
    )
    assert out.dish("sq-I1").options == []
    assert any("max 0" in n for n in out.notes_for("I1"))


def test_limits_beyond_the_choices_are_clamped_with_a_note():
    raw = sq(
        sq_list("L1", "Sides", [sq_modifier("M1", "L1", "Rice")], min_selected_modifiers=2, max_selected_modifiers=5),
        sq_simple("I1", "Curry", 1200, modifier_list_info=[{"modifier_list_id": "L1"}]),
    )
    out = Imported("square", raw)
    group = out.group("sq-L1")
    assert (group.min, group.max) == (1, None)
    assert any("min set to 1" in n for n in out.notes_for("L1"))


@pytest.mark.parametrize(
    ("currency", "amount", "text"),
    [("JPY", 375, '"375"'), ("KWD", 1250, '"1.250"'), ("USD", 5, '"0.05"'), ("EUR", 100000, '"1000.00"')],
)
def test_money_respects_the_currency_minor_digits(currency, amount, text):
    out = Imported("square", sq(sq_simple("I1", "Dish", amount, currency=currency)))
    assert out.catalog.currency == currency
    assert f"price: {text}" in out.text


def test_deleted_archived_and_hidden():
    raw = sq(
        sq_category("C1", "Secret menu", online_visibility=False),
        sq_simple("I1", "Gone", 100, is_deleted=True),
        sq_simple("I2", "Retired", 100, is_archived=True),
        sq_simple("I3", "Off-menu", 100, ["C1"], ecom_visibility="HIDDEN"),
        sq_list(
            "L1",
            "Extras",
            [sq_modifier("M1", "L1", "Secret sauce", 50, hidden_online=True), sq_modifier("M2", "L1", "Salt")],
        ),
        sq_simple("I4", "Fries", 300, ["C1"], modifier_list_info=[{"modifier_list_id": "L1"}]),
    )
    out = Imported("square", raw)
    assert out.dish_ids == {"sq-I3", "sq-I4"}
    assert out.notes_for("I2") == ["skipped: archived"]
    assert out.notes_for("I1") == []  # a tombstone is simply gone
    assert out.dish("sq-I3").visible is False and out.dish("sq-I4").visible is True
    assert out.section("sq-C1").visible is False
    assert out.variation("sq-M1").visible is False and out.variation("sq-M2").visible is True


def test_tombstone_with_a_higher_version_wins_over_the_live_copy():
    live = sq_simple("I1", "Soup", 500, version=5)
    tombstone = {"type": "ITEM", "id": "I1", "version": 6, "is_deleted": True}
    assert Imported("square", [sq_simple("I2", "Bread", 100), live, tombstone]).dish_ids == {"sq-I2"}
    assert Imported("square", [live, {**tombstone, "version": 4}]).dish_ids == {"sq-I1"}


def test_nested_and_top_level_copies_are_merged_by_id():
    variation = sq_variation("V1", "I1", "Regular", 450)
    modifier = sq_modifier("M1", "L1", "Oat milk", 75)
    raw = sq(
        sq_item("I1", "Latte", [variation], modifier_list_info=[{"modifier_list_id": "L1"}]),
        variation,
        sq_list("L1", "Milk", [modifier]),
        modifier,
        sq_modifier("M2", "L1", "Soy milk", 60),
    )
    out = Imported("square", raw)
    assert out.dish("sq-I1").price == Decimal("4.50")
    assert [c.item for c in out.group("sq-L1").choices] == ["sq-M1", "sq-M2"]  # M2 only at top level


def test_location_presence_prices_and_sold_out():
    raw = sq(
        sq_simple("I1", "Everywhere but L3", 200, absent_at_location_ids=["L3"]),
        sq_simple("I2", "Only at L2", 300, present_at_all_locations=False, present_at_location_ids=["L2"]),
        sq_item(
            "I3",
            "Soda",
            [
                sq_variation(
                    "V1",
                    "I3",
                    "Can",
                    200,
                    location_overrides=[{"location_id": "L2", "price_money": money(225), "sold_out": True}],
                ),
                sq_variation(
                    "V2",
                    "I3",
                    "Bottle",
                    300,
                    location_overrides=[{"location_id": "L1", "sold_out": True}],
                    present_at_all_locations=False,
                    present_at_location_ids=["L1", "L2"],
                ),
            ],
        ),
    )
    anywhere = Imported("square", raw)
    assert anywhere.dish_ids == {"sq-I1", "sq-I2", "sq-I3"}
    assert anywhere.dish("sq-I3").in_stock is True

    at_l2 = Imported("square", raw, location="L2")
    assert at_l2.dish("sq-I3").price == Decimal("2.25")
    assert at_l2.variation("sq-V1").in_stock is False
    assert at_l2.dish("sq-I3").in_stock is True  # the bottle is still in stock

    at_l3 = Imported("square", raw, location="L3")
    assert at_l3.dish_ids == {"sq-I3"}
    # One size of two is sold at L3: it stays a one-choice size selection, so its label is kept.
    assert at_l3.dish("sq-I3").options == ["sq-I3:size"] and at_l3.dish("sq-I3").price == Decimal("2.00")
    assert [c.item for c in at_l3.group("sq-I3:size").choices] == ["sq-V1"]
    assert "skipped: not present at location L3" in at_l3.notes_for("I1")
    assert "skipped: not present at location L3" in at_l3.notes_for("I2")
    assert "skipped: not present at location L3" in at_l3.notes_for("V2")


def test_one_sold_out_variation_marks_the_dish_sold_out():
    raw = sq(
        sq_item(
            "I1",
            "Pie",
            [sq_variation("V1", "I1", "Slice", 450, location_overrides=[{"location_id": "L1", "sold_out": True}])],
        )
    )
    assert Imported("square", raw, location="L1").dish("sq-I1").in_stock is False


def test_things_the_catalog_cannot_hold_are_reported_not_dropped_silently():
    raw = sq(
        sq_item("I1", "Gift card", [sq_variation("V1", "I1", "Card", None)], product_type="GIFT_CARD"),
        sq_item("I2", "Haircut", [sq_variation("V2", "I2", "30 min", 3000)], product_type="APPOINTMENTS_SERVICE"),
        sq_item("I3", "Market fish", [sq_variation("V3", "I3", "Regular", None)]),
        sq_item("I4", "Cheese by weight", [sq_variation("V4", "I4", "Per lb", 1200, measurement_unit_id="MU1")]),
        sq_item("I5", "Fish and chips", [sq_variation("V5", "I5", "Cod", 1400), sq_variation("V6", "I5", "Ask", None)]),
        sq_list("L1", "Message", [], modifier_type="TEXT"),
        sq_list("L2", "Add-ons", [sq_modifier("M1", "L2", "Egg", 100, child_modifier_list_ids=["L9"])]),
        sq_simple("I6", "Toast", 300, modifier_list_info=[{"modifier_list_id": "L1"}, {"modifier_list_id": "L2"}]),
        {"type": "SUBSCRIPTION_PLAN", "id": "P1", "subscription_plan_data": {"name": "Coffee club"}},
        {"type": "DISCOUNT", "id": "D1", "discount_data": {"name": "Happy hour"}},
    )
    out = Imported("square", raw)
    assert out.dish_ids == {"sq-I3", "sq-I5", "sq-I6"}
    assert out.dish("sq-I3").price_on_request  # its one variation is priced at sale time
    assert out.notes_for("I1") == ["skipped: product type GIFT_CARD is not a menu item"]
    assert out.notes_for("I2") == ["skipped: product type APPOINTMENTS_SERVICE is not a menu item"]
    assert out.notes_for("I3") == ["approximated: variable price (entered at sale time): imported as price on request"]
    assert any("per unit" in n for n in out.notes_for("V4"))
    assert any("variable pricing" in n for n in out.notes_for("V6"))
    # One fixed variation of two is left: a one-choice size selection keeps its label ("Cod").
    assert [c.item for c in out.group("sq-I5:size").choices] == ["sq-V5"]
    assert out.variation("sq-V5").name == "Cod"
    assert out.dish("sq-I6").special_request_prompt == "Message"  # the TEXT list: free text from the buyer
    assert "modifier list L9 is not in the catalog" in " ".join(out.notes_for("M1"))  # a nested list, missing
    assert out.notes_for("P1") == ["skipped: subscription plans are not menu items"]
    assert out.notes_for("D1") == ["skipped: discounts are not part of the menu"]


def test_item_option_cross_products_are_flattened_with_a_note():
    raw = sq(
        {"type": "ITEM_OPTION", "id": "O1", "item_option_data": {"name": "Size"}},
        {"type": "ITEM_OPTION", "id": "O2", "item_option_data": {"name": "Milk"}},
        sq_item(
            "I1",
            "Latte",
            [
                sq_variation("V1", "I1", "Small, Whole", 400),
                sq_variation("V2", "I1", "Small, Oat", 450),
                sq_variation("V3", "I1", "Large, Whole", 500),
            ],
            item_options=[{"item_option_id": "O1"}, {"item_option_id": "O2"}],
        ),
        {"type": "ITEM_OPTION", "id": "O3", "item_option_data": {"name": "Temperature"}},
        sq_item(
            "I2",
            "Tea",
            [sq_variation("V4", "I2", "Hot", 300), sq_variation("V5", "I2", "Iced", 350)],
            item_options=[{"item_option_id": "O3"}],
        ),
    )
    out = Imported("square", raw)
    assert len(out.group("sq-I1:size").choices) == 3
    assert any("Size × Milk" in n for n in out.notes_for("I1"))
    assert out.group("sq-I2:size").name == "Temperature"
    assert out.notes_for("I2") == []


def test_images_only_absolute_http_urls():
    raw = sq(
        {"type": "IMAGE", "id": "IMG1", "image_data": {"url": "https://cdn.example.com/a.jpg"}},
        {"type": "IMAGE", "id": "IMG2", "image_data": {"url": "ftp://example.com/b.jpg"}},
        sq_simple("I1", "A", 100, image_ids=["IMG1"]),
        sq_simple("I2", "B", 100, image_ids=["IMG2"]),
        sq_simple("I3", "C", 100, image_ids=["IMG-MISSING"]),
    )
    out = Imported("square", raw)
    assert out.dish("sq-I1").image == "https://cdn.example.com/a.jpg"
    assert out.dish("sq-I2").image is None and any("ftp://" in n for n in out.notes_for("I2"))
    assert out.dish("sq-I3").image is None and any("IMG-MISSING" in n for n in out.notes_for("I3"))


def test_taxes_additive_summed_and_inclusive_reported():
    raw = sq(
        {"type": "TAX", "id": "T1", "tax_data": {"name": "State", "percentage": "6.25", "inclusion_type": "ADDITIVE"}},
        {"type": "TAX", "id": "T2", "tax_data": {"name": "City", "percentage": "2.5", "inclusion_type": "ADDITIVE"}},
        {"type": "TAX", "id": "T3", "tax_data": {"name": "VAT", "percentage": "20", "inclusion_type": "INCLUSIVE"}},
        {"type": "TAX", "id": "T4", "tax_data": {"name": "Off", "percentage": "5", "enabled": False}},
        sq_simple("I1", "A", 100, tax_ids=["T1"]),
        sq_simple("I2", "B", 100, tax_ids=["T1", "T2", "T4"]),
        sq_simple("I3", "C", 100, tax_ids=["T3"]),
        sq_simple("I4", "D", 100, tax_ids=["T1"], is_taxable=False),
    )
    out = Imported("square", raw)
    assert out.dish("sq-I1").tax_rate == Decimal("6.25")
    assert out.dish("sq-I2").tax_rate == Decimal("8.75")
    assert any("2 taxes added up" in n for n in out.notes_for("I2"))
    assert out.dish("sq-I3").tax_rate == Decimal("20") and out.dish("sq-I3").tax_included  # VAT in the price
    assert out.dish("sq-I4").tax_rate == Decimal("0")


def test_a_negative_modifier_price_is_a_choice_that_takes_money_off():
    raw = sq(
        sq_list("L1", "Changes", [sq_modifier("M1", "L1", "No cheese", -50)]),
        sq_simple("I1", "Burger", 900, modifier_list_info=[{"modifier_list_id": "L1"}]),
    )
    out = Imported("square", raw)
    assert out.group("sq-L1").choices[0].price == Decimal("-0.50")
    assert out.notes_for("M1") == []


def test_a_discount_bigger_than_the_dish_is_limited_with_a_note():
    raw = sq(
        sq_list("L1", "Changes", [sq_modifier("M1", "L1", "No bun", -500)]),
        sq_simple("I1", "Slider", 300, modifier_list_info=[{"modifier_list_id": "L1"}]),
    )
    out = Imported("square", raw)
    assert out.group("sq-L1").choices[0].price == Decimal("-3.00")
    assert any("takes more off than sq-I1 costs" in n for n in out.notes_for("sq-L1"))


def test_child_modifier_lists_become_nested_option_groups():
    raw = sq(
        sq_list("L2", "Doneness", [sq_modifier("M2", "L2", "Rare", 0), sq_modifier("M3", "L2", "Medium", 0)]),
        sq_list("L1", "Main", [sq_modifier("M1", "L1", "Steak", 400, child_modifier_list_ids=["L2", "L1"])]),
        sq_simple("I1", "Set dinner", 3200, modifier_list_info=[{"modifier_list_id": "L1"}]),
    )
    out = Imported("square", raw)
    assert out.variation("sq-M1").options == ["sq-L2"]
    assert [c.item for c in out.group("sq-L2").choices] == ["sq-M2", "sq-M3"]
    assert any("loops back" in n for n in out.notes_for("M1"))


def test_the_pos_id_is_kept_as_the_dish_external_id():
    out = Imported("square", sq(sq_simple("I1", "Tea", 150)))
    assert out.dish("sq-I1").external_id == "I1"


def test_currency_placeholder_needs_the_flag_and_conflicts_are_errors():
    raw = sq(sq_simple("I1", "A", 100, currency="CURRENCY"))
    with pytest.raises(SourceInvalid, match="problem") as caught:
        Imported("square", raw)
    assert "pass --currency" in caught.value.render()
    assert Imported("square", raw, currency="CAD").catalog.currency == "CAD"
    with pytest.raises(SourceInvalid) as caught:
        Imported("square", sq(sq_simple("I1", "A", 100, currency="EUR")), currency="USD")
    assert "I1-V" in caught.value.render() and "EUR" in caught.value.render()
    with pytest.raises(SourceInvalid) as caught:
        Imported("square", sq(sq_simple("I1", "A", 100, currency="EUR"), sq_simple("I2", "B", 100)))
    assert "several currencies" in caught.value.render()
