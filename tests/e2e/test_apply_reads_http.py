"""How often `reconcile apply` reads the live catalog before writing, and what that still catches.

* `apply CATALOG --auto-approve` takes the catalog's lock before its plan reads the live catalog
  and writes at once: that read is the stale-plan read, there is no second one.
* A live edit made before that read is in the plan: the apply puts it right and verifies.
* An apply that waited at its confirmation prompt reads again under the lock: a live edit made
  while it waited is refused (exit 4), nothing written.
* A saved plan is read again under the lock too (its review's read was not under it).

The CLI runs in subprocesses against the emulator server on 127.0.0.1 (tests/e2e/conftest.py).
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.e2e.conftest import Site
from tests.e2e.test_plan_apply_http import PIZZERIA, live_items, with_price
from tests.support.emulator_server import REPO_ROOT
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


def _location(site: Site) -> tuple[str, ...]:
    return ("--target", "wix-v3", "--location", site.location_id)


def _item_reads(site: Site) -> int:
    return site.server.counters()["operations"].get("listItems", 0)


def _price_of(site: Site, name: str) -> list[str]:
    return [i["price"]["value"] for i in live_items(site) if i["name"] == name]


def _edit_diavola_live(site: Site, item_id: str, price: str) -> None:
    with site.server.client() as client:
        client.patch(
            f"/restaurants/v3/catalogs/{site.catalog_id}/items/{item_id}", json={"item": {"price": {"value": price}}}
        ).raise_for_status()


def _diavola_id(site: Site, tmp_path: Path) -> str:
    plan_file = tmp_path / "ids.json"
    site.cli("plan", PIZZERIA, *_location(site), "--out", str(plan_file), "--format", "json")
    return str(json.loads(plan_file.read_text())["ids"]["item:diavola"])


def test_an_auto_approved_apply_reads_the_live_catalog_once_before_writing(site: Site, tmp_path: Path):
    site.cli("apply", PIZZERIA, *_location(site), "--auto-approve")
    site.server.reset()
    site.cli("apply", with_price(tmp_path, "12.25"), *_location(site), "--auto-approve", "--no-verify")
    assert _item_reads(site) == 1  # the plan's read, under the lock: no second whole read
    assert site.writes() == {"updateItem": 1}
    assert _price_of(site, "Margherita") == ["12.25"]


def test_a_live_edit_made_before_the_apply_is_planned_against(site: Site, tmp_path: Path):
    site.cli("apply", PIZZERIA, *_location(site), "--auto-approve")
    diavola = _diavola_id(site, tmp_path)
    _edit_diavola_live(site, diavola, "20.00")
    site.server.reset()
    applied = site.cli("apply", with_price(tmp_path, "12.25"), *_location(site), "--auto-approve")
    assert "Verified: the live catalog matches the desired state." in applied.stdout
    assert '"20.00" →' in applied.stdout  # the edit was read, and the plan puts it back
    assert site.writes() == {"createDraftCatalog": 1, "bulkUpdateItems": 1, "publishDraftCatalog": 1}
    assert _price_of(site, "Margherita") == ["12.25"] and _price_of(site, "Diavola") != ["20.00"]


def test_an_apply_that_waited_for_confirmation_refuses_a_live_edit_made_meanwhile(site: Site, tmp_path: Path):
    site.cli("apply", PIZZERIA, *_location(site), "--auto-approve")
    diavola = _diavola_id(site, tmp_path)
    master, slave = pty.openpty()  # a terminal, so apply asks for confirmation and waits
    waiting = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli.main", "apply", with_price(tmp_path, "12.25"), *_location(site)],
        cwd=REPO_ROOT,
        env={**site.env, "PYTHONUNBUFFERED": "1"},
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(slave)
    shown = bytearray()

    def read() -> None:
        for byte in iter(lambda: waiting.stdout.read(1), b""):
            shown.extend(byte)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_until(lambda: b"Only 'yes' will be accepted" in shown, "the apply to ask", timeout=60)
        _edit_diavola_live(site, diavola, "20.00")  # in the dashboard, while the apply waits
        site.server.reset()
        os.write(master, b"yes\n")
        assert waiting.wait(timeout=120) == 4
        stderr = waiting.stderr.read().decode()
    finally:
        if waiting.poll() is None:
            waiting.kill()
        os.close(master)
    reader.join(timeout=10)
    assert "before it was applied" in stderr and "item:diavola changed" in stderr
    assert _item_reads(site) == 1 and site.writes() == {}  # read again under the lock; nothing written
    assert _price_of(site, "Margherita") == ["11.00"] and _price_of(site, "Diavola") == ["20.00"]


def test_a_saved_plan_is_read_again_under_the_lock(site: Site, tmp_path: Path):
    site.cli("apply", PIZZERIA, *_location(site), "--auto-approve")
    plan_file = tmp_path / "plan.json"
    site.cli("plan", with_price(tmp_path, "12.25"), *_location(site), "--out", str(plan_file), "--format", "json")
    site.server.reset()
    site.cli("apply", "--plan", str(plan_file), "--auto-approve", "--no-verify")
    assert _item_reads(site) == 2  # the review's read, then the stale-plan read under the lock
    assert site.writes() == {"updateItem": 1}
