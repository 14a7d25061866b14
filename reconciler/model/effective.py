"""The effective catalog of one location: the base catalog with that location's overlay applied.

:func:`effective` is pure: the same catalog and location give the same catalog, and nothing of
another location's entry is read. What it does, in order:

1. presence: a menu, section or dish whose ``only_at``/``except_at`` leaves the location out is
   not there; a section of an absent menu is not there; a dish no present section lists is not
   there (Wix places every dish in a section);
2. values: the entry's overrides replace the base price, stock and visibility of its dishes,
   variations, option choices, menus and sections; anything not overridden keeps the base value,
   so removing an override returns the base value;
3. the result is a plain single-location catalog: ``location`` names the Wix location (its id when
   the entry has one, else its name), ``locations`` is empty, and no ``only_at``/``except_at`` is left.

A catalog without ``locations:`` is its own effective catalog. The rules that make every
effective catalog valid (a dish offered as a choice must be wherever a dish that offers it is)
are checked by :mod:`reconciler.model.location_rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from reconciler.errors import ConfigError
from reconciler.model.catalog import Catalog, Dish, Menu, Orderable, Section
from reconciler.model.locations import Location, Override

ItemT = TypeVar("ItemT", bound=Orderable)

_PLACEMENT = {"only_at": None, "except_at": None}


def find_location(catalog: Catalog, ref: str) -> Location:
    """The entry of ``catalog.locations`` that ``ref`` names (by name or id); a clear error otherwise."""
    for location in catalog.locations:
        if location.named(ref):
            return location
    known = ", ".join(f'"{loc.key}"' for loc in catalog.locations) or "none (the catalog has no `locations:`)"
    raise ConfigError(f'the catalog has no location named "{ref}"; its locations: {known}')


def select_locations(catalog: Catalog, wanted: str | None) -> list[Location]:
    """The locations ``--location`` selects: ``all`` (or nothing) is every entry, else a comma list."""
    if not catalog.locations:
        raise ConfigError("the catalog has no `locations:` list, so there is nothing to choose from")
    if wanted is None or wanted.strip() == "all":
        return list(catalog.locations)
    chosen: list[Location] = []
    for ref in (part.strip() for part in wanted.split(",")):
        if not ref:
            raise ConfigError(f'--location "{wanted}" has an empty name in its list')
        location = find_location(catalog, ref)
        if location not in chosen:
            chosen.append(location)
    return chosen


def present_dishes(catalog: Catalog, location: Location) -> set[str]:
    """Ids of the dishes a location has: allowed there, and listed by a section that is there."""
    listed = {
        ref
        for menu in catalog.menus
        if menu.present_at(location)
        for section in menu.sections
        if section.present_at(location)
        for ref in section.dishes
    }
    return {d.id for d in catalog.dishes if d.id in listed and d.present_at(location)}


def effective(catalog: Catalog, location: Location | str) -> Catalog:
    """The catalog one location gets. ``location`` is an entry of ``catalog.locations`` or a name of one."""
    if not catalog.locations:
        return catalog
    if isinstance(location, str):
        location = find_location(catalog, location)
    present = present_dishes(catalog, location)
    menu_visible = {o.id: o.visible for o in location.menus}
    section_visible = {o.id: o.visible for o in location.sections}
    dish_overrides = {o.id: o for o in location.dishes}
    variation_overrides = {o.id: o for o in location.variations}
    choice_prices = {(o.group, o.item): o.price for o in location.choices}

    menus = [
        _menu(menu, location, present, menu_visible, section_visible)
        for menu in catalog.menus
        if menu.present_at(location)
    ]
    dishes = [_values(d, dish_overrides.get(d.id)) for d in catalog.dishes if d.id in present]
    variations = [_values(v, variation_overrides.get(v.id)) for v in catalog.variations]
    absent = {d.id for d in catalog.dishes} - present
    groups = []
    used = {g for item in [*dishes, *variations] for g in item.options}
    for group in catalog.option_groups:
        if group.id not in used and any(c.item in absent for c in group.choices):
            continue  # unused here and offering what is not here: it would only dangle
        if any((group.id, c.item) in choice_prices for c in group.choices):
            choices = [
                c.model_copy(update={"price": choice_prices[(group.id, c.item)]})
                if (group.id, c.item) in choice_prices
                else c
                for c in group.choices
            ]
            group = group.model_copy(update={"choices": choices})
        groups.append(group)
    return catalog.model_copy(
        update={
            "location": location.wix,
            "locations": [],
            "menus": menus,
            "dishes": dishes,
            "variations": variations,
            "option_groups": groups,
        }
    )


def _menu(
    menu: Menu, location: Location, present: set[str], menu_visible: dict[str, bool], section_visible: dict[str, bool]
) -> Menu:
    sections = [_section(s, present, section_visible) for s in menu.sections if s.present_at(location)]
    update: dict[str, Any] = {**_PLACEMENT, "sections": sections}
    if menu.id in menu_visible:
        update["visible"] = menu_visible[menu.id]
    return menu.model_copy(update=update)


def _section(section: Section, present: set[str], visible: dict[str, bool]) -> Section:
    update: dict[str, Any] = {**_PLACEMENT, "dishes": [d for d in section.dishes if d in present]}
    if section.id in visible:
        update["visible"] = visible[section.id]
    return section.model_copy(update=update)


def _values(item: ItemT, override: Override | None) -> ItemT:
    update: dict[str, Any] = dict(_PLACEMENT) if isinstance(item, Dish) else {}
    if override is not None:
        for field in ("price", "in_stock", "visible"):
            value = getattr(override, field)
            if value is not None:
                update[field] = value
    return item.model_copy(update=update) if update else item


def locations_of(catalog: Catalog, refs: Iterable[str]) -> list[Location]:
    """The entries ``refs`` name, in catalog order (for messages and plans)."""
    wanted = list(refs)
    return [loc for loc in catalog.locations if any(loc.named(ref) for ref in wanted)]
