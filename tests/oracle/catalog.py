"""What a diner should see, computed from the catalog file alone, written from docs/catalog-format.md.

This is a second, deliberately small reading of the catalog format, sharing no code with
reconciler/ (not its loader, model, essence or targets): the defaults are the documented ones,
and the Menus (New) translation is the documented one (docs/menus-new-atomicity.md, "Mapping the
catalog onto Menus (New)"). Its output has the shape of :mod:`tests.oracle.board`, so a board
read off the wire and a board expected from the file compare with ``==``.

Input is the catalog as plain data: the mapping a YAML file holds. :func:`read_file` reads one
with the YAML 1.2 core schema (as the catalog format specifies; PyYAML alone is YAML 1.1, where
``no`` is false and ``11:00`` a number).
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import yaml

from tests.oracle.board import amount, menus_in_any_order, text

BOTH_FULFILMENT = ["delivery", "pickup_or_dine_in"]
ALL_PLATFORMS = ["site", "mobile_site", "wix_app", "call_center", "chat_bot"]
# docs/catalog-format.md: the 14 allergens, in the order fmt writes them; both APIs show each as a
# label "contains <allergen>" after the dish's own labels.
ALLERGENS = "celery crustaceans eggs fish gluten lupin milk molluscs mustard peanuts sesame soy sulphites tree_nuts"


def _labels(dish: dict) -> list[str]:
    order = ALLERGENS.split()
    allergens = sorted(dish.get("allergens", []), key=order.index)
    return [*dish.get("labels", []), *("contains " + a.replace("_", " ") for a in allergens)]


class _Yaml12(yaml.SafeLoader):
    """YAML 1.2 core schema: only true/false are booleans, only decimal digits are integers."""


_Yaml12.yaml_implicit_resolvers = {}
for tag, pattern, first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", "-+.0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    _Yaml12.add_implicit_resolver(tag, re.compile(pattern), list(first))
_Yaml12.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node), 10))


def read_file(path: str | Path) -> dict:
    """The file's mapping; a dish image that is a local file (a path relative to the catalog, as
    docs/catalog-format.md says) becomes ``md5:<hex>`` of its bytes, which is how the board shows an
    uploaded file (the emulator's file ``hash``, docs/emulator.md M4)."""
    data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Yaml12)
    for entry in [*(data or {}).get("dishes", []), *(data or {}).get("variations", [])]:
        image = entry.get("image") if isinstance(entry, dict) else None
        if isinstance(image, str) and image and not image.startswith(("http://", "https://")):
            entry["image"] = "md5:" + hashlib.md5((Path(path).parent / image).read_bytes()).hexdigest()
    return data


# -- Catalogs v3: everything the format says reaches the diner ---------------------------------


def _availability(entity: dict) -> dict:
    return {
        "visible": entity.get("visible", True),
        "fulfillment": sorted(f.upper() for f in entity.get("fulfillment", BOTH_FULFILMENT)),
        "platforms": sorted(p.upper() for p in entity.get("platforms", ALL_PLATFORMS)),
        "hours": sorted(
            [w["day"].upper(), w["open"], (w.get("close_day") or w["day"]).upper(), w["close"]]
            for w in entity.get("hours", [])
        ),
        "special": sorted(
            [s["start"], s["end"], s.get("available", True), s.get("name")] for s in entity.get("special_hours", [])
        ),
    }


class _Catalog:
    def __init__(self, data: dict) -> None:
        self.data = data
        self.items = {i["id"]: i for i in [*data.get("dishes", []), *data.get("variations", [])]}
        self.variations = {v["id"] for v in data.get("variations", [])}
        self.groups = {g["id"]: g for g in data.get("option_groups", [])}

    def choice(self, choice: dict, preselected: bool) -> dict:
        item = self.items[choice["item"]]
        return {
            "name": item["name"],
            "in_stock": item.get("in_stock", True),
            "price": amount(choice.get("price", "0")),
            "preselected": preselected,
        }

    def rule(self, group: dict) -> tuple[int, int, set[str]]:
        """(min, max, pre-selected item ids) of what the diner may pick."""
        choices = [c["item"] for c in group["choices"]]
        if group["type"] == "selection":
            return 1, 1, {group["default"]} if group.get("default") else set()
        if group["type"] == "extras":
            top = group.get("max")
            return group.get("min", 0), len(choices) if top is None else top, set(group.get("defaults", []))
        return 0, len(choices), set(choices)  # deselection: every ingredient is in until removed

    def sizes(self, dish: dict) -> dict | None:
        """The dish's sizes on Menus (New): its first selection whose choices are all variations."""
        for group_id in dish.get("options", []):
            group = self.groups[group_id]
            if group["type"] == "selection" and all(c["item"] in self.variations for c in group["choices"]):
                return group
        return None


def _v3_dish(catalog: _Catalog, dish: dict) -> dict:
    options = []
    for group_id in dish.get("options", []):
        group = catalog.groups[group_id]
        low, high, chosen = catalog.rule(group)
        choices = [catalog.choice(c, c["item"] in chosen) for c in group["choices"]]
        options.append({"name": group["name"], "kind": group["type"], "min": low, "max": high, "choices": choices})
    return {
        "name": dish["name"],
        "description": text(dish.get("description")),
        "image": text(dish.get("image")),
        "price": amount(dish["price"]),
        "tax_rate": amount(dish.get("tax_rate", "0")),
        "labels": _labels(dish),
        "in_stock": dish.get("in_stock", True),
        "special_requests": dish.get("special_requests", True),
        **_availability(dish),
        "options": options,
    }


def _v3_board(catalog: _Catalog) -> list[dict]:
    return [
        {
            "name": menu["name"],
            "description": text(menu.get("description")),
            "image": text(menu.get("image")),
            **_availability(menu),
            "sections": [
                {
                    "name": section["name"],
                    "description": text(section.get("description")),
                    "image": text(section.get("image")),
                    **_availability(section),
                    "dishes": [_v3_dish(catalog, catalog.items[d]) for d in section.get("dishes", [])],
                }
                for section in menu.get("sections", [])
            ],
        }
        for menu in catalog.data.get("menus", [])
    ]


# -- Menus (New): the documented translation ----------------------------------------------------


def _menus_dish(catalog: _Catalog, dish: dict) -> dict:
    sizes = catalog.sizes(dish)
    options = []
    for group_id in dish.get("options", []):
        if sizes is not None and group_id == sizes["id"]:
            continue
        group = catalog.groups[group_id]
        low, high, chosen = catalog.rule(group)
        choices = [catalog.choice(c, c["item"] in chosen) for c in group["choices"]]
        options.append({"name": group["name"], "required": low > 0, "min": low, "max": high, "choices": choices})
    base = Decimal(dish["price"])
    return {
        "name": dish["name"],
        "description": text(dish.get("description")),
        "image": text(dish.get("image")),
        "visible": dish.get("visible", True),
        "labels": _labels(dish),
        "in_stock": dish.get("in_stock", True),
        "special_requests": dish.get("special_requests", True),
        "price": None if sizes else amount(base),
        "sizes": None
        if sizes is None
        else [
            {"name": catalog.items[c["item"]]["name"], "price": amount(base + Decimal(c.get("price", "0")))}
            for c in sizes["choices"]
        ],
        "options": options,
    }


def _menus_board(catalog: _Catalog) -> list[dict]:
    return [
        {
            "name": menu["name"],
            "description": text(menu.get("description")),
            "visible": menu.get("visible", True),
            "sections": [
                {
                    "name": section["name"],
                    "description": text(section.get("description")),
                    "image": text(section.get("image")),
                    "visible": section.get("visible", True),
                    "dishes": [_menus_dish(catalog, catalog.items[d]) for d in section.get("dishes", [])],
                }
                for section in menu.get("sections", [])
            ],
        }
        for menu in catalog.data.get("menus", [])
    ]


def expected_board(data: dict, api: str) -> list[dict]:
    """The board a diner should see once ``data`` is applied to an ``api`` ("v3" or "menus") site."""
    catalog = _Catalog(data)
    return menus_in_any_order(_v3_board(catalog) if api == "v3" else _menus_board(catalog))
