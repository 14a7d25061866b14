"""Read a Toast menus document from the Menus API, and ask it whether the document changed.

The API has no paging: one call returns the whole document for the restaurant named by the
``Toast-Restaurant-External-ID`` header (``TOAST_RESTAURANT_GUID``).

:func:`probe` reads ``GET /menus/v2/metadata``; its ``lastUpdated`` is the watermark (reference
§2.3). When a webhook's ``publishedDate`` is newer than ``lastUpdated``, Toast is still rebuilding
the document: :class:`~reconciler.sources.errors.PosNotReady` makes the sync retry a little later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from reconciler.http import request_json
from reconciler.sources.base import ApiSettings, Hints, Probe
from reconciler.sources.errors import PosNotReady
from reconciler.sources.shape import request_object


def read_menus(client: httpx.Client, settings: ApiSettings) -> Any:
    return request_json(
        client,
        "GET",
        "/menus/v2/menus",
        operation="Toast GET /menus/v2/menus",
        secret=settings.token,
        sleep=settings.sleep,
    )


def _when(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def probe(
    client: httpx.Client, settings: ApiSettings, since: str | None, hints: Hints = (), full: bool = False
) -> Probe:
    meta = request_object(
        client,
        "GET",
        "/menus/v2/metadata",
        operation="Toast GET /menus/v2/metadata",
        secret=settings.token,
        sleep=settings.sleep,
    )
    last = meta.get("lastUpdated") if isinstance(meta.get("lastUpdated"), str) else None
    published = [w for w in (_when(h.get("published")) for h in hints if h.get("published")) if w is not None]
    built = _when(last)
    if published and built is not None and built.tzinfo and all(p.tzinfo for p in published) and built < max(published):
        raise PosNotReady(
            f"Toast published the menus at {max(published).isoformat()} but the menus document is "
            f"from {last}; it is still being rebuilt"
        )
    if since is None or last is None:
        return Probe(None, last, "first sync: no watermark yet" if since is None else "no lastUpdated in metadata")
    changed = last != since
    return Probe(changed, last, f"lastUpdated {last}" + ("" if changed else " (unchanged)"))
