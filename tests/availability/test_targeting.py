"""--only / --exclude: a targeted plan on both targets; still one draft; dangling references refused."""

from __future__ import annotations

import pytest

from reconciler.engine.apply import ApplyOptions, apply_plan
from reconciler.engine.planning import make_plan
from reconciler.engine.targeting import Selection
from reconciler.errors import ConfigError
from tests.catalog_edits import dish, edit, pizzeria, section
from tests.engine.harness import Harness


@pytest.fixture(params=["v3", "menus"])
def h(request, tmp_path):
    harness = Harness(tmp_path, api=request.param)
    harness.apply(pizzeria())
    return harness


def plan(h, catalog, only=None, exclude=None):
    async def go():
        async with h.target() as target:
            return (
                await make_plan(catalog, target, h.store, h.thresholds, True, None, Selection.parse(only, exclude))
            ).plan

    return h.run(go())


def apply(h, p):
    async def go():
        async with h.target() as target:
            return await apply_plan(p, target, h.store, h.state, ApplyOptions())

    return h.run(go())


def two_edits():
    def change(d):
        dish(d, "margherita").update(price="11.75")
        dish(d, "caesar").update(name="Caesar salad")

    return edit(pizzeria(), change)


def test_only_keeps_the_named_changes_and_leaves_the_rest_for_later(h):
    targeted = plan(h, two_edits(), only="dish:margherita")
    assert [c.id for c in targeted.changes] == ["margherita"]
    assert any(n.startswith("targeted plan: only dish:margherita") for n in targeted.notes)
    result = apply(h, targeted)
    assert result.differences == []
    assert [c.id for c in h.plan(two_edits()).changes] == ["caesar"]  # the rest is still to do


def test_exclude_leaves_the_named_changes_out(h):
    assert [c.id for c in plan(h, two_edits(), exclude="dish:margherita").changes] == ["caesar"]


def test_a_targeted_plan_of_several_changes_is_still_one_draft_on_catalogs_v3(tmp_path):
    h = Harness(tmp_path, api="v3")
    h.apply(pizzeria())

    def change(d):
        for name in ("margherita", "caesar", "diavola"):
            dish(d, name).update(price="20.00")

    targeted = plan(h, edit(pizzeria(), change), only="dish:margherita,dish:caesar")
    calls = [op.call for op in targeted.operations]
    assert calls[0] == "createDraftCatalog" and calls[-1] == "publishDraftCatalog"
    assert [c.id for c in targeted.changes] == ["caesar", "margherita"]


def test_a_dish_created_in_a_section_left_out_is_refused_naming_both(h):
    def change(d):
        d["dishes"].append({"id": "calzone", "name": "Calzone", "price": "12.00"})
        section(d, "pizzas")["dishes"].append("calzone")

    added = edit(pizzeria(), change)
    with pytest.raises(ConfigError, match=r"section pizzas names calzone.*add it to --only"):
        plan(h, added, only="section:pizzas")
    both = plan(h, added, only="section:pizzas,dish:calzone")
    assert sorted(c.id for c in both.changes) == ["calzone", "pizzas"]


def test_a_removal_something_left_alone_still_names_is_refused(h):
    def change(d):
        d["dishes"] = [x for x in d["dishes"] if x["id"] != "caprese"]
        section(d, "salads")["dishes"].remove("caprese")

    removed = edit(pizzeria(), change)
    with pytest.raises(ConfigError, match=r"caprese would be removed but section salads still names it"):
        plan(h, removed, only="dish:caprese")


def test_bad_selectors_are_clear_errors():
    with pytest.raises(ConfigError, match="is not KIND:ID"):
        Selection.parse("margherita", None)
    with pytest.raises(ConfigError, match="is not KIND:ID"):
        Selection.parse("dishes:margherita", None)
    assert Selection.parse(None, None) is None
