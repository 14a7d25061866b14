"""Deterministic synthetic POS exports (Square, Toast, Clover) of a given number of objects.

    python -m bench.pos_exports --pos clover --objects 100000 -o /tmp/clover.json
    python -m bench.pos_exports --pos square --objects 100000 --one-category -o /tmp/square.json

An export of N objects holds N dishes in the POS's own shape (Square items with one variation
each, Toast menu items, Clover items), spread over categories of 50 (or all in one category with
``--one-category``, the shape that once made imports quadratic), and a handful of option groups
every tenth dish offers. The ids are made from the index, so the same arguments give the same file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

POSES = ("square", "toast", "clover")
PER_CATEGORY = 50
GROUPS = 5
CHOICES = 4


def _categories(objects: int, one_category: bool) -> int:
    return 1 if one_category else max(1, objects // PER_CATEGORY)


def square(objects: int, one_category: bool = False) -> dict[str, Any]:
    categories = _categories(objects, one_category)
    out: list[dict[str, Any]] = []
    for c in range(categories):
        out.append({"type": "CATEGORY", "id": f"CAT{c:08d}", "category_data": {"name": f"Category {c}", "ordinal": c}})
    for g in range(GROUPS):
        modifiers = [
            {
                "type": "MODIFIER",
                "id": f"MOD{g:03d}{m:03d}",
                "modifier_data": {
                    "name": f"Extra {g}-{m}",
                    "ordinal": m,
                    "modifier_list_id": f"ML{g:06d}",
                    "price_money": {"amount": 50 * m, "currency": "USD"},
                },
            }
            for m in range(CHOICES)
        ]
        data = {"name": f"Extras {g}", "selection_type": "MULTIPLE", "modifiers": modifiers}
        out.append({"type": "MODIFIER_LIST", "id": f"ML{g:06d}", "modifier_list_data": data})
    for i in range(objects):
        item_id = f"ITEM{i:08d}"
        variation = {
            "type": "ITEM_VARIATION",
            "id": f"VAR{i:08d}",
            "item_variation_data": {
                "item_id": item_id,
                "name": "Regular",
                "pricing_type": "FIXED_PRICING",
                "price_money": {"amount": 500 + i % 1000, "currency": "USD"},
            },
        }
        item: dict[str, Any] = {
            "name": f"Dish {i}",
            "product_type": "FOOD_AND_BEV",
            "categories": [{"id": f"CAT{i % categories:08d}"}],
            "variations": [variation],
        }
        if i % 10 == 0:
            item["modifier_list_info"] = [{"modifier_list_id": f"ML{(i // 10) % GROUPS:06d}", "enabled": True}]
        out.append({"type": "ITEM", "id": item_id, "item_data": item})
    return {"objects": out}


def toast(objects: int, one_category: bool = False) -> dict[str, Any]:
    categories = _categories(objects, one_category)
    groups: list[dict[str, Any]] = [
        {"guid": f"00000000-0000-4000-8000-{c:012d}", "name": f"Category {c}", "menuItems": [], "menuGroups": []}
        for c in range(categories)
    ]
    for i in range(objects):
        item: dict[str, Any] = {
            "guid": f"10000000-0000-4000-8000-{i:012d}",
            "name": f"Dish {i}",
            "price": round(5 + (i % 1000) / 100, 2),
            "pricingStrategy": "BASE_PRICE",
            "visibility": ["TOAST_ONLINE_ORDERING"],
            "modifierGroupReferences": [1 + (i // 10) % GROUPS] if i % 10 == 0 else [],
        }
        groups[i % categories]["menuItems"].append(item)
    group_refs = {
        str(1 + g): {
            "referenceId": 1 + g,
            "guid": f"20000000-0000-4000-8000-{g:012d}",
            "name": f"Extras {g}",
            "minSelections": 0,
            "maxSelections": None,
            "isMultiSelect": True,
            "visibility": ["TOAST_ONLINE_ORDERING"],
            "modifierOptionReferences": [100 + g * CHOICES + m for m in range(CHOICES)],
        }
        for g in range(GROUPS)
    }
    option_refs = {
        str(100 + g * CHOICES + m): {
            "referenceId": 100 + g * CHOICES + m,
            "guid": f"30000000-0000-4000-8000-{g * CHOICES + m:012d}",
            "name": f"Extra {g}-{m}",
            "price": 0.5 * m,
            "pricingStrategy": "BASE_PRICE",
            "visibility": ["TOAST_ONLINE_ORDERING"],
            "modifierGroupReferences": [],
        }
        for g in range(GROUPS)
        for m in range(CHOICES)
    }
    menu = {"guid": "40000000-0000-4000-8000-000000000000", "name": "All Day", "menuGroups": groups}
    return {
        "restaurantGuid": "6e1fd27e-0b2a-4c5e-9d0e-3f3b0c2a1d11",
        "menus": [menu],
        "modifierGroupReferences": group_refs,
        "modifierOptionReferences": option_refs,
    }


def clover(objects: int, one_category: bool = False) -> dict[str, Any]:
    categories = _categories(objects, one_category)
    members: list[list[dict[str, str]]] = [[] for _ in range(categories)]
    items = []
    for i in range(objects):
        ident = f"I{i:012d}"
        item: dict[str, Any] = {
            "id": ident,
            "name": f"Dish {i}",
            "price": 500 + i % 1000,
            "priceType": "FIXED",
            "categories": {"elements": [{"id": f"C{i % categories:012d}"}]},
        }
        if i % 10 == 0:
            item["modifierGroups"] = {"elements": [{"id": f"G{(i // 10) % GROUPS:012d}"}]}
        items.append(item)
        members[i % categories].append({"id": ident})
    cats = [
        {"id": f"C{c:012d}", "name": f"Category {c}", "sortOrder": c, "items": {"elements": members[c]}}
        for c in range(categories)
    ]
    groups = [
        {
            "id": f"G{g:012d}",
            "name": f"Extras {g}",
            "minRequired": 0,
            "maxAllowed": CHOICES,
            "modifiers": {
                "elements": [
                    {"id": f"M{g:06d}{m:06d}", "name": f"Extra {g}-{m}", "price": 50 * m} for m in range(CHOICES)
                ]
            },
        }
        for g in range(GROUPS)
    ]
    return {
        "merchant": {"id": "M1CLOVERBENCH", "name": "Bench", "currency": "USD"},
        "items": {"elements": items},
        "categories": {"elements": cats},
        "modifier_groups": {"elements": groups},
    }


GENERATORS: dict[str, Callable[[int, bool], dict[str, Any]]] = {"square": square, "toast": toast, "clover": clover}


def write(pos: str, objects: int, path: Path, one_category: bool = False) -> Path:
    path.write_text(json.dumps(GENERATORS[pos](objects, one_category), separators=(",", ":")), encoding="utf-8")
    return path


def write_commented_catalog(dishes: int, path: Path) -> Path:
    """A generated catalog (bench.generate) with a comment above every dish, for fmt's bench."""
    from bench import generate

    text = generate.dump(generate.generate(dishes, seed=1))
    path.write_text(text.replace("\n- id: d", "\n# checked by the kitchen\n- id: d"), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pos_exports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pos", choices=POSES)
    parser.add_argument("--commented-catalog", type=int, metavar="DISHES", help="write a commented catalog instead")
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--one-category", action="store_true")
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.commented_catalog:
        write_commented_catalog(args.commented_catalog, args.out)
    else:
        write(args.pos or parser.error("--pos is required"), args.objects, args.out, args.one_category)
    return 0


if __name__ == "__main__":
    sys.exit(main())
