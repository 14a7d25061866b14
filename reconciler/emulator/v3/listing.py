"""The four unpaged v3 lists (menus, sections, items, discounts): flags, ``fieldMask``, fast path.

Without a ``fieldMask`` a list is answered by joining the stored JSON bodies, with no parse and no
dump, which keeps List Items of 10,000 items far below 0.5 s. With a mask each body is parsed and
projected (``projection.py``); ``id`` is always kept, and an item's ``type`` too (the SDK declares
it present on every listed item). Internal-only filters the SDK does not expose (``fulfillmentTypes``,
``platforms``) are ignored.
"""

from __future__ import annotations

import json

from reconciler.emulator.projection import projector
from reconciler.emulator.routing import Call, Reply
from reconciler.emulator.store import Collection
from reconciler.emulator.wire import dumps_text

ALWAYS_KEPT = {"items": ("id", "type")}


def list_reply(call: Call, key: str, collection: Collection, include_archived: bool, limit: int | None = None) -> Reply:
    texts = collection.texts(include_archived=include_archived)
    return render(call, key, texts, limit)


def render(call: Call, key: str, texts: list[str], limit: int | None = None) -> Reply:
    if limit is not None:
        texts = texts[:limit]
    project = projector(call.params.field_mask(), ALWAYS_KEPT.get(key, ("id",)))
    if project is not None:
        texts = [dumps_text(project(json.loads(text))) for text in texts]
    return Reply(raw='{"' + key + '":[' + ",".join(texts) + "]}")
