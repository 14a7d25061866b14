"""Auth (U25): the configured token, with or without `Bearer `, on every API route; none on /_emulator."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.helpers import app_error, ok
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e


def test_missing_header_is_401_in_the_wix_envelope(server: EmulatorServer, catalog: dict[str, str]) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        for path in (
            "/restaurants/v3/catalogs",
            f"/v3/catalogs/{catalog['catalogId']}/menus",
            "/locations/v1/locations",
        ):
            app_error(anonymous.get(path), 401, "UNAUTHENTICATED")
        app_error(anonymous.post(f"/v3/draft-catalogs/{catalog['catalogId']}/create"), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("template", ["{token}", "Bearer {token}", "bearer {token}", "Bearer   {token}"])
def test_token_is_accepted_with_or_without_bearer(server: EmulatorServer, template: str) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": template.format(token=server.token)}) as client:
        assert client.get("/restaurants/v3/catalogs").status_code == 200


@pytest.mark.parametrize("value", ["wrong", "Bearer wrong", "Bearer", "", "Basic {token}"])
def test_wrong_tokens_are_refused(server: EmulatorServer, value: str) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": value.format(token=server.token)}) as client:
        app_error(client.get("/restaurants/v3/catalogs"), 401, "UNAUTHENTICATED")


def test_api_key_style_request_with_site_id_is_accepted(server: EmulatorServer) -> None:
    headers = {"Authorization": server.token, "wix-site-id": "6f2b3c1e-0000-4000-8000-000000000001"}
    with httpx.Client(base_url=server.url, headers=headers) as client:
        assert "catalogs" in ok(client.get("/v3/catalogs"))


def test_refused_calls_are_counted_and_nothing_is_written(server: EmulatorServer, catalog: dict[str, str]) -> None:
    server.reset()
    with httpx.Client(base_url=server.url) as anonymous:
        anonymous.post(f"/v3/catalogs/{catalog['catalogId']}/menus", json={"menu": {"name": "Sneaky"}})
    assert server.counters() == {"total": 1, "operations": {"createMenu": 1}}
    assert server.requests()[-1]["status"] == 401
    with server.client() as client:
        assert ok(client.get(f"/v3/catalogs/{catalog['catalogId']}/menus"))["menus"] == []


def test_emulator_admin_routes_need_no_auth(server: EmulatorServer) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        health = ok(anonymous.get("/_emulator/health"))
    assert health["status"] == "ok"
    assert set(health["apis"]) >= {"catalogs-v3", "locations"}
    assert "bulkCreateDishes" in health["operations"]
