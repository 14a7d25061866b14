"""Translate between essence records and Wix Catalogs v3 JSON, in both directions.

``to_wix`` builds request payloads; references to other entities become placeholders
``{"$ref": "item:<local id>"}`` that the executor replaces with Wix ids (known ones from the plan,
new ones from the results of earlier calls). ``from_wix`` reads a live entity back into an essence
record, treating Wix's explicit nulls and server defaults exactly as the essence's defaults, so
reading back what we wrote compares equal.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.canonical import JsonObject
from reconciler.engine import essence as E
from reconciler.engine.vocabulary import Namespace
from reconciler.model.catalog import ALL_FULFILLMENT, ALL_PLATFORMS, DAYS
from reconciler.targets import media

_DAY_TO_WIX = {d: d.upper() for d in DAYS}
_DAY_FROM_WIX = {v: k for k, v in _DAY_TO_WIX.items()}
_FULFILLMENT_TO_WIX = {"delivery": "DELIVERY", "pickup_or_dine_in": "PICKUP_OR_DINE_IN"}
_FULFILLMENT_FROM_WIX = {v: k for k, v in _FULFILLMENT_TO_WIX.items()}
_PLATFORM_TO_WIX = {p: p.upper() for p in ALL_PLATFORMS}
_PLATFORM_FROM_WIX = {v: k for k, v in _PLATFORM_TO_WIX.items()}
_OPTION_BRANCH = {"selection": "selection", "extras": "extras", "deselection": "deselection"}

Ref = Callable[[str, str], object]  # (namespace, local id) -> Wix id or placeholder


def _clearable(value: str | None) -> str:
    """Updates merge per field and treat null as "not provided" (reference U12), so an empty string
    is how a description or image is cleared; reading treats "" and null alike."""
    return value or ""


# -- to Wix ---------------------------------------------------------------------------------------
def visibility_to_wix(fields: JsonObject) -> JsonObject:
    periods = [
        {
            "openDay": _DAY_TO_WIX[w["day"]],
            "openTime": w["open"],
            "closeDay": _DAY_TO_WIX[w["close_day"]],
            "closeTime": w["close"],
        }
        for w in fields["hours"]
    ]
    special = [
        {"startDate": s["start"], "endDate": s["end"], "available": s["available"], "eventName": s["name"]}
        for s in fields["special_hours"]
    ]
    return {
        "visible": fields["visible"],
        "fulfillmentTypes": [_FULFILLMENT_TO_WIX[f] for f in fields["fulfillment"]],
        "platforms": [_PLATFORM_TO_WIX[p] for p in fields["platforms"]],
        "availability": {"periods": periods, "specialHourPeriods": special} if periods or special else None,
    }


def option_to_wix(option: JsonObject, to_ref: Ref) -> JsonObject:
    choices = [{"itemId": to_ref(Namespace.ITEM, c["item"]), "price": {"value": c["price"]}} for c in option["choices"]]
    if option["type"] == "selection":
        default = option.get("default")
        branch = {"defaultChoice": to_ref(Namespace.ITEM, default) if default else None, "availableChoices": choices}
    elif option["type"] == "extras":
        branch = {
            "defaultChoices": [to_ref(Namespace.ITEM, d) for d in option["defaults"]],
            "minChoices": option["min"],
            "maxChoices": option["max"],
            "availableChoices": choices,
        }
    else:
        branch = {"availableChoices": choices}
    return {"name": option["name"], _OPTION_BRANCH[option["type"]]: branch}


def item_to_wix(fields: JsonObject, to_ref: Ref, options: list[JsonObject] | None = None) -> JsonObject:
    chosen = fields["options"] if options is None else options
    return {
        "name": fields["name"],
        "description": _clearable(fields["description"]),
        "price": {"value": fields["price"]},
        "taxRate": fields["tax_rate"],
        "labels": {"values": list(fields["labels"])},
        "imageUrl": media.url_ref(fields["image"]),
        "inStock": fields["in_stock"],
        "acceptSpecialRequest": fields["special_requests"],
        "visibilityCriteria": visibility_to_wix(fields),
        "dishOptions": {"values": [option_to_wix(o, to_ref) for o in chosen]},
    }


def section_to_wix(fields: JsonObject, to_ref: Ref, dishes: list[str] | None = None) -> JsonObject:
    listed = fields["dishes"] if dishes is None else dishes
    return {
        "name": fields["name"],
        "description": _clearable(fields["description"]),
        "imageUrl": _clearable(fields["image"]),
        "visibilityCriteria": visibility_to_wix(fields),
        "itemIds": {"values": [to_ref(Namespace.ITEM, d) for d in listed]},
    }


def menu_to_wix(fields: JsonObject, to_ref: Ref, sections: list[str] | None = None) -> JsonObject:
    listed = fields["sections"] if sections is None else sections
    return {
        "name": fields["name"],
        "description": _clearable(fields["description"]),
        "imageUrl": _clearable(fields["image"]),
        "visibilityCriteria": visibility_to_wix(fields),
        "sectionIds": {"values": [to_ref(Namespace.SECTION, s) for s in listed]},
    }


# -- from Wix -------------------------------------------------------------------------------------
_ALL_FULFILLMENT_WIX = [_FULFILLMENT_TO_WIX[f] for f in ALL_FULFILLMENT]
_ALL_PLATFORMS_WIX = [_PLATFORM_TO_WIX[p] for p in ALL_PLATFORMS]


def visibility_from_wix(criteria: JsonObject | None) -> JsonObject:
    criteria = criteria or {}
    if (
        not criteria.get("availability")
        and criteria.get("fulfillmentTypes") == _ALL_FULFILLMENT_WIX
        and criteria.get("platforms") == _ALL_PLATFORMS_WIX
    ):  # what almost every entity has: everywhere, always; visibility_in_general gives the same
        return E.visibility(criteria.get("visible") is not False, ALL_FULFILLMENT, ALL_PLATFORMS, [], [])
    return visibility_in_general(criteria)


def visibility_in_general(criteria: JsonObject) -> JsonObject:
    """Any visibility criteria, field by field (the fast path above must agree with it)."""
    availability = criteria.get("availability") or {}
    hours = [
        E.opening_window(
            _DAY_FROM_WIX.get(p.get("openDay"), "mon"),
            p.get("openTime"),
            p.get("closeTime"),
            _DAY_FROM_WIX.get(p.get("closeDay")),
        )
        for p in availability.get("periods") or []
    ]
    special = [
        {
            "start": s.get("startDate"),
            "end": s.get("endDate"),
            "available": s.get("available", True) is not False,
            "name": s.get("eventName") or None,
        }
        for s in availability.get("specialHourPeriods") or []
    ]
    fulfillment = [
        _FULFILLMENT_FROM_WIX[f] for f in criteria.get("fulfillmentTypes") or [] if f in _FULFILLMENT_FROM_WIX
    ]
    platforms = [_PLATFORM_FROM_WIX[p] for p in criteria.get("platforms") or [] if p in _PLATFORM_FROM_WIX]
    return E.visibility(
        criteria.get("visible") is not False,
        fulfillment or list(ALL_FULFILLMENT),
        platforms or list(ALL_PLATFORMS),
        hours,
        special,
    )


def option_from_wix(option: JsonObject, local: Callable[[str], str]) -> JsonObject:
    for branch in ("selection", "extras", "deselection"):
        body = option.get(branch)
        if body is not None:
            break
    else:
        branch, body = "deselection", {}
    choices = [
        {"item": local(c.get("itemId", "")), "price": E.money((c.get("price") or {}).get("value") or "0")}
        for c in body.get("availableChoices") or []
    ]
    resolved = {"name": option.get("name") or "", "type": branch, "choices": choices}
    if branch == "selection":
        default = body.get("defaultChoice")
        resolved["default"] = local(default) if default else None
    elif branch == "extras":
        resolved["defaults"] = sorted(local(d) for d in body.get("defaultChoices") or [])
        resolved["min"] = body.get("minChoices") or 0
        top = body.get("maxChoices")
        resolved["max"] = len(choices) if top is None else top
    return resolved


def item_from_wix(raw: JsonObject, local: Callable[[str], str]) -> JsonObject:
    return {
        "name": raw.get("name") or "",
        "description": E.text(raw.get("description")),
        "price": E.money((raw.get("price") or {}).get("value") or "0"),
        "tax_rate": E.percent(raw.get("taxRate")),
        "labels": list((raw.get("labels") or {}).get("values") or []),
        "image": raw.get("imageUrl") or None,
        "in_stock": raw.get("inStock") is not False,
        "special_requests": raw.get("acceptSpecialRequest") is not False,
        **visibility_from_wix(raw.get("visibilityCriteria")),
        "options": [option_from_wix(o, local) for o in (raw.get("dishOptions") or {}).get("values") or []],
    }


def section_from_wix(raw: JsonObject, menu_local: str, dishes: list[str]) -> JsonObject:
    return {
        "menu": menu_local,
        "name": raw.get("name") or "",
        "description": E.text(raw.get("description")),
        "image": raw.get("imageUrl") or None,
        **visibility_from_wix(raw.get("visibilityCriteria")),
        "dishes": dishes,
    }


def menu_from_wix(raw: JsonObject, sections: list[str]) -> JsonObject:
    return {
        "name": raw.get("name") or "",
        "description": E.text(raw.get("description")),
        "image": raw.get("imageUrl") or None,
        **visibility_from_wix(raw.get("visibilityCriteria")),
        "sections": sections,
    }


def fresh_variation(name: str) -> JsonObject:
    """What Bulk Create Variations leaves behind: a name and the server's defaults."""
    return item_from_wix({"name": name}, lambda wix_id: wix_id)
