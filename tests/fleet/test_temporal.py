"""`reconcile fleet --engine temporal`, end to end: a real Temporal dev server, real worker processes,
the real CLI, a real emulator server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter

import pytest

from reconciler.yamlio.load import load_catalog
from tests.fleet.conftest import BAD
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


def sites_status(bed) -> dict[str, dict]:
    data = json.loads(bed.cli("fleet", "status", str(bed.fleet), "--format", "json").stdout)
    return {site["site_id"]: site for site in data["sites"]}


def worker_of(record: dict) -> str:
    return (record.get("ran_by") or "").rsplit(":", 1)[-1]


@pytest.fixture
def temporal_env(temporal):
    return {"TEMPORAL_ADDRESS": temporal.address, "RECONCILE_FLEET_HEARTBEAT_TIMEOUT": "4"}


def test_a_rollout_on_temporal_converges_and_two_workers_share_it(make_bed, server, temporal_env, tmp_path):
    bed = make_bed(8, waves={"canary": 2, "everyone": 6}, TEMPORAL_TASK_QUEUE=f"q-{tmp_path.name}", **temporal_env)
    first = bed.start_worker("--concurrency", "2")
    second = bed.start_worker("--concurrency", "2")
    server.set_latency(20)  # each site's steps take a while, so both workers are busy at once
    try:
        applied = bed.cli("fleet", "apply", str(bed.fleet), "--engine", "temporal", "--concurrency", "4")
    finally:
        server.set_latency(0)
    assert applied.stdout.count(": converged:") == 8, applied.stdout
    dishes = len(load_catalog(bed.catalog).dishes)
    counts = bed.items_by_location()
    assert counts.pop("(none)") == 0 and set(counts.values()) == {dishes}, counts

    ran = Counter(worker_of(record) for record in sites_status(bed).values())
    assert set(ran) == {str(first.pid), str(second.pid)}, ran
    assert min(ran.values()) >= 8 // 4, f"each worker takes about half the sites: {ran}"
    # history names the worker that applied each site, as the journal recorded it
    runs = [r for r in json.loads(bed.cli("history", "--format", "json").stdout)["runs"] if r["status"] == "applied"]
    assert len(runs) == 8
    by = Counter(r["who"].split(" (fleet ", 1)[0].rsplit(":", 1)[-1] for r in runs)
    assert set(by) == {str(first.pid), str(second.pid)} and all(r["who"].startswith("worker ") for r in runs), by

    drift = bed.cli("fleet", "drift", str(bed.fleet), "--engine", "temporal")
    assert drift.stdout.count(": in-sync:") == 8, drift.stdout


def test_a_worker_killed_mid_rollout_loses_and_duplicates_nothing(make_bed, server, temporal_env, tmp_path):
    bed = make_bed(10, TEMPORAL_TASK_QUEUE=f"q-{tmp_path.name}", **temporal_env)
    doomed = bed.start_worker("--concurrency", "3")
    bed.start_worker("--concurrency", "3")
    server.set_latency(25)
    rollout = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli.main", "fleet", "apply", str(bed.fleet), "--engine", "temporal"],
        cwd=bed.folder,
        env=bed.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Kill one worker while sites are being applied, some of them by it.
        def doomed_is_applying() -> bool:
            return any(
                s["in_flight"]
                and s["in_flight"]["phase"] == "apply"
                and s["in_flight"]["worker"].endswith(f":{doomed.pid}")
                for s in bed.status().values()
            )

        wait_until(doomed_is_applying, "the doomed worker to be applying a site", timeout=120)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        out, err = rollout.communicate(timeout=300)
    finally:
        server.set_latency(0)
        if rollout.poll() is None:
            rollout.kill()
    assert rollout.returncode == 0, f"{out}\n{err}"
    assert out.count(": converged:") == 10, out

    dishes = len(load_catalog(bed.catalog).dishes)
    counts = bed.items_by_location()
    assert counts.pop("(none)") == 0, "an apply cut short left orphans behind"
    assert set(counts.values()) == {dishes}, f"every site has each dish exactly once: {counts}"
    drift = bed.cli("fleet", "drift", str(bed.fleet), "--engine", "temporal")
    assert drift.stdout.count(": in-sync:") == 10, drift.stdout
    assert all(s["in_flight"] is None for s in sites_status(bed).values())


def test_a_halted_wave_on_temporal_resumes(make_bed, temporal_env, tmp_path):
    bed = make_bed(3, waves={"canary": 1, "rest": 2}, TEMPORAL_TASK_QUEUE=f"q-{tmp_path.name}", **temporal_env)
    bed.write(["canary", "rest"], bad={bed.sites[0]["site_id"]})
    bed.start_worker()
    halted = bed.cli("fleet", "apply", str(bed.fleet), "--engine", "temporal", check=3)
    assert "wave canary halted the roll-out: 1 of its sites failed (at most 0 allowed)" in halted.stdout, halted.stdout
    assert all(sites_status(bed)[s["site_id"]]["result"] is None for s in bed.sites[1:])

    bed.stop_workers()
    bed.env[BAD] = bed.server.token
    bed.start_worker()
    resumed = bed.cli("fleet", "apply", str(bed.fleet), "--engine", "temporal")
    assert "Resuming roll-out" in resumed.stdout and resumed.stdout.count(": converged:") == 3, resumed.stdout


def test_a_drift_pass_on_temporal_runs_no_fetch_step(make_bed, temporal, temporal_env, tmp_path):
    """Plan and drift settle leftovers in their plan step: one activity fewer a site than an apply."""
    import asyncio

    from temporalio.client import Client

    bed = make_bed(2, TEMPORAL_TASK_QUEUE=f"q-{tmp_path.name}", **temporal_env)
    bed.start_worker()
    bed.cli("fleet", "apply", str(bed.fleet), "--engine", "temporal")
    applied = asyncio.run(_activities(Client, temporal.address, bed.sites[0]["site_id"]))
    bed.cli("fleet", "drift", str(bed.fleet), "--engine", "temporal")
    drifted = asyncio.run(_activities(Client, temporal.address, bed.sites[0]["site_id"]))
    assert applied == ["begin", "fetch", "plan", "apply", "verify", "report"], applied
    assert drifted == ["begin", "plan", "report"], drifted


async def _activities(client_class, address: str, site_id: str) -> list[str]:
    """The activities the site's latest SiteSync run scheduled, in order."""
    client = await client_class.connect(address)
    history = await client.get_workflow_handle(f"site:{site_id}").fetch_history()
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]
