"""The HTML page of several locations on both targets: each location's part shows what its diners will see.

Real plans of the chain (catalogs/chain.yaml) from the real engine against each API's emulator;
the expectations per location come from the oracle, the page is read back with html.parser
(tests/render/review_case.py).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.engine.planfile import to_json
from tests.catalog_edits import edited
from tests.render.review_case import read_page
from tests.render.site_case import CHAIN, LOCATIONS, applied_then_changed, board, site_page, site_pull_request
from tests.render.test_html_plan import choice_prices, prices

APIS = ["v3", "menus"]


@pytest.mark.parametrize("api", APIS)
def test_every_location_shows_its_own_changes_marked_and_its_own_prices(tmp_path, api):
    _, before, after, _, page = applied_then_changed(tmp_path, api)
    reader = read_page(page)
    assert sorted({d.location for d in reader.dishes}) == sorted(LOCATIONS)
    for location in LOCATIONS:
        old, new = board(before, location, api), board(after, location, api)
        shown = {d.name: d for d in reader.dishes if d.location == location}
        assert set(shown) == set(old) | set(new), location
        for name in set(new) - set(old):
            assert shown[name].status == "added", (location, name)
        for name in set(old) - set(new):
            assert shown[name].status == "removed", (location, name)
        kept = set(old) & set(new)
        differ = {n for n in kept if old[n][2] != new[n][2] or old[n][0] != new[n][0]}
        reordered = {n for n in kept if old[n][1] != new[n][1]}
        marked = {n for n in kept if shown[n].status != "unchanged"}
        assert differ <= marked <= differ | reordered, (location, differ, marked)
        for seen in shown.values():
            truth = old[seen.name][2] if seen.status == "removed" else new[seen.name][2]
            assert seen.prices == prices(truth), (location, seen)
            assert seen.choices == choice_prices(truth), (location, seen)
    # the pull request, location by location
    by = {(d.location, d.name): d for d in reader.dishes}
    assert by[("Campus", "Focaccia")].status == "added"
    assert ("Downtown", "Focaccia") not in by and ("Airport", "Focaccia") not in by
    assert {by[(loc, "Carbonara")].status for loc in LOCATIONS} == {"changed"}
    assert by[("Airport", "Margherita")].status == "changed" and by[("Downtown", "Margherita")].status == "unchanged"
    assert by[("Airport", "Margherita")].before[0] == Decimal("13.00")  # (Menus (New) prices each size in full)
    assert by[("Downtown", "Prosecco (glass)")].status == "removed" and ("Campus", "Prosecco (glass)") not in by


@pytest.mark.parametrize("api", APIS)
def test_overrides_are_shown_as_such_at_their_location_only(tmp_path, api):
    _, _, _, _, page = applied_then_changed(tmp_path, api)
    notes = read_page(page).overrides
    assert "price USD 13.50 (base USD 11.00)" in notes[("Airport", "margherita")]
    assert "14 inch adds USD 5.00 (base USD 4.00)" in notes[("Airport", "margherita")]
    assert "sold out" in notes[("Campus", "carbonara")]
    assert "Olives sold out" in notes[("Campus", "diavola")]
    assert not any(location == "Downtown" for location, _ in notes)  # Downtown overrides nothing


@pytest.mark.parametrize("api", APIS)
def test_the_page_carries_the_summary_across_locations_and_every_call(tmp_path, api):
    h, _, _, site, page = applied_then_changed(tmp_path, api)
    assert read_page(page).external == [] and "default-src 'none'" in page
    assert site.summary_line() in page and site.checksum in page
    document = json.loads(to_json(site))
    for entry in document["locations"]:
        assert entry["plan"]["checksum"] in page
        for op in entry["plan"]["operations"]:
            assert op["call"] in page
    # a location with changes is open; one without is collapsed
    parts = re.findall(r'<details class="location" data-location="([^"]*)" data-changed="(\d)"( open)?>', page)
    assert parts == [("Downtown", "1", " open"), ("Airport", "1", " open"), ("Campus", "1", " open")]
    _, empty = site_page(h, edited(CHAIN, lambda data: None)[0], "Downtown,Campus")
    parts = re.findall(r'<details class="location" data-location="([^"]*)" data-changed="(\d)"( open)?>', empty)
    assert parts == [("Downtown", "0", ""), ("Campus", "0", "")]
    assert " open>" not in empty and {d.status for d in read_page(empty).dishes} == {"unchanged"}
    assert site_page(h, edited(CHAIN, site_pull_request)[0])[1] == page  # deterministic


def run(tmp_path, *args: str):
    return CliRunner().invoke(cli, [*args, "--state-dir", str(tmp_path / "state")])


def test_plan_and_show_of_several_locations_from_the_command_line(tmp_path):
    out = tmp_path / "plan.html"
    result = run(tmp_path, "plan", CHAIN, "--format", "html", "--location", "Airport,Campus", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Plan for 2 locations (2 with changes)")
    reader = read_page(out.read_text(encoding="utf-8"))
    assert {d.location for d in reader.dishes} == {"Airport", "Campus"}
    assert {d.status for d in reader.dishes} == {"added"}
    shown = run(tmp_path, "show", CHAIN, "--location", "all", "--format", "html")
    assert shown.exit_code == 0, shown.output
    menu = read_page(shown.output)
    assert {d.location for d in menu.dishes} == set(LOCATIONS) and {d.status for d in menu.dishes} == {"unchanged"}
    airport = {d.name: d for d in menu.dishes if d.location == "Airport"}
    assert airport["Margherita"].prices == [Decimal("13.00")] and "Panino to go" in airport
    text = run(tmp_path, "show", CHAIN, "--location", "Downtown,Campus")
    assert text.exit_code == 0, text.output
    assert [line for line in text.output.splitlines() if line.startswith("── ")] == ["── Downtown", "── Campus"]


def test_a_shared_site_is_refused_as_a_page_with_what_shows_it(tmp_path):
    from reconciler.errors import ConfigError
    from tests.engine.site_harness import SiteHarness

    h = SiteHarness(tmp_path, api="menus", names=LOCATIONS)
    shared, _ = edited(CHAIN, lambda data: data.update(menus_new={"share": True}))
    with pytest.raises(ConfigError, match=r"share: true.*--format text, markdown or json"):
        site_page(h, shared)
