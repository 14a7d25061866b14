"""Many sites in one emulator: per-site data and tokens, wix-site-id, per-site rate limits on an
injected clock, per-site counters and faults, generated menus, and `seed --sites` on a real server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from reconciler.emulator.seed import SeededSite, seed_sites
from reconciler.emulator.synthetic import SECTION_SIZE, price
from tests.emulator.helpers import app_error, ok
from tests.emulator.test_serve import run_cli
from tests.support.emulator_server import EmulatorServer

LOCATIONS = "/locations/v1/locations"
CATALOGS = "/restaurants/v3/catalogs"
MENU_ITEMS = "/restaurants/menus-item/v1/items"


class Clock:
    """The emulator's clock, moved by the test (no sleeps)."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Fleet:
    """An in-process emulator with a default site (one location) and two seeded sites."""

    def __init__(self) -> None:
        self.store = open_store(None)
        [self.home] = seed(self.store, 1, ["Home"])
        self.a, self.b = seed_sites(self.store, 2, locations=1, app="both")
        self.clock = Clock()
        self.emulator = Emulator(self.store, token=SANDBOX_TOKEN, now=self.clock)
        self.transport = self.emulator.transport()

    def client(self, token: str = SANDBOX_TOKEN, site: str | None = None) -> httpx.Client:
        headers = {"Authorization": token, **({"wix-site-id": site} if site else {})}
        return httpx.Client(transport=self.transport, base_url="http://sandbox", headers=headers)

    def of(self, site: SeededSite) -> httpx.Client:
        return self.client(site.token)


@pytest.fixture
def fleet() -> Fleet:
    return Fleet()


def location_names(client: httpx.Client) -> list[str]:
    return [location["id"] for location in ok(client.get(LOCATIONS))["locations"]]


def test_each_site_sees_only_its_own_locations_catalogs_and_menus(fleet: Fleet) -> None:
    home, a, b = fleet.client(), fleet.of(fleet.a), fleet.of(fleet.b)
    assert location_names(home) == [fleet.home.location_id]
    assert location_names(a) == [fleet.a.locations[0].location_id]
    assert location_names(b) == [fleet.b.locations[0].location_id]
    [catalog] = ok(a.get(CATALOGS))["catalogs"]
    assert catalog["id"] == fleet.a.locations[0].catalog_id
    # Another site's catalog does not exist for b, nor for the default site.
    app_error(b.get(f"{CATALOGS}/{catalog['id']}/menus"), 404, "CATALOG_NOT_FOUND")
    app_error(home.get(f"{CATALOGS}/{catalog['id']}/menus"), 404, "CATALOG_NOT_FOUND")
    item = ok(a.post(MENU_ITEMS, json={"item": {"name": "Only on a", "priceInfo": {"price": "1"}}}))["item"]
    assert [i["id"] for i in ok(a.get(MENU_ITEMS))["items"]] == [item["id"]]
    assert ok(b.get(MENU_ITEMS))["items"] == []
    app_error(b.get(f"{MENU_ITEMS}/{item['id']}"), 404, "ENTITY_NOT_FOUND")
    # The default site keeps its legacy v3-only app set: Menus (New) is not installed there.
    app_error(home.get(MENU_ITEMS), 404, "APP_NOT_INSTALLED")


def test_the_emulator_token_is_an_account_key_addressing_sites_by_wix_site_id(fleet: Fleet) -> None:
    with fleet.client(site=fleet.a.site_id) as as_a:
        assert location_names(as_a) == [fleet.a.locations[0].location_id]
    with fleet.client() as home:
        assert location_names(home) == [fleet.home.location_id]
    with fleet.client(site="6f2b3c1e-0000-4000-8000-000000000001") as nowhere:
        app_error(nowhere.get(LOCATIONS), 404, "SITE_NOT_FOUND")


def test_a_site_token_speaks_for_its_site_only(fleet: Fleet) -> None:
    with fleet.client(f"Bearer {fleet.a.token}", site=fleet.a.site_id) as same:
        assert location_names(same) == [fleet.a.locations[0].location_id]
    with fleet.client(fleet.a.token, site=fleet.b.site_id) as crossed:
        app_error(crossed.get(LOCATIONS), 401, "UNAUTHENTICATED")
    for token in ("wst_not-a-real-token", fleet.a.token + "x", "Bearer"):
        with fleet.client(token) as wrong:
            app_error(wrong.get(LOCATIONS), 401, "UNAUTHENTICATED")


def test_a_single_site_emulator_ignores_wix_site_id() -> None:
    store = open_store(None)
    [location] = seed(store, 1)
    emulator = Emulator(store, token=SANDBOX_TOKEN)
    headers = {"Authorization": SANDBOX_TOKEN, "wix-site-id": "6f2b3c1e-0000-4000-8000-000000000001"}
    with httpx.Client(transport=emulator.transport(), base_url="http://sandbox", headers=headers) as client:
        assert location_names(client) == [location.location_id]


def test_apps_and_currency_are_per_site() -> None:
    store = open_store(None)
    [menus_only] = seed_sites(store, 1, app="menus", currency="EUR")
    [v3_only] = seed_sites(store, 1, app="v3")
    emulator = Emulator(store, token=SANDBOX_TOKEN)
    client = httpx.Client(transport=emulator.transport(), base_url="http://sandbox")
    app_error(client.get(CATALOGS, headers={"Authorization": menus_only.token}), 404, "APP_NOT_INSTALLED")
    app_error(client.get(MENU_ITEMS, headers={"Authorization": v3_only.token}), 404, "APP_NOT_INSTALLED")
    assert ok(client.get(MENU_ITEMS, headers={"Authorization": menus_only.token}))["items"] == []
    settings = emulator.handle("GET", "/_emulator/settings", f"site={menus_only.site_id}").json()
    assert settings == {"currency": "EUR"}
    assert emulator.currency == "USD"  # the default site's


def test_rate_limit_per_site_on_the_emulator_clock(fleet: Fleet) -> None:
    fleet.emulator.set_rate_limit(3)
    a, b = fleet.of(fleet.a), fleet.of(fleet.b)
    assert [a.get(LOCATIONS).status_code for _ in range(3)] == [200, 200, 200]
    fleet.clock.advance(20)
    refused = a.get(LOCATIONS)
    app_error(refused, 429, "RESOURCE_EXHAUSTED")
    assert refused.headers["retry-after"] == "40"  # the oldest of the three leaves the window in 40 s
    assert refused.headers["x-wix-request-id"]
    assert b.get(LOCATIONS).status_code == 200  # each site has its own budget
    fleet.clock.advance(39)
    assert a.get(LOCATIONS).status_code == 429  # refused calls do not count, but 1 s is left
    fleet.clock.advance(1)
    assert [a.get(LOCATIONS).status_code for _ in range(4)] == [200, 200, 200, 429]
    log = fleet.emulator.requests(site=fleet.a.site_id)
    assert [(entry["status"], entry["fault"], entry["executed"]) for entry in log if entry["status"] == 429] == [
        (429, "rate-limit", False)
    ] * 3
    assert fleet.emulator.counters(site=fleet.a.site_id)["total"] == len(log) == 9


def test_rate_limit_overrides_per_site_and_off_again(fleet: Fleet) -> None:
    fleet.emulator.set_rate_limit(1)
    fleet.emulator.set_rate_limit(None, site=fleet.b.site_id)
    assert fleet.emulator.rate_limits() == {"perMinute": 1, "sites": {fleet.b.site_id: None}}
    a, b = fleet.of(fleet.a), fleet.of(fleet.b)
    assert [a.get(LOCATIONS).status_code for _ in range(2)] == [200, 429]
    assert [b.get(LOCATIONS).status_code for _ in range(5)] == [200] * 5
    with fleet.client() as home:  # the default site has the all-sites limit too
        assert [home.get(LOCATIONS).status_code for _ in range(2)] == [200, 429]
    fleet.emulator.set_rate_limit(None)
    assert [a.get(LOCATIONS).status_code for _ in range(3)] == [200] * 3
    with pytest.raises(ValueError):
        fleet.emulator.set_rate_limit(0)


def test_rate_limit_over_the_admin_api(fleet: Fleet) -> None:
    answer = fleet.emulator.handle("POST", "/_emulator/rate-limit", body=json.dumps({"perMinute": 2}).encode())
    assert (answer.status, answer.json()) == (200, {"perMinute": 2, "sites": {}})
    bad = fleet.emulator.handle("POST", "/_emulator/rate-limit", body=b'{"perMinute": "lots"}')
    assert bad.status == 400
    a = fleet.of(fleet.a)
    assert [a.get(LOCATIONS).status_code for _ in range(3)] == [200, 200, 429]


def test_counters_and_faults_per_site(fleet: Fleet) -> None:
    fleet.emulator.set_faults([{"operation": "listLocations", "fault": "503", "times": 5, "site": fleet.b.site_id}])
    a, b = fleet.of(fleet.a), fleet.of(fleet.b)
    assert [a.get(LOCATIONS).status_code, b.get(LOCATIONS).status_code, a.get(LOCATIONS).status_code] == [
        200,
        503,
        200,
    ]
    assert fleet.emulator.counters(site=fleet.a.site_id) == {"total": 2, "operations": {"listLocations": 2}}
    assert fleet.emulator.counters(site=fleet.b.site_id) == {"total": 1, "operations": {"listLocations": 1}}
    assert fleet.emulator.counters()["total"] == 3
    answer = fleet.emulator.handle("GET", "/_emulator/counters", f"site={fleet.a.site_id}").json()
    assert answer == {"total": 2, "operations": {"listLocations": 2}}
    with fleet.client() as home:
        home.get(LOCATIONS)
    assert fleet.emulator.counters(site="default") == {"total": 1, "operations": {"listLocations": 1}}


def test_generated_menus_have_the_documented_content_in_both_apps() -> None:
    store = open_store(None)
    made = seed_sites(store, 3, app="both", dishes=(30, 60), content_seed=7)
    again = seed_sites(open_store(None), 3, app="both", dishes=(30, 60), content_seed=7)
    counts = [site.locations[0].dishes for site in made]
    assert counts == [site.locations[0].dishes for site in again]  # same seed, same sizes
    assert all(30 <= n <= 60 for n in counts)
    emulator = Emulator(store, token=SANDBOX_TOKEN)
    for site in made:
        location = site.locations[0]
        n = location.dishes
        with httpx.Client(
            transport=emulator.transport(), base_url="http://x", headers={"Authorization": site.token}
        ) as client:
            v3_items = ok(client.get(f"{CATALOGS}/{location.catalog_id}/items"))["items"]
            assert [(i["name"], i["price"]["value"], i["type"]) for i in v3_items] == [
                (f"Dish {k}", price(k), "DISH") for k in range(1, n + 1)
            ]
            [v3_menu] = ok(client.get(f"{CATALOGS}/{location.catalog_id}/menus"))["menus"]
            sections = ok(client.get(f"{CATALOGS}/{location.catalog_id}/sections"))["sections"]
            assert v3_menu["sectionIds"]["values"] == [s["id"] for s in sections]
            sizes = [len(s["itemIds"]["values"]) for s in sections]
            assert sizes[0] == SECTION_SIZE and sum(sizes) == n
            items = ok(client.get(MENU_ITEMS))["items"]
            assert [(i["name"], i["priceInfo"]["price"], i["businessLocationIds"]) for i in items] == [
                (f"Dish {k}", price(k), [location.location_id]) for k in range(1, n + 1)
            ]
            [menu] = ok(client.get("/restaurants/menus-menu/v1/menus"))["menus"]
            assert menu["businessLocationId"] == location.location_id
            # Generated entities are ordinary ones: the API updates them.
            first = items[0]
            updated = client.patch(
                f"{MENU_ITEMS}/{first['id']}",
                json={"item": {"revision": first["revision"], "priceInfo": {"price": "9.99"}}},
            )
            assert ok(updated)["item"]["revision"] == "2"


@pytest.mark.e2e
def test_seed_sites_on_a_running_server(tmp_path: Path) -> None:
    state = tmp_path / "fleet.sqlite"
    with EmulatorServer(state=state) as server:
        done = run_cli("seed", "--state", str(state), "--sites", "2", "--app", "menus", "--dishes", "3-4", "--json")
        assert done.returncode == 0, done.stderr
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        assert [sorted(row) for row in rows] == [["catalogId", "dishes", "locationId", "name", "siteId", "token"]] * 2
        listed = server._call("GET", "sites")["sites"]
        assert [site["id"] for site in listed] == [row["siteId"] for row in rows]
        for row in rows:
            with httpx.Client(base_url=server.url, headers={"Authorization": row["token"]}) as client:
                assert len(ok(client.get(MENU_ITEMS))["items"]) == row["dishes"]
            with server.client(headers={"wix-site-id": row["siteId"]}) as account_key:
                assert location_names(account_key) == [row["locationId"]]
        with server.client() as home:  # the default site is untouched
            assert ok(home.get(LOCATIONS))["locations"] == []
        columns = run_cli("seed", "--state", str(state), "--sites", "1")
        [[site_id, token, location_id, name, catalog_id]] = [line.split("\t") for line in columns.stdout.splitlines()]
        assert token.startswith("wst_") and name == "Location 1" and catalog_id != "-"
        with httpx.Client(base_url=server.url, headers={"Authorization": token, "wix-site-id": site_id}) as client:
            assert location_names(client) == [location_id]
