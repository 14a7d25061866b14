"""Render what a diner can see from raw API data: the "menu board" of a location.

A board is plain data compared with ``==``: the location's menus (in no particular order: neither
API orders menus), each with its sections in display order, each with its dishes in display
order, each dish with what a diner reads and picks: name, description, price (or sizes), labels,
whether it can be ordered, its option groups with the name, price and pre-selection of every
choice. Hidden things stay on the board, marked ``visible: False``, so a wrong value on a hidden
dish is caught too. What an API cannot hold is not on its board (Menus (New) has no tax rates,
fulfilment or platform restrictions, opening hours, or menu images).

Only what a diner can reach is rendered: menus of the location that are not archived, the
sections they list, the dishes those list, the items their options offer. Everything else on the
site, however it got there, is invisible and absent.

Amounts are normalised Decimals written as text ("12.5" for "12.50"), empty texts are None.
"""

from __future__ import annotations

import json
from decimal import Decimal


def amount(value: object) -> str:
    """Canonical text of a decimal amount: "12.50", "12.5" and 12.5 are one amount."""
    return format(Decimal(str(value if value not in (None, "") else "0")).normalize(), "f")


def text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def menus_in_any_order(menus: list[dict]) -> list[dict]:
    return sorted(menus, key=canonical)


# -- Catalogs v3 ------------------------------------------------------------------------------


def _values(raw: dict | None, key: str) -> list:
    return list(((raw or {}).get(key) or {}).get("values") or [])


def v3_availability(criteria: dict | None) -> dict:
    criteria = criteria or {}
    availability = criteria.get("availability") or {}
    return {
        "visible": criteria.get("visible") is not False,
        "fulfillment": sorted(criteria.get("fulfillmentTypes") or ["DELIVERY", "PICKUP_OR_DINE_IN"]),
        "platforms": sorted(criteria.get("platforms") or ["CALL_CENTER", "CHAT_BOT", "MOBILE_SITE", "SITE", "WIX_APP"]),
        "hours": sorted(
            [p.get("openDay"), p.get("openTime"), p.get("closeDay"), p.get("closeTime")]
            for p in availability.get("periods") or []
        ),
        "special": sorted(
            [s.get("startDate"), s.get("endDate"), s.get("available") is not False, text(s.get("eventName"))]
            for s in availability.get("specialHourPeriods") or []
        ),
    }


def _v3_choice(choice: dict, items: dict[str, dict], preselected: bool) -> dict:
    item = items.get(choice.get("itemId"))
    return {
        "name": item.get("name") if item else f"<unreachable item {choice.get('itemId')}>",
        "in_stock": bool(item) and item.get("inStock") is not False,
        "price": amount((choice.get("price") or {}).get("value")),
        "preselected": preselected,
    }


def _v3_group(option: dict, items: dict[str, dict]) -> dict:
    kind = next((k for k in ("selection", "extras", "deselection") if option.get(k) is not None), "none")
    body = option.get(kind) or {}
    choices = body.get("availableChoices") or []
    if kind == "selection":
        low, high, chosen = 1, 1, {body.get("defaultChoice")}
    elif kind == "extras":
        top = body.get("maxChoices")
        low, high = body.get("minChoices") or 0, len(choices) if top is None else top
        chosen = set(body.get("defaultChoices") or [])
    else:
        low, high, chosen = 0, len(choices), {c.get("itemId") for c in choices}
    return {
        "name": option.get("name"),
        "kind": kind,
        "min": low,
        "max": high,
        "choices": [_v3_choice(c, items, c.get("itemId") in chosen) for c in choices],
    }


def _v3_dish(item: dict, items: dict[str, dict]) -> dict:
    return {
        "name": item.get("name"),
        "description": text(item.get("description")),
        "image": text(item.get("imageUrl")),
        "price": amount((item.get("price") or {}).get("value")),
        "tax_rate": amount(item.get("taxRate")),
        "labels": _values(item, "labels"),
        "in_stock": item.get("inStock") is not False,
        "special_requests": item.get("acceptSpecialRequest") is not False,
        **v3_availability(item.get("visibilityCriteria")),
        "options": [_v3_group(o, items) for o in _values(item, "dishOptions")],
    }


def v3_board(raw: dict[str, list[dict]]) -> list[dict]:
    """``raw``: the non-archived menus, sections and items of one catalog (wire.read_v3)."""
    sections = {s["id"]: s for s in raw["sections"] if not s.get("archived")}
    items = {i["id"]: i for i in raw["items"] if not i.get("archived")}
    board = []
    for menu in raw["menus"]:
        if menu.get("archived"):
            continue
        listed = [sections[s] for s in _values(menu, "sectionIds") if s in sections]
        board.append(
            {
                "name": menu.get("name"),
                "description": text(menu.get("description")),
                "image": text(menu.get("imageUrl")),
                **v3_availability(menu.get("visibilityCriteria")),
                "sections": [
                    {
                        "name": section.get("name"),
                        "description": text(section.get("description")),
                        "image": text(section.get("imageUrl")),
                        **v3_availability(section.get("visibilityCriteria")),
                        "dishes": [_v3_dish(items[d], items) for d in _values(section, "itemIds") if d in items],
                    }
                    for section in listed
                ],
            }
        )
    return menus_in_any_order(board)


# -- Menus (New) ------------------------------------------------------------------------------


def _menus_group(group: dict, modifiers: dict[str, dict]) -> dict:
    rule = group.get("rule") or {}
    listed = group.get("modifiers") or []
    top = rule.get("maxSelections")
    return {
        "name": group.get("name"),
        "required": bool(rule.get("required")),
        "min": rule.get("minSelections") or 0,
        "max": len(listed) if top is None else top,
        "choices": [
            {
                "name": (modifiers.get(m.get("id")) or {}).get("name", f"<unreachable modifier {m.get('id')}>"),
                "in_stock": m.get("id") in modifiers and modifiers[m["id"]].get("inStock") is not False,
                "price": amount((m.get("additionalChargeInfo") or {}).get("additionalCharge")),
                "preselected": bool(m.get("preSelected")),
            }
            for m in listed
        ],
    }


def _menus_dish(item: dict, site: dict[str, dict[str, dict]]) -> dict:
    settings = item.get("orderSettings") or {}
    variants = (item.get("priceVariants") or {}).get("variants")
    return {
        "name": item.get("name"),
        "description": text(item.get("description")),
        "image": text((item.get("image") or {}).get("url")),
        "visible": item.get("visible") is not False,
        "labels": [(site["labels"].get(label.get("id")) or {}).get("name") for label in item.get("labels") or []],
        "in_stock": settings.get("inStock") is not False,
        "special_requests": settings.get("acceptSpecialRequests") is not False,
        "price": None if item.get("priceVariants") else amount((item.get("priceInfo") or {}).get("price")),
        "sizes": None
        if not item.get("priceVariants")
        else [
            {
                "name": (site["variants"].get(v.get("variantId")) or {}).get("name"),
                "price": amount((v.get("priceInfo") or {}).get("price")),
            }
            for v in variants or []
        ],
        "options": [
            _menus_group(site["modifier_groups"][g["id"]], site["modifiers"])
            for g in item.get("modifierGroups") or []
            if g.get("id") in site["modifier_groups"]
        ],
    }


def menus_board(raw: dict[str, list[dict]], location: str) -> list[dict]:
    """``raw``: every entity of the site (wire.read_menus); the board of one location."""
    site = {service: {e["id"]: e for e in entities} for service, entities in raw.items()}
    board = []
    for menu in raw["menus"]:
        if menu.get("businessLocationId") != location:
            continue
        sections = [site["sections"][s] for s in menu.get("sectionIds") or [] if s in site["sections"]]
        board.append(
            {
                "name": menu.get("name"),
                "description": text(menu.get("description")),
                "visible": menu.get("visible") is not False,
                "sections": [
                    {
                        "name": section.get("name"),
                        "description": text(section.get("description")),
                        "image": text((section.get("image") or {}).get("url")),
                        "visible": section.get("visible") is not False,
                        "dishes": [
                            _menus_dish(site["items"][i], site)
                            for i in section.get("itemIds") or []
                            if i in site["items"]
                        ],
                    }
                    for section in sections
                ],
            }
        )
    return menus_in_any_order(board)
