"""Clover webhooks: the auth-code check (reference §3.4), the set-up handshake, and the events.

Clover signs no body: every delivery carries the app's static auth code in ``X-Clover-Auth``.
When a webhook URL is registered, Clover first POSTs ``{"verificationCode": ...}`` with no auth
header; :func:`handshake` recognises it so serve can log the code for the developer dashboard.

One body lists events for several merchants. Inventory objects (item, category, modifier group,
modifier, item stock, item availability) can change a menu; the event id is ``objectId@ts``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.sources.base import Event, Handshake, Verdict, WebhookKey
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
    """The one-time ``{"verificationCode": ...}`` POST Clover sends when a webhook URL is set up."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and set(data) == {"verificationCode"} and isinstance(data["verificationCode"], str):
        return Handshake(data["verificationCode"], HANDSHAKE_MESSAGE)
    return None


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
            hint = {"object": object_id, "type": change}
            found.append(
                Event(
                    "clover", merchant, f"{object_id}@{entry.get('ts')}", f"{key}:{change}", key in INVENTORY_KEYS, hint
                )
            )
    return found
