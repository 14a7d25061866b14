"""Draft catalogs: create, publish, discard (reference §3.2 #2-4, §5, U2-U6).

A draft is keyed by its live catalog's id (U2); at most one draft per catalog (409). It is
copy-on-write (``cow.py``): creating it writes only its header, bulk calls write only the rows they
change (ids kept, U6), and it reads as a snapshot of the live catalog at its creation. Publishing
replaces the live rows the draft changed with the draft's in the request's single transaction,
stamps ``draftPublishedDate`` and consumes the draft (U3); live edits made meanwhile are overwritten
(U4). Discounts are not part of the cycle (U7). Discard drops the draft's rows. Each costs what the
draft changed, not the size of the catalog.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reconciler.emulator import cow
from reconciler.emulator.errors import application_error
from reconciler.emulator.routing import Call
from reconciler.emulator.store import DRAFT
from reconciler.emulator.v3.repo import (
    API,
    CONTENT_KINDS,
    catalogs,
    check_guid,
    draft_exists,
    live_catalog,
    require_draft,
    require_unarchived,
)


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, as Wix writes timestamps: 2024-05-01T12:00:00.000Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def handle_create(call: Call) -> dict[str, Any]:
    catalog_id = call.path["catalogId"]
    check_guid(catalog_id, "catalogId")
    header = live_catalog(call.tx, catalog_id)
    require_unarchived(header)
    if draft_exists(call.tx, catalog_id):
        raise application_error(
            409, "DRAFT_CATALOG_ALREADY_EXISTS", f"catalog {catalog_id!r} already has a draft", {"id": catalog_id}
        )
    catalogs(call.tx, DRAFT).insert(catalog_id, header, parent=header.get("locationId"))
    return {"catalog": header}


def handle_publish(call: Call) -> dict[str, Any]:
    catalog_id = call.path["catalogId"]
    check_guid(catalog_id, "catalogId")
    header = require_draft(call.tx, catalog_id)
    require_unarchived(header)
    cow.publish(call.tx, API, catalog_id, CONTENT_KINDS)
    catalogs(call.tx, DRAFT).delete(catalog_id)
    header["draftPublishedDate"] = timestamp(call.site.now())
    catalogs(call.tx).update(catalog_id, header)
    return {"catalog": header}


def handle_discard(call: Call) -> dict[str, Any]:
    catalog_id = call.path["catalogId"]
    check_guid(catalog_id, "catalogId")
    header = require_draft(call.tx, catalog_id)
    require_unarchived(header)
    cow.discard(call.tx, API, catalog_id, CONTENT_KINDS)
    catalogs(call.tx, DRAFT).delete(catalog_id)
    return {}
