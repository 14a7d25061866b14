"""Connection pools shared by every site a fleet process runs (reconciler/fleet/connect.py), against a
real emulator server, on both Wix targets: a request never carries another site's credentials, and a
site's location is looked up once per roll-out.

Each site has its own access token (as an integrator's OAuth install would) and different dishes,
so a request sent with the wrong site's token would read, or write, the wrong site."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from reconciler.fleet.connect import open_site
from reconciler.fleet.load import load_fleet
from reconciler.fleet.local import run_local
from reconciler.fleet.runs import site_context
from reconciler.yamlio.cache import KEEP
from reconciler.yamlio.load import load_catalog
from tests.support.emulator_server import REPO_ROOT

pytestmark = pytest.mark.e2e

CATALOG = REPO_ROOT / "catalogs" / "pizzeria.yaml"
TARGETS = {"wix-menus": "menus", "wix-v3": "v3"}


def write_fleet(folder: Path, server, target: str, sites: list[dict], catalogs: list[str]) -> Path:
    lines = [
        "version: 1",
        f"name: tokens-{TARGETS[target]}",
        "defaults:",
        f"  target: {target}",
        f'  api_base_url: "{server.url}"',
        "limits: {site_requests_per_minute: 100000}",
        "sites:",
    ]
    for n, (site, catalog) in enumerate(zip(sites, catalogs, strict=True)):
        lines += [
            f"  - site_id: {site['siteId']}",
            f"    catalog: {catalog}",
            f"    credentials: {{access_token_env: FLEET_SITE_{n}_TOKEN}}",
        ]
    path = folder / "fleet.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=list(TARGETS))
def target(request) -> str:
    return request.param


@pytest.fixture
def two_sites(target, server, tmp_path, monkeypatch):
    """Two sites of different sizes, each reached with its own token only."""
    sites = [server.seed_sites(1, app=TARGETS[target], dishes=n)[0] for n in ("3", "9")]
    for n, site in enumerate(sites):
        monkeypatch.setenv(f"FLEET_SITE_{n}_TOKEN", site["token"])
    shutil.copy(CATALOG, tmp_path / "menu.yaml")
    return target, sites, write_fleet(tmp_path, server, target, sites, ["menu.yaml", "menu.yaml"])


def test_sites_reading_at_once_over_one_pool_each_read_their_own_site(two_sites, tmp_path):
    target, sites, path = two_sites
    fleet = load_fleet(path, check_catalogs=True)
    a, b = (fleet.file.site(site["siteId"]) for site in sites)

    async def ids(ctx, site, rollout: str | None) -> frozenset[str]:
        async with open_site(ctx, site, None, rollout) as opened:
            return frozenset((await opened.fetch()).existing_ids())

    async def run() -> tuple[dict, list, int]:
        with site_context(fleet, tmp_path / "state") as ctx:
            try:
                alone = {site.site_id: await ids(ctx, site, None) for site in (a, b)}
                assert ctx.pool.opened == 1  # site b's read took the pool site a's had used
                # Twenty reads at once, alternating sites, on pools that served the other site before
                # (and with cached locations), then ten more, one after the other.
                together = await asyncio.gather(*(ids(ctx, (a, b)[n % 2], f"r{n % 3}") for n in range(20)))
                opened = ctx.pool.opened
                together += [await ids(ctx, (a, b)[n % 2], f"r{n % 3}") for n in range(10)]
                return alone, together, ctx.pool.opened - opened
            finally:
                await ctx.pool.aclose()

    alone, together, more = asyncio.run(run())
    assert alone[a.site_id] and alone[b.site_id] and not alone[a.site_id] & alone[b.site_id], alone
    assert more == 0  # the reads one after the other all went over pools already open
    for n, seen in enumerate(together):
        site = (a, b)[n % 2]
        assert seen == alone[site.site_id], f"read {n} of {site.site_id} saw another site's catalog ({target})"


def test_a_roll_out_over_one_pool_writes_each_catalog_to_its_own_site_only(server, tmp_path, monkeypatch, target):
    """Two empty sites applied at once, each with a catalog of its own: a create sent with the other
    site's token would put a dish on the wrong site."""
    sites = [server.seed_sites(1, app=TARGETS[target])[0] for _ in range(2)]
    for n, site in enumerate(sites):
        monkeypatch.setenv(f"FLEET_SITE_{n}_TOKEN", site["token"])
    catalogs = ["pizzeria.yaml", "bakery.yaml"]
    for name in catalogs:
        shutil.copy(REPO_ROOT / "catalogs" / name, tmp_path / name)
    path = write_fleet(tmp_path, server, target, sites, catalogs)

    result = asyncio.run(run_local(load_fleet(path), "apply", tmp_path / "state", concurrency=2))
    assert result.status == "finished" and result.spec.tally == {"converged": 2}, result
    drift = asyncio.run(run_local(load_fleet(path), "drift", tmp_path / "state", concurrency=2))
    assert drift.spec.tally == {"in-sync": 2}, drift.spec.tally
    dishes = [{d.name for d in load_catalog(tmp_path / name).dishes} for name in catalogs]
    assert not dishes[0] & dishes[1]
    for n, site in enumerate(sites):
        live = _dish_names(server, site, target)  # on v3, option choices are items too
        assert dishes[n] <= live and not live & dishes[1 - n], f"{catalogs[n]} on site {site['siteId']} ({target})"


def test_a_site_location_is_looked_up_once_per_roll_out(two_sites, server, tmp_path):
    _, sites, path = two_sites
    fleet = load_fleet(path, check_catalogs=True)
    site = fleet.file.site(sites[0]["siteId"])

    def lookups() -> int:
        return server.counters(site=sites[0]["siteId"])["operations"].get("listLocations", 0)

    async def opens(ctx, rollout: str | None, times: int) -> None:
        for _ in range(times):
            async with open_site(ctx, site, None, rollout) as opened:
                await opened.scope()

    async def run() -> list[int]:
        seen = []
        with site_context(fleet, tmp_path / "state") as ctx:
            try:
                start = lookups()
                await opens(ctx, "r1", 4)  # fetch, plan, apply, verify of one roll-out
                seen.append(lookups() - start)
                await opens(ctx, "r2", 2)  # another roll-out looks again
                seen.append(lookups() - start)
                ctx.forget("r2", site.site_id)  # the site's report: its run is over
                await opens(ctx, "r2", 1)
                seen.append(lookups() - start)
                await opens(ctx, None, 2)  # no roll-out (a webhook's sync): nothing kept
                seen.append(lookups() - start)
            finally:
                await ctx.pool.aclose()
        return seen

    assert asyncio.run(run()) == [1, 2, 3, 5]


def test_a_fleet_of_more_catalogs_than_the_cache_keeps_finds_them_all_cached(tmp_path):
    count = KEEP + 2
    text = CATALOG.read_text(encoding="utf-8")
    lines = ["version: 1", "name: many", "defaults: {target: sandbox}", "sites:"]
    for n in range(count):
        (tmp_path / f"menu-{n}.yaml").write_text(text + f"\n# menu {n}\n", encoding="utf-8")
        lines += [f"  - site_id: site-{n}", f"    catalog: menu-{n}.yaml"]
    (tmp_path / "fleet.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_fleet(tmp_path / "fleet.yaml", check_catalogs=True, state_dir=tmp_path / "state")
    assert len(list((tmp_path / "state" / "cache").glob("catalog-*.json"))) == count


def _dish_names(server, site: dict, target: str) -> set[str]:
    """The names of the site's live items, read straight from the emulator's API with its own token."""
    with server.client(headers={"Authorization": site["token"]}) as client:
        if target == "wix-menus":
            response = client.get("/restaurants/menus-item/v1/items", params={"paging.limit": "500"})
        else:
            catalog = site["locations"][0]["catalogId"]
            response = client.get(f"/restaurants/v3/catalogs/{catalog}/items")
        assert response.status_code == 200, response.text
        return {item["name"] for item in response.json().get("items") or [] if not item.get("archived")}
