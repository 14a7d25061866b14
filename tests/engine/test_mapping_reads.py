"""The id mapping is read once per incremental sync, and what apply knows of it afterwards is the mapping.

serve's webhook sync plans, applies and verifies under one catalog lock. The plan reads the mapping
(its rows are what the records' Wix ids come from); apply's ledger and verify used to read the whole
of it again (three reads of ~20,000 rows per price change at 10,000 dishes). Now the ledger starts from
the plan's rows and ``ApplyResult.mapping`` is the mapping as the run left it. The oracle for the
latter is the state database itself, read after the run (``MappingStore.dump``): every kind of run
(creates, updates, removals, a run that settles what an interrupted one left) must agree with it.
"""

from __future__ import annotations

import pytest

from reconciler.engine.apply import ApplyOptions, apply_plan, catalog_lock
from reconciler.engine.incremental import plan_changed, verify_read
from reconciler.errors import ApplyOutcomeUnknown
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import Harness
from tests.support.faults import PERSISTENT, rule

MAPPING_READ = "SELECT kind, local_id, wix_id, applied_hash FROM mapping"


@pytest.fixture(params=["v3", "menus"])
def h(request, tmp_path):
    harness = Harness(tmp_path, api=request.param)
    harness.apply(pizzeria())
    return harness


def stored(h: Harness) -> list[tuple]:
    return [tuple(row[1:]) for row in h.mapping()["mapping"]]  # one scope here: (kind, local id, Wix id, hash)


def rows(result) -> list[tuple]:
    return [(e.namespace, e.local_id, e.wix_id, e.applied_hash) for e in result.mapping]


def test_an_incremental_sync_reads_the_mapping_once(h):
    after = edit(pizzeria(), lambda d: dish(d, "caesar").update(price="9.75"))
    statements: list[str] = []
    conn = h.store.db._db  # the state database's SQLite connection: its statements, as SQLite runs them

    async def sync():
        async with h.target() as target:
            with catalog_lock(h.state, await target.scope(), h.store) as lock:
                conn.set_trace_callback(statements.append)
                try:
                    found = await plan_changed(pizzeria(), after, target, h.store, h.thresholds, True, None)
                    assert found is not None
                    options = ApplyOptions(read=found.raw, entries=found.entries, verify=False)
                    result = await apply_plan(found.planned.plan, target, h.store, h.state, options, lock=lock)
                    return result, await verify_read(found.planned.plan, target, result.mapping)
                finally:
                    conn.set_trace_callback(None)

    result, differences = h.run(sync())
    assert differences == []
    assert len([s for s in statements if s.startswith(MAPPING_READ)]) == 1  # the plan's; was three
    assert rows(result) == stored(h)
    assert h.plan(after).empty


def _added(d: dict) -> None:
    d["dishes"].append({**dish(d, "caesar"), "id": "greek", "name": "Greek Salad"})
    d["menus"][0]["sections"][1]["dishes"].append("greek")


def _removed(d: dict) -> None:
    d["dishes"] = [x for x in d["dishes"] if x["id"] != "funghi"]
    for section in d["menus"][0]["sections"]:
        section["dishes"] = [x for x in section["dishes"] if x != "funghi"]


def _renamed_and_repriced(d: dict) -> None:
    dish(d, "caesar").update(name="Caesar Salad (large)", price="11.00")
    dish(d, "margherita").update(price="10.50")


@pytest.mark.parametrize("change", [_added, _removed, _renamed_and_repriced], ids=["created", "removed", "updated"])
def test_the_mapping_apply_reports_is_the_mapping_stored(h, change):
    result = h.apply(edit(pizzeria(), change))
    assert result.differences == []
    assert rows(result) == stored(h)


def test_a_first_apply_reports_every_row_it_created(tmp_path):
    for api in ("v3", "menus"):
        (tmp_path / api).mkdir()
        h = Harness(tmp_path / api, api=api)
        result = h.apply(pizzeria())
        assert result.mapping and rows(result) == stored(h)


def test_after_a_run_of_unknown_outcome_the_settled_rows_are_in_it(tmp_path):
    """Catalogs v3's live update whose answer is lost leaves its row pending (exit 9); the next run
    settles it before its ledger starts, so the ledger's rows are read after settling."""
    h = Harness(tmp_path, api="v3")
    h.apply(pizzeria())
    one = edit(pizzeria(), lambda d: dish(d, "caesar").update(price="9.25"))
    h.set_faults([rule("updateItem", "500", lost=True, times=PERSISTENT)])
    with pytest.raises(ApplyOutcomeUnknown):
        h.apply(one)
    h.set_faults([])
    assert h.mapping()["pending"]  # something for the next run to settle
    result = h.apply(edit(pizzeria(), _added))
    assert result.differences == [] and not h.mapping()["pending"]
    assert rows(result) == stored(h) and ("item", "greek") in {r[:2] for r in stored(h)}
