"""A plan read through the live snapshot is the plan a full read makes, whatever happened live.

``reconcile plan`` keeps the last live read in the state directory and asks the target for what
changed since (engine/snapshots.py; Menus (New): targets/wix_menus/snapshot.py; Catalogs v3 cannot
tell and reads in full). The oracle is the full read itself (``Target.fetch``, which apply and every
other test use): after any sequence of live edits made through the emulator's raw API (creates,
updates, deletes, on every service, and reconcile's own applies), with the emulator's clock
moving by random steps (inside and past the snapshot's margin), the two plans are equal, fingerprint
and checksum included.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import Emulator, open_store, seed
from reconciler.engine.planning import make_plan
from reconciler.errors import ApiError, StalePlan
from tests.catalog_edits import PIZZERIA_FILE, dish, edited, pizzeria
from tests.engine.harness import Harness

MENUS_BASES = {
    "item": ("/restaurants/menus-item/v1", "items", "item"),
    "variant": ("/restaurants/item-variants/v1", "variants", "variant"),
    "modifier": ("/restaurants/item-modifiers/v1", "modifiers", "modifier"),
    "group": ("/restaurants/item-modifier-group/v1", "modifier-groups", "modifierGroup"),
    "label": ("/restaurants/item-labels/v1", "labels", "label"),
    "section": ("/restaurants/menus-section/v1", "sections", "section"),
    "menu": ("/restaurants/menus-menu/v1", "menus", "menu"),
}
NEW = {  # a valid create body per service that can hold an unattached entity
    "item": {"name": "Soup", "priceInfo": {"price": "6"}},
    "variant": {"name": "Jumbo"},
    "modifier": {"name": "Truffle"},
    "label": {"name": "Chef's pick"},
}


class Clock:
    """The emulator's clock, moved by the test: the stamps and the Date header come from it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def harness(folder: Path, api: str, clock: Clock) -> Harness:
    h = Harness(folder, api=api, new_site=False)
    h.emulator = Emulator(open_store(str(folder / "emulator-clocked.sqlite")), now=clock)
    seed(h.emulator.store, locations=1, names=["Test Kitchen"], app=api, currency="USD")
    h.apply(pizzeria())
    return h


def snapshot_plan(h: Harness, catalog):
    """The plan ``reconcile plan`` makes: the live side read through the snapshot, which it then keeps."""

    async def go():
        async with h.target() as target:
            return (await make_plan(catalog, target, h.store, h.thresholds, snapshot_dir=h.state)).plan

    return h.run(go())


def snapshot_files(h: Harness) -> list[Path]:
    """The snapshots kept (each also has a head, ``.head.json``, which these tests leave alone)."""
    return [p for p in sorted((h.state / "live").iterdir()) if not p.name.endswith(".head.json")]


def plans(h: Harness, catalog) -> tuple:
    """The plan read through the snapshot, and the plan of a full read (the oracle)."""
    return snapshot_plan(h, catalog), h.plan(catalog)


def edit_live(h: Harness, step: tuple) -> None:
    """One edit made through the API, as the dashboard or another tool would; a refused one is no edit."""
    action, service, pick = step
    try:
        if h.api == "v3":
            _edit_v3(h, action, pick)
        else:
            _edit_menus(h, action, service, pick)
    except ApiError:
        pass


def _edit_v3(h: Harness, action: str, pick: int) -> None:
    items = [i for i in h.raw_live()["items"] if not i.get("archived")]
    if not items:
        return
    item = items[pick % len(items)]
    if action == "update":
        h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{item['id']}", {"item": {"name": f"Edited {pick}"}})
    elif action == "create":
        section = next(s for s in h.raw_live()["sections"] if not s.get("archived"))
        menu = next(m for m in h.raw_live()["menus"] if section["id"] in (m.get("sectionIds") or {}).get("values", []))
        path = f"/catalogs/{{catalog}}/menus/{menu['id']}/sections/{section['id']}/items"
        h.call("createDish", "POST", path, {"dish": {"name": f"Soup {pick}", "price": {"value": "6.00"}}})
    else:  # Catalogs v3 deletes nothing: a menu is archived
        menus = [m for m in h.raw_live()["menus"] if not m.get("archived")]
        if menus:
            h.call("archiveMenu", "POST", f"/catalogs/{{catalog}}/menus/{menus[pick % len(menus)]['id']}/archive", {})


def _edit_menus(h: Harness, action: str, service: str, pick: int) -> None:
    base, collection, envelope = MENUS_BASES[service]
    if action == "create":
        body = NEW.get(service)
        if body is not None:
            h.call(
                f"{collection}.create",
                "POST",
                f"{base}/{collection}",
                {envelope: {**body, "name": f"{body['name']} {pick}"}},
            )
        return
    entities = h.raw_site()[service]
    if not entities:
        return
    entity = entities[pick % len(entities)]
    if action == "update":
        body = {"id": entity["id"], "revision": entity["revision"], "name": f"{entity['name']}!"}
        h.call(f"{collection}.update", "PATCH", f"{base}/{collection}/{entity['id']}", {envelope: body})
    else:
        h.call(f"{collection}.delete", "DELETE", f"{base}/{collection}/{entity['id']}")


STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["create", "update", "delete"]), st.sampled_from(sorted(MENUS_BASES)), st.integers(0, 50)
        ),
        st.tuples(st.just("plan"), st.just(""), st.integers(0, 1)),
        st.tuples(st.just("apply"), st.just(""), st.integers(0, 1)),
        st.tuples(st.just("tick"), st.just(""), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=12,
)


def _check(api: str, steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock()
        h = harness(Path(folder), api, clock)
        catalog, _ = edited(PIZZERIA_FILE, lambda d: dish(d, "caesar").update(price="9.25"))
        for step in [*steps, ("plan", "", 0)]:
            clock.now += timedelta(milliseconds=400)  # every call of a step lands later than the step before
            if step[0] == "tick":
                clock.now += timedelta(seconds=step[2])
            elif step[0] == "plan":
                wanted = catalog if step[2] else pizzeria()
                through_snapshot, full = plans(h, wanted)
                assert through_snapshot == full
            elif step[0] == "apply":
                h.apply(pizzeria())
            else:
                edit_live(h, step)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_menus_new_a_plan_through_the_snapshot_equals_a_full_read(steps):
    _check("menus", steps)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_catalogs_v3_a_plan_through_the_snapshot_equals_a_full_read(steps):
    _check("v3", steps)


def test_a_second_plan_asks_menus_new_only_for_what_changed(tmp_path):
    clock = Clock()
    h = harness(tmp_path, "menus", clock)
    plans(h, pizzeria())  # the first plan through the snapshot reads in full, and keeps what it read
    clock.now += timedelta(minutes=1)
    [item] = [i for i in h.raw_site()["item"] if i["name"] == "Caesar Salad"]
    body = {
        "id": item["id"],
        "revision": item["revision"],
        "name": "Caesar (kitchen's)",
        "priceInfo": item["priceInfo"],
    }
    h.call("items.updateItem", "PATCH", f"/restaurants/menus-item/v1/items/{item['id']}", {"item": body})
    clock.now += timedelta(minutes=1)
    h.reset_counters()
    through_snapshot = snapshot_plan(h, pizzeria())
    calls = h.counters()["operations"]
    assert "items.listItems" not in calls and calls["items.queryItems"] == 1 and calls["items.countItems"] == 1
    assert [(c.id, c.drift) for c in through_snapshot.changes] == [("caesar", True)]  # the edit, seen as drift
    assert through_snapshot == h.plan(pizzeria())


def test_a_plan_of_nothing_changed_keeps_the_snapshot_as_it_was_and_lists_nothing_that_changes(tmp_path):
    clock = Clock()
    h = harness(tmp_path, "menus", clock)
    clock.now += timedelta(minutes=1)  # past the margin: what was applied is not asked for again
    first = snapshot_plan(h, pizzeria())
    kept = {p.name: p.read_bytes() for p in (h.state / "live").iterdir()}
    assert sorted(kept) == sorted([snapshot_files(h)[0].name, snapshot_files(h)[0].with_suffix(".head.json").name])
    clock.now += timedelta(minutes=1)
    h.reset_counters()
    through_snapshot = snapshot_plan(h, pizzeria())
    calls = h.counters()["operations"]
    assert through_snapshot == first == h.plan(pizzeria())
    for service in ("items", "modifiers"):
        assert f"{service}.list{service.title()}" not in calls
    assert calls["items.queryItems"] == 1 and calls["items.countItems"] == 1
    assert {p.name: p.read_bytes() for p in (h.state / "live").iterdir()} == kept  # its since still holds


def test_a_head_that_is_not_its_snapshots_is_not_believed(tmp_path):
    """A head whose file hash is another snapshot's (here: its sizes edited, then the snapshot
    rewritten by hand) is ignored: the snapshot is decoded, and the plan is the full read's."""
    clock = Clock()
    h = harness(tmp_path, "menus", clock)
    clock.now += timedelta(minutes=1)
    snapshot_plan(h, pizzeria())
    [kept] = snapshot_files(h)
    head = kept.with_suffix(".head.json")
    summary = json.loads(head.read_text())
    head.write_text(json.dumps({**summary, "sizes": {k: v + 1 for k, v in summary["sizes"].items()}}))
    clock.now += timedelta(minutes=1)
    assert snapshot_plan(h, pizzeria()) == h.plan(pizzeria())  # the Counts disagree: read again, correctly
    kept.write_text(json.dumps(json.loads(kept.read_text())))  # the same snapshot, other bytes: head ignored
    clock.now += timedelta(minutes=1)
    h.reset_counters()
    through_snapshot = snapshot_plan(h, pizzeria())
    assert "items.listItems" not in h.counters()["operations"]  # decoded, not read again
    assert through_snapshot == h.plan(pizzeria())


def test_a_deletion_is_noticed_by_the_count_and_that_service_read_in_full(tmp_path):
    clock = Clock()
    h = harness(tmp_path, "menus", clock)
    snapshot_plan(h, pizzeria())
    clock.now += timedelta(minutes=1)
    [modifier] = h.raw_site()["modifier"][:1]
    h.call("modifiers.delete", "DELETE", f"/restaurants/item-modifiers/v1/modifiers/{modifier['id']}")
    clock.now += timedelta(minutes=1)
    h.reset_counters()
    through_snapshot = snapshot_plan(h, pizzeria())
    calls = h.counters()["operations"]
    assert calls["modifiers.listModifiers"] == 1 and "items.listItems" not in calls
    assert through_snapshot == h.plan(pizzeria()) and not through_snapshot.empty


def test_catalogs_v3_keeps_no_snapshot(tmp_path):
    h = harness(tmp_path, "v3", Clock())
    plans(h, pizzeria())
    assert not (h.state / "live").exists() or not list((h.state / "live").iterdir())


def test_a_plan_from_a_damaged_snapshot_is_refused_by_apply_which_reads_in_full(tmp_path):
    """The safety net: a snapshot edited by hand (or wrong for any reason) can make a wrong plan,
    never a wrong apply: apply reads the live side in full and refuses a plan whose fingerprint moved."""
    clock = Clock()
    h = harness(tmp_path, "menus", clock)
    clock.now += timedelta(minutes=1)  # past the margin: what was applied is not asked for again
    snapshot_plan(h, pizzeria())
    [kept] = snapshot_files(h)
    document = json.loads(kept.read_text())
    caesar = next(i for i in document["snapshot"]["lists"]["item"] if i["name"] == "Caesar Salad")
    caesar["name"] = "Not what is live"
    kept.write_text(json.dumps(document))
    clock.now += timedelta(minutes=1)
    wrong = snapshot_plan(h, pizzeria())
    assert [c.id for c in wrong.changes] == ["caesar"]  # believed the damaged snapshot
    with pytest.raises(StalePlan):
        h.apply(wrong)
    assert h.plan(pizzeria()).empty  # nothing was written


def test_a_snapshot_of_another_shape_or_version_is_a_full_read(tmp_path):
    clock = Clock()
    h = harness(tmp_path, "menus", clock)
    snapshot_plan(h, pizzeria())
    [kept] = snapshot_files(h)
    for damage in ({"version": "0.0.0"}, {"snapshot": {"format": "other"}}, {"scope": "wix-menus:elsewhere"}):
        document = json.loads(kept.read_text())
        kept.write_text(json.dumps({**document, **damage}))
        h.reset_counters()
        assert snapshot_plan(h, pizzeria()).empty
        assert "items.listItems" in h.counters()["operations"]  # read in full, and kept again
    kept.write_bytes(b"\x00 not json")
    assert snapshot_plan(h, pizzeria()).empty
