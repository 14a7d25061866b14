"""Where Catalogs v3 data lives in the store, and the lookups every v3 handler starts with.

Rows (see ``store.py``), all with ``api = 'catalogs-v3'``:

- catalog headers: the site's container (``Tx.site``), kind 'catalog', scope 'live', ``parent`` = location id;
- a draft's existence: the same header copied to scope 'draft' (one per catalog, keyed by the live
  catalog id, U2);
- menus, sections, items: container = catalog id, scope 'live' or 'draft'; a section's ``parent`` is
  its menu, an item's ``subtype`` is DISH or VARIATION. The draft scope is copy-on-write
  (``cow.py``): it holds only what the draft changed, and the draft is read through the live rows;
  while a draft exists, live writes keep the draft's snapshot;
- discounts: container = catalog id, scope 'live' only (U7).
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.cow import DraftView, GuardedLive
from reconciler.emulator.errors import FORMAT, archived, not_found, violation
from reconciler.emulator.store import DRAFT, LIVE, Collection, Tx
from reconciler.emulator.wire import is_guid

API = "catalogs-v3"
CONTENT_KINDS = ("menu", "section", "item")  # what a draft copies and publish replaces


class CatalogScope:
    """The menus, sections and items of one catalog in one scope (live or draft)."""

    def __init__(self, tx: Tx, catalog_id: str, scope: str, currency: str):
        self.tx = tx
        self.catalog_id = catalog_id
        self.scope = scope
        self.currency = currency
        self.menus = content(tx, catalog_id, scope, "menu")
        self.sections = content(tx, catalog_id, scope, "section")
        self.items = content(tx, catalog_id, scope, "item")

    def forget(self) -> None:
        """After a bulk element was rolled back: what the draft views remember of their rows may be undone."""
        for view in (self.menus, self.sections, self.items):
            if isinstance(view, DraftView):
                view.forget()

    @property
    def is_draft(self) -> bool:
        return self.scope == DRAFT

    def discounts(self) -> Collection:
        return self.tx.collection(API, LIVE, self.catalog_id, "discount")


def content(tx: Tx, catalog_id: str, scope: str, kind: str) -> Collection:
    """A catalog's menus, sections or items in one scope: the draft through the live rows, the live
    rows guarded while a draft exists (copy-on-write drafts, ``cow.py``)."""
    if scope == DRAFT:
        return DraftView(tx, API, catalog_id, kind)
    if draft_exists(tx, catalog_id):
        return GuardedLive(tx, API, catalog_id, kind)
    return tx.collection(API, LIVE, catalog_id, kind)


def catalogs(tx: Tx, scope: str = LIVE) -> Collection:
    return tx.collection(API, scope, tx.site, "catalog")


def check_guid(value: str, field: str) -> None:
    if not is_guid(value):
        raise violation(field, f"{value!r} is not a GUID", FORMAT)


def live_catalog(tx: Tx, catalog_id: str) -> dict[str, Any]:
    header = catalogs(tx).get(catalog_id)
    if header is None:
        raise not_found("CATALOG_NOT_FOUND", "catalog", catalog_id)
    return header


def require_unarchived(header: dict[str, Any]) -> None:
    if header.get("archived"):
        raise archived("CATALOG_ARCHIVED", "catalog", header["id"])


def draft_exists(tx: Tx, catalog_id: str) -> bool:
    return catalogs(tx, DRAFT).get_text(catalog_id) is not None


def require_draft(tx: Tx, catalog_id: str) -> dict[str, Any]:
    """Bulk, publish and discard work only on an existing draft."""
    header = catalogs(tx).get(catalog_id)
    if header is None or not draft_exists(tx, catalog_id):
        raise not_found("DRAFT_CATALOG_NOT_FOUND", "draft catalog for", catalog_id)
    return header
