"""Menus (New) with `menus_new: {share: true}`: entities shared across locations, split where a value differs.

Four locations of one emulated Menus (New) site, planned and applied by the real engine. What a
diner of each location sees is judged by the independent oracle (tests/oracle); how many Wix
entities hold the menu, and at which locations, is read from the emulator's own
``businessLocationIds`` (derived by the emulator from the menus that reach each entity).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reconciler.engine.availability import Layer, now_utc
from reconciler.engine.locations import LocationOutcome, Rollout, plan_locations
from reconciler.errors import ConfigError
from reconciler.model.effective import select_locations
from reconciler.state.availability import LayerEntry, LayerSource
from reconciler.yamlio.load import load_catalog
from tests.catalog_edits import dish, edited
from tests.engine.site_harness import NAMES, SiteHarness
from tests.oracle import VOLATILE, wire
from tests.support.faults import rule

CHAIN = "catalogs/chain.yaml"
WRITES = ("create", "update", "delete", "bulk")


def chain(*changes, share: bool = True):
    def change(data: dict) -> None:
        if share:
            data["menus_new"] = {"share": True}
        data["locations"].append({"name": "Harbor", "dishes": [{"id": "lemonade", "price": "4.50"}]})
        for more in changes:
            more(data)

    return edited(CHAIN, change)


def pesto_at(price: str, where: str = "Campus"):
    def change(data: dict) -> None:
        next(e for e in data["locations"] if e["name"] == where).setdefault("dishes", []).append(
            {"id": "pesto", "price": price}
        )

    return change


def base_pesto(data: dict) -> None:
    dish(data, "pesto")["price"] = "15.00"


@pytest.fixture
def site(tmp_path) -> SiteHarness:
    return SiteHarness(tmp_path, api="menus")


def converged(h: SiteHarness, data: dict) -> None:
    for name in NAMES:
        assert h.board(name) == h.expected(data, name), name


def items_named(h: SiteHarness, name: str) -> list[list[str]]:
    """The locations (by name) of every live Wix item called ``name``."""
    with h.wire() as client:
        places = {p["id"]: p["name"] for p in wire.locations(client)}
    snap = h.snapshot(NAMES[0])
    return sorted(
        sorted(places[i] for i in item.get("businessLocationIds") or [])
        for item in snap["items"]
        if item["name"] == name
    )


def _modifiers(h: SiteHarness, name: str) -> list[list[str]]:
    with h.wire() as client:
        places = {p["id"]: p["name"] for p in wire.locations(client)}
    rows = h.snapshot(NAMES[0])["modifiers"]
    return sorted(sorted(places[i] for i in m.get("businessLocationIds") or []) for m in rows if m["name"] == name)


def changes(site_plan) -> list[tuple[str, str, str]]:
    (entry,) = site_plan.locations
    return [(c.action, c.kind, c.id) for c in entry.plan.changes]


def notes(site_plan) -> dict[str, tuple[str, ...]]:
    (entry,) = site_plan.locations
    return {c.id: c.notes for c in entry.plan.changes}


def test_a_shared_site_is_one_plan_and_every_shareable_dish_is_one_wix_item(site):
    catalog, data = chain()
    plan = site.plan(catalog)
    assert [e.location for e in plan.locations] == ["shared: " + ", ".join(NAMES)]
    result = site.apply(plan)
    assert [r.outcome for r in result.results] == [LocationOutcome.APPLIED]
    converged(site, data)
    assert site.plan(catalog).empty
    assert items_named(site, "Trofie al pesto") == [sorted(NAMES)]  # one item, attached at all four
    # Margherita costs more at the Airport: an item of its own there. Olives are out of stock at
    # Campus: its own olives modifier, so its own toppings group, so its own Margherita (Wix's
    # graph: a group lists modifier ids, an item lists group ids). Downtown and Harbor share one.
    assert items_named(site, "Margherita") == [["Airport"], ["Campus"], ["Downtown", "Harbor"]]
    assert items_named(site, "Olives") == []  # a modifier, not an item
    assert _modifiers(site, "Olives") == [["Airport", "Downtown", "Harbor"], ["Campus"]]
    assert items_named(site, "Panino to go") == [["Airport"]]  # only_at: one location, one item


def test_a_base_price_change_inherited_by_every_location_is_one_write(site):
    catalog, _ = chain()
    site.apply(catalog)
    changed, data = chain(base_pesto)
    plan = site.plan(changed)
    assert changes(plan) == [("update", "dish", "pesto")]
    assert any("shared by 4 locations" in n for n in notes(plan)["pesto"])
    site.reset_counters()
    site.apply(plan)
    assert site.writes() == {"items.bulkUpdateItem": 1}
    converged(site, data)
    assert site.plan(changed).empty


def test_an_override_splits_exactly_one_item_and_removing_it_merges_it_back(site):
    catalog, _ = chain()
    site.apply(catalog)
    split, data = chain(pesto_at("12.00"))
    plan = site.plan(split)
    assert changes(plan) == [("update", "section", "Campus/pasta"), ("create", "dish", "Campus/pesto")]
    assert notes(plan)["Campus/pesto"] == ("split: price differs at Campus",)
    site.reset_counters()
    site.apply(plan)
    assert site.writes() == {"items.bulkCreateItems": 1, "sections.bulkUpdateSection": 1}
    converged(site, data)
    assert site.plan(split).empty
    assert items_named(site, "Trofie al pesto") == [["Airport", "Downtown", "Harbor"], ["Campus"]]

    merged, data = chain()
    plan = site.plan(merged)
    assert changes(plan) == [("update", "section", "Campus/pasta"), ("remove", "dish", "Campus/pesto")]
    assert notes(plan)["Campus/pesto"] == ("merged back: the values at Campus equal the shared ones again",)
    site.reset_counters()
    site.apply(plan)
    assert site.writes() == {"sections.bulkUpdateSection": 1, "items.bulkDeleteItems": 1}
    converged(site, data)
    assert site.plan(merged).empty
    assert items_named(site, "Trofie al pesto") == [sorted(NAMES)]


def test_a_failure_during_the_shared_cut_over_leaves_every_location_as_before(site):
    catalog, _ = chain()
    site.apply(catalog)
    before = {name: site.board(name) for name in NAMES}
    snapshot = _stable(site.snapshot(NAMES[0]))
    changed, data = chain(base_pesto, pesto_at("12.00", "Harbor"))
    plan = site.plan(changed)
    assert {op.phase for op in plan.locations[0].plan.operations} >= {"build", "cut-over"}
    # The item's new price is cut over, then the section that lists Harbor's own item is refused.
    site.set_faults([rule("sections.bulkUpdateSection", "400", nth=1)])
    result = site.apply(plan)
    assert [r.outcome for r in result.results] == [LocationOutcome.FAILED]
    assert "rolled back" in result.results[0].error
    assert {name: site.board(name) for name in NAMES} == before
    assert _stable(site.snapshot(NAMES[0])) == snapshot
    site.clear_faults()
    site.apply(changed)
    converged(site, data)
    assert site.plan(changed).empty


def _stable(snapshot: dict) -> dict:
    """A snapshot without what a compensated run may move: revisions and dates (VOLATILE already)."""
    return {
        service: [{k: v for k, v in e.items() if k not in VOLATILE} for e in rows] for service, rows in snapshot.items()
    }


def test_one_location_alone_never_changes_an_entity_the_others_share(site):
    catalog, _ = chain()
    site.apply(catalog)
    changed, _ = chain(base_pesto)
    with pytest.raises(ConfigError) as refused:
        site.plan(changed, "Campus")
    message = str(refused.value)
    assert "dish pesto is shared with Downtown, Airport, Harbor" in message
    assert "--location all" in message
    # Its own value is its own business: an override at Campus alone splits Campus's copy only.
    own, data = chain(pesto_at("12.00"))
    plan = site.plan(own, "Campus")
    assert changes(plan) == [("update", "section", "Campus/pasta"), ("create", "dish", "Campus/pesto")]
    site.apply(plan)
    converged(site, data)
    assert site.plan(own).empty


def test_a_canary_of_a_shared_site_is_refused_naming_the_shared_entities(site):
    catalog, _ = chain()
    site.apply(catalog)
    changed, _ = chain(base_pesto)
    plan = site.plan(changed)
    site.reset_counters()
    with pytest.raises(ConfigError) as refused:
        site.apply(plan, Rollout(canary="Campus"))
    assert "dish pesto" in str(refused.value) and '--location "Campus"' in str(refused.value)
    assert site.writes() == {}


def test_a_site_synced_with_isolated_locations_merges_on_the_first_shared_plan(site):
    isolated, _ = chain(share=False)
    site.apply(isolated)
    assert items_named(site, "Trofie al pesto") == [[name] for name in sorted(NAMES)]
    shared, data = chain()
    plan = site.plan(shared)
    kept = [c for c in changes(plan) if c[2] == "pesto" or c[2].startswith("wix:")]
    assert ("create", "dish", "pesto") not in kept  # adopted, not created again
    site.apply(plan)
    converged(site, data)
    assert items_named(site, "Trofie al pesto") == [sorted(NAMES)]
    assert site.plan(shared).empty


def test_an_86_of_the_availability_layer_at_one_location_splits_that_locations_copy(site):
    catalog, _ = chain()
    site.apply(catalog)
    now = now_utc()
    airport = _location_id(site, "Airport")
    layer = Layer((LayerEntry("pesto", "dish", airport, False, now, None, "ran out", LayerSource.CLI),), now)
    locations = select_locations(catalog, None)
    plan = asyncio.run(plan_locations(catalog, locations, site.opener, site.store, site.thresholds, layer=layer))
    assert changes(plan) == [("update", "section", "Airport/pasta"), ("create", "dish", "Airport/pesto")]
    assert notes(plan)["Airport/pesto"] == ("split: stock differs at Airport",)
    site.apply(plan)
    again = asyncio.run(plan_locations(catalog, locations, site.opener, site.store, site.thresholds, layer=layer))
    assert again.empty
    assert items_named(site, "Trofie al pesto") == [["Airport"], ["Campus", "Downtown", "Harbor"]]


def _location_id(h: SiteHarness, name: str) -> str:
    with h.wire() as client:
        return next(p["id"] for p in wire.locations(client) if p["name"] == name)


def test_the_setting_is_validated_and_kept_by_fmt(tmp_path):
    path = tmp_path / "chain.yaml"
    text = (
        Path(CHAIN).read_text(encoding="utf-8").replace("currency: USD\n", "currency: USD\nmenus_new:\n  share: true\n")
    )
    path.write_text(text, encoding="utf-8")
    assert load_catalog(path).menus_new.share is True
    from reconciler.yamlio.dump import dump_catalog

    assert "menus_new:\n  share: true\n" in dump_catalog(load_catalog(path))


def test_a_shared_run_is_journaled_and_rolled_back_in_one_cut_over(site):
    from reconciler.engine.apply import ApplyOptions, apply_plan
    from reconciler.engine.rollback import find_run, plan_rollback

    catalog, data = chain()
    site.apply(catalog)
    before = {name: site.board(name) for name in NAMES}
    changed, _ = chain(base_pesto, pesto_at("12.00", "Harbor"))
    plan = site.plan(changed)
    site.apply(plan)
    assert {name: site.board(name) for name in NAMES} != before

    async def back():
        async with site.opener(plan.locations[0].plan.target.location_id) as target:
            run = find_run(site.store, None)
            undo = await plan_rollback(run, target, site.store, site.thresholds, False)
            options = ApplyOptions(force=True, saved=True, before=undo.planned.live.essence, undoes=run.run.run_id)
            return undo, await apply_plan(undo.planned.plan, target, site.store, site.state, options)

    undo, result = asyncio.run(back())
    assert not result.differences
    assert {(c.action, c.id) for c in undo.planned.plan.changes} >= {("update", "pesto"), ("remove", "Harbor/pesto")}
    assert {name: site.board(name) for name in NAMES} == before
    converged(site, data)
    assert site.plan(catalog).empty


def test_turning_sharing_off_again_is_refused_before_anything_is_touched(site):
    catalog, _ = chain()
    site.apply(catalog)
    isolated, _ = chain(share=False)
    site.reset_counters()
    with pytest.raises(ConfigError) as refused:
        site.plan(isolated)
    assert "Set `menus_new: {share: true}` again" in str(refused.value)
    assert site.writes() == {}


def test_a_reimport_from_the_pos_keeps_menus_new_share(tmp_path):
    from click.testing import CliRunner

    from reconciler.cli.import_cmd import import_command
    from tests.sources.test_import_locations import square_export

    export = square_export(tmp_path)
    out = tmp_path / "chain.yaml"
    assert CliRunner().invoke(import_command, ["square", "--from-file", str(export), "-o", str(out)]).exit_code == 0
    assert load_catalog(out).menus_new.share is False
    edited = out.read_text().replace("currency: USD\n", "currency: USD\nmenus_new:\n  share: true\n")
    assert edited != out.read_text()
    out.write_text(edited)
    again = CliRunner().invoke(import_command, ["square", "--from-file", str(export), "-o", str(out)])
    assert again.exit_code == 0, again.stderr
    assert out.read_text() == edited and load_catalog(out).menus_new.share is True
