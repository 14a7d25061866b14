"""The diner view: a menu as a diner sees it, whichever API holds it.

Each target turns an essence in its own kinds into this one neutral shape (the ``present`` hook of
:mod:`reconciler.targets.base`), so ``reconcile show`` and the HTML plan render both targets the
same way and keep no list of kinds of their own: menus in order, their sections in order, each
section's dishes in order, and each dish with its price or sizes, its options and their choices,
its labels and what limits when or where it can be ordered.

Prices are money text (:func:`reconciler.engine.essence.money`): a size's price is what the diner
pays for the dish in that size; a choice's price is what choosing it adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.model.catalog import ALL_FULFILLMENT, ALL_PLATFORMS


@dataclass(frozen=True)
class ChoiceView:
    id: str  # our id of the variation (or dish) it offers
    name: str
    price: str
    preselected: bool = False
    in_stock: bool = True


@dataclass(frozen=True)
class OptionView:
    id: str  # the option's name on Catalogs v3 (options are inline), the group's id on Menus (New)
    name: str
    rule: str  # for people: "choose 1", "choose 0–3", "leave out any"
    choices: tuple[ChoiceView, ...]


@dataclass(frozen=True)
class DishView:
    id: str
    name: str
    description: str | None = None
    price: str | None = None  # None when sizes price the dish
    sizes: tuple[ChoiceView, ...] = ()
    options: tuple[OptionView, ...] = ()
    labels: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()  # what limits it, for people; empty: orderable whenever the menu is


@dataclass(frozen=True)
class SectionView:
    id: str
    name: str
    dishes: tuple[str, ...]  # dish ids, in display order (a dish may be listed by several sections)
    description: str | None = None
    availability: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuView:
    id: str
    name: str
    sections: tuple[str, ...]
    description: str | None = None
    availability: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogView:
    menus: tuple[MenuView, ...] = ()
    sections: dict[str, SectionView] = field(default_factory=dict)
    dishes: dict[str, DishView] = field(default_factory=dict)

    def prices(self) -> dict[str, tuple[str, ...]]:
        """Every price a diner sees per dish (its price or its sizes' prices): what tests compare."""
        return {
            d.id: (d.price,) if d.price is not None else tuple(s.price for s in d.sizes) for d in self.dishes.values()
        }


def availability(record: dict[str, Any]) -> tuple[str, ...]:
    """What an essence record says about when and where it can be ordered, in words.

    Reads whichever of the neutral fields the record has (a target that cannot hold hours has
    none), so both targets' records go through the same words.
    """
    out: list[str] = []
    if record.get("visible") is False:
        out.append("hidden")
    if record.get("in_stock") is False:
        out.append("sold out")
    fulfillment = record.get("fulfillment")
    if fulfillment is not None and set(fulfillment) != set(ALL_FULFILLMENT):
        out.append(("only for " + " and ".join(_words(fulfillment))) if fulfillment else "no order type")
    if record.get("online_ordering") is False:  # Menus (New): the menu's Online Orders switch is off
        out.append("not for online orders")
    platforms = record.get("platforms")
    if platforms is not None and set(platforms) != set(ALL_PLATFORMS):
        out.append(("only on " + " and ".join(_words(platforms))) if platforms else "on no platform")
    hours = record.get("hours") or []
    if hours:
        out.append("hours: " + ", ".join(_window(w) for w in hours))
    for special in record.get("special_hours") or []:
        state = "open" if special.get("available") else "closed"
        name = f" ({special['name']})" if special.get("name") else ""
        out.append(f"{state} {special['start']} – {special['end']}{name}")
    if record.get("special_requests") is False:
        out.append("no special requests")
    return tuple(out)


def _words(values: list[str]) -> list[str]:
    return [v.replace("_", " ") for v in values]


def _window(window: dict[str, Any]) -> str:
    """A weekly window in either target's form: open/close(/close_day), or Menus (New)'s start/end."""
    day, close_day = window["day"], window.get("close_day") or window["day"]
    opens, closes = window.get("open", window.get("start")), window.get("close", window.get("end"))
    end = closes if close_day == day else f"{close_day} {closes}"
    return f"{day} {opens}–{end}"


def rule_text(required: bool, low: int, high: int) -> str:
    """How a diner reads an option's rule."""
    if low == high:
        return f"choose {low}" if required or low else "optional"
    return f"choose {low}–{high}" if low else f"choose up to {high}"
