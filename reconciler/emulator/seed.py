"""Seeding and emptying an emulator's state: business locations, each with its catalog (U28).

Works directly on the store (SQLite), so it runs whether or not a server is serving the same state
file. Called by ``reconcile emulator seed`` / ``reset``, by ``POST /_emulator/seed`` and by tests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from reconciler.emulator import locations as locations_api
from reconciler.emulator.store import LIVE, Store
from reconciler.emulator.v3 import admin as v3_admin
from reconciler.emulator.v3 import demo as demo_catalog
from reconciler.emulator.v3.repo import CatalogScope

log = logging.getLogger(__name__)

CURRENCY_KEY = "site.currency"
DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True)
class SeededLocation:
    location_id: str
    name: str
    catalog_id: str


def seed(
    store: Store, locations: int, names: list[str] | None = None, currency: str = DEFAULT_CURRENCY, demo: bool = False
) -> list[SeededLocation]:
    """Create ``locations`` new business locations, each with a catalog (empty, or the demo one).

    ``names`` name them in order (the rest are "Location N"); the first location of an empty site
    becomes the default one. ``currency`` becomes the site currency.
    """
    names = list(names or [])
    if locations < 0:
        raise ValueError("locations must be >= 0")
    if len(names) > locations:
        raise ValueError(f"{len(names)} names given for {locations} location(s)")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise ValueError(f"currency must be a 3-letter ISO 4217 code, got {currency!r}")
    currency = currency.upper()
    seeded: list[SeededLocation] = []
    with store.write() as tx:
        tx.set_meta(CURRENCY_KEY, currency)
        existing = locations_api.locations(tx).count()
        for index in range(locations):
            name = names[index] if index < len(names) else f"Location {existing + index + 1}"
            location = locations_api.create_location(tx, name, default=existing == 0 and index == 0)
            catalog = v3_admin.create_catalog(tx, location["id"])
            if demo:
                demo_catalog.populate(CatalogScope(tx, catalog["id"], LIVE, currency))
            seeded.append(SeededLocation(location["id"], name, catalog["id"]))
    log.info("seeded %d location(s)%s", len(seeded), " with demo catalogs" if demo else "")
    return seeded


def site_currency(store: Store) -> str:
    with store.read() as tx:
        return tx.meta(CURRENCY_KEY) or DEFAULT_CURRENCY


def reset(store: Store) -> None:
    """Empty the state: no locations, catalogs or settings remain."""
    store.wipe()
    log.info("emulator state emptied")
