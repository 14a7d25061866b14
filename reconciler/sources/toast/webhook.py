"""Toast webhooks: the signature check (reference §2.4) and the events of a verified body.

``Toast-Signature`` = base64(HMAC-SHA256(secret, raw body + timestamp)). Toast does not say which
timestamp; we try the envelope's own ``timestamp`` field first, then a ``Toast-Timestamp`` header,
then the body alone, and report which form matched (``Verdict.variant``) so it can be confirmed.

The ``stock`` category (``in_stock``, ``out_of_stock``, ``low_quantity``; ``details``: ``itemGuid``,
``multiLocationId``, ``restaurantGuid``, ``status`` IN_STOCK | OUT_OF_STOCK | QUANTITY, ``quantity``)
states one item's (or modifier item reference's) stock: a :class:`StockSignal` in the event's hint.
Only the ``menus`` category can change a menu; ``details.publishedDate`` is passed on as a hint so
the probe can tell when the menus document is still being rebuilt. The event id is Toast's
``guid``; the account is the restaurant GUID (``details.restaurantGuid`` or the
``Toast-Restaurant-External-ID`` header).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler import jsonio
from reconciler.sources.base import STOCK_HINT, Event, StockSignal, Verdict, WebhookKey
from reconciler.sources.webhooks import hmac_base64, required_text, same

HEADER = "toast-signature"
TIMESTAMP_HEADER = "toast-timestamp"
MENU_CATEGORIES = {"menus"}
STOCK_CATEGORY = "stock"


def signature(secret: str, message: bytes) -> str:
    return hmac_base64(secret, message)


def messages(headers: Mapping[str, str], body: bytes) -> list[tuple[str, bytes]]:
    """The message forms to try, most likely first: body + envelope timestamp, + header, body alone."""
    forms: list[tuple[str, bytes]] = []
    try:
        stamp = jsonio.loads(body).get("timestamp")  # before the signature check: bounded depth
    except (ValueError, AttributeError):
        stamp = None
    if isinstance(stamp, str) and stamp:
        forms.append(("body+timestamp", body + stamp.encode("utf-8")))
    header = headers.get(TIMESTAMP_HEADER, "")
    if header:
        forms.append(("body+toast-timestamp-header", body + header.encode("utf-8")))
    forms.append(("body", body))
    return forms


def verify(headers: Mapping[str, str], body: bytes, keys: Sequence[WebhookKey]) -> Verdict:
    given = headers.get(HEADER, "").strip()
    if not given:
        return Verdict(False, "missing Toast-Signature header")
    forms = messages(headers, body)
    found = ""
    for key in keys:  # every key and form is tried: the same work whichever matches
        for variant, message in forms:
            if same(signature(key.secret, message), given) and not found:
                found = variant
    return Verdict(True, variant=found) if found else Verdict(False, "signature does not match")


def events(data: dict[str, Any], headers: Mapping[str, str]) -> list[Event]:
    category = required_text(data.get("eventCategory"), "eventCategory")
    details: dict[str, Any] = data["details"] if isinstance(data.get("details"), dict) else {}
    account = details.get("restaurantGuid") or headers.get("toast-restaurant-external-id") or None
    hint = {"published": details["publishedDate"]} if isinstance(details.get("publishedDate"), str) else {}
    event_id = required_text(data.get("guid"), "guid")
    kind = f"{category}:{data.get('eventType') or ''}"
    if category == STOCK_CATEGORY:
        signal = stock_signal(details, account)
        hint = {STOCK_HINT: [signal.hint()]} if signal else {}
        return [Event("toast", account, event_id, kind, signal is not None, hint)]
    return [Event("toast", account, event_id, kind, category in MENU_CATEGORIES, hint)]


def stock_signal(entry: dict[str, Any], restaurant: str | None) -> StockSignal | None:
    """One stock record (a webhook's ``details``, or an entry of the stock API's ``/inventory``)."""
    ids = tuple(str(entry[k]) for k in ("itemGuid", "guid", "multiLocationId") if entry.get(k))
    status = entry.get("status")
    if not ids or status not in ("IN_STOCK", "OUT_OF_STOCK", "QUANTITY"):
        return None
    quantity = entry.get("quantity")
    if status == "QUANTITY":
        available = isinstance(quantity, int | float) and quantity > 0
        reason = "" if available else "quantity 0"
    else:
        available, reason = status == "IN_STOCK", "" if status == "IN_STOCK" else "out of stock"
    return StockSignal(ids, available, entry.get("restaurantGuid") or restaurant, None, reason)
