"""A failure at any point of an apply leaves the live catalog and the mapping exactly as before.

For every call position of a representative plan (creates, updates, archives of every kind), a
fault is injected there: a 500, a 429 that never clears, or a dropped connection. The apply must
fail, the live catalog and the id mapping must be byte-for-byte what they were, and a second apply
without faults must converge. Transient faults are absorbed: the apply succeeds.
"""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from reconciler.errors import ApplyFailed
from reconciler.model.catalog import Catalog
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness, HttpHarness

PERSISTENT = 1000  # "times": the fault never clears during the run


def desired() -> Catalog:
    data = load_catalog("catalogs/pizzeria.yaml").model_dump()
    data["dishes"] = [d for d in data["dishes"] if d["id"] != "espresso"]
    for menu in data["menus"]:
        for section in menu["sections"]:
            section["dishes"] = [d for d in section["dishes"] if d != "espresso"]
    next(d for d in data["dishes"] if d["id"] == "margherita")["price"] = "11.50"
    data["variations"] += [
        {"id": "dip-garlic", "name": "Garlic dip"},
        {"id": "dip-pesto", "name": "Pesto dip", "price": "0.50"},
    ]
    data["option_groups"].append(
        {
            "id": "dips",
            "name": "Dips",
            "type": "extras",
            "max": 1,
            "choices": [{"item": "dip-garlic", "price": "0.80"}, {"item": "dip-pesto"}],
        }
    )
    data["dishes"] += [
        {"id": "calzone", "name": "Calzone", "price": "14.00", "options": ["dips"]},
        {"id": "garlic-bread", "name": "Garlic bread", "price": "5.00"},
    ]
    data["menus"][0]["sections"][0]["dishes"].append("calzone")
    data["menus"].append(
        {
            "id": "late",
            "name": "Late night",
            "sections": [{"id": "late-pizzas", "name": "After midnight", "dishes": ["margherita", "garlic-bread"]}],
        }
    )
    return Catalog.model_validate(data)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A site with the pizzeria applied, and the plan to reach `desired()` from it."""
    root = tmp_path_factory.mktemp("base")
    h = Harness(root)
    h.apply(load_catalog("catalogs/pizzeria.yaml"))
    plan = h.plan(desired())
    h.store.close()
    return root, plan


def fresh(base, tmp_path) -> Harness:
    root, _ = base
    shutil.copytree(root, tmp_path, dirs_exist_ok=True)
    return Harness(tmp_path, new_site=False)  # reopens the copied emulator store and mapping


def positions(plan) -> list[tuple[int, str, int]]:
    """(index in the plan, call, which occurrence of that call) for every call of the plan."""
    seen: Counter = Counter()
    out = []
    for index, op in enumerate(plan.operations):
        seen[op.call] += 1
        out.append((index, op.call, seen[op.call]))
    return out


def test_the_plan_exercises_every_kind_of_call(base):
    calls = {op.call for op in base[1].operations}
    assert calls == {
        "createDraftCatalog",
        "bulkCreateMenus",
        "bulkCreateVariations",
        "bulkCreateSections",
        "bulkCreateDishes",
        "bulkUpdateItems",
        "bulkUpdateSections",
        "bulkUpdateMenus",
        "publishDraftCatalog",
    }


@pytest.mark.parametrize("fault", ["500", "429", "drop"])
def test_a_failure_at_every_position_changes_nothing(base, tmp_path, fault):
    _, plan = base
    for index, call, nth in positions(plan):
        case = tmp_path / f"{index}"
        case.mkdir()
        h = fresh(base, case)
        before_live, before_mapping = h.raw_live(), h.mapping()
        h.set_faults([{"operation": call, "nth": nth, "times": PERSISTENT, "fault": fault, "retryAfter": 0}])
        with pytest.raises(ApplyFailed):
            h.apply(desired(), attempts=2)
        h.clear_faults()
        assert h.raw_live() == before_live, f"live catalog changed after a {fault} at {call} #{nth}"
        assert h.mapping() == before_mapping, f"mapping changed after a {fault} at {call} #{nth}"
        result = h.apply(desired())
        assert result.differences == [] and h.plan(desired()).empty


@pytest.mark.parametrize("fault", ["500", "429", "drop", "timeout"])
def test_a_transient_failure_anywhere_is_absorbed(base, tmp_path, fault):
    _, plan = base
    for index, call, nth in positions(plan):
        case = tmp_path / f"{index}"
        case.mkdir()
        h = fresh(base, case)
        h.set_faults([{"operation": call, "nth": nth, "times": 1, "fault": fault, "retryAfter": 0}])
        result = h.apply(desired())
        assert result.differences == [], (fault, call, nth)
        assert h.plan(desired()).empty


def test_a_publish_whose_response_is_lost_is_recognised_as_published(base, tmp_path):
    h = fresh(base, tmp_path)
    h.set_faults([{"operation": "publishDraftCatalog", "fault": "drop", "phase": "after", "times": 1}])
    result = h.apply(desired())
    assert result.differences == []
    assert result.attempts == 1  # settled by asking for a discard, not by publishing twice
    assert h.plan(desired()).empty
    assert len([m for m in h.raw_live()["menus"] if m["name"] == "Late night"]) == 1


def test_a_bulk_create_whose_response_is_lost_starts_a_fresh_draft(base, tmp_path):
    h = fresh(base, tmp_path)
    h.set_faults([{"operation": "bulkCreateDishes", "fault": "500", "phase": "after", "times": 1}])
    result = h.apply(desired())
    assert result.attempts == 2
    assert result.differences == []
    names = [i["name"] for i in h.raw_live()["items"]]
    assert names.count("Calzone") == 1 and names.count("Garlic bread") == 1


@pytest.mark.e2e
def test_a_dropped_connection_at_every_position_over_http_changes_nothing(base, server, tmp_path):
    """The same, over a real socket: the server sends response headers, then aborts the connection."""
    _, plan = base
    for index, call, nth in positions(plan):
        (tmp_path / f"{index}").mkdir()
        h = HttpHarness(tmp_path / f"{index}", server)
        h.apply(load_catalog("catalogs/pizzeria.yaml"))
        before_live, before_mapping = h.raw_live(), h.mapping()
        h.set_faults([{"operation": call, "nth": nth, "times": PERSISTENT, "fault": "drop"}])
        try:
            with pytest.raises(ApplyFailed):
                h.apply(desired(), attempts=2)
        finally:
            h.clear_faults()
        assert h.raw_live() == before_live, f"live catalog changed after a drop at {call} #{nth}"
        assert h.mapping() == before_mapping, f"mapping changed after a drop at {call} #{nth}"
        assert h.apply(desired()).differences == [] and h.plan(desired()).empty
