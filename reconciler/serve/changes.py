"""Ask each POS, cheaply, *whether* its catalog changed since the last successful sync.

A webhook says little (Square's says nothing about what changed) and may be a duplicate of one
already synced, so before re-importing the whole catalog a sync asks the POS for changes after
the stored watermark:

* Square: ``SearchCatalogObjects`` with ``begin_time`` = the stored ``latest_time`` (exclusive) and
  ``include_deleted_objects``; the answer's ``latest_time`` is the next watermark (Square's clock,
  never ours, as Square advises).
* Toast: ``GET /menus/v2/metadata``; ``lastUpdated`` is the watermark. When a webhook's
  ``publishedDate`` is newer than ``lastUpdated``, Toast is still rebuilding the document:
  :class:`PosNotReady` makes the sync retry a little later.
* Clover: ``modifiedTime>=`` filters on items, modifier groups and item groups; the newest
  ``modifiedTime`` seen is the watermark. Categories may not support the filter and deletions are
  not listed, so a category event, a DELETE event, or a periodic run always re-imports.

The catalog YAML is a full desired state, so a change means a full re-import with the existing
importer; the probe only decides whether that is needed. ``changed=None`` means "cannot tell":
import. Called by :mod:`reconciler.serve.sync` with the sync's POS client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx

from reconciler.errors import PermanentApiError, ReconcileError
from reconciler.sources.base import ApiSettings
from reconciler.sources.http import request_json

SQUARE_TYPES = ["ITEM", "ITEM_VARIATION", "CATEGORY", "MODIFIER_LIST", "MODIFIER", "TAX", "IMAGE", "ITEM_OPTION"]
CLOVER_KINDS = ("items", "modifier_groups", "item_groups")
CLOVER_PAGE = 1000
CLOVER_MAX_PAGES = 100


class PosNotReady(ReconcileError):
    """The POS announced a change its API does not show yet; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float = 5.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Probe:
    changed: bool | None  # None: cannot tell (no watermark yet, or a kind of change we cannot see)
    watermark: str | None  # to store once the sync succeeded
    detail: str  # for the history and the log


def probe(
    pos: str,
    client: httpx.Client,
    settings: ApiSettings,
    since: str | None,
    hints: Sequence[dict] = (),
    full: bool = False,
) -> Probe:
    if pos == "square":
        return square(client, settings, since)
    if pos == "toast":
        return toast(client, settings, since, hints)
    return clover(client, settings, since, hints, full)


def _json(client: httpx.Client, settings: ApiSettings, method: str, path: str, operation: str, **kwargs) -> dict:
    answer = request_json(
        client, method, path, operation=operation, secret=settings.token, sleep=settings.sleep, **kwargs
    )
    if not isinstance(answer, dict):
        raise PermanentApiError(f"{operation} answered with something that is not an object", operation=operation)
    return answer


def square(client: httpx.Client, settings: ApiSettings, since: str | None) -> Probe:
    body: dict = {"object_types": SQUARE_TYPES, "include_deleted_objects": True, "limit": 1}
    if since:
        body["begin_time"] = since
    page = _json(client, settings, "POST", "/v2/catalog/search", "Square SearchCatalogObjects", body=body)
    latest = page.get("latest_time") if isinstance(page.get("latest_time"), str) else None
    if since is None:
        return Probe(None, latest, "first sync: no watermark yet")
    changed = bool(page.get("objects"))
    return Probe(changed, latest or since, f"{'objects changed' if changed else 'no change'} after {since}")


def _when(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def toast(client: httpx.Client, settings: ApiSettings, since: str | None, hints: Sequence[dict]) -> Probe:
    meta = _json(client, settings, "GET", "/menus/v2/metadata", "Toast GET /menus/v2/metadata")
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


def clover(client: httpx.Client, settings: ApiSettings, since: str | None, hints: Sequence[dict], full: bool) -> Probe:
    base = f"/v3/merchants/{settings.account}"
    newest = int(since) if since and since.isdigit() else None
    seen = 0
    for kind in CLOVER_KINDS:
        for number in range(CLOVER_MAX_PAGES):
            params: list[tuple[str, str | int]] = [("limit", CLOVER_PAGE), ("offset", number * CLOVER_PAGE)]
            if since:
                params.append(("filter", f"modifiedTime>={int(since) + 1}"))
            elements = (
                _json(client, settings, "GET", f"{base}/{kind}", f"Clover GET /{kind}", params=params).get("elements")
                or []
            )
            for element in elements:
                stamp = element.get("modifiedTime") if isinstance(element, dict) else None
                if isinstance(stamp, int):
                    newest = stamp if newest is None else max(newest, stamp)
            seen += len(elements)
            if len(elements) < CLOVER_PAGE:
                break
    watermark = str(newest) if newest is not None else since
    unseen = [h["object"] for h in hints if str(h.get("object", "")).startswith("IC:") or h.get("type") == "DELETE"]
    if since is None:
        return Probe(None, watermark, "first sync: no watermark yet")
    if full or unseen:
        why = "periodic full re-import" if full else f"category or deletion events ({', '.join(unseen[:3])})"
        return Probe(None, watermark, why)
    return Probe(seen > 0, watermark, f"{seen} object(s) modified after {since}")
