"""Clover webhooks: the auth-code check (reference §3.4), the set-up handshake, and the events.

Clover signs no body: every delivery carries the app's static auth code in ``X-Clover-Auth``.
When a webhook URL is registered, Clover first POSTs ``{"verificationCode": ...}`` with no auth
header; :func:`handshake` recognises it so serve can log the code for the developer dashboard.

One body lists events for several merchants. Inventory objects (item, category, modifier group,
modifier, item stock, item availability) can change a menu; the event id is ``objectId@ts``.

Item stock (``IS:<item id>``) and item availability (``IA:<item id>``) events carry their data in
the payload (Clover's announced split of the ``I`` event). Where an entry states it (a stock count,
or ``available``, at the entry or in its ``data``), it becomes a :class:`StockSignal` in the hint:
count 0 or ``available: false`` is sold out at that merchant. The exact field names are not in a
public Clover sample [unverified]; an entry without them is an ordinary inventory event (re-import).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from reconciler import jsonio
from reconciler.sources.base import STOCK_HINT, Event, Handshake, StockSignal, Verdict, WebhookKey
from reconciler.sources.errors import WebhookInvalid
from reconciler.sources.webhooks import matches_any, required_text

HEADER = "x-clover-auth"
INVENTORY_KEYS = {"I", "IC", "IG", "IM", "IS", "IA"}
HANDSHAKE_MESSAGE = "paste this code into the Clover developer dashboard to finish the webhook set-up"


def verify(headers: Mapping[str, str], body: bytes, keys: Sequence[WebhookKey]) -> Verdict:
    given = headers.get(HEADER, "").strip()
    if not given:
        return Verdict(False, "missing X-Clover-Auth header")
    if matches_any((k.secret for k in keys), given):
        return Verdict(True)
    return Verdict(False, "auth code does not match")


def handshake(body: bytes) -> Handshake | None:
    """The one-time ``{"verificationCode": ...}`` POST Clover sends when a webhook URL is set up.

    The request is unauthenticated and its code is logged for the user to paste: only a small
    body holding one short code of letters, digits and dashes counts, so nobody can write
    arbitrary text (or megabytes) into the log.
    """
    if len(body) > 1024:
        return None
    try:
        data = jsonio.loads(body, max_depth=2)
    except ValueError:
        return None
    if isinstance(data, dict) and set(data) == {"verificationCode"} and isinstance(data["verificationCode"], str):
        code = data["verificationCode"]
        return Handshake(code, HANDSHAKE_MESSAGE) if _CODE.fullmatch(code) else None
    return None


_CODE = re.compile(r"[A-Za-z0-9_-]{1,100}")


def events(data: dict[str, Any], headers: Mapping[str, str]) -> list[Event]:
    merchants = data.get("merchants")
    if not isinstance(merchants, dict):
        raise WebhookInvalid("merchants is missing")
    found = []
    for merchant, entries in merchants.items():
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            object_id = required_text(entry.get("objectId"), "objectId")
            key = object_id.split(":", 1)[0]
            change = str(entry.get("type") or "")
            hint: dict[str, Any] = {"object": object_id, "type": change}
            signal = stock_signal(key, object_id, entry, merchant)
            if signal is not None:
                hint[STOCK_HINT] = [signal.hint()]
            found.append(
                Event(
                    "clover", merchant, f"{object_id}@{entry.get('ts')}", f"{key}:{change}", key in INVENTORY_KEYS, hint
                )
            )
    return found


STOCK_FIELDS = ("stockCount", "quantity", "count")


def stock_signal(key: str, object_id: str, entry: dict[str, Any], merchant: str) -> StockSignal | None:
    """What an ``IS``/``IA`` entry says about its item's stock, when it says it."""
    if key not in ("IS", "IA"):
        return None
    data = entry.get("data") if isinstance(entry.get("data"), dict) else entry
    item = object_id.split(":", 1)[1] if ":" in object_id else ""
    if not item:
        return None
    if key == "IA" and isinstance(data.get("available"), bool):
        available = data["available"]
        return StockSignal((item,), available, merchant, None, "" if available else "unavailable")
    for name in STOCK_FIELDS:
        value = data.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return StockSignal((item,), value > 0, merchant, None, "" if value > 0 else "stock 0")
    return None
