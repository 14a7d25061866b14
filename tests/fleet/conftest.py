"""Fleet fixtures: real servers (Temporal dev server, PostgreSQL, the Wix emulator) and a fleet bed.

A :class:`FleetBed` is a fleet file in a temporary folder whose sites are Wix sites of the
module's emulator server (one server, many sites: ``seed --sites``, each with one Menus (New)
location), driven through the real CLI in subprocesses. The fleet reaches every site with the
emulator's account-level key and the site's ``wix-site-id``, as an integrator's app would.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.serve.processes import clean_env
from tests.support.emulator_server import REPO_ROOT, EmulatorServer
from tests.support.temporal_server import TemporalServer

CATALOG = REPO_ROOT / "catalogs" / "pizzeria.yaml"
GOOD = "FLEET_TEST_TOKEN"
BAD = "FLEET_TEST_OTHER_TOKEN"


@pytest.fixture(scope="session")
def temporal() -> Iterator[TemporalServer]:
    with TemporalServer() as server:
        yield server


@dataclass
class FleetBed:
    server: EmulatorServer
    folder: Path
    sites: list[dict]  # {"site_id", "location", "location_id", "wave"}
    env: dict[str, str]
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def fleet(self) -> Path:
        return self.folder / "fleet.yaml"

    @property
    def catalog(self) -> Path:
        return self.folder / "menu.yaml"

    def write(self, waves: list[str], bad: set[str] = frozenset(), extra: str = "") -> None:
        lines = [
            "version: 1",
            f"name: bed-{self.folder.name[-8:].lower().replace('_', '-')}",
            "defaults:",
            "  target: wix-menus",
            f'  api_base_url: "{self.server.url}"',
            f"  credentials: {{api_key_env: {GOOD}}}",
            # The emulator has no rate limit; the budgets are tested on their own (test_budget.py).
            "limits: {site_requests_per_minute: 100000}",
            "rollout:",
            f"  waves: [{', '.join(waves)}]",
        ]
        lines += [f"  {line}" for line in extra.splitlines() if line]
        lines.append("sites:")
        for site in self.sites:
            lines += [
                f"  - site_id: {site['site_id']}",
                "    catalog: menu.yaml",
                f'    locations: ["{site["location"]}"]',
                f"    wave: {site['wave']}",
            ]
            if site["site_id"] in bad:
                lines.append(f"    credentials: {{api_key_env: {BAD}}}")
        self.fleet.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def cli(self, *args: str, check: int | None = 0, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler.cli.main", *args],
            cwd=self.folder,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check is not None:
            assert done.returncode == check, (
                f"`reconcile {' '.join(args)}` exited {done.returncode}, expected {check}\n"
                f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
            )
        return done

    def status(self) -> dict[str, dict]:
        """What `reconcile fleet status --format json` reports per site, read in this process (cheap to poll)."""
        from reconciler.fleet.load import load_fleet
        from reconciler.fleet.records import FleetRecords
        from reconciler.fleet.status import status_data
        from reconciler.state.database import Database

        url = self.env.get("RECONCILE_DATABASE_URL") or str(self.folder / "state" / "state.sqlite")
        with Database(url) as db:
            data = status_data(load_fleet(self.fleet), FleetRecords(db))
        return {site["site_id"]: site for site in data["sites"]}

    def start_worker(self, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115 (the process's life)
        worker = subprocess.Popen(
            [sys.executable, "-m", "reconciler.cli.main", "fleet", "worker", str(self.fleet), *args],
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        line = worker.stdout.readline() if worker.stdout else ""
        assert "polling" in line, f"the worker did not start: {line!r}\n{(self.folder / 'worker-0.log').read_text()}"
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=30)
        self.workers.clear()

    def client(self, site: dict):
        """An API client that speaks for one site of the bed (the account key and its wix-site-id)."""
        return self.server.client(headers={"wix-site-id": site["site_id"]})

    def items(self, site: dict) -> list[dict]:
        """Every live Menus (New) item of one site (every page), straight from the emulator's API."""
        found: list[dict] = []
        with self.client(site) as client:
            cursor = None
            while True:
                params = {"paging.limit": "500", **({"paging.cursor": cursor} if cursor else {})}
                response = client.get("/restaurants/menus-item/v1/items", params=params)
                assert response.status_code == 200, response.text
                data = response.json()
                found += data.get("items") or []
                cursor = ((data.get("pagingMetadata") or {}).get("cursors") or {}).get("next")
                if not cursor or not data.get("items"):
                    return found

    def items_by_location(self) -> dict[str, int]:
        """How many live items each site's location has, and how many belong to no location."""
        counts = {site["location_id"]: 0 for site in self.sites}
        counts["(none)"] = 0
        for site in self.sites:
            for item in self.items(site):
                where = item.get("businessLocationIds") or ["(none)"]
                for location in where:
                    if location in counts:
                        counts[location] += 1
        return counts


@pytest.fixture
def make_bed(server: EmulatorServer, tmp_path: Path):
    beds: list[FleetBed] = []

    def make(count: int, waves: dict[str, int] | None = None, database_url: str | None = None, **env: str) -> FleetBed:
        waves = waves or {"all": count}
        tag = uuid.uuid4().hex[:6]
        seeded = server.seed_sites(count, app="menus")
        wave_of = [name for name, size in waves.items() for _ in range(size)]
        sites = [
            {
                "site_id": site["siteId"],
                "location": site["locations"][0]["name"],
                "location_id": site["locations"][0]["locationId"],
                "wave": wave_of[i],
            }
            for i, site in enumerate(seeded)
        ]
        folder = tmp_path / f"bed-{tag}"
        folder.mkdir()
        shutil.copy(CATALOG, folder / "menu.yaml")
        extra = {GOOD: server.token, BAD: "not-the-token", "RECONCILE_STATE_DIR": str(folder / "state"), **env}
        if database_url:
            extra["RECONCILE_DATABASE_URL"] = database_url
        bed = FleetBed(server, folder, sites, clean_env(**extra))
        bed.write(list(waves))
        beds.append(bed)
        return bed

    yield make
    for bed in beds:
        bed.stop_workers()
