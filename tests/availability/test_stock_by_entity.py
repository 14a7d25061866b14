"""The minimal live update reads only the entities it writes: one read and one write per entity, on
both targets, whatever the catalog's size; the whole read when only it can be sure; a conflicting
edit read again and written once more."""

from __future__ import annotations

import pytest

from bench import generate
from reconciler.errors import ApplyFailed
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import Entry
from tests.availability.helpers import Layered
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import Harness

APIS = ["v3", "menus"]
WHERE = {"listLocations", "listCatalogs", "locations.listLocations"}  # finding the location, once per target
WHOLE_READS = {"listMenus", "listSections", "listItems", "menus.listMenus", "sections.listSections"}


def calls(harness) -> tuple[dict[str, int], dict[str, int]]:
    """(reads, writes) by call name since the counters were reset."""
    reads, writes = {}, {}
    for op, n in harness.counters()["operations"].items():
        if op in WHERE:
            continue
        side = reads if op.rsplit(".", 1)[-1].startswith(("list", "get", "query")) else writes
        side[op] = n
    return reads, writes


def layered(tmp_path, api: str, catalog: Catalog) -> Layered:
    harness = Harness(tmp_path, api=api)
    harness.apply(catalog)
    return Layered(harness)


@pytest.fixture(params=APIS)
def lh(request, tmp_path):
    return layered(tmp_path, request.param, pizzeria())


def test_an_86_reads_and_writes_only_the_named_entities(lh):
    lh.put(lh.entry("margherita"), lh.entry("caesar"), lh.entry("top-mushrooms", kind="variation"))
    lh.h.reset_counters()
    done = lh.update(pizzeria(), "margherita", "caesar", "top-mushrooms")
    reads, writes = calls(lh.h)
    assert not done.whole
    assert not WHOLE_READS & set(reads), reads  # no list of the whole catalog
    if lh.h.api == "v3":
        assert reads == {"getItem": 3} and writes == {"updateItem": 3}
    else:  # one List call per service with the ids, one update call per service
        assert reads == {"items.listItems": 1, "modifiers.listModifiers": 1}
        assert writes == {"items.bulkUpdateItem": 1, "modifiers.bulkUpdateModifiers": 1}
    assert sum(writes.values()) == done.total_calls
    assert sorted(c.id for c in done.changes) == ["caesar", "margherita", "top-mushrooms"]
    assert not lh.stock("dish", "margherita") and not lh.stock("dish", "caesar") and lh.stock("dish", "diavola")
    assert lh.planned(pizzeria()).plan.empty  # catalog + layer is what is live, nothing drifted


def test_nothing_to_change_is_one_read_and_no_write(lh):
    lh.h.reset_counters()
    done = lh.update(pizzeria(), "margherita")
    reads, writes = calls(lh.h)
    assert not done.whole and not done.changes and writes == {}
    assert sum(reads.values()) == 1


@pytest.mark.parametrize("api", APIS)
def test_the_calls_do_not_grow_with_the_catalog(tmp_path, api):
    seen = []
    for dishes in (40, 400):
        catalog = Catalog.model_validate(generate.generate(dishes, seed=3))
        (tmp_path / str(dishes)).mkdir()
        lh = layered(tmp_path / str(dishes), api, catalog)
        named = [d.id for d in catalog.dishes if d.in_stock][:2]
        lh.put(*(lh.entry(d) for d in named))
        lh.h.reset_counters()
        done = lh.update(catalog, *named)
        assert not done.whole and len(done.changes) == 2
        seen.append(calls(lh.h))
        assert lh.planned(catalog).plan.empty
    assert seen[0] == seen[1]
    reads, writes = seen[0]
    assert sum(reads.values()) <= 2 and sum(writes.values()) <= 2


def test_a_dish_not_yet_live_takes_the_whole_read_as_before(lh):
    def add(d):
        d["dishes"].append({**dish(d, "margherita"), "id": "bianca", "name": "Bianca"})
        d["menus"][0]["sections"][0]["dishes"].append("bianca")

    added = edit(pizzeria(), add)
    lh.put(lh.entry("bianca"), lh.entry("margherita"))
    lh.h.reset_counters()
    done = lh.update(added, "bianca", "margherita")
    reads, _ = calls(lh.h)
    assert done.whole and WHOLE_READS & set(reads)
    assert done.missing == ["bianca"] and [c.id for c in done.changes] == ["margherita"]
    assert not lh.stock("dish", "margherita")


def test_a_mapping_row_whose_entity_is_gone_takes_the_whole_read(lh):
    async def scope():
        async with lh.h.target() as target:
            return await target.scope()

    where = lh.h.run(scope())
    [row] = [e for e in lh.h.store.entries(where) if e.local_id == "margherita"]
    gone = Entry(row.namespace, row.local_id, "0f0f0f0f-0000-4000-8000-000000000000", row.applied_hash)
    lh.h.store.stage(where, "test", [gone])
    lh.h.store.commit(where, "test")
    lh.put(lh.entry("margherita"))
    done = lh.update(pizzeria(), "margherita")
    assert done.whole  # the read by id found nothing: the whole read adopts the live dish by name again
    assert not lh.stock("dish", "margherita")


def test_an_earlier_run_left_unsettled_takes_the_whole_read(lh):
    async def scope():
        async with lh.h.target() as target:
            return await target.scope()

    where = lh.h.run(scope())
    lh.h.store.start_run(where, "dead")  # a run that never finished: the next one settles it
    lh.put(lh.entry("caesar"))
    done = lh.update(pizzeria(), "caesar")
    assert done.whole and not lh.stock("dish", "caesar")


def _touch(harness, times: int) -> None:
    """Someone renames margherita just before each of our first ``times`` updates of it lands."""
    [item] = [w for (kind, local), w in _wix_ids(harness).items() if local == "margherita"]
    harness.set_faults(
        [
            {
                "operation": "items.bulkUpdateItem",
                "fault": "touch",
                "nth": n,
                "times": 1,
                "entity": {"service": "items", "id": item},
                "set": {"name": f"Margherita (edited {n})"},
            }
            for n in range(1, times + 1)
        ]
    )


def _wix_ids(harness) -> dict:
    async def go():
        async with harness.target() as target:
            return {(e.namespace, e.local_id): e.wix_id for e in harness.store.entries(await target.scope())}

    return harness.run(go())


def test_a_conflicting_edit_is_read_again_and_written_once_more(tmp_path):
    """Menus (New) only: its updates name a revision; Catalogs v3 has none to conflict on."""
    lh = layered(tmp_path, "menus", pizzeria())
    _touch(lh.h, times=1)
    lh.put(lh.entry("margherita"))
    lh.h.reset_counters()
    done = lh.update(pizzeria(), "margherita")
    reads, writes = calls(lh.h)
    live = lh.h.live()[("dish", "margherita")]
    assert live["in_stock"] is False and live["name"] == "Margherita (edited 1)"  # the edit is kept
    assert writes == {"items.bulkUpdateItem": 2} and not done.whole
    assert not WHOLE_READS & set(reads)  # the conflict read that one item again, nothing else


def test_a_second_conflicting_edit_is_reported(tmp_path):
    lh = layered(tmp_path, "menus", pizzeria())
    _touch(lh.h, times=2)
    lh.put(lh.entry("margherita"))
    with pytest.raises(ApplyFailed, match="changed since the plan was made"):
        lh.update(pizzeria(), "margherita")
    live = lh.h.live()[("dish", "margherita")]
    assert live["in_stock"] is True and live["name"] == "Margherita (edited 2)"
