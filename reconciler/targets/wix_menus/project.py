"""The catalog in Menus (New) terms: what the essence of a catalog is for this API.

Menus (New) spreads a dish over several entities and puts prices on the links between them:

    dish      → Item: price (priceInfo) or sizes (priceVariants: a Variant and a price per size),
                labels (Label entities), modifier groups, in-stock and special-request flags
    the first option of a dish that is a selection of variations (its sizes)
              → the Item's priceVariants; each size's price is the dish price plus the choice price
    every other option group
              → a ModifierGroup: rule {required, min, max}; each choice is a Modifier with its
                charge and whether it is pre-selected (selection: the default; extras: the
                defaults; deselection: all of them, min 0)
    label     → a Label entity, shared by name

What the API cannot hold is either refused (limits that would change what a diner may order) or
approximated and reported in the plan (fields it has no place for: tax rates, fulfilment types,
platforms, opening hours, a default size other than the first, details of variations beyond
their names). The same approximation is applied to both sides, so nothing shows up as a
perpetual difference.
"""

from __future__ import annotations

from decimal import Decimal

from reconciler.engine.essence import ALL_FULFILLMENT, ALL_PLATFORMS, Essence, money, text
from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import Catalog, Deselection, Extras, Orderable, Selection, Visible
from reconciler.targets.wix_menus.capabilities import (
    DEFAULT_SIZE,
    FULFILMENT,
    HOURS,
    MENU_IMAGES,
    PLATFORMS,
    TAX_RATES,
    VARIATION_DETAILS,
    VARIATION_OPTIONS,
    namespace,
)

MAX_RULE = 25
LIMITS = {"menu": 500, "section": 500, "item": 200, "variant": 200, "modifier": 200, "group": 100, "label": 50}


def size_group(dish: Orderable, groups: dict, variations: set[str]):
    """The option that becomes the dish's price variants: its first selection of variations."""
    for group_id in dish.options:
        group = groups[group_id]
        if isinstance(group, Selection) and all(c.item in variations for c in group.choices):
            return group
    return None


def project(catalog: Catalog) -> tuple[Essence, list[str], list[str]]:
    """(essence, approximations to report, problems that make the catalog unplannable)."""
    groups = {g.id: g for g in catalog.option_groups}
    items = {i.id: i for i in [*catalog.dishes, *catalog.variations]}
    variations = {v.id for v in catalog.variations}
    lost: dict[str, list[str]] = {}
    refused: list[str] = []
    out: Essence = {}

    def lose(what: str, who: str) -> None:
        lost.setdefault(what, []).append(who)

    for menu in catalog.menus:
        _visibility_losses(menu, f"menu {menu.id}", lose)
        if menu.image:
            lose(MENU_IMAGES, menu.id)
        out[(Kind.MENU, menu.id)] = {
            "name": menu.name,
            "description": text(menu.description),
            "visible": menu.visible,
            "sections": [s.id for s in menu.sections],
        }
        if len(menu.sections) > 100:
            refused.append(f"menu {menu.id} has {len(menu.sections)} sections; Menus (New) allows 100")
        for section in menu.sections:
            _visibility_losses(section, f"section {section.id}", lose)
            out[(Kind.SECTION, section.id)] = {
                "menu": menu.id,
                "name": section.name,
                "description": text(section.description),
                "image": section.image,
                "visible": section.visible,
                "dishes": list(section.dishes),
            }
            if len(section.dishes) > 300:
                refused.append(f"section {section.id} lists {len(section.dishes)} dishes; Menus (New) allows 300")

    used_groups: set[str] = set()
    for dish in catalog.dishes:
        _visibility_losses(dish, f"dish {dish.id}", lose)
        if dish.tax_rate != 0:
            lose(TAX_RATES, dish.id)
        sizes = size_group(dish, groups, variations)
        others = [g for g in dish.options if sizes is None or g != sizes.id]
        used_groups.update(others)
        record = {
            "name": dish.name,
            "description": text(dish.description),
            "image": dish.image,
            "visible": dish.visible,
            "labels": list(dish.labels),
            "in_stock": dish.in_stock,
            "special_requests": dish.special_requests,
            "price": None,
            "variants": None,
            "groups": others,
        }
        if sizes is None:
            record["price"] = money(dish.price)
        else:
            if sizes.default is not None and sizes.default != sizes.choices[0].item:
                lose(DEFAULT_SIZE, dish.id)
            record["variants"] = [{"variant": c.item, "price": money(dish.price + c.price)} for c in sizes.choices]
            for choice in sizes.choices:
                out[(Kind.VARIANT, choice.item)] = {"name": items[choice.item].name}
        for label in dish.labels:
            out[(Kind.LABEL, label)] = {"name": label}
        if len(dish.labels) > 10:
            refused.append(f"dish {dish.id} has {len(dish.labels)} labels; Menus (New) allows 10")
        if len(others) > 25:
            refused.append(f"dish {dish.id} has {len(others)} option groups; Menus (New) allows 25")
        out[(Kind.DISH, dish.id)] = record

    for group_id in sorted(used_groups):
        group = groups[group_id]
        record, problem = _modifier_group(group)
        if problem:
            refused.append(problem)
            continue
        out[(Kind.OPTION_GROUP, group_id)] = record
        for choice in group.choices:
            item = items[choice.item]
            out[(Kind.MODIFIER, choice.item)] = {"name": item.name, "in_stock": item.in_stock}

    for variation in catalog.variations:
        if ((Kind.VARIANT, variation.id) in out or (Kind.MODIFIER, variation.id) in out) and _has_details(variation):
            lose(VARIATION_DETAILS, variation.id)
    if any(i.options for i in catalog.variations):
        lose(VARIATION_OPTIONS, ", ".join(v.id for v in catalog.variations if v.options))
    for (kind, local_id), record in out.items():
        limit = LIMITS.get(namespace(kind))
        if limit and len(record.get("name") or "") > limit:
            refused.append(f"{kind} {local_id}: the name is longer than the {limit} characters Menus (New) allows")
    for choice_price in (c.price for g in catalog.option_groups for c in g.choices):
        if _scale(choice_price) > 3:
            refused.append(f"a choice price {choice_price} has more than 3 decimals")
            break
    notes = [f"not supported by Menus (New), left out: {what}: {_few(who)}" for what, who in sorted(lost.items())]
    return out, notes, refused


def _modifier_group(group) -> tuple[dict, str | None]:
    choices = group.choices
    if isinstance(group, Selection):
        rule = (True, 1, 1)
        chosen = {group.default} if group.default else set()
    elif isinstance(group, Extras):
        rule = (group.min > 0, group.min, group.effective_max)
        chosen = set(group.defaults)
    else:
        assert isinstance(group, Deselection)
        rule = (False, 0, len(choices))
        chosen = {c.item for c in choices}
    required, low, high = rule
    if high > MAX_RULE or low > MAX_RULE:
        return {}, (
            f'option group {group.id} allows up to {high} choices; Menus (New) allows at most {MAX_RULE} '
            f"(set `max: {MAX_RULE}` or split the group)"
        )
    if len(choices) > 500:
        return {}, f"option group {group.id} has {len(choices)} choices; Menus (New) allows 500"
    return {
        "name": group.name,
        "required": required,
        "min": low,
        "max": high,
        "modifiers": [{"modifier": c.item, "price": money(c.price), "preselected": c.item in chosen} for c in choices],
    }, None


def _visibility_losses(entity: Visible, who: str, lose) -> None:
    if set(entity.fulfillment) != set(ALL_FULFILLMENT):
        lose(FULFILMENT, who)
    if set(entity.platforms) != set(ALL_PLATFORMS):
        lose(PLATFORMS, who)
    if entity.hours or entity.special_hours:
        lose(HOURS, who)


def _has_details(item: Orderable) -> bool:
    return bool(
        item.price
        or item.tax_rate
        or item.labels
        or item.description
        or item.image
        or not item.visible
        or not item.special_requests
    )


def _scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _few(names: list[str]) -> str:
    shown = ", ".join(names[:8])
    return f"{shown} and {len(names) - 8} more" if len(names) > 8 else shown
