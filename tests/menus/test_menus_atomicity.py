"""Menus (New) has no drafts: a failure anywhere before the cut-over completes is compensated.

For every call of a plan that builds, cuts over and cleans up, a fault is injected there (a 500,
a 429 that never clears, a dropped connection). During build and cut-over the run must fail and
the live site must equal its before-state, revisions and dates aside; the mapping is unchanged.
During clean-up the cut-over is complete: the site must equal the desired state, with a warning,
and the next apply removes what was not deleted. A concurrent edit (a stale revision) at the
cut-over is detected, compensated, and shows up as drift in the next plan.
"""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from reconciler.errors import ApplyFailed
from reconciler.model.catalog import Catalog
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness
from tests.engine.test_atomicity import desired as v3_desired

# Each failing call fails every attempt the client makes (3 in these tests, see harness.FAST), and
# no more: the compensating calls that follow must get through, as they would once a blip passes.
EXHAUST = 3
VOLATILE = {"revision", "createdDate", "updatedDate"}


def desired() -> Catalog:
    data = v3_desired().model_dump()
    next(d for d in data["dishes"] if d["id"] == "caesar")["options"] = []  # a modifier group goes away
    return Catalog.model_validate(data)


def site(h: Harness) -> dict:
    """The live site by Wix id, without what every write changes (revisions, dates)."""
    return {
        kind: {e["id"]: {k: v for k, v in e.items() if k not in VOLATILE} for e in entities}
        for kind, entities in h.raw_site().items()
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("base")
    h = Harness(root, api="menus")
    h.apply(load_catalog("catalogs/pizzeria.yaml"))
    plan = h.plan(desired())
    h.store.close()
    return root, plan


def fresh(base, tmp_path) -> Harness:
    shutil.copytree(base[0], tmp_path, dirs_exist_ok=True)
    return Harness(tmp_path, new_site=False, api="menus")


def positions(plan):
    seen: Counter = Counter()
    for index, op in enumerate(plan.operations):
        seen[op.call] += 1
        yield index, op, seen[op.call]


def test_the_plan_has_all_three_phases(base):
    phases = Counter(op.phase for op in base[1].operations)
    assert set(phases) == {"build", "cut-over", "clean-up"}
    assert phases["cut-over"] >= 3


@pytest.mark.parametrize("fault", ["500", "429", "drop"])
def test_a_failure_at_every_position(base, tmp_path, fault):
    _, plan = base
    for index, op, nth in positions(plan):
        case = tmp_path / str(index)
        case.mkdir()
        h = fresh(base, case)
        before_site, before_mapping = site(h), h.mapping()
        h.set_faults([{"operation": op.call, "nth": nth, "times": EXHAUST, "fault": fault, "retryAfter": 0}])
        if op.phase == "clean-up":
            result = h.apply(desired())
            assert result.warnings and result.differences == [], (fault, op.call)
        else:
            with pytest.raises(ApplyFailed, match="rolled back"):
                h.apply(desired())
            assert site(h) == before_site, f"live site changed after a {fault} at {op.call} #{nth} ({op.phase})"
            assert h.mapping() == before_mapping
        h.clear_faults()
        again = h.apply(desired())
        assert again.differences == [] and again.warnings == []
        assert h.plan(desired()).empty


def test_a_lost_create_response_is_found_and_undone(base, tmp_path):
    h = fresh(base, tmp_path)
    before_site = site(h)
    h.set_faults(
        [
            {"operation": "items.bulkCreateItems", "fault": "drop", "phase": "after", "times": 1},
            {"operation": "sections.bulkCreateSections", "fault": "500", "times": EXHAUST},
        ]
    )
    with pytest.raises(ApplyFailed):
        h.apply(desired())
    assert site(h) == before_site  # the items created by the lost call were found by name and deleted


def test_a_concurrent_edit_at_the_cut_over_is_rolled_back_and_reported_as_drift(base, tmp_path):
    h = fresh(base, tmp_path)
    plan = h.plan(desired())
    margherita = plan.ids["item:margherita"]
    h.set_faults(
        [
            {
                "operation": "items.bulkUpdateItem",
                "fault": "touch",
                "nth": 1,
                "entity": {"service": "items", "id": margherita},
                "set": {"name": "Edited in the dashboard"},
            }
        ]
    )
    with pytest.raises(ApplyFailed, match="edited it since the plan was made"):
        h.apply(plan)
    h.clear_faults()
    edited = {e["id"]: e for e in h.raw_site()["item"]}[margherita]
    assert edited["name"] == "Edited in the dashboard"  # the other edit is kept, not overwritten
    replanned = h.plan(desired())
    change = next(c for c in replanned.changes if c.id == "margherita")
    assert change.drift and [f.path for f in change.fields] == [
        "name",
        "variants[size-10].price",
        "variants[size-12].price",
        "variants[size-16].price",
    ]
    assert h.apply(replanned).differences == [] and h.plan(desired()).empty
