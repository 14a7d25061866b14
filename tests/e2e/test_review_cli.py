"""`reconcile plan --format html` and `reconcile show`, as a user runs them, on both Wix APIs.

The real CLI in a subprocess against a real `reconcile emulator serve` on 127.0.0.1; the page is
read back with html.parser (tests/render/review_case.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Site
from tests.oracle import read_file
from tests.render.review_case import pull_request, read_page

pytestmark = pytest.mark.e2e
TARGETS = {"wix-v3": "v3", "wix-menus": "menus"}


@pytest.fixture(params=sorted(TARGETS))
def api_site(request, server, tmp_path: Path):
    target = request.param
    location = server.seed(locations=1, names=[f"Review {tmp_path.name}"], app=TARGETS[target])[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
    env.update(
        WIX_API_BASE_URL=server.url,
        WIX_ACCESS_TOKEN=server.token,
        RECONCILE_STATE_DIR=str(tmp_path / "state"),
        NO_COLOR="1",
    )
    site = Site(server, location.get("catalogId", ""), location["locationId"], tmp_path / "state", env)
    return target, ["--target", target, "--location", location["locationId"]], site


def writes(site: Site) -> dict[str, int]:
    """Write calls so far, on either API (Menus (New) names calls "<service>.<call>")."""
    operations = site.server.counters()["operations"]
    return {op: n for op, n in operations.items() if not op.split(".")[-1].startswith(("list", "get", "query"))}


def edited_pizzeria(tmp_path: Path) -> Path:
    data = read_file("catalogs/pizzeria.yaml")
    pull_request(data)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_plan_as_html_marks_the_pull_request_and_writes_nothing(api_site, tmp_path: Path):
    _, where, site = api_site
    site.cli("apply", "catalogs/pizzeria.yaml", *where, "--auto-approve")
    edited = edited_pizzeria(tmp_path)
    before = writes(site)
    page = tmp_path / "plan.html"
    done = site.cli("plan", str(edited), *where, "--format", "html", "--out", str(page))
    assert writes(site) == before  # plan only reads
    assert "Plan:" in done.stdout and str(page) in done.stdout
    status = {d.name: d.status for d in read_page(page.read_text(encoding="utf-8")).dishes}
    assert status["Calzone"] == "added"
    assert status["House Lemonade"] == status["Espresso"] == "removed"
    assert status["Margherita"] == status["Caesar Salad"] == "changed"
    assert status["Caprese"] == "moved"
    # without --out the page goes to standard output, the same bytes
    assert site.cli("plan", str(edited), *where, "--format", "html").stdout == page.read_text(encoding="utf-8")


def test_show_a_catalog_and_the_live_menu(api_site, tmp_path: Path):
    _, where, site = api_site
    shown = site.cli("show", "catalogs/pizzeria.yaml", *where).stdout
    data = read_file("catalogs/pizzeria.yaml")
    for dish in data["dishes"]:
        assert dish["name"] in shown
    assert "USD 11.00" in shown  # the Margherita: its price on v3, its first size on Menus (New)
    site.cli("show", "--live", *where)  # an empty site shows no menu, and that is no error
    site.cli("apply", "catalogs/pizzeria.yaml", *where, "--auto-approve")
    out = tmp_path / "live.html"
    before = writes(site)
    site.cli("show", "--live", *where, "--format", "html", "--out", str(out))
    assert writes(site) == before
    dishes = read_page(out.read_text(encoding="utf-8")).dishes
    assert {d.name for d in dishes} == {d["name"] for d in data["dishes"]}
    assert {d.status for d in dishes} == {"unchanged"}
    assert site.cli("show", *where, check=1).stderr  # neither a catalog nor --live: a usage error (exit 1, never 2)


def test_history_lists_cli_applies_and_rollback_puts_the_menu_back(api_site, tmp_path: Path):
    target, where, site = api_site
    site.cli("apply", "catalogs/pizzeria.yaml", *where, "--auto-approve")
    site.env.update(RECONCILE_MAX_UPDATE_SHARE="1", RECONCILE_MAX_REMOVE_SHARE="1")  # a big change, on purpose
    env = {"RECONCILE_OPERATOR": "alice@laptop"}
    edited = edited_pizzeria(tmp_path)
    site.cli("apply", str(edited), *where, "--auto-approve", env=env)
    listed = site.cli("history").stdout.splitlines()
    assert len(listed) == 2 and "[alice@laptop: run " in listed[0] and "applied" in listed[0]
    run_id = listed[0].split("run ")[1].split("]")[0]
    shown = site.cli("history", run_id[:8]).stdout
    assert f"Run {run_id}" in shown and "who:     alice@laptop" in shown and "+ create dish calzone" in shown
    # a rollback that is not confirmed changes nothing (no terminal: it needs --auto-approve)
    writes_before = writes(site)
    refused = site.cli("rollback", check=1)
    assert "confirmation" in refused.stderr and writes(site) == writes_before
    saved = tmp_path / "back.json"
    site.cli("rollback", "--out", str(saved))
    assert writes(site) == writes_before and saved.exists()
    done = site.cli("rollback", "--auto-approve", env=env)
    assert f"rollback of run {run_id[:12]}" in done.stdout and "Verified" in done.stdout
    assert site.cli("plan", "catalogs/pizzeria.yaml", *where, "--detailed-exitcode").returncode == 0
    # the saved rollback plan is stale now: the live side moved since it was made
    assert site.cli("apply", "--plan", str(saved), "--auto-approve", check=4).stderr
    latest = site.cli("history").stdout.splitlines()[0]
    assert f"(rollback of {run_id[:12]})" in latest
    assert "already rolled back" in site.cli("rollback", run_id, "--auto-approve", check=1).stderr
    if target == "wix-menus":
        assert "recreated with new Wix ids" in done.stdout
