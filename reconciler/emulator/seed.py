"""Seeding and emptying an emulator's state: business locations, each with its catalog (U28), and
the restaurant apps the site has.

Apps: ``v3`` (the legacy Catalogs v3 app: one catalog per seeded location) and ``menus`` (the
"Menus (New)" app, whose entities are site-wide). ``seed(app=...)`` installs ``v3``, ``menus`` or
``both``; installing is additive. The installed set lives in the ``site.apps`` setting; a state
without it (older files, a wiped or never-seeded store) counts as having only ``v3``. An API whose
app is missing answers 404 ``APP_NOT_INSTALLED`` (checked by the core).

Sites: :func:`seed` works on one site (the default one, or ``site=<id>`` of a seeded site);
:func:`seed_sites` creates new sites (``sites.py``), each with its token, its locations, apps,
currency and, like :func:`seed`, empty catalogs, the demo menus or generated menus of a chosen size
(``dishes=(min, max)``, ``synthetic.py``). Everything is written in one transaction.

Works directly on the store (SQLite), so it runs whether or not a server is serving the same state
file. Called by ``reconcile emulator seed`` / ``reset``, by ``POST /_emulator/seed`` and by tests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from reconciler.emulator import locations as locations_api
from reconciler.emulator import sites as sites_api
from reconciler.emulator import synthetic
from reconciler.emulator.menus import demo as menus_demo
from reconciler.emulator.store import LIVE, SITE, Store, Tx, site_container
from reconciler.emulator.v3 import admin as v3_admin
from reconciler.emulator.v3 import demo as demo_catalog
from reconciler.emulator.v3.repo import CatalogScope, catalogs

log = logging.getLogger(__name__)

CURRENCY_KEY = "site.currency"
DEFAULT_CURRENCY = "USD"
APPS_KEY = "site.apps"
V3_APP = "v3"
MENUS_APP = "menus"
APP_CHOICES = (V3_APP, MENUS_APP, "both")
LEGACY_APPS = frozenset({V3_APP})  # what a site without the setting has


def installed_apps(tx: Tx) -> frozenset[str]:
    value = tx.meta(APPS_KEY)
    if value is None:
        return LEGACY_APPS
    return frozenset(app for app in value.split(",") if app)


def install_apps(tx: Tx, apps: frozenset[str] | set[str]) -> frozenset[str]:
    """Add ``apps`` to the site's set. A site without the setting starts from ``v3`` only if it
    already has catalogs, so the first ``seed --app menus`` of an empty site installs only ``menus``."""
    if tx.meta(APPS_KEY) is None:
        current = LEGACY_APPS if catalogs(tx).count() else frozenset()
    else:
        current = installed_apps(tx)
    updated = frozenset(current | set(apps))
    tx.set_meta(APPS_KEY, ",".join(sorted(updated)))
    return updated


def _apps_for(app: str) -> frozenset[str]:
    if app not in APP_CHOICES:
        raise ValueError(f"app must be one of {', '.join(APP_CHOICES)}, got {app!r}")
    return frozenset({V3_APP, MENUS_APP}) if app == "both" else frozenset({app})


@dataclass(frozen=True)
class SeededLocation:
    location_id: str
    name: str
    catalog_id: str | None  # None when the site has no Catalogs v3 app
    dishes: int = 0  # generated dishes (seed ..., dishes=(min, max)); 0 otherwise


@dataclass(frozen=True)
class SeededSite:
    site_id: str
    name: str
    token: str  # the site's own token (the emulator's token works too, with wix-site-id)
    locations: list[SeededLocation]


def _check(locations: int, names: list[str], currency: str, dishes: tuple[int, int] | None) -> str:
    if locations < 0:
        raise ValueError("locations must be >= 0")
    if len(names) > locations:
        raise ValueError(f"{len(names)} names given for {locations} location(s)")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise ValueError(f"currency must be a 3-letter ISO 4217 code, got {currency!r}")
    if dishes is not None and not (1 <= dishes[0] <= dishes[1]):
        raise ValueError(f"dishes must be MIN-MAX with 1 <= MIN <= MAX, got {dishes[0]}-{dishes[1]}")
    return currency.upper()


def _fill_site(
    tx: Tx,
    apps: frozenset[str],
    locations: int,
    names: list[str],
    currency: str,
    demo: bool,
    dishes: tuple[int, int] | None,
    content_seed: int,
    site_index: int,
) -> list[SeededLocation]:
    """Locations (and their content) for the site ``tx`` is on."""
    tx.set_meta(CURRENCY_KEY, currency)
    install_apps(tx, apps)
    existing = locations_api.locations(tx).count()
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    seeded: list[SeededLocation] = []
    for index in range(locations):
        name = names[index] if index < len(names) else f"Location {existing + index + 1}"
        location = locations_api.create_location(tx, name, default=existing == 0 and index == 0)
        count = synthetic.dish_count(dishes, content_seed, site_index, index) if dishes else 0
        catalog_id = None
        if V3_APP in apps:
            catalog_id = v3_admin.create_catalog(tx, location["id"])["id"]
            scope = CatalogScope(tx, catalog_id, LIVE, currency)
            if demo:
                demo_catalog.populate(scope)
            if count:
                synthetic.populate_v3(scope, count)
        if MENUS_APP in apps:
            if demo:
                menus_demo.populate(tx, location["id"])
            if count:
                synthetic.populate_menus(tx, location["id"], count, created)
        seeded.append(SeededLocation(location["id"], name, catalog_id, count))
    return seeded


def seed(
    store: Store,
    locations: int,
    names: list[str] | None = None,
    currency: str = DEFAULT_CURRENCY,
    demo: bool = False,
    app: str = V3_APP,
    site: str | None = None,
    dishes: tuple[int, int] | None = None,
    content_seed: int = 0,
) -> list[SeededLocation]:
    """Create ``locations`` new business locations and install ``app`` (``v3``, ``menus``, ``both``).

    With ``v3`` each location gets a catalog (empty, or the demo one); with ``menus`` and ``demo`` each
    location gets a small demo menu of the Menus (New) API; with ``dishes=(min, max)`` each location
    gets a generated menu of that many dishes in every installed app (``synthetic.py``). ``names``
    name the locations in order (the rest are "Location N"); the first location of an empty site
    becomes the default one. ``currency`` becomes the site currency. ``site``: a seeded site's id
    (default: the default site); an unknown one is a ValueError.
    """
    apps = _apps_for(app)
    names = list(names or [])
    currency = _check(locations, names, currency, dishes)
    with store.write(site_container(site)) as tx:
        if site is not None and not sites_api.exists(tx, site):
            raise ValueError(f"no site {site!r} in this state")
        seeded = _fill_site(tx, apps, locations, names, currency, demo, dishes, content_seed, 0)
    log.info("seeded %d location(s) for %s%s", len(seeded), app, " with demo data" if demo else "")
    return seeded


def seed_sites(
    store: Store,
    sites: int,
    locations: int = 1,
    currency: str = DEFAULT_CURRENCY,
    demo: bool = False,
    app: str = V3_APP,
    dishes: tuple[int, int] | None = None,
    content_seed: int = 0,
    names: list[str] | None = None,
) -> list[SeededSite]:
    """Create ``sites`` new sites, each as :func:`seed` would fill a new site with ``locations``
    locations (``names`` name the sites). All in one transaction."""
    if sites < 1:
        raise ValueError("sites must be >= 1")
    apps = _apps_for(app)
    currency = _check(locations, [], currency, dishes)
    out: list[SeededSite] = []
    with store.write(SITE) as tx:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        for index, new in enumerate(sites_api.create_sites(tx, sites, names, stamp)):
            site_tx = tx.on_site(site_container(new.id))
            seeded = _fill_site(site_tx, apps, locations, [], currency, demo, dishes, content_seed, index)
            out.append(SeededSite(new.id, new.name, new.token, seeded))
    log.info("seeded %d site(s) of %d location(s) for %s", len(out), locations, app)
    return out


def site_currency(store: Store) -> str:
    with store.read() as tx:
        return tx.meta(CURRENCY_KEY) or DEFAULT_CURRENCY


def reset(store: Store) -> None:
    """Empty the state: no locations, catalogs or settings remain."""
    store.wipe()
    log.info("emulator state emptied")
