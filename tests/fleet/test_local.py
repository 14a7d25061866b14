"""`reconcile fleet` with the local engine, end to end: the real CLI against a real emulator server,
with the state in SQLite and in PostgreSQL."""

from __future__ import annotations

import json

import pytest

from reconciler.yamlio.load import load_catalog
from tests.fleet.conftest import BAD

pytestmark = pytest.mark.e2e

READS = (".list", ".get", ".query", ".search", ".count", "list", "get")


def writes(server) -> dict[str, int]:
    operations = server.counters()["operations"]
    return {op: n for op, n in operations.items() if not any(op.startswith(r) or r in op for r in READS)}


def status(bed) -> dict[str, dict]:
    data = json.loads(bed.cli("fleet", "status", str(bed.fleet), "--format", "json").stdout)
    return {site["site_id"]: site for site in data["sites"]} | {"_rollout": data["last_rollout"]}


@pytest.fixture(params=["sqlite", "postgres"])
def database(request) -> str | None:
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres").create_database()


def test_a_fleet_plans_applies_and_converges(make_bed, server, database):
    bed = make_bed(4, waves={"canary": 1, "everyone": 3}, database_url=database)
    dishes = len(load_catalog(bed.catalog).dishes)

    server.reset()
    planned = bed.cli("fleet", "plan", str(bed.fleet), "--detailed-exitcode", check=2)
    assert planned.stdout.count(": changes: Plan:") == 4, planned.stdout
    assert writes(server) == {}, "a fleet plan must never write"

    applied = bed.cli("fleet", "apply", str(bed.fleet))
    assert applied.stdout.count(": converged:") == 4, applied.stdout
    assert applied.stdout.index("[canary]") < applied.stdout.index("[everyone]"), "waves run in order"
    counts = bed.items_by_location()
    assert counts.pop("(none)") == 0
    assert set(counts.values()) == {dishes}, counts

    drift = bed.cli("fleet", "drift", str(bed.fleet))
    assert drift.stdout.count(": in-sync:") == 4, drift.stdout

    seen = status(bed)
    rollout = seen.pop("_rollout")
    assert rollout["mode"] == "drift" and rollout["status"] == "finished"
    assert {s["result"] for s in seen.values()} == {"in-sync"}
    assert all(s["finished"] and s["in_flight"] is None for s in seen.values())


def test_a_price_change_costs_one_write_per_site(make_bed, server):
    bed = make_bed(3)
    bed.cli("fleet", "apply", str(bed.fleet))
    bed.catalog.write_text(bed.catalog.read_text().replace('price: "11.00"', 'price: "11.50"', 1))
    server.reset()
    applied = bed.cli("fleet", "apply", str(bed.fleet))
    assert applied.stdout.count("Plan: 0 to create, 1 to update, 0 to delete") == 3, applied.stdout
    sent = writes(server)
    assert list(sent.values()) == [3], f"one write call per site, whatever the fleet: {sent}"


def test_drift_names_the_site_edited_outside_reconcile(make_bed, server):
    bed = make_bed(3)
    bed.cli("fleet", "apply", str(bed.fleet))
    edited = bed.sites[1]
    item = next(i for i in bed.items(edited) if edited["location_id"] in (i.get("businessLocationIds") or []))
    with bed.client(edited) as client:
        response = client.patch(
            f"/restaurants/menus-item/v1/items/{item['id']}",
            json={"item": {**item, "name": "Edited on the dashboard"}},
        )
        assert response.status_code == 200, response.text

    drift = bed.cli("fleet", "drift", str(bed.fleet), check=2)
    assert drift.stdout.count(": in-sync:") == 2, drift.stdout
    assert f"{edited['site_id']}: drifted" in drift.stdout
    seen = status(bed)
    assert seen[edited["site_id"]]["result"] == "drifted" and seen[edited["site_id"]]["drift"] == 1


def test_a_wave_over_its_threshold_halts_and_the_same_command_resumes(make_bed):
    bed = make_bed(5, waves={"canary": 1, "rest": 4})
    bad = {bed.sites[1]["site_id"], bed.sites[2]["site_id"]}
    bed.write(["canary", "rest"], bad=bad)

    # One site at a time: the second failure passes "at most 1" and nothing after it starts.
    halted = bed.cli("fleet", "apply", str(bed.fleet), "--max-failures", "1", "--concurrency", "1", check=3)
    assert "wave rest halted the roll-out: 2 of its sites failed (at most 1 allowed)" in halted.stdout, halted.stdout
    seen = status(bed)
    first = seen.pop("_rollout")
    assert first["status"] == "halted" and first["wave"] == "rest"
    assert seen[bed.sites[0]["site_id"]]["result"] == "converged"
    assert {seen[s]["result"] for s in bad} == {"failed"}
    assert "401" in seen[bed.sites[1]["site_id"]]["detail"] or "auth" in seen[bed.sites[1]["site_id"]]["detail"].lower()
    for untouched in bed.sites[3:]:
        assert seen[untouched["site_id"]]["result"] is None, "no site starts after the wave halted"

    # Fix the credentials; the same command picks the roll-out up at the halted wave.
    resumed = bed.cli("fleet", "apply", str(bed.fleet), "--max-failures", "1", env={BAD: bed.server.token})
    assert f"Resuming roll-out {first['rollout_id']}, halted at wave rest" in resumed.stdout, resumed.stdout
    assert "[canary]" not in resumed.stdout, "a wave that passed its gate is not run again"
    assert resumed.stdout.count("[rest]") == 4 and resumed.stdout.count(": converged:") == 4
    seen = status(bed)
    assert seen.pop("_rollout")["status"] == "finished"
    assert {s["result"] for s in seen.values()} == {"converged"}
    counts = bed.items_by_location()
    assert counts.pop("(none)") == 0 and len(set(counts.values())) == 1


def test_status_before_any_run_and_json_result(make_bed):
    bed = make_bed(2)
    text = bed.cli("fleet", "status", str(bed.fleet)).stdout
    assert "No roll-out yet." in text and text.count(" never ") == 2, text
    done = json.loads(bed.cli("fleet", "apply", str(bed.fleet), "--format", "json").stdout)
    assert done["status"] == "finished" and done["tally"] == {"converged": 2}
    assert set(done["sites"]) == {s["site_id"] for s in bed.sites}


def test_a_fleet_reads_its_catalogs_through_the_catalog_cache(make_bed):
    from reconciler.model.catalog import Catalog
    from reconciler.yamlio.key import cache_key, catalog_files

    bed = make_bed(2)
    bed.cli("fleet", "plan", str(bed.fleet))
    entry = bed.folder / "state" / "cache" / f"catalog-{cache_key(catalog_files(bed.catalog.resolve()))}.json"
    assert Catalog.model_validate_json(entry.read_bytes()) == load_catalog(bed.catalog)

    entry.write_text("{}", encoding="utf-8")  # a damaged entry is a miss: loaded for real, written again
    again = bed.cli("fleet", "plan", str(bed.fleet))
    assert again.stdout.count(": changes: Plan:") == 2, again.stdout
    assert Catalog.model_validate_json(entry.read_bytes()) == load_catalog(bed.catalog)


def test_fleet_applies_are_in_history_with_who_ran_them(make_bed, server):
    bed = make_bed(3, RECONCILE_OPERATOR="ops@laptop")
    applied = bed.cli("fleet", "apply", str(bed.fleet))
    assert applied.stdout.count(": converged:") == 3, applied.stdout
    fleet = next(line.split(": ", 1)[1] for line in bed.fleet.read_text().splitlines() if line.startswith("name: "))
    runs = json.loads(bed.cli("history", "--format", "json").stdout)["runs"]
    assert sorted(r["who"] for r in runs if r["status"] == "applied") == sorted(
        f"ops@laptop (fleet {fleet}, site {site['site_id']})" for site in bed.sites
    )
    listed = bed.cli("history").stdout
    assert all(f"[ops@laptop (fleet {fleet}, site {site['site_id']}): run " in listed for site in bed.sites), listed
    # each run is journaled with its before-state: `history RUN_ID` shows its plan, rollback can undo it
    one = next(r for r in runs if r["status"] == "applied")
    shown = bed.cli("history", one["run_id"]).stdout
    assert "who:     ops@laptop (fleet" in shown and "Plan:" in shown
