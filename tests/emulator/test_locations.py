"""The Locations API subset (`/locations/v1/locations`): list, query, get."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator.helpers import app_error, new_guid, ok, violated
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(state=tmp_path / "locations.sqlite") as server:
        yield server


def test_list_locations_shape_and_paging(fresh: EmulatorServer) -> None:
    seeded = fresh.seed(locations=3, names=["Downtown", "Harbor"])
    with fresh.client() as client:
        body = ok(client.get("/locations/v1/locations"))
        assert body["pagingMetadata"] == {"count": 3, "offset": 0, "total": 3, "tooManyToCount": False}
        first = body["locations"][0]
        assert first == {
            "id": seeded[0]["locationId"],
            "name": "Downtown",
            "description": None,
            "default": True,
            "status": "ACTIVE",
            "locationTypes": ["BRANCH"],
            "timeZone": "UTC",
            "email": None,
            "phone": None,
            "fax": None,
            "address": None,
            "businessSchedule": {"periods": [], "specialHourPeriods": []},
            "revision": "1",
            "archived": False,
        }
        assert [loc["name"] for loc in body["locations"]] == ["Downtown", "Harbor", "Location 3"]
        assert [loc["default"] for loc in body["locations"]] == [True, False, False]
        page = ok(
            client.get(
                "/locations/v1/locations", params={"paging.limit": 1, "paging.offset": 1, "includeArchived": "false"}
            )
        )
        assert [loc["name"] for loc in page["locations"]] == ["Harbor"]
        assert page["pagingMetadata"] == {"count": 1, "offset": 1, "total": 3, "tooManyToCount": False}
        violated(client.get("/locations/v1/locations", params={"paging.limit": 1001}), "paging.limit", "MAX")


def test_query_and_get(fresh: EmulatorServer) -> None:
    seeded = fresh.seed(locations=2, names=["Downtown", "Harbor"])
    with fresh.client() as client:
        found = ok(client.post("/locations/v1/locations/query", json={"query": {"filter": {"name": "Harbor"}}}))
        assert [loc["id"] for loc in found["locations"]] == [seeded[1]["locationId"]]
        by_in = ok(
            client.post(
                "/locations/v1/locations/query",
                json={
                    "query": {
                        "filter": {"name": {"$in": ["Harbor", "Downtown"]}},
                        "sort": [{"fieldName": "name", "order": "DESC"}],
                        "paging": {"limit": 1},
                    }
                },
            )
        )
        assert [loc["name"] for loc in by_in["locations"]] == ["Harbor"] and by_in["pagingMetadata"]["total"] == 2
        assert ok(client.get(f"/locations/v1/locations/{seeded[0]['locationId']}"))["location"]["name"] == "Downtown"
        app_error(client.get(f"/locations/v1/locations/{new_guid()}"), 404, "LOCATION_NOT_FOUND")


def test_a_location_leads_to_its_catalog(fresh: EmulatorServer) -> None:
    """How the CLI resolves a catalog from a location name."""
    fresh.seed(locations=2, names=["Downtown", "Harbor"])
    with fresh.client() as client:
        harbor = next(loc for loc in ok(client.get("/locations/v1/locations"))["locations"] if loc["name"] == "Harbor")
        catalogs = ok(client.get("/restaurants/v3/catalogs", params={"locationIds": harbor["id"]}))["catalogs"]
    assert len(catalogs) == 1 and catalogs[0]["locationId"] == harbor["id"]
