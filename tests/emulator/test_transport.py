"""The in-process sandbox: Emulator.handle and Emulator.transport() with httpx.Client and AsyncClient."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from tests.emulator.conftest import Sandbox


def test_handle_returns_status_headers_body() -> None:
    store = open_store(None)
    try:
        emulator = Emulator(store, token="t", currency="EUR")
        [entry] = seed(store, 1, ["Solo"], currency="EUR")
        status, headers, body = emulator.handle(
            "GET", "/v3/catalogs", [("locationIds", entry.location_id)], {"Authorization": "t"}, b""
        )
        assert status == 200
        assert ("content-type", "application/json; charset=utf-8") in headers
        assert json.loads(body)["catalogs"][0]["id"] == entry.catalog_id
        status, _, body = emulator.handle(
            "POST",
            f"/v3/catalogs/{entry.catalog_id}/variations",
            "",
            [("authorization", "Bearer t")],
            b'{"name":"Large"}',
        )
        assert status == 200 and json.loads(body)["variation"]["price"]["currency"] == "EUR"
        assert emulator.handle("GET", "/v3/catalogs", None, {}, b"").status == 401
    finally:
        store.close()


def test_sync_client_against_the_sandbox(sandbox: Sandbox) -> None:
    [entry] = seed(sandbox.store, 1, demo=True)
    client = sandbox.client
    menus = client.get(f"/restaurants/v3/catalogs/{entry.catalog_id}/menus").json()["menus"]
    assert [m["name"] for m in menus] == ["Lunch", "Dinner"]
    assert sandbox.emulator.counters() == {"total": 1, "operations": {"listMenus": 1}}
    assert client.get("/v3/catalogs", headers={"Authorization": "wrong"}).status_code == 401


def test_async_client_overlaps_latency(sandbox: Sandbox) -> None:
    [entry] = seed(sandbox.store, 1)
    sandbox.emulator.set_latency(200)

    async def gather() -> list[int]:
        async with httpx.AsyncClient(
            transport=sandbox.emulator.transport(),
            base_url="http://sandbox",
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
        ) as client:
            responses = await asyncio.gather(*(client.get(f"/v3/catalogs/{entry.catalog_id}/items") for _ in range(5)))
            return [r.status_code for r in responses]

    assert asyncio.run(gather()) == [200] * 5  # how much they overlap: python -m bench.emulator


def test_latency_applies_to_api_calls_and_never_to_the_admin_api(sandbox: Sandbox) -> None:
    sandbox.emulator.set_latency(100)
    assert sandbox.emulator.latency_for("/v3/catalogs") == pytest.approx(0.1)
    assert sandbox.emulator.latency_for("/restaurants/menus-item/v1/items") == pytest.approx(0.1)
    assert sandbox.emulator.latency_for("/_emulator/health") == 0
    assert sandbox.emulator.latency_for("/_emulator") == 0
    assert sandbox.client.get("/v3/catalogs").status_code == 200


def test_in_process_faults_raise_like_a_network(sandbox: Sandbox) -> None:
    [entry] = seed(sandbox.store, 1)
    sandbox.emulator.set_faults(
        [
            {"operation": "listCatalogs", "fault": "drop"},
            {"operation": "listItems", "fault": "timeout"},
            {"operation": "createVariation", "fault": "drop", "phase": "after"},
        ]
    )
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox.client.get("/v3/catalogs")
    with pytest.raises(httpx.ReadTimeout):
        sandbox.client.get(f"/v3/catalogs/{entry.catalog_id}/items")
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox.client.post(f"/v3/catalogs/{entry.catalog_id}/variations", json={"name": "ghost"})
    items = sandbox.client.get(f"/v3/catalogs/{entry.catalog_id}/items").json()["items"]
    assert [i["name"] for i in items] == ["ghost"]  # executed, response lost

    async def drop_async() -> None:
        sandbox.emulator.set_faults([{"operation": "*", "fault": "drop"}])
        async with httpx.AsyncClient(transport=sandbox.emulator.transport(), base_url="http://sandbox") as client:
            await client.get("/v3/catalogs", headers={"Authorization": SANDBOX_TOKEN})

    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(drop_async())


def test_python_knob_api(sandbox: Sandbox) -> None:
    emulator = sandbox.emulator
    emulator.set_faults([{"operation": "listCatalogs", "fault": "429", "retryAfter": 1.5}])
    response = sandbox.client.get("/v3/catalogs")
    assert response.status_code == 429 and response.headers["retry-after"] == "1.5"
    assert emulator.faults()[0]["fired"] == 1
    emulator.clear_faults()
    assert sandbox.client.get("/v3/catalogs").status_code == 200
    assert emulator.counters()["operations"] == {"listCatalogs": 2}
    assert [r["status"] for r in emulator.requests()] == [429, 200]
    emulator.reset_counters()
    assert emulator.counters() == {"total": 0, "operations": {}}
    with pytest.raises(ValueError):
        emulator.set_latency(-5)
    with pytest.raises(ValueError):
        emulator.set_faults([{"fault": "nope"}])


def test_admin_api_in_process(sandbox: Sandbox) -> None:
    client = sandbox.client
    seeded = client.post("/_emulator/seed", json={"locations": 2, "names": ["A"], "currency": "CHF"}).json()[
        "locations"
    ]
    assert [s["name"] for s in seeded] == ["A", "Location 2"]
    assert client.get("/_emulator/settings").json() == {"currency": "CHF"}
    variation = client.post(f"/v3/catalogs/{seeded[0]['catalogId']}/variations", json={"name": "x"}).json()["variation"]
    assert variation["price"]["currency"] == "CHF"
    archived = client.post(
        "/_emulator/archive", json={"catalogId": seeded[0]["catalogId"], "kind": "item", "id": variation["id"]}
    )
    assert archived.json()["entity"]["archived"] is True
    assert (
        client.post(
            "/_emulator/archive", json={"catalogId": seeded[0]["catalogId"], "kind": "dish", "id": "x"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/_emulator/archive", json={"catalogId": seeded[0]["catalogId"], "kind": "item", "id": "x"}
        ).status_code
        == 404
    )
    assert client.post("/_emulator/wipe").status_code == 200
    assert client.get("/v3/catalogs").json() == {"catalogs": []}
    assert client.get("/_emulator/nothing").status_code == 404
    assert sandbox.emulator.counters()["total"] == 2  # the two API calls only
