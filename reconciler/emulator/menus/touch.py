"""The ``touch`` fault's hook: a concurrent edit of one Menus (New) entity, for concurrency tests.

``{"fault": "touch", "entity": {"service": "items", "id": "<id>"}, "set": {"name": "..."}}``: just
before the matching call runs, the entity's revision goes up by 1, its ``updatedDate`` changes and
the ``set`` fields (top-level, read-only ones ignored, no rules applied) are written, in a
transaction of its own, as if another client had saved it. Services: menus, sections, items,
variants, labels, modifiers, modifierGroups. A missing entity raises 404 (the core answers the call
with 500 ``TOUCH_FAILED`` and does not run it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reconciler.emulator.menus import entities
from reconciler.emulator.menus.services import BY_NAME
from reconciler.emulator.store import Tx

SERVICES = tuple(BY_NAME)


def touch(tx: Tx, service: str, ident: str, changes: dict[str, Any], now: datetime) -> None:
    ctx = entities.Ctx(tx, now)
    entities.touch(ctx, BY_NAME[service], ident, changes)
    ctx.finish()
