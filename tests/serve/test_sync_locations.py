"""serve with a catalog of several locations: a POS change at one location syncs that location only."""

from __future__ import annotations

import asyncio
import json

import pytest

from reconciler.targets.registry import open_site
from tests.serve.test_sync import POS, TOKEN, Rig
from tests.support.fake_pos import FakePos

PLACES = [("LOC1", "Downtown"), ("LOC2", "Airport"), ("LOC3", "Campus"), ("LOC4", "Harbor")]
SODA = "ITEM7SODA000000000000001"


def merchant() -> dict:
    data = json.loads((POS / "square-catalog.json").read_text())
    data["locations"] = [{"id": i, "name": n, "status": "ACTIVE"} for i, n in PLACES]
    return data


def live_price(rig: Rig, location: str, name: str) -> str | None:
    async def read():
        async with open_site("sandbox", rig.state) as opener, opener(location) as target:
            return (await target.fetch()).items

    items = asyncio.run(read())
    return next((i.get("price", {}).get("value") for i in items if i["name"] == name and not i.get("archived")), None)


@pytest.fixture
def chain(tmp_path):
    fake = FakePos("square", merchant(), token=TOKEN)
    with fake.running() as url:
        yield Rig(tmp_path, "square", url, fake)


def test_a_price_change_at_one_location_syncs_that_location_only(chain):
    first = chain.sync("startup")
    assert first.outcome == "applied", first.error
    assert first.details["results"] == {name: "applied" for _, name in PLACES}
    assert "locations:" in chain.yaml.read_text()

    data = merchant()
    soda = next(o for o in data["objects"] if o["id"] == SODA)
    variation = soda["item_data"]["variations"][0]["item_variation_data"]
    variation["location_overrides"].append({"location_id": "LOC4", "price_money": {"amount": 275, "currency": "USD"}})
    chain.control("catalog", data)
    changed = chain.sync()
    assert changed.outcome == "applied", changed.error
    assert list(changed.details["locations"]) == ["Harbor"]  # the others were not even planned
    assert changed.details["results"] == {"Harbor": "applied"}
    assert live_price(chain, "Harbor", "Soda") == "2.75" and live_price(chain, "Downtown", "Soda") == "2.00"

    periodic = chain.sync("periodic")  # a scheduled sync plans every location, and finds nothing to do
    assert periodic.outcome == "in-step" and list(periodic.details["locations"]) == [n for _, n in PLACES]


def test_a_webhook_that_changes_no_location_applies_nothing(chain):
    chain.sync("startup")
    data = merchant()
    data["objects"].append({"type": "TAX", "id": "TAX7UNUSED", "tax_data": {"name": "Unused", "percentage": "1"}})
    chain.control("catalog", data)
    result = chain.sync()
    assert result.outcome == "in-step" and result.summary == "no location's catalog changed"
