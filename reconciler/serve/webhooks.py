"""Turn a verified webhook body into events: who it is about, its id, and whether it can change a menu.

Called by :mod:`reconciler.serve.app` after the signature check. Pure. The payload is only a hint
(Clover's is protected by a static secret only, and Square's says nothing about *what* changed):
a sync always reads the POS API again.

Event ids, used to drop duplicates: Square ``event_id``, Toast ``guid``, Clover ``objectId@ts``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.errors import ReconcileError

SQUARE_CATALOG_EVENTS = {"catalog.version.updated"}
TOAST_MENU_CATEGORIES = {"menus"}
# item, category, modifier group, modifier, item stock, item availability
CLOVER_INVENTORY_KEYS = {"I", "IC", "IG", "IM", "IS", "IA"}


class WebhookInvalid(ReconcileError):
    """A verified body that is not a webhook we understand (answered with 400)."""


@dataclass(frozen=True)
class Event:
    pos: str
    account: str | None  # Square merchant_id, Toast restaurant GUID, Clover merchant id
    event_id: str
    kind: str  # "catalog.version.updated", "menus:menus_updated", "I:UPDATE", ...
    relevant: bool  # can it change the menu? Others are acknowledged and ignored.
    hint: dict = field(default_factory=dict)  # small, non-secret facts a sync may use


def parse(pos: str, body: bytes, headers: Mapping[str, str] | None = None) -> list[Event]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise WebhookInvalid(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise WebhookInvalid("the body is not a JSON object")
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    return {"square": _square, "toast": _toast, "clover": _clover}[pos](data, headers)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise WebhookInvalid(f"{what} is missing")
    return value


def _square(data: dict, headers: dict) -> list[Event]:
    kind = _text(data.get("type"), "type")
    hint = {}
    updated = ((data.get("data") or {}).get("object") or {}).get("catalog_version", {})
    if isinstance(updated, dict) and isinstance(updated.get("updated_at"), str):
        hint["updated_at"] = updated["updated_at"]
    return [
        Event(
            "square",
            data.get("merchant_id") or None,
            _text(data.get("event_id"), "event_id"),
            kind,
            kind in SQUARE_CATALOG_EVENTS,
            hint,
        )
    ]


def _toast(data: dict, headers: dict) -> list[Event]:
    category = _text(data.get("eventCategory"), "eventCategory")
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    account = details.get("restaurantGuid") or headers.get("toast-restaurant-external-id") or None
    hint = {"published": details["publishedDate"]} if isinstance(details.get("publishedDate"), str) else {}
    return [
        Event(
            "toast",
            account,
            _text(data.get("guid"), "guid"),
            f"{category}:{data.get('eventType') or ''}",
            category in TOAST_MENU_CATEGORIES,
            hint,
        )
    ]


def _clover(data: dict, headers: dict) -> list[Event]:
    merchants = data.get("merchants")
    if not isinstance(merchants, dict):
        raise WebhookInvalid("merchants is missing")
    events = []
    for merchant, entries in merchants.items():
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            object_id = _text(entry.get("objectId"), "objectId")
            stamp = entry.get("ts")
            key = object_id.split(":", 1)[0]
            change = str(entry.get("type") or "")
            events.append(
                Event(
                    "clover",
                    merchant,
                    f"{object_id}@{stamp}",
                    f"{key}:{change}",
                    key in CLOVER_INVENTORY_KEYS,
                    {"object": object_id, "type": change},
                )
            )
    return events
