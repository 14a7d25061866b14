"""How Catalogs v3 entities look on the wire: defaults, explicit nulls, key order, PATCH merges.

``build_*`` turns a schema-checked input message into the stored (= returned) entity: unknown and
read-only input fields are dropped, server defaults applied (U19), money values echoed exactly as
sent with the site currency added (U18), unset optional scalars written as explicit ``null``, unset
optional messages (``labels``, ``dishOptions``, ``availability``) left out (the SDK declares them
``T | undefined``, never ``null``; Wix's SDK package is the judge, see docs/emulator.md), and
wrappers always carry their ``values`` array. Oneof members (dish-option branch, discount
``amount``/``percentage`` and ``sectionIds``/``itemIds``) appear only when set, as in the official
examples. ``merge_*`` applies a partial update per top-level field (U12).

Called by the entity modules (``menus.py``, ``sections.py``, ``items.py``, ``discounts.py``) and by
``bulk.py``. Pure functions: no store access.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.v3 import enums

ZERO = "0.00"  # U18: the server's default money and tax-rate value


def money(raw: dict[str, Any] | None, currency: str, default: str | None = ZERO) -> dict[str, Any] | None:
    if raw is None:
        return None if default is None else {"value": default, "currency": currency}
    return {"value": raw.get("value"), "currency": currency}


def wrapped(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {"values": list(raw.get("values") or [])}


def availability(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {
        "periods": [
            {
                "openDay": period.get("openDay"),
                "openTime": period.get("openTime"),
                "closeDay": period.get("closeDay"),
                "closeTime": period.get("closeTime"),
            }
            for period in raw.get("periods") or []
        ],
        "specialHourPeriods": [
            {
                "startDate": special.get("startDate"),
                "endDate": special.get("endDate"),
                "available": True if special.get("available") is None else special["available"],
                "eventName": special.get("eventName"),
            }
            for special in raw.get("specialHourPeriods") or []
        ],
    }


MESSAGE_FIELDS = frozenset({"labels", "dishOptions", "availability"})


def present(entity: dict[str, Any]) -> dict[str, Any]:
    """``entity`` without its unset (``None``) message fields: the SDK types them ``T | undefined``."""
    return {key: value for key, value in entity.items() if value is not None or key not in MESSAGE_FIELDS}


def visibility(raw: dict[str, Any] | None) -> dict[str, Any]:
    """U19: an entity created without criteria is visible everywhere, at all times."""
    raw = raw or {}
    visible = raw.get("visible")
    return present(
        {
            "visible": True if visible is None else visible,
            "fulfillmentTypes": list(raw.get("fulfillmentTypes") or enums.FULFILLMENT_TYPES),
            "platforms": list(raw.get("platforms") or enums.PLATFORMS),
            "availability": availability(raw.get("availability")),
        }
    )


def _choices(raw: list[dict[str, Any]] | None, currency: str) -> list[dict[str, Any]]:
    return [{"itemId": choice.get("itemId"), "price": money(choice.get("price"), currency)} for choice in raw or []]


def _int_or(value: Any, default: int) -> int:
    return default if value is None else int(value)


def dish_option(raw: dict[str, Any], currency: str) -> dict[str, Any]:
    option: dict[str, Any] = {"name": raw.get("name") or "", "type": "UNSPECIFIED_DISH_OPTION_TYPE"}
    if raw.get("selection") is not None:
        selection = raw["selection"]
        option["type"] = enums.SELECTION
        option["selection"] = {
            "defaultChoice": selection.get("defaultChoice"),
            "availableChoices": _choices(selection.get("availableChoices"), currency),
        }
    elif raw.get("extras") is not None:
        extras = raw["extras"]
        choices = _choices(extras.get("availableChoices"), currency)
        option["type"] = enums.EXTRAS
        option["extras"] = {
            "defaultChoices": list(extras.get("defaultChoices") or []),
            "minChoices": _int_or(extras.get("minChoices"), 0),
            "maxChoices": _int_or(extras.get("maxChoices"), len(choices)),
            "availableChoices": choices,
        }
    elif raw.get("deselection") is not None:
        option["type"] = enums.DESELECTION
        option["deselection"] = {"availableChoices": _choices(raw["deselection"].get("availableChoices"), currency)}
    return option


def dish_options(raw: dict[str, Any] | None, currency: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {"values": [dish_option(option, currency) for option in raw.get("values") or []]}


def _flag(raw: dict[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key)
    return default if value is None else bool(value)


def build_menu(raw: dict[str, Any], ident: str, archived: bool = False) -> dict[str, Any]:
    return {
        "id": ident,
        "name": raw.get("name"),
        "description": raw.get("description"),
        "imageUrl": raw.get("imageUrl"),
        "visibilityCriteria": visibility(raw.get("visibilityCriteria")),
        "sectionIds": wrapped(raw.get("sectionIds")) or {"values": []},
        "archived": archived,
    }


def build_section(raw: dict[str, Any], ident: str, menu_id: str, archived: bool = False) -> dict[str, Any]:
    return {
        "id": ident,
        "menuId": menu_id,
        "name": raw.get("name"),
        "description": raw.get("description"),
        "imageUrl": raw.get("imageUrl"),
        "itemIds": wrapped(raw.get("itemIds")) or {"values": []},
        "visibilityCriteria": visibility(raw.get("visibilityCriteria")),
        "archived": archived,
    }


def build_item(
    raw: dict[str, Any], ident: str, item_type: str, currency: str, archived: bool = False
) -> dict[str, Any]:
    return present(
        {
            "id": ident,
            "name": raw.get("name"),
            "description": raw.get("description"),
            "price": money(raw.get("price"), currency),
            "imageUrl": raw.get("imageUrl"),
            "labels": wrapped(raw.get("labels")),
            "inStock": _flag(raw, "inStock", True),
            "taxRate": raw.get("taxRate") if raw.get("taxRate") is not None else ZERO,
            "archived": archived,
            "visibilityCriteria": visibility(raw.get("visibilityCriteria")),
            "dishOptions": dish_options(raw.get("dishOptions"), currency),
            "acceptSpecialRequest": _flag(raw, "acceptSpecialRequest", True),
            "type": item_type,
        }
    )


def build_condition(raw: dict[str, Any], currency: str, coupon: dict[str, Any] | None) -> dict[str, Any]:
    condition = present(
        {
            "fulfillmentTypes": list(raw.get("fulfillmentTypes") or []),
            "platforms": list(raw.get("platforms") or []),
            "availability": availability(raw.get("availability")),
            "minOrderPrice": money(raw.get("minOrderPrice"), currency),
        }
    )
    if coupon is not None:  # U20: read-only; present only when the emulator seeded one
        condition["coupon"] = coupon
    return condition


def build_discount(
    raw: dict[str, Any], ident: str, currency: str, coupon: dict[str, Any] | None = None
) -> dict[str, Any]:
    discount: dict[str, Any] = {
        "id": ident,
        "name": raw.get("name"),
        "description": raw.get("description"),
        "active": _flag(raw, "active", True),
        "type": raw.get("type") or enums.DISCOUNT_TYPE_DEFAULT,
    }
    if raw.get("amount") is not None:
        discount["amount"] = money(raw["amount"], currency)
    elif raw.get("percentage") is not None:
        discount["percentage"] = raw["percentage"]
    if raw.get("sectionIds") is not None:
        discount["sectionIds"] = wrapped(raw["sectionIds"])
    elif raw.get("itemIds") is not None:
        discount["itemIds"] = wrapped(raw["itemIds"])
    discount["condition"] = build_condition(raw.get("condition") or {}, currency, coupon)
    return discount


# --- partial updates (U12) --------------------------------------------------------------------

MENU_FIELDS = ("name", "description", "imageUrl", "visibilityCriteria", "sectionIds")
SECTION_FIELDS = ("name", "description", "imageUrl", "itemIds", "visibilityCriteria")
ITEM_FIELDS = (
    "name",
    "description",
    "price",
    "imageUrl",
    "labels",
    "inStock",
    "taxRate",
    "visibilityCriteria",
    "dishOptions",
    "acceptSpecialRequest",
)
DISCOUNT_FIELDS = ("name", "description", "active", "type")
# Oneof groups: setting one member in a patch clears the others.
DISCOUNT_ONE_OFS = (("amount", "percentage"), ("sectionIds", "itemIds"))
CONDITION_FIELDS = ("fulfillmentTypes", "platforms", "availability", "minOrderPrice")


def overlay(stored: dict[str, Any], patch: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The stored entity with each writable top-level field the patch provides replaced; null = absent."""
    merged = dict(stored)
    for key in fields:
        if patch.get(key) is not None:
            merged[key] = patch[key]
    return merged


def merge_menu(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    return build_menu(overlay(stored, patch, MENU_FIELDS), stored["id"], stored.get("archived") or False)


def merge_section(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = overlay(stored, patch, SECTION_FIELDS)
    return build_section(merged, stored["id"], stored["menuId"], stored.get("archived") or False)


def merge_item(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    # price.currency is never taken from the patch: it stays what the server set.
    currency = (stored.get("price") or {}).get("currency") or "USD"
    merged = overlay(stored, patch, ITEM_FIELDS)
    return build_item(merged, stored["id"], stored["type"], currency, stored.get("archived") or False)


def merge_discount(stored: dict[str, Any], patch: dict[str, Any], currency: str) -> dict[str, Any]:
    merged = overlay(stored, patch, DISCOUNT_FIELDS)
    for group in DISCOUNT_ONE_OFS:
        chosen = next((key for key in group if patch.get(key) is not None), None)
        if chosen is not None:
            for key in group:
                merged.pop(key, None)
            merged[chosen] = patch[chosen]
    condition = dict(stored.get("condition") or {})
    coupon = condition.get("coupon")
    if isinstance(patch.get("condition"), dict):
        condition = overlay(condition, patch["condition"], CONDITION_FIELDS)
    merged["condition"] = condition
    return build_discount(merged, stored["id"], currency, coupon)
