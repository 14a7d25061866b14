"""A location that fails on Menus (New) never touches what another location owns.

Menus (New) has no idempotency key, so after a create whose answer was lost, the run looks for what
that create may have made among the entities it did not know at plan time. Locations apply in
parallel, so those include entities another location created meanwhile, with the same names and
the same content (a chain's dishes are the same everywhere). Taking them would delete a working
location's menu while the failed one reports "the live site is as it was".
"""

from __future__ import annotations

import pytest

from reconciler.engine.locations import LocationOutcome
from tests.catalog_edits import edited
from tests.engine.site_harness import SiteHarness
from tests.oracle import wire
from tests.support.faults import PERSISTENT, rule

CHAIN = "catalogs/chain.yaml"
NAMES = ["Downtown", "Airport", "Campus"]
CREATES = [
    "variants.bulkCreateVariants",
    "labels.createLabel",
    "modifiers.bulkCreateModifiers",
    "modifierGroups.bulkCreateModifierGroups",
    "items.bulkCreateItems",
    "sections.bulkCreateSections",
    "menus.bulkCreateMenus",
]


def own(h: SiteHarness, location: str) -> dict:
    """The entities a location's menus reach, as the API returns them: those whose (derived, read-only)
    business locations name it. Labels are site-wide; the board checks the ones its dishes show."""
    with h.wire() as client:
        place = wire.location_id(client, location)
    found = h.snapshot(location)
    found.pop("labels", None)
    return {
        service: [e for e in entities if place in (e.get("businessLocationIds") or [e.get("businessLocationId")])]
        for service, entities in found.items()
    }


@pytest.mark.parametrize("call", CREATES)
def test_a_lost_create_at_one_location_leaves_a_location_applied_meanwhile_as_it_is(call, tmp_path):
    catalog, data = edited(CHAIN, lambda d: None)
    h = SiteHarness(tmp_path, api="menus", names=NAMES)
    airport = h.plan(catalog, "Airport")  # Airport plans first ...
    assert (
        h.apply(h.plan(catalog, "Downtown")).results[0].outcome == LocationOutcome.APPLIED
    )  # ... Downtown lands meanwhile
    downtown = own(h, "Downtown")
    h.set_faults([rule(call, "500", nth=1, lost=True, times=PERSISTENT)])
    h.apply(airport, attempts=2)  # recovered (the lost create's entities found again) or undone
    h.clear_faults()
    assert own(h, "Downtown") == downtown, f"Downtown changed when Airport's {call} answer was lost"
    assert h.board("Downtown") == h.expected(data, "Downtown")
    again = h.apply(h.plan(catalog, "Airport"))  # and Airport converges on a clean re-run (if not already)
    assert again.results[0].outcome in (LocationOutcome.APPLIED, LocationOutcome.UNCHANGED)
    assert h.board("Airport") == h.expected(data, "Airport")
    assert own(h, "Downtown") == downtown
