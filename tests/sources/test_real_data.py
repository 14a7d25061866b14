"""Real data end to end: every public sample, every Square API body and every POS fixture is
imported, validated, applied to both targets (Catalogs v3 and Menus (New), on the emulator) and
re-planned empty; and for every Square file, what the YAML says is checked against the source.

The fidelity oracle reads the raw JSON itself (snake or camel case, nested or top level, newest
version winning) and knows only Square's documented rules: an item is on the menu when it is a
live, unarchived food item with at least one fixed-price variation; a variation's price is
``price_money.amount`` in cents; a modifier adds its own ``price_money``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_file
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness
from tests.sources.helpers import FIXTURES, POS_FIXTURES, SAMPLES

SQUARE_FILES = sorted(SAMPLES.glob("*.json")) + sorted((FIXTURES / "square-shapes").glob("*.json"))
SQUARE_FILES.append(POS_FIXTURES / "square-catalog.json")
ALL = [("square", p) for p in SQUARE_FILES] + [
    ("toast", POS_FIXTURES / "toast-menus.json"),
    ("clover", POS_FIXTURES / "clover-inventory.json"),
]
MENU_TYPES = {"REGULAR", "FOOD_AND_BEV"}


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def _snaked(value: object) -> object:
    if isinstance(value, list):
        return [_snaked(v) for v in value]
    if isinstance(value, dict):
        return {_snake(k) if isinstance(k, str) else k: _snaked(v) for k, v in value.items()}
    return value


def square_objects(raw: object) -> dict[str, dict]:
    """Every catalog object anywhere in the file, by id, the highest version winning."""
    found: dict[str, dict] = {}

    def walk(value: object) -> None:
        if isinstance(value, list):
            for inner in value:
                walk(inner)
        elif isinstance(value, dict):
            payloads = [k for k in value if isinstance(k, str) and k.endswith("_data")]
            if isinstance(value.get("id"), str) and (value.get("type") or len(payloads) == 1):
                kind = value.get("type") or payloads[0][: -len("_data")].upper()
                known = found.get(value["id"])
                if known is None or (value.get("version") or 0) > (known.get("version") or 0):
                    found[value["id"]] = {**value, "type": kind}
            for inner in value.values():
                walk(inner)

    walk(_snaked(raw))
    return {k: v for k, v in found.items() if not v.get("is_deleted")}


def cents(money: dict) -> Decimal:
    return Decimal(money["amount"]) / 100


def expected_dishes(objects: dict[str, dict]) -> dict[str, list[Decimal] | None]:
    """Item id -> its fixed variation prices (None: all variable, "price on request"), for the
    items a diner can order."""
    prices: dict[str, list[Decimal]] = {}
    out: dict[str, list[Decimal] | None] = {}
    for obj in objects.values():
        if obj["type"] != "ITEM_VARIATION":
            continue
        data = obj["item_variation_data"]
        fixed = data.get("pricing_type", "FIXED_PRICING") == "FIXED_PRICING" and "price_money" in data
        if fixed and not data.get("measurement_unit_id"):
            prices.setdefault(data.get("item_id") or "", []).append(cents(data["price_money"]))
    for ident, obj in objects.items():
        data = obj.get("item_data") or {}
        menu_item = data.get("product_type", "REGULAR") in MENU_TYPES and not data.get("is_archived")
        if obj["type"] == "ITEM" and menu_item and obj.get("present_at_all_locations", True) is not False:
            for nested in data.get("variations") or []:  # nested variations may omit item_id
                vdata = nested.get("item_variation_data") or {}
                if (
                    "item_id" not in vdata
                    and vdata.get("price_money")
                    and vdata.get("pricing_type") != "VARIABLE_PRICING"
                ):
                    prices.setdefault(ident, []).append(cents(vdata["price_money"]))
            if prices.get(ident):
                out[ident] = sorted(prices[ident])
            elif _all_variable(data.get("variations") or [], objects, ident):
                out[ident] = None  # "price on request"
    return out


def _all_variable(nested: list, objects: dict[str, dict], item_id: str) -> bool:
    variations = [v.get("item_variation_data") or {} for v in nested] + [
        o["item_variation_data"]
        for o in objects.values()
        if o["type"] == "ITEM_VARIATION" and o["item_variation_data"].get("item_id") == item_id
    ]
    return bool(variations) and all(v.get("pricing_type") == "VARIABLE_PRICING" for v in variations)


def imported(tmp_path: Path, pos: str, path: Path):
    output = import_from_file(pos, path, ImportOptions(currency="USD"))
    yaml_path = tmp_path / "catalog.yaml"
    yaml_path.write_text(output.text, encoding="utf-8")
    return output, load_catalog(yaml_path)  # validated as a user's file would be


@pytest.mark.parametrize("api", ["v3", "menus"])
@pytest.mark.parametrize(("pos", "path"), ALL, ids=[f"{pos}:{p.name}" for pos, p in ALL])
def test_imports_validates_applies_to_each_target_and_replans_empty(tmp_path, pos, path, api):
    _, catalog = imported(tmp_path, pos, path)
    h = Harness(tmp_path, api=api)
    result = h.apply(catalog)
    assert result.differences == []
    assert h.plan(catalog).empty
    # Dishes priced on request are left out by both targets (the plan says so); every other is live.
    assert sum(1 for kind, _ in h.live() if kind == "dish") == sum(not d.price_on_request for d in catalog.dishes)


@pytest.mark.parametrize("path", SQUARE_FILES, ids=[p.name for p in SQUARE_FILES])
def test_counts_and_exact_prices_match_the_square_source(tmp_path, path):
    raw = json.loads(path.read_text())
    output, catalog = imported(tmp_path, "square", path)
    objects = square_objects(raw)
    expected = expected_dishes(objects)
    assert len(catalog.dishes) == len(expected)
    dishes = {d.id: d for d in catalog.dishes}
    groups = {g.id: g for g in catalog.option_groups}
    for item_id, prices in expected.items():
        (dish_id,) = [i for i in output.result.placed[item_id] if i in dishes]
        dish = dishes[dish_id]
        if prices is None:
            assert dish.price_on_request, item_id
            continue
        sizes = groups.get(f"{dish_id}:size")
        got = sorted(dish.price + c.price for c in sizes.choices) if sizes else [dish.price]
        assert got == prices, item_id
    for ident, obj in objects.items():
        data = obj.get("modifier_data")
        if obj["type"] != "MODIFIER" or not data or ident not in output.result.placed:
            continue
        (variation_id,) = output.result.placed[ident]
        charged = {c.price for g in groups.values() for c in g.choices if c.item == variation_id}
        assert charged == {max(cents(data.get("price_money") or {"amount": 0}), Decimal(0))}, ident
