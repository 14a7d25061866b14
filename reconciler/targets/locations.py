"""The Wix business locations of a site, and the one a catalog targets (every Wix target needs this).

The Locations API is neither Catalogs v3 nor Menus (New): both targets list it the same way, here.
"""

from __future__ import annotations

from reconciler.canonical import JsonObject
from reconciler.errors import ConfigError
from reconciler.http import Session, listing

PAGE = 100


async def list_locations(session: Session) -> list[JsonObject]:
    """Every location of the site (archived ones included), following offset pages."""
    found: list[JsonObject] = []
    while True:
        page = await session.call(
            "listLocations",
            "GET",
            "/locations/v1/locations",
            params=[("paging.limit", str(PAGE)), ("paging.offset", str(len(found)))],
        )
        batch = listing(page, "locations", "listLocations")
        found.extend(batch)
        paging = page.get("pagingMetadata")
        meta: JsonObject = paging if isinstance(paging, dict) else {}
        if not batch or not meta.get("hasNext", len(batch) == PAGE):
            return found


def choose_location(locations: list[JsonObject], wanted: str | None) -> JsonObject:
    """The location named or identified by ``wanted``, or the only one; a clear error otherwise."""
    locations = [loc for loc in locations if not loc.get("archived")]
    if not locations:
        raise ConfigError("the Wix site has no business locations")
    if wanted:
        chosen = [loc for loc in locations if wanted in (loc.get("id"), loc.get("name"))]
        if not chosen:
            raise ConfigError(
                f'no business location is named or has the id "{wanted}"; the site has: '
                + ", ".join(f'"{loc.get("name")}" ({loc.get("id")})' for loc in locations)
            )
        return chosen[0]
    if len(locations) == 1:
        return locations[0]
    raise ConfigError(
        "the site has several business locations; choose one with --location (or `location:` in the "
        "catalog): " + ", ".join(f'"{loc.get("name")}"' for loc in locations)
    )


def zone_of(location: dict[str, object]) -> str:
    """The location's IANA time zone ("UTC" when Wix has none, or one this machine does not know)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone = str(location.get("timeZone") or "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return str(zone)
