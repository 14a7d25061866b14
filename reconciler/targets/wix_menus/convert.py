"""Menus (New) request payloads: from essence records (with placeholders), and back from live JSON.

``to_wix`` builds what reconcile writes; ``MANAGED`` names the fields it owns per service, which is
also the field mask of its updates (a masked field missing from the entity is cleared, so moving a
dish from one price to sizes needs no second call). ``before`` copies those same fields out of a
live entity, which is how a compensating update puts an entity back as it was.
"""

from __future__ import annotations

from reconciler.canonical import JsonObject
from reconciler.engine.plan import ref
from reconciler.targets import media

MANAGED = {
    "menu": ("name", "description", "visible", "sectionIds"),
    "section": ("name", "description", "image", "visible", "itemIds"),
    "item": (
        "name",
        "description",
        "image",
        "visible",
        "labels",
        "orderSettings",
        "modifierGroups",
        "priceInfo",
        "priceVariants",
    ),
    "group": ("name", "rule", "modifiers"),
    "modifier": ("name", "inStock"),
    "variant": ("name",),
    "label": ("name",),
}


def _image(url: str | None) -> JsonObject | None:
    return {"url": url} if url else None


def to_wix(service: str, fields: JsonObject, menu_location: str | None = None) -> JsonObject:
    if service == "menu":
        payload = {
            "name": fields["name"],
            "description": fields["description"] or "",
            "visible": fields["visible"],
            "sectionIds": [ref("section", s) for s in fields["sections"]],
        }
        if menu_location:
            payload["businessLocationId"] = menu_location
        return payload
    if service == "section":
        return {
            "name": fields["name"],
            "description": fields["description"] or "",
            "image": _image(fields["image"]),
            "visible": fields["visible"],
            "itemIds": [ref("item", d) for d in fields["dishes"]],
        }
    if service == "item":
        payload = {
            "name": fields["name"],
            "description": fields["description"] or "",
            "image": media.image_ref(fields["image"]),
            "visible": fields["visible"],
            "labels": [{"id": ref("label", label)} for label in fields["labels"]],
            "orderSettings": {"inStock": fields["in_stock"], "acceptSpecialRequests": fields["special_requests"]},
            "modifierGroups": [{"id": ref("group", g)} for g in fields["groups"]],
        }
        if fields["variants"] is None:
            payload["priceInfo"] = {"price": fields["price"]}
        else:
            payload["priceVariants"] = {
                "variants": [
                    {"variantId": ref("variant", v["variant"]), "priceInfo": {"price": v["price"]}}
                    for v in fields["variants"]
                ]
            }
        return payload
    if service == "group":
        return {
            "name": fields["name"],
            "rule": {"required": fields["required"], "minSelections": fields["min"], "maxSelections": fields["max"]},
            "modifiers": [
                {
                    "id": ref("modifier", m["modifier"]),
                    "preSelected": m["preselected"],
                    "additionalChargeInfo": {"additionalCharge": m["price"]},
                }
                for m in fields["modifiers"]
            ],
        }
    if service == "modifier":
        return {"name": fields["name"], "inStock": fields["in_stock"]}
    return {"name": fields["name"]}  # variant, label


def before(service: str, raw: JsonObject) -> JsonObject:
    """The managed fields of a live entity, as they are (literal Wix ids): an update's undo."""
    return {key: raw.get(key) for key in MANAGED[service]}


def mask(service: str) -> str:
    return ",".join(MANAGED[service])
