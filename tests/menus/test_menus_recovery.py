"""Menus (New) failures that need more than "undo everything": lost answers, other writers, partial undo.

* A create whose answer was lost is found again (by what it was sent with) and the run goes on,
  as a v3 apply goes on with a fresh draft; nothing is duplicated.
* A cut-over update whose answer was lost counts as this run's write when undoing, even if the
  step as a whole never succeeded (issue: new prices stayed live after "rolled back").
* An entity that someone else changed (here: to exactly what this run wanted, as a concurrent apply
  would) is not this run's to undo: the run stops, undoes only its own writes, and keeps theirs.
* Undoing goes on past an entity it cannot restore, and says exactly which ones it could not.

What a diner sees is judged from the raw API lists (``site``), not through reconcile's reader.
"""

from __future__ import annotations

import shutil

import pytest

from reconciler.engine.plan import fill_placeholders
from reconciler.errors import ApplyFailed, ApplyOutcomeUnknown
from reconciler.model.catalog import Catalog
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness
from tests.engine.test_atomicity import desired as v3_desired

PERSISTENT = 1000
EXHAUST = 3  # the executor's attempts
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


def _names(h, service: str) -> list[str]:
    return sorted(e["name"] for e in h.raw_site()[service])


def _cut_over_element(plan, call: str, key: str) -> dict:
    """The fields the plan's cut-over writes onto one entity, placeholders filled."""
    op = next(o for o in plan.operations if o.call == call)
    spec_key, entity_key = {"items.bulkUpdateItem": ("items", "item")}[call]
    element = next(e for e in op.body[spec_key] if e[entity_key]["id"] == {"$ref": key})
    filled = fill_placeholders(element[entity_key], plan.ids, plan.revisions)
    return {k: v for k, v in filled.items() if k not in ("id", "revision")}


@pytest.mark.parametrize("call", ["items.bulkCreateItems", "modifiers.bulkCreateModifiers", "menus.bulkCreateMenus"])
@pytest.mark.parametrize("fault", ["drop", "500", "timeout"])
def test_a_lost_create_answer_is_recovered_without_duplicates(base, tmp_path, call, fault):
    h = fresh(base, tmp_path)
    h.set_faults([{"operation": call, "fault": fault, "phase": "after", "times": 1, "delayMs": 0}])
    result = h.apply(desired())
    assert result.differences == [] and result.warnings == []
    h.clear_faults()
    assert h.plan(desired()).empty
    for service in ("item", "modifier", "menu", "group", "section"):
        names = _names(h, service)
        assert len(names) == len(set(names)), f"duplicate {service}s after a lost {call} answer: {names}"


def test_a_landed_cut_over_update_whose_answer_was_lost_is_undone(base, tmp_path):
    """items.bulkUpdateItem executes but its answer is lost once; then the menu update fails for good."""
    h = fresh(base, tmp_path)
    before_site, before_mapping = site(h), h.mapping()
    h.set_faults(
        [
            {"operation": "items.bulkUpdateItem", "fault": "drop", "phase": "after", "times": 1},
            {"operation": "menus.bulkUpdateMenu", "fault": "500", "times": EXHAUST},
        ]
    )
    with pytest.raises(ApplyFailed, match="rolled back"):
        h.apply(desired())
    h.clear_faults()
    assert site(h) == before_site  # new prices gone, the modifier group attached again
    assert h.mapping() == before_mapping
    assert h.apply(desired()).differences == [] and h.plan(desired()).empty


def test_a_concurrent_writer_is_never_rolled_back(base, tmp_path):
    """Another apply lands the same margherita change while this run builds: it is theirs, not ours."""
    h = fresh(base, tmp_path)
    plan = h.plan(desired())
    margherita = plan.ids["item:margherita"]
    theirs = _cut_over_element(plan, "items.bulkUpdateItem", "item:margherita")
    before_site = site(h)
    h.set_faults(
        [
            {
                "operation": "items.bulkCreateItems",
                "fault": "touch",
                "entity": {"service": "items", "id": margherita},
                "set": theirs,
            }
        ]
    )
    with pytest.raises(ApplyFailed, match="changed since the plan was made") as caught:
        h.apply(plan)
    assert caught.value.exit_code == 3
    h.clear_faults()
    after = site(h)
    assert after["item"][margherita]["priceVariants"] == theirs["priceVariants"]  # their write stays
    after["item"][margherita] = before_site["item"][margherita]
    assert after == before_site  # and everything this run did is undone


def test_undo_goes_on_past_an_entity_it_cannot_restore_and_names_it(base, tmp_path):
    h = fresh(base, tmp_path)
    plan = h.plan(desired())
    caesar, margherita = plan.ids["item:caesar"], plan.ids["item:margherita"]
    before_site = site(h)
    h.set_faults(
        [
            {"operation": "menus.bulkUpdateMenu", "fault": "500", "times": EXHAUST},
            # The undo's write of items is the 2nd items.bulkUpdateItem; just before it, someone
            # edits caesar: its undo must not overwrite that edit, and margherita's must go on.
            {
                "operation": "items.bulkUpdateItem",
                "fault": "touch",
                "nth": 2,
                "entity": {"service": "items", "id": caesar},
                "set": {"name": "Caesar (edited in the dashboard)"},
            },
        ]
    )
    with pytest.raises(ApplyOutcomeUnknown) as caught:
        h.apply(plan)
    message = str(caught.value)
    assert "item:caesar" in message and "item:margherita" not in message
    h.clear_faults()
    after = site(h)
    assert after["item"][caesar]["name"] == "Caesar (edited in the dashboard)"
    assert after["item"][margherita] == before_site["item"][margherita]
    assert after["section"] == before_site["section"] and after["menu"] == before_site["menu"]
    assert set(after["group"]) == set(before_site["group"])  # what the run built is deleted


def test_a_service_whose_undo_fails_does_not_stop_the_others(base, tmp_path):
    h = fresh(base, tmp_path)
    plan = h.plan(desired())
    before_site = site(h)
    h.set_faults(
        [
            {"operation": "menus.bulkUpdateMenu", "fault": "500", "times": EXHAUST},
            {"operation": "items.bulkUpdateItem", "fault": "500", "nth": 2, "times": PERSISTENT},
        ]
    )
    with pytest.raises(ApplyOutcomeUnknown) as caught:
        h.apply(plan)
    message = str(caught.value)
    assert "item:caesar" in message and "item:margherita" in message  # each one it could not restore
    h.clear_faults()
    after = site(h)
    assert after["section"] == before_site["section"] and after["menu"] == before_site["menu"]
    assert h.apply(desired()).differences == [] and h.plan(desired()).empty
