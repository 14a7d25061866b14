"""Choosing the Wix business location a catalog targets (every Wix target needs this)."""

from __future__ import annotations

from reconciler.errors import ConfigError


def choose_location(locations: list[dict], wanted: str | None) -> dict:
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
