"""plan and apply over real HTTP: the CLI in a subprocess, the emulator server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.engine.planfile import PLAN_VERSION
from reconciler.state.lock import CatalogLock
from tests.e2e.conftest import Site
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

PIZZERIA = "catalogs/pizzeria.yaml"


def with_price(tmp: Path, price: str) -> str:
    text = Path(PIZZERIA).read_text().replace('price: "11.00"', f'price: "{price}"', 1)
    out = tmp / "pizzeria.yaml"
    out.write_text(text)
    return str(out)


def live_items(site: Site) -> list[dict]:
    with site.server.client() as client:
        response = client.get(f"/restaurants/v3/catalogs/{site.catalog_id}/items", params={"archived": "true"})
        response.raise_for_status()
        return response.json()["items"]


def test_apply_then_plan_is_empty_and_plan_only_reads(site: Site):
    location = ("--target", "wix-v3", "--location", site.location_id)
    applied = site.cli("apply", PIZZERIA, *location, "--auto-approve")
    assert "Applied: 22 created" in applied.stdout
    assert "Verified: the live catalog matches the desired state." in applied.stdout
    site.server.reset()
    site.cli("plan", PIZZERIA, *location, "--detailed-exitcode")
    assert site.writes() == {}, "plan must only read"
    operations = site.server.counters()["operations"]
    assert set(operations) == {"listLocations", "listCatalogs", "listMenus", "listSections", "listItems"}


def test_price_change_makes_exactly_one_write(site: Site, tmp_path: Path):
    location = ("--target", "wix-v3", "--location", site.location_id)
    site.cli("apply", PIZZERIA, *location, "--auto-approve")
    changed = with_price(tmp_path, "12.25")
    planned = site.cli("plan", changed, *location, "--detailed-exitcode", check=2)
    assert 'price: "11.00" → "12.25"' in planned.stdout
    site.server.reset()
    site.cli("apply", changed, *location, "--auto-approve", "--format", "json")
    assert site.writes() == {"updateItem": 1}
    site.server.reset()
    site.cli("apply", with_price(tmp_path, "12.50"), *location, "--auto-approve", "--no-live-updates")
    assert site.writes() == {"createDraftCatalog": 1, "bulkUpdateItems": 1, "publishDraftCatalog": 1}
    assert [i["price"]["value"] for i in live_items(site) if i["name"] == "Margherita"] == ["12.50"]


def test_saved_plan_is_refused_when_the_live_catalog_moved(site: Site, tmp_path: Path):
    location = ("--target", "wix-v3", "--location", site.location_id)
    site.cli("apply", PIZZERIA, *location, "--auto-approve")
    plan_file = tmp_path / "plan.json"
    site.cli("plan", with_price(tmp_path, "13.00"), *location, "--out", str(plan_file), "--format", "json")
    saved = json.loads(plan_file.read_text())
    diavola = saved["ids"]["item:diavola"]
    with site.server.client() as client:
        client.patch(
            f"/restaurants/v3/catalogs/{site.catalog_id}/items/{diavola}", json={"item": {"price": {"value": "20.00"}}}
        ).raise_for_status()
    refused = site.cli("apply", "--plan", str(plan_file), "--auto-approve", check=4)
    assert "changed since this plan was made" in refused.stderr
    assert "item:diavola changed" in refused.stderr
    assert [i["price"]["value"] for i in live_items(site) if i["name"] == "Margherita"] == ["11.00"]


def test_saved_plan_applies_exactly_as_reviewed_and_tampering_is_refused(site: Site, tmp_path: Path):
    location = ("--target", "wix-v3", "--location", site.location_id)
    plan_file = tmp_path / "plan.json"
    site.cli("plan", PIZZERIA, *location, "--out", str(plan_file))
    tampered = tmp_path / "tampered.json"
    tampered.write_text(plan_file.read_text().replace('"11.00"', '"1.00"'))
    refused = site.cli("apply", "--plan", str(tampered), "--auto-approve", check=5)
    assert "checksum does not match" in refused.stderr
    assert site.writes() == {}
    site.cli("apply", "--plan", str(plan_file), "--auto-approve")
    site.cli("plan", PIZZERIA, *location, "--detailed-exitcode")


def test_unsafe_plan_is_shown_but_needs_force(site: Site, tmp_path: Path):
    location = ("--target", "wix-v3", "--location", site.location_id)
    site.cli("apply", PIZZERIA, *location, "--auto-approve")
    gutted = tmp_path / "gutted.yaml"
    gutted.write_text(Path(PIZZERIA).read_text().replace("tax_rate: \"8.875\"", "tax_rate: \"9.5\""))
    shown = site.cli("plan", str(gutted), *location)
    assert "Unsafe:" in shown.stdout and "7 of 22 existing entities (32%) would be updated" in shown.stdout
    site.server.reset()
    refused = site.cli("apply", str(gutted), *location, "--auto-approve", check=6)
    assert "--force" in refused.stderr and site.writes() == {}
    site.cli("apply", str(gutted), *location, "--auto-approve", "--force")
    site.cli("plan", str(gutted), *location, "--detailed-exitcode")


def test_a_second_apply_on_the_same_catalog_fails_fast(site: Site, tmp_path: Path):
    location = ("--target", "wix-v3", "--location", site.location_id)
    site.state_dir.mkdir(parents=True, exist_ok=True)
    with CatalogLock(site.state_dir, f"wix-v3:{site.catalog_id}"):
        held = site.cli("apply", PIZZERIA, *location, "--auto-approve", check=7)
    assert "another apply is running on this catalog" in held.stderr
    assert site.writes() == {}


def test_a_kill_between_publish_and_mapping_commit_causes_no_duplicates(site: Site):
    location = ("--target", "wix-v3", "--location", site.location_id)
    # The publish happens, then its response is held back; the CLI is killed while it waits.
    site.server.set_faults(
        [{"operation": "publishDraftCatalog", "fault": "timeout", "phase": "after", "delayMs": 60000, "times": 1}]
    )
    process = site.popen("apply", PIZZERIA, *location, "--auto-approve")
    try:

        def published() -> bool:
            assert process.poll() is None, process.communicate()
            return any(r["operation"] == "publishDraftCatalog" for r in site.server.requests())

        wait_until(published, "the publish call to reach the server", timeout=60)
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    site.server.clear_faults()
    planned = site.cli("plan", PIZZERIA, *location, "--detailed-exitcode")
    assert "No changes" in planned.stdout
    site.cli("apply", PIZZERIA, *location, "--auto-approve")
    names = [i["name"] for i in live_items(site)]
    assert names.count("Margherita") == 1 and len(names) == len(set(names)) == 18


def test_credentials_never_appear_in_output(site: Site, tmp_path: Path):
    location = ("--target", "wix-v3", "--location", site.location_id)
    bad = site.cli("plan", PIZZERIA, *location, env={"WIX_ACCESS_TOKEN": "sekrit-token-123"}, check=1)
    assert "sekrit-token-123" not in bad.stdout + bad.stderr
    assert "401" in bad.stderr
    ok = site.cli("plan", PIZZERIA, *location, "--format", "json")
    assert site.server.token not in ok.stdout + ok.stderr


def test_no_credentials_is_a_clear_error(site: Site):
    missing = site.cli("plan", PIZZERIA, "--target", "wix-v3", env={"WIX_ACCESS_TOKEN": ""}, check=1)
    assert "WIX_ACCESS_TOKEN" in missing.stderr


def test_json_and_markdown_formats(site: Site):
    location = ("--target", "wix-v3", "--location", site.location_id)
    planned = site.cli("plan", PIZZERIA, *location, "--format", "json")
    data = json.loads(planned.stdout)
    assert data["format"] == "reconcile-plan" and data["version"] == PLAN_VERSION
    assert data["summary"]["create"] == 22 and data["checksum"].startswith("sha256:")
    markdown = site.cli("plan", PIZZERIA, *location, "--format", "markdown").stdout
    assert markdown.startswith("### Plan: 22 to create, 0 to update, 0 to archive")
    assert "<details>" in markdown


def test_every_example_applies_to_wix_menus_and_converges(server, tmp_path):
    """Menus (New) over HTTP through the CLI: the guarantee is named and the window reported."""
    import os
    import subprocess
    import sys

    from tests.support.emulator_server import REPO_ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
    env.update(
        WIX_API_BASE_URL=server.url,
        WIX_ACCESS_TOKEN=server.token,
        RECONCILE_STATE_DIR=str(tmp_path / "s"),
        NO_COLOR="1",
    )

    for example in ("catalogs/pizzeria.yaml", "catalogs/cafe.yaml"):
        location = server.seed(locations=1, names=[f"{example} {tmp_path.name}"], app="menus")[0]["locationId"]

        def cli(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "-m", "reconciler.cli.main", *args, "--target", "wix-menus", "--location", location],
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        planned = cli("plan", example)
        assert planned.returncode == 0, planned.stderr
        assert "compensated" in planned.stdout and "not supported by Menus (New), left out" in planned.stdout
        applied = cli("apply", example, "--auto-approve")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "Cut-over window:" in applied.stdout and "Verified" in applied.stdout
        again = cli("plan", example, "--detailed-exitcode")
        assert again.returncode == 0, again.stdout
