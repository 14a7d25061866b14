"""serve with a shared Menus (New) site (`menus_new: {share: true}`): one plan of the site per sync.

A fake Square merchant of four locations, the real importer and engine, and a real emulator server
on 127.0.0.1 holding a Menus (New) site with the same four locations. The writes are the
emulator's counters.
"""

from __future__ import annotations

import pytest

from tests.serve.test_sync import TOKEN, Rig
from tests.serve.test_sync_locations import PLACES, SODA, merchant
from tests.support.emulator_server import EmulatorServer
from tests.support.fake_pos import FakePos

pytestmark = pytest.mark.e2e
READS = ("list", "get", "query", "search", "count")
SHARED = "shared: " + ", ".join(name for _, name in PLACES)


@pytest.fixture
def chain(tmp_path, server: EmulatorServer):
    server.seed(locations=len(PLACES), names=[name for _, name in PLACES], app="menus")
    environ = {
        "SQUARE_ACCESS_TOKEN": TOKEN,
        "WIX_API_BASE_URL": server.url,
        "WIX_ACCESS_TOKEN": server.token,
    }
    fake = FakePos("square", merchant(), token=TOKEN)
    with fake.running() as url:
        environ["SQUARE_API_BASE_URL"] = url
        # The merge deletes the isolated copies (3 of every 4 items): more than the safety threshold.
        yield Rig(tmp_path, "square", url, fake, environ=environ, target="wix-menus", unsafe="apply"), server


def writes(server: EmulatorServer) -> dict[str, int]:
    return {op: n for op, n in server.counters()["operations"].items() if not op.rsplit(".", 1)[-1].startswith(READS)}


def test_serve_keeps_sharing_and_a_price_change_at_one_location_splits_only_its_copy(chain):
    rig, server = chain
    first = rig.sync("startup")  # the first import: every location its own entities
    assert first.outcome == "applied", first.error
    rig.yaml.write_text(rig.yaml.read_text().replace("currency: USD\n", "currency: USD\nmenus_new:\n  share: true\n"))

    merged = rig.sync("periodic")  # sharing turned on: the isolated copies merge into shared entities
    assert merged.outcome == "applied", merged.error
    assert list(merged.details["locations"]) == [SHARED]
    assert "share: true" in rig.yaml.read_text()  # the re-import kept the setting
    assert rig.sync("periodic").outcome == "in-step"

    data = merchant()
    soda = next(o for o in data["objects"] if o["id"] == SODA)
    variation = soda["item_data"]["variations"][0]["item_variation_data"]
    variation["location_overrides"].append({"location_id": "LOC4", "price_money": {"amount": 275, "currency": "USD"}})
    rig.control("catalog", data)
    server.reset()
    changed = rig.sync()
    assert changed.outcome == "applied", changed.error
    assert changed.details["results"] == {SHARED: "applied"}
    assert writes(server) == {"items.bulkCreateItems": 1, "sections.bulkUpdateSection": 1}  # Harbor's own soda
    assert rig.sync("periodic").outcome == "in-step"
