"""What verify reads after an apply, and that reading less still catches every live difference.

Apply keeps a snapshot of the read it makes under the lock (``Target.keep``); verify then reads the
live side as what changed since (``Target.refresh``). On Menus (New) that is a Query of what was
updated since, a Count per service, and the few lists read whole (menus, sections, labels, Online
Orders): never the whole item list again. Catalogs v3 can tell nothing of the kind (no filter, no
public ``updatedDate``, no count): verify reads its three lists. Either way an edit made by someone
else after the writes, or a dish someone else put live, is a difference.
"""

from __future__ import annotations

import time

import pytest

from reconciler.engine.apply import ApplyOptions, apply_plan
from reconciler.engine.planning import make_plan
from reconciler.engine.verify import verify
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import Harness

# The calls that list a whole Menus (New) service of entities that verify asks only for what changed.
MENUS_WHOLE_LISTS = {"items.listItems", "variants.listVariants", "modifiers.listModifiers"}
MENUS_WHOLE_LISTS |= {"modifierGroups.listModifierGroups"}


@pytest.fixture(params=["v3", "menus"])
def applied(request, tmp_path) -> Harness:
    h = Harness(tmp_path, api=request.param)
    assert h.apply(pizzeria()).differences == []
    return h


def _cheaper_price():
    return edit(pizzeria(), lambda d: dish(d, "margherita").update(price="7.25"))


def _verified(h: Harness, catalog, between=None) -> tuple[list[str], list[str]]:
    """Apply ``catalog`` as apply does (the snapshot of its read under the lock kept), without its
    verify; then ``between()`` (someone else's edit); then verify: its differences and its calls."""

    async def applying():
        async with h.target() as target:
            plan = (await make_plan(catalog, target, h.store, h.thresholds, True)).plan
            started = time.monotonic()
            kept = target.keep(await target.fetch(), time.monotonic() - started)
            await apply_plan(plan, target, h.store, h.state, ApplyOptions(verify=False))
            return plan, kept

    plan, kept = h.run(applying())
    if between is not None:
        between()
    mark = max(r["seq"] for r in h.requests())

    async def verifying():
        async with h.target() as target:
            return await verify(plan, target, h.store, kept=kept)

    differences = h.run(verifying())
    # Opening the target again finds the location (and catalog) once more: not verify's reads.
    resolving = ("Locations", "Catalogs")
    return differences, [r["operation"] for r in h.requests(mark) if not r["operation"].endswith(resolving)]


def test_verify_reads_what_changed_and_the_counts_on_menus_and_the_three_lists_on_v3(applied):
    differences, calls = _verified(applied, _cheaper_price())
    assert differences == []
    if applied.api == "menus":
        assert not MENUS_WHOLE_LISTS & set(calls), calls
        assert {"items.queryItems", "items.countItems"} <= set(calls)
        assert calls.count("items.queryItems") == 1
    else:
        assert sorted(calls) == ["listItems", "listMenus", "listSections"]


def test_apply_keeps_the_snapshot_of_its_own_read_for_verify(applied):
    mark = max(r["seq"] for r in applied.requests())
    assert applied.apply(_cheaper_price()).differences == []
    calls = [r["operation"] for r in applied.requests(mark)]
    if applied.api == "menus":
        # The plan's read and apply's read under the lock list the items; verify does not.
        assert calls.count("items.listItems") == 2 and calls.count("items.queryItems") == 1
    else:
        assert calls.count("listItems") == 3  # the plan, apply under the lock, verify


def _edit_caesar(h: Harness) -> None:
    """Someone else renames a dish this run did not touch, after the run's writes."""
    if h.api == "menus":
        caesar = next(i for i in h.raw_site()["item"] if i["name"].lower().startswith("caesar"))
        pricing = {k: caesar[k] for k in ("priceInfo", "priceVariants") if caesar.get(k)}
        body = {"item": {"id": caesar["id"], "revision": caesar["revision"], "name": "Caesar (edited)", **pricing}}
        h.call("items.updateItem", "PATCH", f"/restaurants/menus-item/v1/items/{caesar['id']}", body)
    else:
        caesar = next(i for i in h.raw_live()["items"] if i["name"].lower().startswith("caesar"))
        path = f"/catalogs/{{catalog}}/items/{caesar['id']}"
        h.call("updateItem", "PATCH", path, {"item": {"name": "Caesar (edited)"}})


def _add_a_dish(h: Harness) -> None:
    """Someone else puts a dish live in the salads section, after the run's writes."""
    if h.api == "menus":
        site = h.raw_site()
        created = h.call(
            "items.createItem",
            "POST",
            "/restaurants/menus-item/v1/items",
            {"item": {"name": "Stray", "priceInfo": {"price": "1.00"}}},
        )
        salads = next(s for s in site["section"] if s["name"].lower().startswith("salad"))
        body = {
            "section": {
                "id": salads["id"],
                "revision": salads["revision"],
                "itemIds": [*salads["itemIds"], created["item"]["id"]],
            }
        }
        h.call("sections.updateSection", "PATCH", f"/restaurants/menus-section/v1/sections/{salads['id']}", body)
    else:
        live = h.raw_live()
        salads = next(s for s in live["sections"] if s["name"].lower().startswith("salad"))
        menu = next(m for m in live["menus"] if salads["id"] in m["sectionIds"]["values"])
        path = f"/catalogs/{{catalog}}/menus/{menu['id']}/sections/{salads['id']}/items"
        h.call("createDish", "POST", path, {"dish": {"name": "Stray", "price": {"value": "1.00"}}})


def test_verify_still_catches_a_foreign_edit_of_an_entity_the_run_did_not_touch(applied):
    differences, _ = _verified(applied, _cheaper_price(), lambda: _edit_caesar(applied))
    assert [d for d in differences if "caesar" in d and "differs from the desired state" in d], differences


def test_verify_still_catches_an_extra_live_dish(applied):
    differences, _ = _verified(applied, _cheaper_price(), lambda: _add_a_dish(applied))
    assert [d for d in differences if "is live but not in the desired state" in d], differences


def test_each_reader_says_whether_its_target_keeps_a_snapshot(applied):
    """A memo's answer (cli/plan_answer.py) reads through a kept snapshot, and keeps the one it
    finds, only where the reader declares ``keeps_snapshot``: the declaration must say what the
    whole target does with a read of its own."""

    async def kept_of_a_read():
        async with applied.target() as target:
            return type(target).keeps_snapshot, target.keep(await target.fetch(), 0.0)

    declared, kept = applied.run(kept_of_a_read())
    assert declared is (kept is not None)
    assert declared is (applied.api == "menus")
