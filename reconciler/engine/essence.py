"""The essence of a catalog: the normalised records that plans compare.

Both sides of a diff are brought into this form: the desired catalog by :func:`essence`, the live
catalog by the target's reader. Everything that does not matter is gone (Wix ids, read-only
fields, ``"12.5"`` versus ``"12.50"``, the order of set-like lists), so equal menus have equal
essences and a plan never shows a change that is not one.

An essence is a dict keyed by ``(kind, local id)``. Kinds, in dependency order:

    menu ─ section ─ dish ─ variation

A section records its menu; a menu lists its sections, a section its dishes, in display order;
a dish (or variation) carries its option groups resolved inline, because that is how a diner and
Wix Catalogs v3 see them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from reconciler.canonical import JsonObject
from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import (
    ALL_FULFILLMENT,
    ALL_PLATFORMS,
    DAYS,
    Catalog,
    Choice,
    Extras,
    OptionGroup,
    Orderable,
    Selection,
    Visible,
)
from reconciler.model.images import essence_value
from reconciler.model.money import decimal_text, money_text

Key = tuple[Kind, str]  # (kind, our id)
Essence = dict[Key, JsonObject]


@functools.lru_cache(maxsize=8192)
def _money(value: Decimal | str) -> str:
    return money_text(Decimal(value).normalize())


def money(value: Decimal | str) -> str:
    """Canonical money text for comparison: "12.5", "12.50" and "12.500" are the same amount."""
    return _money(str(value))  # menus repeat a few hundred prices; the cache makes 10,000 dishes cheap


def percent(value: Decimal | str | None) -> str:
    if value is None or value == "":
        return "0"
    if type(value) is str or type(value) is Decimal:
        return _percent(str(value))  # a Decimal's text is itself exactly; both sides repeat a few rates
    return _percent_of(value)


@functools.lru_cache(maxsize=1024)
def _percent(value: str) -> str:
    return _percent_of(value)


def _percent_of(value: Decimal | str) -> str:
    normal = Decimal(value).normalize()
    return decimal_text(normal) if normal != 0 else "0"


def text(value: str | None) -> str | None:
    return value if value else None


def opening_window(day: str, open_: str, close: str, close_day: str | None) -> JsonObject:
    return {"day": day, "open": open_, "close_day": close_day or day, "close": close}


_FULFILLMENT_ORDER: dict[str, int] = {value: index for index, value in enumerate(ALL_FULFILLMENT)}
_PLATFORM_ORDER: dict[str, int] = {value: index for index, value in enumerate(ALL_PLATFORMS)}
_DAY_ORDER: dict[str, int] = {value: index for index, value in enumerate(DAYS)}
_ALL_FULFILLMENT, _ALL_PLATFORMS = list(ALL_FULFILLMENT), list(ALL_PLATFORMS)


def _ordered(values: Iterable[str], order: Mapping[str, int], full: Sequence[str]) -> list[str]:
    """The set of values in their canonical order (``full``: every value, in ``order``); the common
    full list is returned as is."""
    listed = list(values)
    if len(listed) == len(order) and (listed == full or set(listed) == order.keys()):
        return list(order)  # the first test, already in order, is the common case and spares a set
    return sorted(set(listed), key=order.__getitem__)


def visibility(
    visible: bool,
    fulfillment: Iterable[str],
    platforms: Iterable[str],
    hours: list[JsonObject],
    special: list[JsonObject],
) -> JsonObject:
    return {
        "visible": bool(visible),
        "fulfillment": _ordered(fulfillment, _FULFILLMENT_ORDER, _ALL_FULFILLMENT),
        "platforms": _ordered(platforms, _PLATFORM_ORDER, _ALL_PLATFORMS),
        "hours": sorted(hours, key=lambda w: (_DAY_ORDER[w["day"]], w["open"], w["close_day"], w["close"]))
        if hours
        else [],
        "special_hours": sorted(special, key=lambda s: (s["start"], s["end"], s["available"], s["name"] or ""))
        if special
        else [],
    }


def _visibility_of(entity: Visible) -> JsonObject:
    return visibility(
        entity.visible,
        entity.fulfillment,
        entity.platforms,
        [opening_window(w.day, w.open, w.close, w.close_day) for w in entity.hours],
        [{"start": s.start, "end": s.end, "available": s.available, "name": s.name} for s in entity.special_hours],
    )


def option(group: OptionGroup) -> JsonObject:
    resolved: JsonObject = {
        "name": group.name,
        "type": group.type,
        "choices": [_choice(c) for c in group.choices],
    }
    if isinstance(group, Selection):
        resolved["default"] = group.default
    elif isinstance(group, Extras):
        resolved["defaults"] = sorted(group.defaults)
        resolved["min"] = group.min
        resolved["max"] = group.effective_max
    return resolved


def _choice(choice: Choice) -> JsonObject:
    record: JsonObject = {"item": choice.item, "price": money(choice.price)}
    if choice.max_quantity is not None:
        record["max_quantity"] = choice.max_quantity
    return record


# The menu features (model/features.py), in an essence record only when set, so that a record
# without them reads exactly as before; a target that cannot hold one strips it and says so.
FEATURE_KEYS = ("price_on_request", "tax_included", "special_request_prompt", "external_id")


def _features(item: Orderable) -> JsonObject:
    found: JsonObject = {}
    if getattr(item, "price_on_request", False):
        found["price_on_request"] = True
    if item.tax_included:
        found["tax_included"] = True
    if item.special_request_prompt is not None:
        found["special_request_prompt"] = item.special_request_prompt
    if item.external_id is not None:
        found["external_id"] = item.external_id
    return found


def _copy(option: JsonObject) -> JsonObject:
    """A fresh copy of a resolved option group (each record owns its lists): copying the few
    lists is cheaper than resolving the group again for each of the dishes that offer it."""
    record = {k: list(v) if type(v) is list else v for k, v in option.items()}
    record["choices"] = [dict(c) for c in option["choices"]]
    return record


def _orderable(item: Orderable, groups: Mapping[str, JsonObject]) -> JsonObject:
    return {
        **_features(item),
        "name": item.name,
        "description": text(item.description),
        "price": money(item.price),
        "tax_rate": percent(item.tax_rate),
        "labels": list(item.labels),
        "image": essence_value(item.image, item.image_file),
        "in_stock": item.in_stock,
        "special_requests": item.special_requests,
        **_visibility_of(item),
        "options": [_copy(groups[g]) for g in item.options],
    }


def offered(catalog: Catalog) -> set[str]:
    """Ids of the items a diner can reach: dishes in sections, and what their options offer."""
    groups = {g.id: g for g in catalog.option_groups}
    items = {i.id: i for i in [*catalog.dishes, *catalog.variations]}
    queue = [d for m in catalog.menus for s in m.sections for d in s.dishes]
    reached: set[str] = set()
    while queue:
        item_id = queue.pop()
        if item_id in reached or item_id not in items:
            continue
        reached.add(item_id)
        queue += [c.item for g in items[item_id].options if g in groups for c in groups[g].choices]
    return reached


def essence(catalog: Catalog) -> Essence:
    """The catalog as a diner reaches it. Variations no option offers are not part of the menu
    (Wix would hold them invisibly), so they are left out; `validate` warns about them."""
    groups = {g.id: option(g) for g in catalog.option_groups}  # each resolved once, copied per dish
    reached = offered(catalog)
    out: Essence = {}
    for menu in catalog.menus:
        out[(Kind.MENU, menu.id)] = {
            "name": menu.name,
            "description": text(menu.description),
            "image": menu.image,
            **_visibility_of(menu),
            "sections": [s.id for s in menu.sections],
        }
        for section in menu.sections:
            out[(Kind.SECTION, section.id)] = {
                "menu": menu.id,
                "name": section.name,
                "description": text(section.description),
                "image": section.image,
                **_visibility_of(section),
                "dishes": list(section.dishes),
            }
    for dish in catalog.dishes:
        out[(Kind.DISH, dish.id)] = {
            **_orderable(dish, groups),
            "allergens": list(dish.allergens),  # a set, kept in the model's one order
            "calories": dish.calories,
        }
    for variation in catalog.variations:
        if variation.id in reached:
            out[(Kind.VARIATION, variation.id)] = _orderable(variation, groups)
    return out
