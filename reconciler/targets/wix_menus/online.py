"""The Online Orders endpoints Menus (New) plans use (ordering.py), and reading them.

Apart from the projection of a catalog onto them (ordering.py), so that reading the live side
imports nothing of the catalog's model: the plan memo's answer reads it without planning.
"""

from __future__ import annotations

import asyncio

from reconciler.canonical import JsonObject
from reconciler.http import Session

SETTINGS = "/menu-ordering-settings/v1"
EXCEPTIONS = "/restaurants-availability-exceptions/v1"
UPSERT = "menuOrderingSettings.upsertMenuOrderingSettingsByMenuId"
CALLS = frozenset(
    {
        UPSERT,
        "availabilityExceptions.createAvailabilityException",
        "availabilityExceptions.updateAvailabilityException",
        "availabilityExceptions.deleteAvailabilityException",
    }
)


async def fetch(session: Session) -> tuple[list[JsonObject], list[JsonObject]]:
    """Every menu's settings and every availability exception of the site, both asked for at once
    (one round trip instead of two); a failure is the settings' first, as when they were read in turn."""
    settings, exceptions = await asyncio.gather(
        _query(
            session,
            "menuOrderingSettings.queryMenuOrderingSettings",
            f"{SETTINGS}/menu-ordering-settings/query",
            "menuOrderingSettings",
        ),
        _query(
            session,
            "availabilityExceptions.queryAvailabilityExceptions",
            f"{EXCEPTIONS}/availability-exceptions/query",
            "availabilityExceptions",
        ),
        return_exceptions=True,
    )
    for outcome in (settings, exceptions):
        if isinstance(outcome, BaseException):
            raise outcome
    assert not isinstance(settings, BaseException) and not isinstance(exceptions, BaseException)
    return settings, exceptions


async def _query(session: Session, operation: str, path: str, key: str) -> list[JsonObject]:
    found: list[JsonObject] = []
    paging: JsonObject = {"limit": 100}
    while True:
        page = await session.call(operation, "POST", path, json_body={"query": {"cursorPaging": paging}})
        found.extend(page.get(key) or [])
        cursor = ((page.get("pagingMetadata") or {}).get("cursors") or {}).get("next")
        if not cursor or not page.get(key):
            return found
        paging = {"limit": 100, "cursor": cursor}
