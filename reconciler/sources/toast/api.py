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

from reconciler.errors import PermanentApiError
from reconciler.http import request_json
from reconciler.sources.base import ApiSettings, Hints, Probe, StockSignal
from reconciler.sources.errors import PosNotReady
from reconciler.sources.shape import request_object
from reconciler.sources.toast.webhook import stock_signal


def read_menus(client: httpx.Client, settings: ApiSettings) -> Any:
    return request_json(
        client,
        "GET",
        "/menus/v2/menus",
        operation="Toast GET /menus/v2/menus",
        secret=settings.token,
        sleep=settings.sleep,
    )


def read_stock(client: httpx.Client, settings: ApiSettings) -> list[StockSignal]:
    """What the stock API says is sold out now (``GET /stock/v1/inventory``, reference §2.2).

    The endpoint lists only menu items at risk, OUT_OF_STOCK or QUANTITY; IN_STOCK items are left
    out, so an item not listed is in stock. QUANTITY with a quantity of 0 (or less) is sold out;
    with some left it is orderable. Modifiers appear through their menu item reference.
    """
    found = request_json(
        client,
        "GET",
        "/stock/v1/inventory",
        operation="Toast GET /stock/v1/inventory",
        secret=settings.token,
        sleep=settings.sleep,
    )
    if not isinstance(found, list):
        raise PermanentApiError(
            message="Toast's stock API answered something other than a list of MenuItemInventory",
            operation="Toast GET /stock/v1/inventory",
        )
    signals = [stock_signal(entry, settings.account) for entry in found if isinstance(entry, dict)]
    return [s for s in signals if s is not None and not s.available]


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
