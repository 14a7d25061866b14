"""Two applies of one catalog never both write; runs that ended badly are cleaned up by the next one.

* An apply that planned before another one published, and executes after it, is refused as stale
  (exit 4) and changes nothing, whatever the plan's origin: the live catalog is read again under
  the lock before anything is written.
* The lock covers planning too: an apply that takes it before planning turns a second one away
  (exit 7) before that one reads anything.
* On a Menus (New) site of several locations, one location's apply is no move for another's plan.
* A run that ended "unknown" (exit 9) is cleaned up like an interrupted one: its draft is ours.
* A plan whose only work is deleting what an earlier run left behind is not "No changes".
"""

from __future__ import annotations

import pytest

from reconciler.engine.apply import catalog_lock
from reconciler.engine.locations import LocationOutcome
from reconciler.errors import ApplyOutcomeUnknown, LockHeld, StalePlan
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness
from tests.engine.site_harness import NAMES, SiteHarness
from tests.engine.test_atomicity import base, desired, fresh  # noqa: F401 - the module fixture
from tests.engine.test_locations import chain
from tests.menus.test_menus_atomicity import desired as menus_desired


def pizzeria():
    return load_catalog("catalogs/pizzeria.yaml")


async def _scope(h) -> str:
    async with h.target() as target:
        return await target.scope()


def _names(items: list[dict]) -> list[str]:
    return sorted(i["name"] for i in items)


@pytest.mark.parametrize("api", ["v3", "menus"])
def test_an_apply_planned_before_another_published_is_refused_and_changes_nothing(tmp_path, api):
    """The second apply plans while the first has not published yet, and executes after it."""
    h = Harness(tmp_path, api=api)
    h.apply(pizzeria())
    target = menus_desired() if api == "menus" else desired()
    late = h.plan(target)  # B: planned, waiting (for a confirmation, say)
    h.apply(target)  # A: plans, applies, publishes
    after_a, mapping_a = h.raw_live() if api == "v3" else h.raw_site(), h.mapping()
    with pytest.raises(StalePlan, match="before it was applied") as caught:
        h.apply(late)
    assert caught.value.exit_code == 4
    assert (h.raw_live() if api == "v3" else h.raw_site()) == after_a and h.mapping() == mapping_a
    live = h.raw_live()["items"] if api == "v3" else h.raw_site()["item"]
    assert _names(live).count("Calzone") == 1  # no second copy, in a section or detached


def test_the_lock_is_held_from_before_the_plan_and_turns_a_second_apply_away(tmp_path):
    h = Harness(tmp_path)
    scope = h.run(_scope(h))
    with catalog_lock(h.state, scope, h.store), pytest.raises(LockHeld, match="another apply is running"):
        h.apply(pizzeria())  # from this process, on another connection: same lock
    assert h.raw_live()["items"] == []
    assert h.apply(pizzeria()).differences == []  # released


def test_a_run_whose_outcome_was_unknown_is_cleaned_up_by_the_next(base, tmp_path):  # noqa: F811
    """The publish answer is lost and so is every discard: exit 9. The next apply must not refuse
    the draft that run left as someone else's (exit 7): it is ours."""
    h = fresh(base, tmp_path)
    h.set_faults(
        [
            {"operation": "publishDraftCatalog", "fault": "500", "times": 1000},
            {"operation": "discardDraftCatalog", "fault": "500", "times": 1000},
        ]
    )
    before = h.raw_live()
    with pytest.raises(ApplyOutcomeUnknown) as caught:
        h.apply(desired())
    assert caught.value.exit_code == 9
    h.clear_faults()
    assert h.raw_live() == before  # the publish never happened
    assert h.apply(desired()).differences == [] and h.plan(desired()).empty
    statuses = [run.status for run in h.store.runs(h.run(_scope(h)))]
    assert statuses[:2] == ["applied", "abandoned"]


def test_a_plan_that_only_cleans_up_leftovers_is_not_empty(tmp_path):
    h = Harness(tmp_path, api="menus")
    h.apply(pizzeria())
    h.set_faults([{"operation": "items.bulkDeleteItems", "fault": "500", "times": 1000}])
    result = h.apply(menus_desired())  # espresso is detached at the cut-over, then not deleted
    assert result.warnings and result.differences == []
    h.clear_faults()
    leftovers = h.plan(menus_desired())
    assert leftovers.changes == () and not leftovers.empty
    assert leftovers.summary_line().startswith("Plan: 0 to create, 0 to update, 0 to delete; ")
    assert "clean up what an earlier run left" in leftovers.summary_line()
    h.apply(leftovers)
    assert "Espresso" not in _names(h.raw_site()["item"])
    assert h.plan(menus_desired()).empty


def test_on_a_menus_site_of_several_locations_another_locations_apply_is_no_move(tmp_path):
    """Menus (New) entities are site-wide. A catalog of four locations is planned at once and applied
    location by location: what the first builds and attaches is not what the second reaches, so the
    second's re-read under the lock must not refuse its plan as stale (it did: "Wix entity … appeared")."""
    site = SiteHarness(tmp_path, api="menus")
    catalog, data = chain()
    result = site.apply(catalog)
    assert [r.outcome for r in result.results] == [LocationOutcome.APPLIED] * 4, [r.error for r in result.results]
    for name in NAMES:
        assert site.board(name) == site.expected(data, name), name
    assert site.plan(catalog).empty
