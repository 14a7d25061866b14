"""Catalogs v3: a failure at any call of an apply leaves the live catalog and the mapping as they were.

The plan of these tests sends every kind of call Catalogs v3 has: the draft, archives and
unarchives of menus, creates of menus, variations, sections and dishes, updates of items,
sections and menus, and the publish. At every call, each fault is injected (tests/support/faults):
a 500, a 429, a dropped connection and a timeout that never clear, and the same three *after* the
call executed (the call happened, its answer was lost). Then:

* before the publish, the apply fails, and the live catalog (every entity, archived ones too, read
  off the wire by the oracle) and the mapping are exactly as before; the draft is gone;
* a publish whose answer was lost is recognised as published: the apply succeeds;
* a fault that clears is absorbed: the apply succeeds without duplicates;
* every element of every bulk call, failing alone, fails the apply (no partial publish);
* the discard after a failure, the reads before and after, and the single live update are
  faulted too;

and a second apply without faults always converges to what the catalog file says (the oracle's
board). The same runs over real HTTP for the faults that differ on a socket.
"""

from __future__ import annotations

import shutil

import pytest

from reconciler.errors import ApiError, ApplyFailed, ApplyOutcomeUnknown
from reconciler.model.catalog import Catalog
from tests import oracle
from tests.catalog_edits import dish, edited
from tests.engine.harness import Harness, HttpHarness
from tests.support.faults import PERSISTENT, cases, element_cases, plan_positions, rule, traced

PIZZERIA = "catalogs/pizzeria.yaml"
BRUNCH = {
    "id": "brunch",
    "name": "Brunch",
    "sections": [{"id": "brunch-salads", "name": "Salads", "dishes": ["caprese"]}],
}
OLD = {
    "id": "old",
    "name": "Old favourites",
    "sections": [{"id": "old-pizzas", "name": "Classics", "dishes": ["funghi"]}],
}


def _with_menus(*menus):
    def change(data: dict) -> None:
        data["menus"] += [dict(m) for m in menus]

    return change


def _desired(data: dict) -> None:
    """From the base (pizzeria + brunch, with "old" archived): every kind of call."""
    data["dishes"] = [d for d in data["dishes"] if d["id"] != "espresso"]
    for menu in data["menus"]:
        for section in menu["sections"]:
            section["dishes"] = [d for d in section["dishes"] if d != "espresso"]
    dish(data, "margherita")["price"] = "11.50"
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
    data["menus"] = [m for m in data["menus"] if m["id"] != "brunch"]  # archived
    data["menus"].append(dict(OLD))  # archived earlier: unarchived
    data["menus"].append(
        {
            "id": "late",
            "name": "Late night",
            "sections": [{"id": "late-pizzas", "name": "After midnight", "dishes": ["margherita", "garlic-bread"]}],
        }
    )


def _base_and_desired(data: dict) -> None:
    _with_menus(BRUNCH)(data)
    _desired(data)


def desired() -> Catalog:
    return edited(PIZZERIA, _base_and_desired)[0]


def expected() -> list[dict]:
    return oracle.expected(edited(PIZZERIA, _base_and_desired)[1], "v3")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A site with the pizzeria and two more menus applied, one of them removed again (archived),
    and the plan that reaches `desired()` from there."""
    root = tmp_path_factory.mktemp("base")
    h = Harness(root)
    h.apply(edited(PIZZERIA, _with_menus(BRUNCH, OLD))[0])
    h.apply(edited(PIZZERIA, _with_menus(BRUNCH))[0])
    plan = h.plan(desired())
    h.store.close()
    return root, plan


def fresh(base, tmp_path) -> Harness:
    root, _ = base
    shutil.copytree(root, tmp_path, dirs_exist_ok=True)
    return Harness(tmp_path, new_site=False)  # reopens the copied emulator store and mapping


def no_draft(h) -> bool:
    """Whether the catalog has no draft (a discard finds none; it would discard one that existed)."""
    try:
        h.call("discardDraftCatalog", "DELETE", "/draft-catalogs/{catalog}/discard")
    except ApiError as error:
        return error.status == 404
    return False


def converges(h) -> None:
    """Without faults, one more apply reaches what the catalog file says."""
    h.clear_faults()
    result = h.apply(desired())
    assert result.differences == []
    live, wanted = h.board(), expected()
    assert live == wanted, oracle.mismatch(live, wanted)
    assert h.plan(desired()).empty


def test_the_plan_exercises_every_kind_of_call(base):
    assert {op.call for op in base[1].operations} == {
        "createDraftCatalog",
        "bulkArchiveMenus",
        "bulkUnarchiveMenus",
        "bulkCreateMenus",
        "bulkCreateVariations",
        "bulkCreateSections",
        "bulkCreateDishes",
        "bulkUpdateItems",
        "bulkUpdateSections",
        "bulkUpdateMenus",
        "publishDraftCatalog",
    }


def fails_cleanly(h, case) -> None:
    """Apply under a persistent fault: it fails and changes nothing, or (a lost publish answer) it
    is recognised as published; then, without faults, it converges."""
    before, mapping = h.snapshot(), h.mapping()
    h.set_faults(case.rules)
    try:
        if case.lost and case.position.call == "publishDraftCatalog":
            # Published, answer lost: the discard that follows finds no draft, so it was published.
            assert h.apply(desired(), attempts=2).differences == [], case.id
        else:
            with pytest.raises(ApplyFailed):
                h.apply(desired(), attempts=2)
            h.clear_faults()
            assert h.snapshot() == before, f"live catalog changed after {case.id}"
            assert h.mapping() == mapping, f"mapping changed after {case.id}"
            assert no_draft(h), f"a draft was left after {case.id}"
    finally:
        h.clear_faults()
    converges(h)


def _persistent(base, tmp_path, faults, lost):
    _, plan = base
    for case in cases(plan_positions(plan), faults=faults, lost=lost, times=PERSISTENT):
        fails_cleanly(fresh(base, tmp_path / case.id), case)


@pytest.mark.parametrize("fault", ["500", "429", "drop", "timeout"])
def test_a_failure_at_every_call_changes_nothing(base, tmp_path, fault):
    _persistent(base, tmp_path, [fault], lost=[False])


@pytest.mark.parametrize("fault", ["500", "drop", "timeout"])
def test_a_call_that_ran_but_whose_answer_is_always_lost_changes_nothing(base, tmp_path, fault):
    """Every attempt executes and loses its answer; only a lost publish is known to have published."""
    _persistent(base, tmp_path, [fault], lost=[True])


@pytest.mark.parametrize("lost", [False, True], ids=["refused", "answer-lost"])
def test_a_fault_that_clears_is_absorbed_at_every_call(base, tmp_path, lost):
    _, plan = base
    for case in cases(plan_positions(plan), faults=["500", "429", "drop", "timeout"], lost=[lost], times=1):
        h = fresh(base, tmp_path / case.id)
        result = h.apply(desired())
        assert result.differences == [], case.id
        names = [i["name"] for i in h.snapshot()["items"]]
        assert names.count("Calzone") == 1 and names.count("Garlic dip") == 1, (case.id, names)
        assert len(h.snapshot()["menus"]) == 4  # main, brunch (archived), old, late: no duplicate
        converges(h)


def test_a_single_failed_element_of_any_bulk_call_publishes_nothing(base, tmp_path):
    """A bulk call answers 200 with one element failed: the run must notice it and publish nothing."""
    _, plan = base
    for case in element_cases(plan):
        h = fresh(base, tmp_path / case.id)
        before, mapping = h.snapshot(), h.mapping()
        h.set_faults([{**case.rules[0], "times": PERSISTENT}])
        with pytest.raises(ApplyFailed, match=r"failed for 1 element"):
            h.apply(desired())
        h.clear_faults()
        assert h.snapshot() == before, f"partial publish after {case.id}"
        assert h.mapping() == mapping
        converges(h)


def test_a_lost_create_draft_answer_leaves_no_draft_behind(base, tmp_path):
    h = fresh(base, tmp_path)
    h.set_faults([rule("createDraftCatalog", "500", lost=True, times=PERSISTENT)])
    with pytest.raises(ApplyFailed):
        h.apply(desired(), attempts=2)
    h.clear_faults()
    assert no_draft(h)  # nothing for the next apply to trip on
    converges(h)


def test_a_failed_discard_leaves_a_draft_the_next_apply_removes(base, tmp_path):
    h = fresh(base, tmp_path)
    before = h.snapshot()
    h.set_faults(
        [
            rule("bulkCreateDishes", "500", times=PERSISTENT),
            rule("discardDraftCatalog", "500", times=PERSISTENT),
        ]
    )
    with pytest.raises(ApplyFailed, match="could not be discarded"):
        h.apply(desired())
    h.clear_faults()
    assert h.snapshot() == before
    converges(h)  # the leftover draft is this tool's own: discarded, not refused as someone else's


@pytest.mark.parametrize("read", ["listLocations", "listCatalogs", "listMenus", "listSections", "listItems"])
def test_a_read_that_fails_stops_the_plan_and_changes_nothing(base, tmp_path, read):
    h = fresh(base, tmp_path)
    before, mapping = h.snapshot(), h.mapping()
    h.set_faults([rule(read, "500", times=PERSISTENT)])
    with pytest.raises(ApiError):
        h.apply(desired())
    h.clear_faults()
    assert h.snapshot() == before and h.mapping() == mapping
    converges(h)


def test_a_read_that_fails_after_the_publish_leaves_a_converged_catalog(base, tmp_path):
    """The verify read fails: the publish happened and the mapping is committed; the next plan is empty."""
    clean = fresh(base, tmp_path / "clean")
    clean.apply(desired())
    verify_read = [p for p in traced(clean.requests()) if p.call == "listItems"][-1]  # the last read is verify's
    h = fresh(base, tmp_path / "faulted")
    h.set_faults([rule(verify_read, "500", times=PERSISTENT)])
    with pytest.raises(ApiError):
        h.apply(desired())
    h.clear_faults()
    assert h.plan(desired()).empty
    assert h.board() == expected()


@pytest.mark.parametrize(
    ("fault", "lost"),
    [
        ("429", False),
        ("500", False),
        ("drop", False),
        ("timeout", False),
        ("500", True),
        ("drop", True),
        ("timeout", True),
    ],
)
def test_a_single_live_update_that_fails_says_what_it_knows_and_converges(base, tmp_path, fault, lost):
    """A refusal (429) changed nothing; without an answer, or after a server error, the update may
    have landed (it did, when the answer was lost): the run says so (exit 9) instead of "unchanged"."""
    h = fresh(base, tmp_path)
    h.apply(desired())
    one = edited(PIZZERIA, lambda d: (_base_and_desired(d), dish(d, "caesar").update(price="9.25")))[0]
    assert [op.call for op in h.plan(one).operations] == ["updateItem"]
    before, mapping = h.snapshot(), h.mapping()
    h.set_faults([rule("updateItem", fault, lost=lost, times=PERSISTENT)])
    with pytest.raises(ApplyFailed if fault == "429" else ApplyOutcomeUnknown) as failure:
        h.apply(one)
    h.clear_faults()
    assert ("unchanged" if fault == "429" else "may have been applied") in str(failure.value)
    if not lost:
        assert h.snapshot() == before
    assert h.mapping()["mapping"] == mapping["mapping"]  # rows of an unknown outcome stay pending
    assert h.apply(one).differences == [] and h.plan(one).empty
    later = edited(PIZZERIA, lambda d: (_base_and_desired(d), dish(d, "caesar").update(price="9.75")))[0]
    assert [c.drift for c in h.plan(later).changes] == [False]  # what this tool wrote is not someone's edit


# -- over a real socket --------------------------------------------------------------------------


def _http(tmp_path, server, name: str) -> HttpHarness:
    (tmp_path / name).mkdir()
    h = HttpHarness(tmp_path / name, server, timeout=1.0)
    h.apply(edited(PIZZERIA, _with_menus(BRUNCH, OLD))[0])
    h.apply(edited(PIZZERIA, _with_menus(BRUNCH))[0])
    return h


# Answer lost over a socket, at the calls where it matters most (in-process covers every call).
LOST_OVER_HTTP = {"createDraftCatalog", "bulkCreateDishes", "bulkUpdateItems", "publishDraftCatalog"}


@pytest.mark.e2e
@pytest.mark.parametrize("lost", [False, True], ids=["refused", "answer-lost"])
def test_over_http_a_dropped_connection_changes_nothing(base, server, tmp_path, lost):
    """The server sends response headers, then aborts the connection (before or after executing)."""
    _, plan = base
    at = [p for p in plan_positions(plan) if not lost or p.call in LOST_OVER_HTTP]
    for case in cases(at, faults=["drop"], lost=[lost], times=PERSISTENT):
        fails_cleanly(_http(tmp_path, server, case.id), case)


@pytest.mark.e2e
@pytest.mark.parametrize("call", ["createDraftCatalog", "bulkCreateDishes", "bulkUpdateItems", "publishDraftCatalog"])
def test_over_http_a_client_timeout_is_survived(base, server, tmp_path, call):
    """The server holds the answer longer than the client waits: a real read timeout on a socket."""
    h = _http(tmp_path, server, call)
    h.set_faults([rule(call, "timeout", times=1, delayMs=3000)])
    try:
        assert h.apply(desired()).differences == []
    finally:
        h.clear_faults()
    converges(h)


@pytest.mark.e2e
def test_over_http_a_failed_element_publishes_nothing(base, server, tmp_path):
    h = _http(tmp_path, server, "element")
    before = h.snapshot()
    h.set_faults([rule("bulkCreateDishes", "element", element=1, times=PERSISTENT)])
    try:
        with pytest.raises(ApplyFailed, match="failed for 1 element"):
            h.apply(desired())
    finally:
        h.clear_faults()
    assert h.snapshot() == before
    converges(h)
