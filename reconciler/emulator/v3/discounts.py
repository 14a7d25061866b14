"""Discounts: create, get, update and list, on the live catalog only (U7: publish and discard leave
them alone).

A discount takes one of ``amount`` / ``percentage`` and targets the whole catalog, some sections or
some dishes (at most one of ``sectionIds`` / ``itemIds``, U21). Its platforms use the narrower
discount enum. ``coupon`` is read-only and appears only when seeded (U20). List Discounts returns
active discounts unless ``active=false`` (then all, U9), at most 1000.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from reconciler.emulator.errors import not_found
from reconciler.emulator.routing import Call, Reply
from reconciler.emulator.v3 import enums, rules, shapes
from reconciler.emulator.v3.listing import render
from reconciler.emulator.v3.repo import CatalogScope, check_guid
from reconciler.emulator.v3.scopes import live_scope, mutable_live_scope
from reconciler.emulator.v3.validate import Checker, required_message


def find(scope: CatalogScope, discount_id: str | None) -> dict[str, Any]:
    discount = scope.discounts().get(discount_id) if discount_id else None
    if discount is None:
        raise not_found("DISCOUNT_NOT_FOUND", "discount", discount_id)
    return discount


def create(scope: CatalogScope, raw: dict[str, Any], coupon: dict[str, Any] | None = None) -> dict[str, Any]:
    discount = shapes.build_discount(raw, str(uuid.uuid4()), scope.currency, coupon)
    rules.check_discount_targets(discount, scope)
    scope.discounts().insert(discount["id"], discount)
    return discount


def update(scope: CatalogScope, discount_id: str | None, patch: dict[str, Any]) -> dict[str, Any]:
    stored = find(scope, discount_id)
    # Like an item's price, a discount keeps the currency it was created with.
    currency = ((stored.get("condition") or {}).get("minOrderPrice") or {}).get("currency") or scope.currency
    discount = shapes.merge_discount(stored, patch, currency)
    rules.check_discount_targets(discount, scope)
    scope.discounts().update(discount["id"], discount)
    return discount


def handle_create(call: Call) -> dict[str, Any]:
    checker = Checker()
    required_message(call.body, "discount", checker)
    checker.discount(call.body.get("discount"), "discount", creating=True)
    checker.raise_if_any()
    scope = mutable_live_scope(call)
    return {"discount": create(scope, call.body["discount"])}


def handle_get(call: Call) -> dict[str, Any]:
    check_guid(call.path["discountId"], "discountId")
    scope = live_scope(call)
    return {"discount": find(scope, call.path["discountId"])}


def handle_update(call: Call) -> dict[str, Any]:
    checker = Checker()
    required_message(call.body, "discount", checker)
    checker.discount(call.body.get("discount"), "discount", creating=False)
    checker.raise_if_any()
    scope = mutable_live_scope(call)
    return {"discount": update(scope, call.path["discountId"], call.body["discount"])}


def handle_list(call: Call) -> Reply:
    only_active = call.params.bool("active", True)
    scope = live_scope(call)
    texts = scope.discounts().texts()
    if only_active:
        texts = [text for text in texts if json.loads(text).get("active")]
    return render(call, "discounts", texts, limit=enums.DISCOUNTS_MAX)
