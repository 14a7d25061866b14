"""A pull request to the chain of three locations (catalogs/chain.yaml), planned into the page of several locations.

The page is made by the same code `reconcile plan --format html --location all` runs
(reconciler.cli.site_page.Views, told of each location's plan by the engine); what each location's
diners should see comes from the oracle (tests/oracle/locations.py reads the file on its own).
"""

from __future__ import annotations

import asyncio

from reconciler.cli.site_page import Views
from reconciler.engine.locations import plan_locations
from reconciler.model.effective import select_locations
from tests.catalog_edits import dish, edited, section
from tests.engine.site_harness import SiteHarness
from tests.oracle import expected
from tests.oracle.locations import location_data

CHAIN = "catalogs/chain.yaml"
LOCATIONS = ["Downtown", "Airport", "Campus"]


def entry(data: dict, name: str) -> dict:
    return next(e for e in data["locations"] if e.get("name") == name)


def site_pull_request(data: dict) -> None:
    """A base price edit (every location), an override edit (one), a dish new at one, a dish removed."""
    dish(data, "carbonara")["price"] = "14.50"
    next(o for o in entry(data, "Airport")["dishes"] if o["id"] == "margherita")["price"] = "13.50"
    data["dishes"].append({"id": "focaccia", "name": "Focaccia", "price": "5.00", "only_at": ["Campus"]})
    section(data, "pasta")["dishes"].append("focaccia")
    data["dishes"] = [d for d in data["dishes"] if d["id"] != "prosecco"]
    section(data, "wine")["dishes"].remove("prosecco")


def board(data: dict, location: str, api: str) -> dict[str, tuple[str, int, dict]]:
    """dish name -> (section name, position, what a diner of ``location`` sees), by the oracle."""
    return {
        d["name"]: (s["name"], i, d)
        for menu in expected(location_data(data, location), api)
        for s in menu["sections"]
        for i, d in enumerate(s["dishes"])
    }


def site_page(h: SiteHarness, catalog, wanted: str = "all"):
    """(site plan, page), as the CLI makes them."""
    locations = select_locations(catalog, wanted)
    views = Views()
    site = asyncio.run(plan_locations(catalog, locations, h.opener, h.store, h.thresholds, seen=views.seen))
    return site, views.page(catalog, locations, site)


def applied_then_changed(tmp_path, api: str):
    """The chain applied at every location, then the pull request planned: (harness, before, after, plan, page)."""
    h = SiteHarness(tmp_path, api=api, names=LOCATIONS)
    before, before_data = edited(CHAIN, lambda data: None)
    result = h.apply(before)
    assert result.exit_code == 0, result.summary_line()
    after, after_data = edited(CHAIN, site_pull_request)
    site, page = site_page(h, after)
    return h, before_data, after_data, site, page
