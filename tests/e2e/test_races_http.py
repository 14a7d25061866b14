"""Races, kills and lost answers with the real CLI in subprocesses against the emulator server.

* An apply waiting at its confirmation prompt holds the catalog's lock from before its plan read
  the live catalog: a second apply is turned away (exit 7) without reading or writing anything.
* Two applies started at once on one state directory: one writes, the other changes nothing.
* Menus (New), kill -9 while a create is in flight (the server ran it, the answer never came):
  the next apply finds what the dead run made and leaves no duplicate anywhere, attached or not.
* A call that times out says so (it used to say "connection failed").
* A plan whose only work is deleting what a stopped clean-up left is a change (``--detailed-exitcode`` 2).

What a diner sees is read by the independent oracle (tests/oracle), never by reconcile.
"""

from __future__ import annotations

import asyncio
import os
import pty
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest

from reconciler.errors import TemporaryApiError
from reconciler.http import RetryPolicy, Session
from reconciler.yamlio.dump import dump_catalog
from tests import oracle
from tests.catalog_edits import edit, pizzeria
from tests.e2e.conftest import Site
from tests.support.emulator_server import REPO_ROOT
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

PIZZERIA = "catalogs/pizzeria.yaml"


def _all_names(site: Site, api: str) -> Counter:
    """Every dish on the site by name, reachable or not (the oracle's snapshot)."""
    with site.server.client() as client:
        snap = oracle.snapshot(client, api, site.location_id)
    return Counter(i["name"] for i in snap["items"] if not i.get("archived"))


def test_an_apply_waiting_for_confirmation_holds_the_lock(site: Site):
    location = ("--target", "wix-v3", "--location", site.location_id)
    master, slave = pty.openpty()  # a terminal, so apply asks for confirmation and waits
    first = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli.main", "apply", PIZZERIA, *location],
        cwd=REPO_ROOT,
        env={**site.env, "PYTHONUNBUFFERED": "1"},  # the prompt must reach the pipe before it waits
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(slave)
    shown = bytearray()

    def read() -> None:
        for byte in iter(lambda: first.stdout.read(1), b""):
            shown.extend(byte)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_until(lambda: b"Only 'yes' will be accepted" in shown, "the first apply to ask", timeout=60)
        site.server.reset()
        second = site.cli("apply", PIZZERIA, *location, "--auto-approve", check=7)
        assert "another apply is running on this catalog" in second.stderr
        catalog_reads = {
            op for op in site.server.counters()["operations"] if op not in ("listLocations", "listCatalogs")
        }
        assert catalog_reads == set()  # turned away before its plan read anything
        os.write(master, b"yes\n")
        assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    finally:
        if first.poll() is None:
            first.kill()
        os.close(master)
    reader.join(timeout=10)
    assert b"Verified" in shown
    names = _all_names(site, "v3")
    assert names["Margherita"] == 1 and max(names.values()) == 1


def test_two_applies_started_at_once_never_both_write(site: Site):
    location = ("--target", "wix-v3", "--location", site.location_id)
    site.server.set_latency(20)  # widen the window in which they overlap
    try:
        racers = [site.popen("apply", PIZZERIA, *location, "--auto-approve") for _ in range(2)]
        results = [(p.wait(timeout=120), *p.communicate()) for p in racers]
    finally:
        site.server.set_latency(0)
    codes = sorted(code for code, _, _ in results)
    assert codes in ([0, 0], [0, 7]), results  # the loser is turned away, or comes after and finds nothing to do
    for code, _, err in results:
        assert "Traceback" not in err
        if code == 7:
            assert "another apply is running on this catalog" in err
    writes = site.writes()
    assert writes["createDraftCatalog"] == 1 and writes["publishDraftCatalog"] == 1
    names = _all_names(site, "v3")
    assert max(names.values()) == 1 and len(names) == 18


def test_menus_kill_while_a_create_is_in_flight_leaves_no_duplicate(server, tmp_path: Path):
    location = server.seed(locations=1, names=[f"Kitchen {tmp_path.name}"], app="menus")[0]["locationId"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WIX_", "RECONCILE_"))}
    env.update(WIX_API_BASE_URL=server.url, WIX_ACCESS_TOKEN=server.token, RECONCILE_STATE_DIR=str(tmp_path / "s"))
    site = Site(server, "", location, tmp_path / "s", env)
    args = ("--target", "wix-menus", "--location", location)
    server.reset()
    # The server creates the items, then holds the answer back; the CLI is killed while it waits.
    server.set_faults(
        [{"operation": "items.bulkCreateItems", "fault": "timeout", "phase": "after", "delayMs": 60000, "times": 1}]
    )
    process = site.popen("apply", PIZZERIA, *args, "--auto-approve")
    try:
        wait_until(
            lambda: (
                process.poll() is not None
                or any(r["operation"] == "items.bulkCreateItems" and r["executed"] for r in server.requests())
            ),
            "the items to be created",
            timeout=60,
        )
        assert process.poll() is None, process.communicate()
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        server.clear_faults()
    assert sum(_all_names(site, "menus").values()) > 0  # the dead run did create them
    applied = site.cli("apply", PIZZERIA, *args, "--auto-approve")
    assert "Verified" in applied.stdout
    names = _all_names(site, "menus")
    assert max(names.values()) == 1, names  # none twice, detached ones included
    with server.client() as client:
        assert (
            oracle.mismatch(
                oracle.board(client, "menus", location), oracle.expected(oracle.read_file(PIZZERIA), "menus")
            )
            == ""
        )
    site.cli("plan", PIZZERIA, *args, "--detailed-exitcode")


def test_a_timeout_says_it_timed_out(server):
    server.set_faults([{"operation": "listLocations", "fault": "timeout", "delayMs": 5000, "times": 1}])

    async def call():
        async with httpx.AsyncClient(base_url=server.url, timeout=0.3) as client:
            session = Session(client, {"Authorization": server.token}, [server.token], RetryPolicy(attempts=1))
            await session.call("listLocations", "GET", "/locations/v1/locations", idempotent=False)

    try:
        with pytest.raises(TemporaryApiError) as caught:
            asyncio.run(call())
    finally:
        server.clear_faults()
    message = str(caught.value)
    assert "connection failed" not in message
    assert "timed out" in message or "within" in message, message


def test_a_plan_that_only_deletes_leftovers_is_a_change_for_detailed_exitcode(server, tmp_path: Path):
    """Menus (New): a clean-up that failed leaves detached entities; the next plan's only work is
    deleting them. It must not read "0 to create, 0 to update, 0 to delete" alone, and
    ``--detailed-exitcode`` must say "changes" (2), or a CI job gating on it never applies it."""
    location = server.seed(locations=1, names=[f"Kitchen {tmp_path.name}"], app="menus")[0]["locationId"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WIX_", "RECONCILE_"))}
    env.update(WIX_API_BASE_URL=server.url, WIX_ACCESS_TOKEN=server.token, RECONCILE_STATE_DIR=str(tmp_path / "s"))
    site = Site(server, "", location, tmp_path / "s", env)
    args = ("--target", "wix-menus", "--location", location)
    others = _all_names(site, "menus")["Espresso"]  # other locations of the shared server (entities are site-wide)
    site.cli("apply", PIZZERIA, *args, "--auto-approve")
    assert _all_names(site, "menus")["Espresso"] == others + 1
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(dump_catalog(edit(pizzeria(), _without_espresso)), encoding="utf-8")
    server.set_faults([{"operation": "items.bulkDeleteItems", "fault": "500", "times": 1000}])
    try:
        stopped = site.cli("apply", str(smaller), *args, "--auto-approve")
    finally:
        server.clear_faults()
    assert "clean-up stopped" in stopped.stdout + stopped.stderr
    planned = site.cli("plan", str(smaller), *args, "--detailed-exitcode", check=2)
    assert "clean up what an earlier run left" in planned.stdout
    site.cli("apply", str(smaller), *args, "--auto-approve")
    site.cli("plan", str(smaller), *args, "--detailed-exitcode", check=0)
    assert _all_names(site, "menus")["Espresso"] == others  # ours is gone


def _without_espresso(data: dict) -> None:
    data["dishes"] = [d for d in data["dishes"] if d["id"] != "espresso"]
    for menu in data["menus"]:
        for section in menu["sections"]:
            section["dishes"] = [d for d in section["dishes"] if d != "espresso"]
