"""Dishes priced on request, for targets that cannot show a dish without a price.

Neither Wix API has a public way to show a dish without a price (Catalogs v3 always has
``price``; a Menus (New) item needs ``priceInfo`` or ``priceVariants``), and a price of 0 would
show the dish as free and sell it so. Like a DNS provider that skips a record type it does not
support, such a target leaves these dishes out of what it publishes, and its plan says so: the
rest of the menu still syncs. Shared by every target's projection (targets never import each other).
"""

from __future__ import annotations

from typing import TypeVar

from reconciler.model.catalog import Catalog, Extras, Orderable, Selection

OrderableT = TypeVar("OrderableT", bound=Orderable)


def without_price_on_request(catalog: Catalog) -> tuple[Catalog, list[str]]:
    """The catalog without its dishes priced on request (unvalidated copies), and their ids."""
    gone = {d.id for d in catalog.dishes if d.price_on_request}
    if not gone:
        return catalog, []
    groups = []
    for group in catalog.option_groups:
        kept = [c for c in group.choices if c.item not in gone]
        if len(kept) == len(group.choices):
            groups.append(group)
            continue
        update: dict[str, object] = {"choices": kept}
        if isinstance(group, Selection) and group.default in gone:
            update["default"] = None
        if isinstance(group, Extras):
            update["defaults"] = [d for d in group.defaults if d not in gone]
            update["min"] = min(group.min, len(kept))
            update["max"] = None if group.max is None else min(group.max, len(kept))
        groups.append(group.model_copy(update=update))
    empty = {g.id for g in groups if not g.choices}
    menus = [
        m.model_copy(
            update={
                "sections": [
                    s.model_copy(update={"dishes": [d for d in s.dishes if d not in gone]}) for s in m.sections
                ]
            }
        )
        for m in catalog.menus
    ]
    dishes = [
        d.model_copy(update={"options": [o for o in d.options if o not in empty]})
        for d in catalog.dishes
        if d.id not in gone
    ]
    variations = [
        v.model_copy(update={"options": [o for o in v.options if o not in empty]}) for v in catalog.variations
    ]
    kept_groups = [g for g in groups if g.id not in empty]
    trimmed = catalog.model_copy(
        update={"menus": menus, "dishes": dishes, "variations": variations, "option_groups": kept_groups}
    )
    return trimmed, sorted(gone)


def _without(item: OrderableT, groups: set[str]) -> OrderableT:
    return item.model_copy(update={"options": [o for o in item.options if o not in groups]}) if groups else item
