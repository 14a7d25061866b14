"""The availability layer end to end on both targets: 86 as the minimal live update, expiry, plan notes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.engine.availability import LAYER_NOTE
from tests.availability.helpers import Layered
from tests.catalog_edits import pizzeria
from tests.engine.harness import Harness

APIS = ["v3", "menus"]
DRAFT_CALLS = {"createDraftCatalog", "publishDraftCatalog"}


def writes(harness) -> dict[str, int]:
    """Write calls by name; Menus (New) names its calls "<service>.<call>"."""
    counts = harness.counters()["operations"].items()
    return {op: n for op, n in counts if not op.rsplit(".", 1)[-1].startswith(("list", "get", "query"))}


@pytest.fixture(params=APIS)
def lh(request, tmp_path):
    harness = Harness(tmp_path, api=request.param)
    harness.apply(pizzeria())
    return Layered(harness)


def test_an_86_is_one_call_per_entity_and_no_draft(lh):
    lh.put(lh.entry("margherita"), lh.entry("caesar"))
    lh.h.reset_counters()
    done = lh.update(pizzeria(), "margherita", "caesar")
    writes_ = writes(lh.h)
    assert not DRAFT_CALLS & set(writes_)
    assert sum(writes_.values()) <= 2 and sum(writes_.values()) == done.total_calls
    assert sorted(c.id for c in done.changes) == ["caesar", "margherita"]
    assert not lh.stock("dish", "margherita") and not lh.stock("dish", "caesar")
    assert lh.stock("dish", "diavola")
    assert lh.planned(pizzeria()).plan.empty  # catalog + layer is what is live


def test_an_86_carries_no_pending_catalog_change_along(lh):
    from tests.catalog_edits import dish, edit

    repriced = edit(pizzeria(), lambda d: dish(d, "margherita").update(price="99.00"))
    lh.put(lh.entry("margherita"))
    lh.update(repriced, "margherita")
    live = lh.h.live()
    assert live[("dish", "margherita")]["in_stock"] is False
    assert "99" not in str(live[("dish", "margherita")].get("price")) + str(
        live[("dish", "margherita")].get("variants")
    )
    plan = lh.planned(repriced).plan
    assert [c.id for c in plan.changes] == ["margherita"]
    assert [f.path for f in plan.changes[0].fields] != ["in_stock"]


def test_a_layer_entry_not_yet_live_is_shown_apart_in_the_plan(lh):
    lh.put(lh.entry("funghi", until=lh.clock() + timedelta(hours=4)))
    plan = lh.planned(pizzeria()).plan
    [change] = plan.changes
    assert change.id == "funghi" and [f.path for f in change.fields] == ["in_stock"]
    assert change.notes[0].startswith(LAYER_NOTE) and "86'd until 22:00 by cli" in change.notes[0]


def test_expiry_is_exact_with_an_injectable_clock(lh):
    lh.put(lh.entry("margherita", until=lh.clock() + timedelta(hours=2)))
    lh.update(pizzeria(), "margherita")
    lh.clock.advance(hours=1, minutes=59, seconds=59)
    assert lh.planned(pizzeria()).plan.empty  # still 86'd one second before
    lh.clock.advance(seconds=1)
    plan = lh.planned(pizzeria()).plan
    assert [(c.id, [(f.path, f.after) for f in c.fields]) for c in plan.changes] == [
        ("margherita", [("in_stock", True)])
    ]
    assert not any(n.startswith(LAYER_NOTE) for n in plan.changes[0].notes)


def test_an_option_choice_can_be_86d_on_both_targets(lh):
    lh.put(lh.entry("top-nduja", kind="variation"))
    done = lh.update(pizzeria(), "top-nduja")
    assert [c.id for c in done.changes] == ["top-nduja"] and not done.missing
    kind = "variation" if lh.h.api == "v3" else "modifier"
    assert lh.stock(kind, "top-nduja") is False


def test_a_size_cannot_be_86d_on_menus_new_and_says_so(tmp_path):
    harness = Harness(tmp_path, api="menus")
    harness.apply(pizzeria())
    lh = Layered(harness)
    lh.put(lh.entry("size-16", kind="variation"))
    done = lh.update(pizzeria(), "size-16")
    assert done.changes == [] and done.missing == ["size-16"]


def test_un86_restores_the_catalog_value(lh):
    lh.put(lh.entry("caprese"))
    lh.update(pizzeria(), "caprese")
    assert lh.layer.end([(lh.location_id(), "caprese")], lh.clock()) == 1
    done = lh.update(pizzeria(), "caprese")
    assert [c.id for c in done.changes] == ["caprese"] and lh.stock("dish", "caprese") is True
    assert lh.planned(pizzeria()).plan.empty


def test_an_entry_for_another_location_changes_nothing_here(lh):
    lh.put(lh.entry("margherita", location="some-other-location"))
    assert lh.planned(pizzeria()).plan.empty


def test_the_text_and_markdown_plans_show_layer_changes_apart(lh):
    from reconciler.render.markdown import render_markdown
    from reconciler.render.text import render_text

    lh.put(lh.entry("funghi"))
    plan = lh.planned(pizzeria()).plan
    text = render_text(plan, color=False)
    assert "1 change(s) come from the availability layer" in text and "(availability)" in text
    assert "86'd by cli (test)" in text
    assert "(availability)" in render_markdown(plan)
