"""`reconcile pull`: a dashboard edit written into the YAML as a minimal diff, through the real CLI, both targets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from reconciler.yamlio.load import load_catalog
from tests.engine.harness import HttpHarness
from tests.engine.test_convergence import edit_live_dish
from tests.support.emulator_server import REPO_ROOT

pytestmark = pytest.mark.e2e

CAESAR = '    description: Romaine, parmesan, croutons, anchovy dressing.\n    price: "9.00"\n'
COMMENTED = """\
# The pizzeria's menu: prices from the POS, photos from the dashboard.
"""


@pytest.fixture(params=["wix-v3", "wix-menus"])
def rig(request, server, tmp_path):
    api = "v3" if request.param == "wix-v3" else "menus"
    h = HttpHarness(tmp_path, server, api=api)
    catalog = tmp_path / "pizzeria.yaml"
    text = (REPO_ROOT / "catalogs/pizzeria.yaml").read_text()
    # A comment of its own line and one after a value: both must survive the pull.
    text = COMMENTED + text.replace(CAESAR, CAESAR.replace('"9.00"', '"9.00"  # lunch price'), 1)
    catalog.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
    env.update(WIX_API_BASE_URL=server.url, WIX_ACCESS_TOKEN=server.token, NO_COLOR="1")
    where = ["--target", request.param, "--location", h.location, "--state-dir", str(h.state)]

    def run(*args: str, check: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler.cli.main", *args, *where],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == check, done.stdout + done.stderr
        return done

    run("apply", str(catalog), "--auto-approve")
    h.catalog, h.cli = catalog, run  # type: ignore[attr-defined]
    return h


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in ("+", "-") and not line.startswith(("+++", "---"))]


def test_a_dashboard_price_edit_is_pulled_as_a_one_line_diff_and_the_next_plan_is_empty(rig):
    catalog = load_catalog(rig.catalog)
    wix_id = rig.plan(catalog).ids["item:caesar"]
    edit_live_dish(rig, wix_id, {"price": "11.25"})
    before = rig.catalog.read_text()
    dry = rig.cli("pull", str(rig.catalog), "--dry-run")
    assert changed_lines(dry.stdout) == ['-    price: "9.00"  # lunch price', '+    price: "11.25"  # lunch price']
    assert rig.catalog.read_text() == before and "nothing was written" in dry.stdout
    done = rig.cli("pull", str(rig.catalog))
    assert changed_lines(done.stdout) == changed_lines(dry.stdout)
    after = rig.catalog.read_text()
    assert after == before.replace('price: "9.00"  # lunch price', 'price: "11.25"  # lunch price')
    assert after.startswith(COMMENTED)
    rig.cli("plan", str(rig.catalog), "--detailed-exitcode")  # exit 0: nothing to change
    again = rig.cli("pull", str(rig.catalog))
    assert "Nothing to pull" in again.stdout and rig.catalog.read_text() == after


def test_a_field_owned_live_is_not_pulled_and_bad_input_changes_nothing(rig):
    text = rig.catalog.read_text().replace("currency: USD\n", "currency: USD\nownership:\n  live: [price]\n")
    rig.catalog.write_text(text)
    rig.cli("apply", str(rig.catalog), "--auto-approve")
    wix_id = rig.plan(load_catalog(rig.catalog)).ids["item:caesar"]
    edit_live_dish(rig, wix_id, {"price": "11.25"})
    done = rig.cli("pull", str(rig.catalog))
    assert "Nothing to pull" in done.stdout and rig.catalog.read_text() == text
    broken = rig.catalog.parent / "broken.yaml"
    shutil.copy(rig.catalog, broken)
    broken.write_text(text.replace("currency: USD", "currency: 12"))
    failed = rig.cli("pull", str(broken), check=1)
    assert "currency" in failed.stderr and broken.read_text() == text.replace("currency: USD", "currency: 12")


def test_a_live_edit_at_one_location_becomes_that_locations_override(request, server, tmp_path):
    """A chain: an edit at Downtown is Downtown's override (a new one); one at Airport replaces its override."""
    from reconciler.model.effective import effective, find_location

    for api, target in (("v3", "wix-v3"), ("menus", "wix-menus")):
        folder = tmp_path / api
        folder.mkdir()
        text = (REPO_ROOT / "catalogs/chain.yaml").read_text()
        names = {name: f"{name} {api} {tmp_path.name}" for name in ("Downtown", "Airport", "Campus")}
        for name, unique in names.items():
            text = text.replace(name, unique)
        catalog_file = folder / "chain.yaml"
        catalog_file.write_text(text)
        server.seed(locations=3, names=list(names.values()), app=api)
        h = HttpHarness(folder, server, api=api)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
        env.update(WIX_API_BASE_URL=server.url, WIX_ACCESS_TOKEN=server.token, NO_COLOR="1")

        def run(*args: str, check: int = 0, env=env, h=h, target=target) -> subprocess.CompletedProcess:
            where = ["--target", target, "--state-dir", str(h.state)]
            done = subprocess.run(
                [sys.executable, "-m", "reconciler.cli.main", *args, *where],
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert done.returncode == check, done.stdout + done.stderr
            return done

        run("apply", str(catalog_file), "--auto-approve", "--location", "all")
        catalog = load_catalog(catalog_file)
        for place, dish_id, price in (("Downtown", "carbonara", "12.75"), ("Airport", "espresso", "4.25")):
            location = find_location(catalog, names[place])
            h.location = names[place]  # the target finds a location by name or id
            wix_id = h.plan(effective(catalog, location)).ids[f"item:{dish_id}"]
            edit_live_dish(h, wix_id, {"price": price})
        done = run("pull", str(catalog_file))
        assert changed_lines(done.stdout) == [
            "+    dishes:",
            '+      - {id: carbonara, price: "12.75"}',
            '-      - {id: espresso, price: "3.50"}',
            '+      - {id: espresso, price: "4.25"}',
        ], done.stdout
        pulled = load_catalog(catalog_file)
        assert [d.price for d in pulled.dishes] == [d.price for d in catalog.dishes]  # the base is unchanged
        run("plan", str(catalog_file), "--location", "all", "--detailed-exitcode")


def test_a_pending_yaml_edit_of_the_same_record_is_kept_not_reverted(rig):
    """The YAML changed the description (not applied yet) and the dashboard changed the price: pull
    writes the price and leaves the YAML's own edit alone (it is not a live edit)."""
    catalog = load_catalog(rig.catalog)
    edit_live_dish(rig, rig.plan(catalog).ids["item:caesar"], {"price": "11.25"})
    pending = rig.catalog.read_text().replace("anchovy dressing.", "anchovy dressing, lemon.")
    rig.catalog.write_text(pending)
    done = rig.cli("pull", str(rig.catalog))
    assert changed_lines(done.stdout) == ['-    price: "9.00"  # lunch price', '+    price: "11.25"  # lunch price']
    assert rig.catalog.read_text() == pending.replace('"9.00"  # lunch', '"11.25"  # lunch')
