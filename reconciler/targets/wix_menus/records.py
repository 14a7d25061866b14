"""One live Menus (New) entity as reconcile sees it: the fields it manages, in neutral terms.

The reader builds the live essence from these records; the executor compares records to tell
whether an entity already holds what an update would write (``execute._same``); and
``recognise`` finds the entity a lost create made by its record. Ids are translated by
``to_local`` (identity to compare in Wix ids).
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.canonical import JsonObject
from reconciler.engine.essence import money, text
from reconciler.engine.vocabulary import Kind


def _price(info: JsonObject | None) -> str | None:
    value = (info or {}).get("price")
    return None if value is None or value == "" else money(value)


def record(kind: str, raw: JsonObject, to_local: Callable[[str], str], menu: str | None) -> JsonObject:
    if kind == Kind.MENU:
        return {
            "name": raw.get("name") or "",
            "description": text(raw.get("description")),
            "visible": raw.get("visible") is not False,
            "sections": [to_local(s) for s in raw.get("sectionIds") or []],
        }
    if kind == Kind.SECTION:
        return {
            "menu": menu,
            "name": raw.get("name") or "",
            "description": text(raw.get("description")),
            "image": (raw.get("image") or {}).get("url") or None,
            "visible": raw.get("visible") is not False,
            "dishes": [to_local(i) for i in raw.get("itemIds") or []],
        }
    if kind == Kind.DISH:
        settings = raw.get("orderSettings") or {}
        variants = (raw.get("priceVariants") or {}).get("variants")
        return {
            "name": raw.get("name") or "",
            "description": text(raw.get("description")),
            "image": (raw.get("image") or {}).get("url") or None,
            "visible": raw.get("visible") is not False,
            "labels": [to_local(label.get("id")) for label in raw.get("labels") or []],
            "in_stock": settings.get("inStock") is not False,
            "special_requests": settings.get("acceptSpecialRequests") is not False,
            "price": None if raw.get("priceVariants") else _price(raw.get("priceInfo")),
            "variants": None
            if not raw.get("priceVariants")
            else [
                {"variant": to_local(v.get("variantId")), "price": _price(v.get("priceInfo")) or money("0")}
                for v in variants or []
            ],
            "groups": [to_local(g.get("id")) for g in raw.get("modifierGroups") or []],
        }
    if kind == Kind.OPTION_GROUP:
        rule = raw.get("rule") or {}
        modifiers = raw.get("modifiers") or []
        return {
            "name": raw.get("name") or "",
            "required": bool(rule.get("required")),
            "min": rule.get("minSelections") or 0,
            "max": rule.get("maxSelections") if rule.get("maxSelections") is not None else len(modifiers),
            "modifiers": [
                {
                    "modifier": to_local(m.get("id")),
                    "price": money((m.get("additionalChargeInfo") or {}).get("additionalCharge") or "0"),
                    "preselected": bool(m.get("preSelected")),
                }
                for m in modifiers
            ],
        }
    if kind == Kind.MODIFIER:
        return {"name": raw.get("name") or "", "in_stock": raw.get("inStock") is not False}
    return {"name": raw.get("name") or ""}  # variant, label
