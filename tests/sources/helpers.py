"""Small builders for POS objects, and a one-call import, for the mapping tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.model.catalog import Catalog
from reconciler.sources.base import ImportNote, ImportOptions
from reconciler.sources.registry import get_source
from reconciler.sources.service import validate_text
from reconciler.yamlio.dump import dump_catalog

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
POS_FIXTURES = FIXTURES / "pos"
SAMPLES = FIXTURES / "samples"


class Imported:
    """What one import produced: the catalog, its notes and its canonical YAML (already validated)."""

    def __init__(self, pos: str, raw: Any, **options: Any):
        source = get_source(pos)
        result = source.translate(raw, ImportOptions(**options))
        self.catalog: Catalog = result.catalog
        self.notes: list[ImportNote] = result.notes
        self.text = dump_catalog(result.catalog)
        validate_text(pos, self.text, result)

    def dish(self, dish_id: str):
        return next(d for d in self.catalog.dishes if d.id == dish_id)

    def variation(self, variation_id: str):
        return next(v for v in self.catalog.variations if v.id == variation_id)

    def group(self, group_id: str):
        return next(g for g in self.catalog.option_groups if g.id == group_id)

    def section(self, section_id: str):
        return next(s for m in self.catalog.menus for s in m.sections if s.id == section_id)

    def notes_for(self, object_id: str) -> list[str]:
        return [f"{n.kind}: {n.reason}" for n in self.notes if n.object_id == object_id]

    @property
    def dish_ids(self) -> set[str]:
        return {d.id for d in self.catalog.dishes}


# -- Square (REST, snake_case) ------------------------------------------------------------------


def money(amount: int, currency: str = "USD") -> dict:
    return {"amount": amount, "currency": currency}


def sq_variation(ident: str, item_id: str, name: str, amount: int | None, currency: str = "USD", **data: Any) -> dict:
    body: dict[str, Any] = {
        "item_id": item_id,
        "name": name,
        "pricing_type": "FIXED_PRICING" if amount is not None else "VARIABLE_PRICING",
    }
    if amount is not None:
        body["price_money"] = money(amount, currency)
    extra = {
        k: data.pop(k)
        for k in ("present_at_all_locations", "present_at_location_ids", "absent_at_location_ids")
        if k in data
    }
    body.update(data)
    return {"type": "ITEM_VARIATION", "id": ident, **extra, "item_variation_data": body}


def sq_item(ident: str, name: str, variations: list[dict], categories: list[str] | tuple = (), **data: Any) -> dict:
    extra = {
        k: data.pop(k)
        for k in (
            "present_at_all_locations",
            "present_at_location_ids",
            "absent_at_location_ids",
            "is_deleted",
            "version",
        )
        if k in data
    }
    body = {"name": name, "variations": variations, **data}
    if categories:
        body["categories"] = [{"id": c} if isinstance(c, str) else {"id": c[0], "ordinal": c[1]} for c in categories]
    return {"type": "ITEM", "id": ident, **extra, "item_data": body}


def sq_simple(ident: str, name: str, amount: int, categories: list = (), currency: str = "USD", **data: Any) -> dict:
    return sq_item(ident, name, [sq_variation(f"{ident}-V", ident, "Regular", amount, currency)], categories, **data)


def sq_category(ident: str, name: str, **data: Any) -> dict:
    extra = {
        k: data.pop(k)
        for k in ("present_at_all_locations", "present_at_location_ids", "absent_at_location_ids")
        if k in data
    }
    return {"type": "CATEGORY", "id": ident, **extra, "category_data": {"name": name, **data}}


def sq_modifier(ident: str, list_id: str, name: str, amount: int = 0, **data: Any) -> dict:
    return {
        "type": "MODIFIER",
        "id": ident,
        "modifier_data": {"name": name, "modifier_list_id": list_id, "price_money": money(amount), **data},
    }


def sq_list(ident: str, name: str, modifiers: list[dict], **data: Any) -> dict:
    return {"type": "MODIFIER_LIST", "id": ident, "modifier_list_data": {"name": name, "modifiers": modifiers, **data}}


def sq(*objects: dict) -> dict:
    """A ListCatalog answer holding ``objects``."""
    return {"objects": list(objects)}
