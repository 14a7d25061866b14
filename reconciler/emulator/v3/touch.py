"""The ``touch`` fault's hook for Catalogs v3: a concurrent edit of one live menu, section or item.

``{"fault": "touch", "entity": {"service": "v3.items", "id": "<id>"}, "set": {"name": "..."}}``:
just before the matching call runs, the ``set`` fields (top-level, no rules applied) are written
onto the live entity in a transaction of its own, as if someone had saved it in the dashboard
while a draft was open. v3 entities carry no revision. Services: ``v3.menus``, ``v3.sections``,
``v3.items`` (prefixed: Menus (New) touches ``menus``, ``sections``, ``items``). A missing entity
raises 404 (the core answers the call with 500 ``TOUCH_FAILED`` and does not run it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reconciler.emulator.errors import not_found
from reconciler.emulator.store import LIVE, Tx
from reconciler.emulator.v3.repo import API, catalogs

KINDS = {"v3.menus": "menu", "v3.sections": "section", "v3.items": "item"}
SERVICES = tuple(KINDS)


def touch(tx: Tx, service: str, ident: str, changes: dict[str, Any], now: datetime) -> None:
    kind = KINDS[service]
    for header in catalogs(tx).all():
        entities = tx.collection(API, LIVE, header["id"], kind)
        stored = entities.get(ident)
        if stored is not None:
            entities.update(ident, {**stored, **changes})
            return
    raise not_found(f"{kind.upper()}_NOT_FOUND", kind, ident)
