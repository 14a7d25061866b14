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
    assert site.cli("show", *where, check=2).stderr  # neither a catalog nor --live: a usage error
