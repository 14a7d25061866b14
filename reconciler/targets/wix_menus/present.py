"""Menus (New) records as a diner sees them (the ``present`` hook).

A dish's sizes are its price variants (each priced in full); its other options are modifier
groups, whose choices are modifiers with the charge the group puts on them (project.py). A menu's
Online Orders settings are on its record (hours, the online-ordering switch: ordering.py); the
location's closures are said on every menu, since a closure closes the whole location.
"""

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
    by_kind: dict[Kind, dict[str, dict[str, Any]]] = {}
    for (kind, local_id), record in essence.items():
        by_kind.setdefault(kind, {})[local_id] = record
    variants, modifiers = by_kind.get(Kind.VARIANT, {}), by_kind.get(Kind.MODIFIER, {})
    groups = by_kind.get(Kind.OPTION_GROUP, {})
    # A closure (an Online Orders availability exception) closes the whole location: every menu says it,
    # in the words a Catalogs v3 menu's special_hours get.
    closed = [{**c, "available": False} for _, c in sorted(by_kind.get(Kind.CLOSURE, {}).items())]
    menus = tuple(
        MenuView(
            local_id,
            r["name"],
            tuple(r["sections"]),
            r.get("description"),
            availability({**r, "special_hours": closed}),
        )
        for local_id, r in by_kind.get(Kind.MENU, {}).items()
    )
    sections = {
        local_id: SectionView(local_id, r["name"], tuple(r["dishes"]), r.get("description"), availability(r))
        for local_id, r in by_kind.get(Kind.SECTION, {}).items()
    }
    dishes = {}
    options = {
        g: _option(g, groups.get(g), modifiers)
        for g in {g for r in by_kind.get(Kind.DISH, {}).values() for g in r.get("groups", [])}
    }
    for local_id, r in by_kind.get(Kind.DISH, {}).items():
        sizes = tuple(
            ChoiceView(v["variant"], variants.get(v["variant"], {}).get("name", v["variant"]), v["price"])
            for v in r.get("variants") or []
        )
        dishes[local_id] = DishView(
            local_id,
            r["name"],
            r.get("description"),
            price=r.get("price"),
            sizes=sizes,
            options=tuple(options[g] for g in r.get("groups", [])),
            labels=tuple(r.get("labels", [])),
            availability=availability(r),
        )
    return CatalogView(menus, sections, dishes)


def _option(group_id: str, group: dict[str, Any] | None, modifiers: dict[str, dict[str, Any]]) -> OptionView:
    if group is None:  # a live dish naming a group no longer listed: show it, empty
        return OptionView(group_id, group_id, "no choices", ())
    choices = tuple(
        ChoiceView(
            m["modifier"],
            modifiers.get(m["modifier"], {}).get("name", m["modifier"]),
            m["price"],
            bool(m.get("preselected")),
            modifiers.get(m["modifier"], {}).get("in_stock", True) is not False,
        )
        for m in group.get("modifiers", [])
    )
    return OptionView(group_id, group["name"], rule_text(group["required"], group["min"], group["max"]), choices)
