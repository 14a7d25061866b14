"""Menus (New) has no drafts: whatever fails, diners see the old menu or the new one, never a mix.

The plan of these tests sends every kind of call the wix-menus target has: creates of variants,
labels, modifiers, modifier groups, items, sections and menus (build), updates of every kind at
the cut-over, deletes of every kind (clean-up). At every call a fault is injected
(tests/support/faults), refused or executed with the answer lost, lasting past every retry or
clearing after one; every element of every bulk call fails alone; the calls of the compensation
itself fail; the reads before it all fail.

The guarantee is judged by the independent oracle, whatever the mechanism: after a faulted apply
either the apply failed, said it rolled back, and the site is exactly as before (every entity off
the wire, revisions and dates aside) with the mapping unchanged, or it succeeded and a diner sees
what the catalog file says (a clean-up that could not finish leaves only detached entities, and
warns). Then an apply without faults converges. Over real HTTP the faults that differ on a socket
run too.
"""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from reconciler.errors import ApiError, ApplyFailed, ApplyOutcomeUnknown
from reconciler.model.catalog import Catalog
from tests import oracle
from tests.catalog_edits import PIZZERIA_FILE, dish, edited, section
from tests.engine.harness import Harness, HttpHarness
from tests.support.faults import FAULTS, Case, cases, element_cases, plan_positions, rule, traced

# A failing call fails every attempt the client makes (3 in these tests, see harness.FAST), and no
# more: the compensating calls that follow (the same operations) get through, as after a blip.
EXHAUST = 3
BRUNCH = {
    "id": "brunch",
    "name": "Brunch",
    "sections": [{"id": "brunch-salads", "name": "Salads", "dishes": ["caprese"]}],
}


def _base(data: dict) -> None:
    data["menus"].append(dict(BRUNCH))


def _desired(data: dict) -> None:
    """From the base: a create, an update and a delete of every kind of Menus (New) entity."""
    data["menus"] = [m for m in data["menus"] if m["id"] != "brunch"]  # menu and section deleted
    data["menus"].append(
        {
            "id": "late",
            "name": "Late night",
            "sections": [{"id": "late-pizzas", "name": "After midnight", "dishes": ["calzone"]}],
        }
    )
    data["dishes"].append(
        {"id": "calzone", "name": "Calzone", "price": "14.00", "labels": ["new"], "options": ["dips"]}
    )
    data["variations"] += [{"id": "dip-garlic", "name": "Garlic dip"}, {"id": "size-20", "name": "20 inch"}]
    data["option_groups"].append({"id": "dips", "name": "Dips", "type": "extras", "choices": [{"item": "dip-garlic"}]})
    sizes = next(g for g in data["option_groups"] if g["id"] == "pizza-size")
    sizes["choices"] = [c for c in sizes["choices"] if c["item"] != "size-16"] + [{"item": "size-20", "price": "9.00"}]
    next(v for v in data["variations"] if v["id"] == "size-10")["name"] = "10 inch (small)"  # variant renamed
    next(v for v in data["variations"] if v["id"] == "top-olives")["in_stock"] = False  # modifier updated
    next(g for g in data["option_groups"] if g["id"] == "pizza-toppings")["max"] = 2  # group updated
    dish(data, "diavola")["labels"] = []  # the "spicy" label is no longer used: deleted
    dish(data, "margherita")["price"] = "11.50"
    dish(data, "caesar")["options"] = []  # a modifier group and its modifiers go away
    section(data, "drinks").update(name="Drinks", dishes=["lemonade"])
    data["dishes"] = [d for d in data["dishes"] if d["id"] != "espresso"]  # an item deleted


def base_catalog() -> Catalog:
    return edited(PIZZERIA_FILE, _base)[0]


def _both(data: dict) -> None:
    _base(data)
    _desired(data)


def desired() -> Catalog:
    return edited(PIZZERIA_FILE, _both)[0]


def expected() -> list[dict]:
    return oracle.expected(edited(PIZZERIA_FILE, _both)[1], "menus")


def _rename_a_label_live(h: Harness) -> None:
    """Someone renames the "vegan" label in the dashboard: the plan puts the name back (labels.updateLabel)."""
    vegan = h.plan(base_catalog()).ids["label:vegan"]  # labels are site-wide: other locations have one too
    [label] = [x for x in h.raw_site()["label"] if x["id"] == vegan]
    body = {"label": {"id": label["id"], "revision": label["revision"], "name": "Vegan!"}}
    h.call("labels.updateLabel", "PATCH", f"/restaurants/item-labels/v1/labels/{label['id']}", body)


def prepare(h: Harness) -> None:
    h.apply(base_catalog())
    _rename_a_label_live(h)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("base")
    h = Harness(root, api="menus")
    prepare(h)
    plan = h.plan(desired())
    h.store.close()
    return root, plan


def fresh(base, tmp_path) -> Harness:
    shutil.copytree(base[0], tmp_path, dirs_exist_ok=True)
    return Harness(tmp_path, new_site=False, api="menus")


def converges(h) -> None:
    h.clear_faults()
    again = h.apply(desired())
    assert again.differences == [] and again.warnings == []
    live, wanted = h.board(), expected()
    assert live == wanted, oracle.mismatch(live, wanted)
    assert h.plan(desired()).empty


def atomic(h, case: Case) -> None:
    """Under ``case``'s faults the apply leaves the site as before, or as the file says; never a mix."""
    before, mapping = h.snapshot(), h.mapping()
    h.set_faults(case.rules)
    try:
        result = h.apply(desired())
    except ApplyFailed as failure:
        h.clear_faults()
        assert "rolled back" in str(failure), case.id
        after = h.snapshot()
        assert after == before, f"{case.id}: apply failed but the site changed\n{oracle.mismatch(after, before)}"
        assert h.mapping() == mapping, case.id
    else:
        h.clear_faults()
        assert result.differences == [], case.id
        # A clean-up that stopped leaves removed entities hidden or detached: diners see the new menu.
        live, wanted = (h.board(), expected()) if not result.warnings else map(oracle.visible, (h.board(), expected()))
        assert live == wanted, f"{case.id}: apply succeeded but\n{oracle.mismatch(live, wanted)}"
    finally:
        h.clear_faults()
    converges(h)


def test_the_plan_sends_every_kind_of_call_in_three_phases(base):
    calls = Counter(op.call for op in base[1].operations)
    for service in ("variants", "modifiers", "modifierGroups", "items", "sections", "menus"):
        assert any(c.startswith(f"{service}.bulkCreate") for c in calls), service
        assert any(c.startswith(f"{service}.bulkUpdate") for c in calls), service
    for deleted in ("variants", "labels", "modifiers", "modifierGroups", "items", "sections"):
        assert any(c.startswith(f"{deleted}.bulkDelete") for c in calls), deleted
    assert {"labels.createLabel", "labels.updateLabel", "menus.deleteMenu"} <= set(calls)
    assert {op.phase for op in base[1].operations} == {"build", "cut-over", "clean-up"}


def _rotating(positions, lost: bool) -> list[Case]:
    """Every position once, the fault kind rotating through FAULTS (every kind lands in every phase)."""
    kinds = [f for f in FAULTS if not (lost and f == "429")]  # a 429 is a refusal: never executed
    return [
        cases([position], faults=[kinds[i % len(kinds)]], lost=[lost], times=EXHAUST)[0]
        for i, position in enumerate(positions)
    ]


@pytest.mark.parametrize("lost", [False, True], ids=["refused", "answer-lost"])
def test_a_failure_at_every_call_is_atomic(base, tmp_path, lost):
    for case in _rotating(plan_positions(base[1]), lost):
        atomic(fresh(base, tmp_path / case.id), case)


@pytest.mark.parametrize("fault", FAULTS)
def test_every_kind_of_fault_at_the_cut_over_is_atomic(base, tmp_path, fault):
    """The first and the last update of the cut-over, every fault, refused and with the answer lost."""
    cut_over = [p for p in plan_positions(base[1]) if p.phase == "cut-over"]
    cut_over = [cut_over[0], cut_over[-1]]
    for case in cases(cut_over, faults=[fault], lost=[False, True], times=EXHAUST):
        atomic(fresh(base, tmp_path / case.id), case)


@pytest.mark.parametrize("lost", [False, True], ids=["refused", "answer-lost"])
def test_a_blip_at_every_call_is_atomic(base, tmp_path, lost):
    for case in cases(plan_positions(base[1]), faults=["500"], lost=[lost], times=1):
        atomic(fresh(base, tmp_path / case.id), case)


def test_a_single_failed_element_of_any_bulk_call_is_atomic(base, tmp_path):
    for case in element_cases(base[1]):
        atomic(fresh(base, tmp_path / case.id), case)


def _compensation(base, tmp_path, trigger: dict) -> list:
    """The calls a run makes after ``trigger`` fails it: the reads and writes that undo the run."""
    h = fresh(base, tmp_path / "traced")
    h.reset_counters()
    h.set_faults([trigger])
    with pytest.raises(ApplyFailed):
        h.apply(desired())
    log = h.requests()
    calls = [e for e in log if e["operation"]]  # the entries traced() numbers, in the same order
    failed = max(i for i, e in enumerate(calls) if e["operation"] == trigger["operation"] and e["fault"])
    return traced(log)[failed + 1 :]


# The last cut-over call fails: by then every other cut-over update has landed and must be undone.
LAST_CUT_OVER = rule("menus.bulkUpdateMenu", "500", times=EXHAUST)


def test_a_refused_blip_in_the_compensation_is_absorbed(base, tmp_path):
    for position in _compensation(base, tmp_path, LAST_CUT_OVER):
        [case] = cases([position], faults=["500"], lost=[False], then=[LAST_CUT_OVER])
        atomic(fresh(base, tmp_path / case.id), case)


def test_a_lost_answer_in_the_compensation_is_absorbed(base, tmp_path):
    """Every compensating write with its answer lost: the undo reads back what landed (an update that
    already holds the before-state, a delete whose entity is gone) instead of ending in exit 9."""
    writes = [p for p in _compensation(base, tmp_path, LAST_CUT_OVER) if not p.is_read]
    for case in cases(writes, faults=["500"], lost=[True], then=[LAST_CUT_OVER]):
        atomic(fresh(base, tmp_path / case.id), case)


def test_a_compensation_that_cannot_finish_says_so_and_the_next_apply_converges(base, tmp_path):
    """One of each kind of compensating call fails for good: exit 9, and the next apply converges."""
    firsts = {p.call: p for p in reversed(_compensation(base, tmp_path, LAST_CUT_OVER))}
    for position in firsts.values():
        h = fresh(base, tmp_path / f"{position.label}-stuck")
        h.set_faults([LAST_CUT_OVER, rule(position, "500", times=1000)])
        with pytest.raises(ApplyOutcomeUnknown, match="did not complete"):
            h.apply(desired())
        converges(h)


@pytest.mark.parametrize("read", ["listLocations", "menus.listMenus", "items.listItems", "labels.listLabels"])
def test_a_read_that_fails_stops_the_plan_and_changes_nothing(base, tmp_path, read):
    h = fresh(base, tmp_path)
    before, mapping = h.snapshot(), h.mapping()
    h.set_faults([rule(read, "500", times=1000)])
    with pytest.raises(ApiError):
        h.apply(desired())
    h.clear_faults()
    assert h.snapshot() == before and h.mapping() == mapping
    converges(h)


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
    edited_item = {e["id"]: e for e in h.raw_site()["item"]}[margherita]
    assert edited_item["name"] == "Edited in the dashboard"  # the other edit is kept, not overwritten
    replanned = h.plan(desired())
    change = next(c for c in replanned.changes if c.id == "margherita")
    assert change.drift and "name" in [f.path for f in change.fields]
    assert h.apply(replanned).differences == [] and h.plan(desired()).empty


# -- over a real socket --------------------------------------------------------------------------

OVER_HTTP = {"modifiers.bulkCreateModifiers", "labels.createLabel", "items.bulkUpdateItem", "menus.bulkUpdateMenu"}


def _http(tmp_path, server, name: str) -> HttpHarness:
    (tmp_path / name).mkdir()
    h = HttpHarness(tmp_path / name, server, api="menus", timeout=1.0)
    prepare(h)
    return h


@pytest.mark.e2e
@pytest.mark.parametrize("lost", [False, True], ids=["refused", "answer-lost"])
def test_over_http_a_dropped_connection_is_atomic(base, server, tmp_path, lost):
    at = [p for p in plan_positions(base[1]) if p.call in OVER_HTTP]
    for case in cases(at, faults=["drop"], lost=[lost], times=EXHAUST):
        atomic(_http(tmp_path, server, case.id), case)


@pytest.mark.e2e
def test_over_http_a_client_timeout_and_a_failed_element_are_atomic(base, server, tmp_path):
    timeout = Case([rule("items.bulkUpdateItem", "timeout", times=1, delayMs=3000)], "timeout")
    element = Case([rule("sections.bulkCreateSections", "element", element=1)], "element")
    for case in (timeout, element):
        atomic(_http(tmp_path, server, case.id), case)
