"""A small Menus (New) demo for ``reconcile emulator seed --app menus --demo``: one pizzeria menu
per seeded location.

Built bottom-up through the same writes the API uses (§3.2), so it obeys every rule: variants,
labels, modifiers, a modifier group, items (one priced by variant), sections, then the menu, which
places everything at the location (derived ``businessLocationIds``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reconciler.emulator.menus.entities import Ctx, create
from reconciler.emulator.menus.services import GROUPS, ITEMS, LABELS, MENUS, MODIFIERS, SECTIONS, VARIANTS, Service
from reconciler.emulator.store import Tx


def populate(tx: Tx, location_id: str, now: datetime | None = None) -> dict[str, Any]:
    """Create the demo entities at ``location_id``; returns the menu."""
    ctx = Ctx(tx, now or datetime.now(UTC))

    def make(service: Service, **fields: Any) -> str:
        return create(ctx, service, fields, service.kind)["id"]

    small = make(VARIANTS, name="Small (10\")")
    large = make(VARIANTS, name="Large (14\")")
    vegetarian = make(LABELS, name="Vegetarian")
    spicy = make(LABELS, name="Spicy")
    mushrooms = make(MODIFIERS, name="Mushrooms")
    olives = make(MODIFIERS, name="Olives")
    toppings = make(
        GROUPS,
        name="Extra toppings",
        rule={"required": False, "minSelections": 0, "maxSelections": 2},
        modifiers=[
            {"id": mushrooms, "additionalChargeInfo": {"additionalCharge": "1.50"}},
            {"id": olives, "additionalChargeInfo": {"additionalCharge": "1.00"}},
        ],
    )
    margherita = make(
        ITEMS,
        name="Margherita",
        description="San Marzano tomato, fior di latte, basil.",
        labels=[{"id": vegetarian}],
        modifierGroups=[{"id": toppings}],
        priceVariants={
            "variants": [
                {"variantId": small, "priceInfo": {"price": "11.00"}},
                {"variantId": large, "priceInfo": {"price": "16.50"}},
            ]
        },
    )
    diavola = make(
        ITEMS, name="Diavola", labels=[{"id": spicy}], modifierGroups=[{"id": toppings}], priceInfo={"price": "13.50"}
    )
    water = make(ITEMS, name="Sparkling Water 500ml", priceInfo={"price": "3.00"})
    pizzas = make(SECTIONS, name="Pizzas", description="Wood-fired", itemIds=[margherita, diavola])
    drinks = make(SECTIONS, name="Drinks", itemIds=[water])
    menu = create(
        ctx,
        MENUS,
        {
            "name": "Dinner",
            "description": "Every evening",
            "sectionIds": [pizzas, drinks],
            "businessLocationId": location_id,
            "urlQueryParam": "dinner",
        },
        MENUS.kind,
    )
    ctx.finish()
    return menu
