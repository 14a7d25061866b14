"""A small, realistic catalog for ``reconcile emulator seed --demo``: a pizzeria's lunch and dinner.

Built through the same operations the API uses, so it obeys every rule: variations first (sizes,
toppings), then menus, sections, dishes with all three dish-option kinds, and one discount with a
seeded coupon (the only way a coupon appears, U20).
"""

from __future__ import annotations

from reconciler.emulator.v3 import discounts, items, menus, sections
from reconciler.emulator.v3.repo import CatalogScope


def populate(scope: CatalogScope) -> None:
    small = items.create_variation(scope, "Small")["id"]
    large = items.create_variation(scope, "Large")["id"]
    mushrooms = items.create_variation(scope, "Mushrooms")["id"]
    olives = items.create_variation(scope, "Olives")["id"]
    basil = items.create_variation(scope, "Basil")["id"]

    lunch = menus.create(
        scope,
        {
            "name": "Lunch",
            "description": "Weekdays 11:00-15:00",
            "visibilityCriteria": {
                "visible": True,
                "fulfillmentTypes": ["DELIVERY", "PICKUP_OR_DINE_IN"],
                "platforms": ["SITE", "MOBILE_SITE"],
                "availability": {
                    "periods": [
                        {"openDay": day, "openTime": "11:00", "closeDay": day, "closeTime": "15:00"}
                        for day in ("MON", "TUE", "WED", "THU", "FRI")
                    ],
                    "specialHourPeriods": [],
                },
            },
        },
    )
    dinner = menus.create(scope, {"name": "Dinner", "description": "Every evening"})
    salads = sections.create(scope, lunch["id"], {"name": "Salads"})
    pizzas = sections.create(scope, dinner["id"], {"name": "Pizzas", "description": "Wood-fired"})
    drinks = sections.create(scope, dinner["id"], {"name": "Drinks"})

    items.create_dish(
        scope,
        lunch["id"],
        salads["id"],
        {
            "name": "Caesar salad",
            "price": {"value": "9.50"},
            "labels": {"values": ["featured"]},
            "taxRate": "7.25",
        },
    )
    margherita = items.create_dish(
        scope,
        dinner["id"],
        pizzas["id"],
        {
            "name": "Margherita",
            "description": "Tomato, mozzarella, basil",
            "price": {"value": "11.00"},
            "labels": {"values": ["vegetarian"]},
            "taxRate": "7.25",
            "dishOptions": {
                "values": [
                    {
                        "name": "Size",
                        "selection": {
                            "defaultChoice": small,
                            "availableChoices": [
                                {"itemId": small, "price": {"value": "0"}},
                                {"itemId": large, "price": {"value": "4.00"}},
                            ],
                        },
                    },
                    {
                        "name": "Extra toppings",
                        "extras": {
                            "defaultChoices": [],
                            "minChoices": 0,
                            "maxChoices": 2,
                            "availableChoices": [
                                {"itemId": mushrooms, "price": {"value": "1.50"}},
                                {"itemId": olives, "price": {"value": "1.00"}},
                            ],
                        },
                    },
                    {
                        "name": "Remove",
                        "deselection": {"availableChoices": [{"itemId": basil, "price": {"value": "0"}}]},
                    },
                ]
            },
        },
    )
    items.create_dish(
        scope,
        dinner["id"],
        pizzas["id"],
        {
            "name": "Diavola",
            "price": {"value": "13.50"},
            "labels": {"values": ["spicy"]},
            "inStock": False,
        },
    )
    items.create_dish(scope, dinner["id"], drinks["id"], {"name": "Lemonade", "price": {"value": "3.5"}})

    discounts.create(
        scope,
        {
            "name": "Pizza night",
            "description": "2.00 off a Margherita",
            "active": True,
            "type": "OFF_ITEM",
            "amount": {"value": "2.00"},
            "itemIds": {"values": [margherita["id"]]},
            "condition": {
                "fulfillmentTypes": ["PICKUP_OR_DINE_IN"],
                "platforms": ["SITE"],
                "minOrderPrice": {"value": "0"},
            },
        },
        coupon={"applied": True, "code": "PIZZANIGHT"},
    )
    discounts.create(
        scope,
        {
            "name": "Lunch 10%",
            "active": False,
            "type": "OFF_ORDER",
            "percentage": "10",
            "condition": {
                "fulfillmentTypes": ["DELIVERY"],
                "platforms": ["SITE", "MOBILE_SITE"],
                "minOrderPrice": {"value": "20.00"},
            },
        },
    )
