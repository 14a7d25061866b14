"""Hypothesis strategies for what happens to a catalog between two applies.

* :func:`reordered`: the same catalog with menus, sections, dishes, options, choices and labels in
  another order (display order is part of what a diner sees);
* :func:`single_edit`: exactly one field of one entity changed (a price, a description, a
  visibility flag, a choice price, an extras maximum, ...);
* :func:`changed`: any of those, or a whole other catalog over the same ids;
* :func:`large_catalogs`: more entities than one bulk call takes (20 on Catalogs v3, 100 on
  Menus (New)), built from a drawn seed so the draw stays small;
* :func:`live_edits`: an edit someone makes on the live site outside reconcile (drift).
"""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import strategies as st

from reconciler.model.catalog import ALL_FULFILLMENT, ALL_PLATFORMS, Catalog
from tests.strategies import CURRENCIES, catalogs, labels, money, names, percent, texts, windows

BULK_LIMIT = {"v3": 20, "menus": 100}


@st.composite
def reordered(draw, catalog: Catalog) -> Catalog:
    data = catalog.model_dump()
    data["menus"] = draw(st.permutations(data["menus"]))
    for menu in data["menus"]:
        menu["sections"] = draw(st.permutations(menu["sections"]))
        for section in menu["sections"]:
            section["dishes"] = draw(st.permutations(section["dishes"]))
    for item in [*data["dishes"], *data["variations"]]:
        item["options"] = draw(st.permutations(item["options"]))
        item["labels"] = draw(st.permutations(item["labels"]))
    for group in data["option_groups"]:
        group["choices"] = draw(st.permutations(group["choices"]))
    return Catalog.model_validate(data)


def _visibility_fields() -> dict:
    return {
        "visible": st.booleans(),
        "fulfillment": st.lists(st.sampled_from(ALL_FULFILLMENT), min_size=1, unique=True),
        "platforms": st.lists(st.sampled_from(ALL_PLATFORMS), min_size=1, unique=True),
        "hours": st.lists(windows(), max_size=2).map(lambda ws: [w.model_dump() for w in ws]),
    }


def _fields(kind: str, currency: str) -> dict:
    """The editable fields of an entity kind, each with a strategy for a new valid value."""
    shared = {"name": names, "description": texts, **_visibility_fields()}
    image = st.none() | st.sampled_from(["https://img.example.com/a.jpg", "https://img.example.com/b.jpg"])
    if kind in ("menu", "section"):
        return {**shared, "image": image}
    return {
        **shared,
        "price": money(currency),
        "tax_rate": percent,
        "labels": labels,
        "image": image,
        "in_stock": st.booleans(),
        "special_requests": st.booleans(),
    }


@st.composite
def single_edit(draw, catalog: Catalog) -> Catalog:
    """``catalog`` with one field of one entity changed to another valid value."""
    data = catalog.model_dump()
    entities = [("menu", m) for m in data["menus"]]
    entities += [("section", s) for m in data["menus"] for s in m["sections"]]
    entities += [("dish", d) for d in data["dishes"]] + [("variation", v) for v in data["variations"]]
    entities += [("group", g) for g in data["option_groups"]]
    kind, entity = draw(st.sampled_from(entities))
    if kind == "group":
        _edit_group(draw, entity, catalog.currency)
    else:
        field, values = draw(st.sampled_from(sorted(_fields(kind, catalog.currency).items())))
        old = entity.get(field)
        entity[field] = draw(values.filter(lambda value: value != old))
    return Catalog.model_validate(data)


def _edit_group(draw, group: dict, currency: str) -> None:
    choices = [c["item"] for c in group["choices"]]
    edits = ["name", "choice price"]
    edits += {"selection": ["default"], "extras": ["min", "max", "defaults"], "deselection": []}[group["type"]]
    what = draw(st.sampled_from(edits))
    if what == "name":
        group["name"] = draw(names.filter(lambda n: n != group["name"]))
    elif what == "choice price":
        choice = draw(st.sampled_from(group["choices"]))
        choice["price"] = draw(money(currency, "50").filter(lambda p: p != choice["price"]))
    elif what == "default":
        group["default"] = draw(st.none() | st.sampled_from(choices))
    elif what == "defaults":
        group["defaults"] = draw(st.lists(st.sampled_from(choices), unique=True))
    elif what == "min":
        group["min"] = draw(st.integers(0, group["max"] if group["max"] is not None else len(choices)))
    else:
        group["max"] = draw(st.none() | st.integers(group["min"], len(choices)))


@st.composite
def changed(draw, start: Catalog) -> Catalog:
    """What the catalog becomes: reordered, one field edited, both, or another catalog entirely."""
    how = draw(st.sampled_from(["reordered", "edited", "both", "other"]))
    if how == "reordered":
        return draw(reordered(start))
    if how == "edited":
        return draw(single_edit(start))
    if how == "both":
        return draw(single_edit(draw(reordered(start))))
    return draw(catalogs(currency=start.currency))


@st.composite
def large_catalogs(draw, api: str = "v3", currency: str = "USD") -> Catalog:
    """More dishes, sections and variations than one bulk call of ``api`` takes (some calls split)."""
    limit = BULK_LIMIT[api]
    dishes = draw(st.integers(limit + 1, limit + limit // 2))
    rng = random.Random(draw(st.integers(0, 2**32)))
    digits = CURRENCIES[currency]
    step = Decimal(1).scaleb(-digits)

    def price(top: int) -> str:
        return str(Decimal(rng.randrange(top * 10**digits)) * step)

    variations = [{"id": f"v{i}", "name": f"Size {i}"} for i in range(limit + 1)]
    groups = [
        {
            "id": f"g{g}",
            "name": f"Choice {g}",
            "type": rng.choice(["selection", "extras", "deselection"]),
            "choices": [{"item": f"v{i}", "price": price(5)} for i in rng.sample(range(len(variations)), 3)],
        }
        for g in range(4)
    ]
    data = {
        "currency": currency,
        "dishes": [
            {
                "id": f"d{i}",
                "name": f"Dish {i} {rng.choice(['Margherita', 'Ramen', 'Pho', 'Tagine'])}",
                "price": price(40),
                "options": rng.sample([g["id"] for g in groups], rng.randrange(3)),
            }
            for i in range(dishes)
        ],
        "variations": variations,
        "option_groups": groups,
    }
    per_section = rng.randrange(5, 15)
    sections = [
        {
            "id": f"s{n}",
            "name": f"Section {n}",
            "dishes": [f"d{i}" for i in range(start, min(start + per_section, dishes))],
        }
        for n, start in enumerate(range(0, dishes, per_section))
    ]
    data["menus"] = [{"id": "m0", "name": "All day", "sections": sections}]
    return Catalog.model_validate(data)


@st.composite
def live_edits(draw, catalog: Catalog) -> tuple[str, dict]:
    """An edit made on the live site, outside reconcile: (dish id, {"name": …} or {"price": …})."""
    dish = draw(st.sampled_from(catalog.dishes))
    if draw(st.booleans()):
        return dish.id, {"name": draw(names.filter(lambda n: n != dish.name))}
    return dish.id, {"price": draw(money(catalog.currency).filter(lambda p: p != dish.price))}
