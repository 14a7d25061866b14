"""Square webhooks: the signature check (reference §1.4) and the events of a verified body.

``x-square-hmacsha256-signature`` = base64(HMAC-SHA256(signature key, notification URL + raw body)).
The URL is the one registered with Square (``SQUARE_WEBHOOK_URL``), never rebuilt from the
request: behind a proxy the two differ. The older ``x-square-signature`` (SHA-1) is ignored.

Only ``catalog.version.updated`` can change a menu; its payload says nothing about *what* changed
(the probe asks the API). ``inventory.count.updated`` states stock: each ``IN_STOCK`` count of a
variation at a location becomes a :class:`StockSignal` (quantity 0 or less: sold out there; more:
back in stock), carried in the event's hint. The event id is Square's ``event_id``; the account is
``merchant_id``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from reconciler.sources.base import STOCK_HINT, Event, StockSignal, Verdict, WebhookKey
from reconciler.sources.webhooks import hmac_base64, matches_any, required_text

HEADER = "x-square-hmacsha256-signature"
CATALOG_EVENTS = {"catalog.version.updated"}
INVENTORY_EVENTS = {"inventory.count.updated"}


def signature(key: str, notification_url: str, body: bytes) -> str:
    return hmac_base64(key, notification_url.encode("utf-8") + body)


def verify(headers: Mapping[str, str], body: bytes, keys: Sequence[WebhookKey]) -> Verdict:
    given = headers.get(HEADER, "").strip()
    if not given:
        return Verdict(False, f"missing {HEADER} header")
    if matches_any((signature(k.secret, k.url, body) for k in keys), given):
        return Verdict(True)
    return Verdict(False, "signature does not match")


def events(data: dict[str, Any], headers: Mapping[str, str]) -> list[Event]:
    kind = required_text(data.get("type"), "type")
    hint = {}
    updated = ((data.get("data") or {}).get("object") or {}).get("catalog_version", {})
    if isinstance(updated, dict) and isinstance(updated.get("updated_at"), str):
        hint["updated_at"] = updated["updated_at"]
    event_id = required_text(data.get("event_id"), "event_id")
    if kind in INVENTORY_EVENTS:
        signals = stock_signals(data)
        hint = {STOCK_HINT: [s.hint() for s in signals]}
        return [Event("square", data.get("merchant_id") or None, event_id, kind, bool(signals), hint)]
    return [Event("square", data.get("merchant_id") or None, event_id, kind, kind in CATALOG_EVENTS, hint)]


def stock_signals(data: dict[str, Any]) -> list[StockSignal]:
    """The counts of an ``inventory.count.updated`` body: ``data.object.inventory_counts[]``."""
    counts = ((data.get("data") or {}).get("object") or {}).get("inventory_counts") or []
    found = []
    for count in counts if isinstance(counts, list) else []:
        if not isinstance(count, dict) or count.get("state") != "IN_STOCK" or not count.get("catalog_object_id"):
            continue  # only what can be sold counts; WASTE, SOLD, … are movements
        try:
            quantity = Decimal(str(count.get("quantity", "0")))
        except InvalidOperation:
            continue
        found.append(
            StockSignal(
                (str(count["catalog_object_id"]),),
                quantity > 0,
                count.get("location_id") or None,
                None,
                "sold out (inventory 0)" if quantity <= 0 else "",
            )
        )
    return found
