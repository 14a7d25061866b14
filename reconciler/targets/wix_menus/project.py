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
    allergen  → a label too, after the dish's own ("contains milk"): Menus (New) has no allergen field

What the API cannot hold is either refused (limits that would change what a diner may order) or
approximated and reported in the plan (fields it has no place for: tax rates, fulfilment types,
platforms, hours of sections and dishes, calories, a default size other than the first, details
of variations beyond their names). A menu's hours, holiday closures and online-ordering switch
are held by Wix's Online Orders APIs (ordering.py). The same approximation is applied to both
sides, so nothing shows up as a perpetual difference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence, money, text
from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import (
    ALL_FULFILLMENT,
    ALL_PLATFORMS,
    Catalog,
    Deselection,
    Dish,
    Extras,
    Menu,
    OptionGroup,
    Orderable,
    Selection,
    Visible,
    allergen_label,
)
from reconciler.model.images import essence_value
from reconciler.targets.notes import left_out
from reconciler.targets.priced import without_price_on_request
from reconciler.targets.wix_menus import ordering
from reconciler.targets.wix_menus.capabilities import (
    CALORIES,
    DEFAULT_SIZE,
    DISCOUNTS,
    EXTERNAL_IDS,
    FULFILMENT,
    HOURS,
    MENU_IMAGES,
    ON_REQUEST,
    PLATFORMS,
    PROMPTS,
    QUANTITIES,
    TAX_RATES,
    VARIATION_DETAILS,
    VARIATION_OPTIONS,
    namespace,
)

MAX_RULE = 25
LIMITS = {"menu": 500, "section": 500, "item": 200, "variant": 200, "modifier": 200, "group": 100, "label": 50}


def size_group(dish: Orderable, groups: Mapping[str, OptionGroup], variations: set[str]) -> Selection | None:
    """The option that becomes the dish's price variants: its first selection of variations."""
    for group_id in dish.options:
        group = groups[group_id]
        if isinstance(group, Selection) and all(c.item in variations for c in group.choices):
            return group
    return None


def project(catalog: Catalog) -> tuple[Essence, list[str], list[str]]:
    """(essence, approximations to report, problems that make the catalog unplannable)."""
    catalog, on_request = without_price_on_request(catalog)
    projection = _Projection(catalog)
    projection.out.update(ordering.closures(catalog, projection.lose))
    if on_request:
        projection.lost[ON_REQUEST] = on_request
    for menu in catalog.menus:
        projection.menu(menu)
    used_groups: set[str] = set()
    for dish in catalog.dishes:
        used_groups.update(projection.dish(dish))
    for group_id in sorted(used_groups):
        projection.group(projection.groups[group_id])
    projection.check()
    lost = sorted(projection.lost.items())
    notes = [left_out("Menus (New)", what, who) for what, who in lost]
    return projection.out, notes, projection.refused


class _Projection:
    """The essence being built, with what it had to leave out and what it refuses."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.groups = {g.id: g for g in catalog.option_groups}
        self.items: dict[str, Orderable] = {i.id: i for i in [*catalog.dishes, *catalog.variations]}
        self.variations = {v.id for v in catalog.variations}
        self.lost: dict[str, list[str]] = {}
        self.refused: list[str] = []
        self.out: Essence = {}

    def lose(self, what: str, who: str) -> None:
        self.lost.setdefault(what, []).append(who)

    def menu(self, menu: Menu) -> None:
        _menu_losses(menu, self.lose)
        if menu.image:
            self.lose(MENU_IMAGES, menu.id)
        self.out[(Kind.MENU, menu.id)] = {
            "name": menu.name,
            "description": text(menu.description),
            "visible": menu.visible,
            "sections": [s.id for s in menu.sections],
            "online_ordering": ordering.online(menu),  # these two live in its Menu Ordering Settings
            "hours": ordering.hours_of(menu),
        }
        if len(menu.sections) > 100:
            self.refused.append(f"menu {menu.id} has {len(menu.sections)} sections; Menus (New) allows 100")
        for section in menu.sections:
            _visibility_losses(section, f"section {section.id}", self.lose)
            self.out[(Kind.SECTION, section.id)] = {
                "menu": menu.id,
                "name": section.name,
                "description": text(section.description),
                "image": section.image,
                "visible": section.visible,
                "dishes": list(section.dishes),
            }
            if len(section.dishes) > 300:
                self.refused.append(f"section {section.id} lists {len(section.dishes)} dishes; Menus (New) allows 300")

    def dish(self, dish: Dish) -> list[str]:
        """Project one dish; returns the option groups it uses as modifier groups."""
        _visibility_losses(dish, f"dish {dish.id}", self.lose)
        if dish.tax_rate != 0:
            self.lose(TAX_RATES, dish.id)
        if dish.calories is not None:
            self.lose(CALORIES, dish.id)
        labels = [*dish.labels, *(allergen_label(a) for a in dish.allergens)]  # no allergen field: labels
        if dish.special_request_prompt is not None:
            self.lose(PROMPTS, dish.id)
        if dish.external_id is not None:
            self.lose(EXTERNAL_IDS, dish.id)
        sizes = size_group(dish, self.groups, self.variations)
        others = [g for g in dish.options if sizes is None or g != sizes.id]
        record: JsonObject = {
            "name": dish.name,
            "description": text(dish.description),
            "image": essence_value(dish.image, dish.image_file),
            "visible": dish.visible,
            "labels": labels,
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
                self.lose(DEFAULT_SIZE, dish.id)
            record["variants"] = [{"variant": c.item, "price": money(dish.price + c.price)} for c in sizes.choices]
            for choice in sizes.choices:
                self.out[(Kind.VARIANT, choice.item)] = {"name": self.items[choice.item].name}
        for label in labels:
            self.out[(Kind.LABEL, label)] = {"name": label}
        if len(labels) > 10:
            with_allergens = f" (its allergens are labels too: {len(dish.allergens)})" if dish.allergens else ""
            self.refused.append(f"dish {dish.id} has {len(labels)} labels{with_allergens}; Menus (New) allows 10")
        if len(others) > 25:
            self.refused.append(f"dish {dish.id} has {len(others)} option groups; Menus (New) allows 25")
        self.out[(Kind.DISH, dish.id)] = record
        return others

    def group(self, group: OptionGroup) -> None:
        record, problem = _modifier_group(group)
        if problem:
            self.refused.append(problem)
            return
        self.out[(Kind.OPTION_GROUP, group.id)] = record
        if any(c.price < 0 for c in group.choices):
            self.lose(DISCOUNTS, group.id)
        if any(c.max_quantity is not None for c in group.choices):
            self.lose(QUANTITIES, group.id)
        for choice in group.choices:
            item = self.items[choice.item]
            self.out[(Kind.MODIFIER, choice.item)] = {"name": item.name, "in_stock": item.in_stock}

    def check(self) -> None:
        """What only the whole projection tells: variations' lost details, names and prices too long."""
        out, variations = self.out, self.catalog.variations
        for variation in variations:
            if ((Kind.VARIANT, variation.id) in out or (Kind.MODIFIER, variation.id) in out) and _has_details(
                variation
            ):
                self.lose(VARIATION_DETAILS, variation.id)
        if any(v.options for v in variations):
            self.lose(VARIATION_OPTIONS, ", ".join(v.id for v in variations if v.options))
        for (kind, local_id), record in out.items():
            limit = LIMITS.get(namespace(kind))
            if limit and len(record.get("name") or "") > limit:
                self.refused.append(
                    f"{kind} {local_id}: the name is longer than the {limit} characters Menus (New) allows"
                )
        for choice_price in (c.price for g in self.catalog.option_groups for c in g.choices):
            if _scale(choice_price) > 3:
                self.refused.append(f"a choice price {choice_price} has more than 3 decimals")
                break


def _modifier_group(group: OptionGroup) -> tuple[JsonObject, str | None]:
    choices = group.choices
    if isinstance(group, Selection):
        rule: tuple[bool, int, int] = (True, 1, 1)
        chosen: set[str] = {group.default} if group.default else set()
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
        "modifiers": [
            {"modifier": c.item, "price": money(max(c.price, Decimal(0))), "preselected": c.item in chosen}
            for c in choices
        ],
    }, None


def _menu_losses(menu: Menu, lose: Callable[[str, str], None]) -> None:
    """A menu's hours, closures and "not for online orders" go to Online Orders (ordering.py)."""
    who = f"menu {menu.id}"
    if set(menu.fulfillment) != set(ALL_FULFILLMENT):
        lose(FULFILMENT, who)
    if set(menu.platforms) & ordering.ONLINE and set(menu.platforms) != set(ALL_PLATFORMS):
        lose(PLATFORMS, who)  # ordered online on some online platforms only: Wix has one switch


def _visibility_losses(entity: Visible, who: str, lose: Callable[[str, str], None]) -> None:
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
        or item.special_request_prompt is not None
        or item.external_id is not None
    )


def _scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
