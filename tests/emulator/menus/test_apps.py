"""Which restaurant apps a site has (§1.2): ``seed --app``, APP_NOT_INSTALLED both ways, counters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.emulator_cmd import emulator
from reconciler.emulator import open_store
from reconciler.emulator.seed import installed_apps
from tests.emulator.menus.helpers import BASE, Wix, app_error, ok
from tests.support.emulator_server import EmulatorServer, EmulatorServerError

pytestmark = pytest.mark.e2e

MENUS = BASE["menus"] + "/menus"


@pytest.fixture
def fresh(menus_server: EmulatorServer) -> EmulatorServer:
    menus_server.wipe()
    menus_server.reset()
    return menus_server


def test_menus_api_needs_the_new_app(fresh: EmulatorServer) -> None:
    [location] = fresh.seed(locations=1, app="v3")
    assert location["catalogId"]
    with fresh.client() as client:
        error = app_error(client.get(MENUS), 404, "APP_NOT_INSTALLED")
        assert error["data"] == {"app": "menus"}
        app_error(client.post("/restaurants/menus/v1/items", json={"item": {"name": "x"}}), 404, "APP_NOT_INSTALLED")
        assert ok(client.get("/restaurants/v3/catalogs"))["catalogs"][0]["id"] == location["catalogId"]
        assert ok(client.get("/locations/v1/locations"))["locations"][0]["id"] == location["locationId"]


def test_legacy_api_on_a_site_with_only_the_new_app(fresh: EmulatorServer) -> None:
    [location] = fresh.seed(locations=1, app="menus")
    assert location["catalogId"] is None
    with fresh.client() as client:
        error = app_error(client.get("/v3/catalogs"), 404, "APP_NOT_INSTALLED")
        assert error["data"] == {"app": "v3"}
        assert ok(client.get(MENUS))["menus"] == []
        assert ok(client.get("/locations/v1/locations"))["locations"][0]["id"] == location["locationId"]


def test_installing_is_additive(fresh: EmulatorServer) -> None:
    fresh.seed(locations=1, app="menus")
    [second] = fresh.seed(locations=1, app="v3")
    with fresh.client() as client:
        ok(client.get(MENUS))
        assert [c["locationId"] for c in ok(client.get("/v3/catalogs"))["catalogs"]] == [second["locationId"]]
    [third] = fresh.seed(locations=1, app="both")
    assert third["catalogId"]
    with pytest.raises(EmulatorServerError, match="400"):
        fresh.seed(locations=1, app="square")


def test_demo_menu(fresh: EmulatorServer) -> None:
    [location] = fresh.seed(locations=1, app="menus", demo=True)
    with fresh.client() as client:
        wix = Wix(client)
        [menu] = wix.list("menus")["menus"]
        assert menu["businessLocationId"] == location["locationId"]
        items = wix.list("items")["items"]
        assert len(items) == 3 and all(item["businessLocationIds"] == [location["locationId"]] for item in items)
        assert len(wix.list("sections")["sections"]) == 2 and wix.count("labels") == 2


def test_counters_use_service_dot_function_names(fresh: EmulatorServer) -> None:
    fresh.seed(locations=1, app="menus")
    fresh.reset()
    with fresh.client() as client:
        wix = Wix(client)
        item = wix.create("items")
        wix.get("items", item["id"])
        wix.get("items", item["id"])
        ok(wix.bulk_create("variants", [{"name": "v"}]))
        ok(wix.bulk_delete("modifierGroups", [item["id"]]))
        client.get("/restaurants/menus/v1/items")
    assert fresh.counters() == {
        "total": 6,
        "operations": {
            "items.createItem": 1,
            "items.getItem": 2,
            "items.listItems": 1,
            "modifierGroups.bulkDeleteModifierGroups": 1,
            "variants.bulkCreateVariants": 1,
        },
    }


def test_faults_by_operation_name(fresh: EmulatorServer) -> None:
    fresh.seed(locations=1, app="menus")
    fresh.set_faults([{"operation": "labels.createLabel", "fault": "503", "nth": 2}])
    with fresh.client() as client:
        statuses = [
            client.post(BASE["labels"] + "/labels", json={"label": {"name": "x"}}).status_code for _ in range(3)
        ]
    assert statuses == [200, 503, 200]
    fresh.clear_faults()


def test_cli_seed_app(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    runner = CliRunner()
    result = runner.invoke(emulator, ["seed", "--state", state, "--locations", "1", "--app", "menus", "--demo"])
    assert result.exit_code == 0, result.output
    _location_id, name, catalog = result.output.strip().split("\t")
    assert (name, catalog) == ("Location 1", "-")
    result = runner.invoke(emulator, ["seed", "--state", state, "--locations", "1", "--json"])
    assert json.loads(result.output)["catalogId"]
    from reconciler.cli.main import cli

    result = runner.invoke(cli, ["emulator", "seed", "--state", state, "--locations", "1", "--app", "nope"])
    assert result.exit_code == 1  # a usage error; 2 is plan --detailed-exitcode's "changes"
    store = open_store(state)
    try:
        with store.read() as tx:
            assert installed_apps(tx) == {"menus", "v3"}
    finally:
        store.close()
