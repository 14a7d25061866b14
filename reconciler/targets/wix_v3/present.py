"""Catalogs v3 records as a diner sees them (the ``present`` hook): options are inline on a dish."""

from __future__ import annotations

from typing import Any

from reconciler.engine.essence import Essence
from reconciler.engine.menuview import (
    CatalogView,
    ChoiceView,
    DishView,
    MenuView,
    OptionView,
    SectionView,
    availability,
    rule_text,
)
from reconciler.engine.vocabulary import Kind


def present(essence: Essence) -> CatalogView:
    items = {local_id: r for (kind, local_id), r in essence.items() if kind in (Kind.DISH, Kind.VARIATION)}
    menus, sections, dishes = [], {}, {}
    shared: dict[tuple[Any, ...], OptionView] = {}  # one option group resolves the same on every dish

    def option(o: dict[str, Any]) -> OptionView:
        head = (o["name"], o["type"], o.get("default"), tuple(o.get("defaults", ())), o.get("min"), o.get("max"))
        key: tuple[Any, ...] = (*head, *((c["item"], c["price"]) for c in o["choices"]))
        if key not in shared:
            shared[key] = _option(o, items)
        return shared[key]

    for (kind, local_id), r in essence.items():
        if kind == Kind.MENU:
            menus.append(MenuView(local_id, r["name"], tuple(r["sections"]), r.get("description"), availability(r)))
        elif kind == Kind.SECTION:
            sections[local_id] = SectionView(
                local_id, r["name"], tuple(r["dishes"]), r.get("description"), availability(r)
            )
        elif kind == Kind.DISH:
            dishes[local_id] = DishView(
                local_id,
                r["name"],
                r.get("description"),
                price=r["price"],
                options=tuple(option(o) for o in r.get("options", [])),
                labels=tuple(r.get("labels", [])),
                availability=availability(r),
            )
    return CatalogView(tuple(menus), sections, dishes)


def _option(option: dict[str, Any], items: dict[str, dict[str, Any]]) -> OptionView:
    kind = option["type"]
    count = len(option["choices"])
    if kind == "selection":
        rule, chosen = rule_text(True, 1, 1), {option.get("default")}
    elif kind == "extras":
        rule, chosen = rule_text(False, option["min"], option["max"]), set(option.get("defaults", []))
    else:  # deselection: everything is included; a diner may leave any out
        rule, chosen = "leave out any", {c["item"] for c in option["choices"]}
    choices = tuple(
        ChoiceView(
            c["item"],
            items.get(c["item"], {}).get("name", c["item"]),
            c["price"],
            c["item"] in chosen,
            items.get(c["item"], {}).get("in_stock", True) is not False,
        )
        for c in option["choices"]
    )
    return OptionView(option["name"], option["name"], rule if count else "no choices", choices)
