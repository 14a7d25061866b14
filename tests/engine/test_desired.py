"""The catalog a plan carries, dumped from kept entity dumps (reconciler/engine/desired.py).

The oracle is pydantic's own dump of the whole catalog; the catalogs change as serve's splice
changes them: each edited entity replaced by a new object, every other one kept as the same object.
"""

from __future__ import annotations

import gc

from hypothesis import given
from hypothesis import strategies as st

from reconciler.engine.desired import FEW, TABLES, desired_json, kept
from reconciler.model.catalog import Catalog
from tests.changes import single_edit
from tests.strategies import catalogs


def _oracle(catalog: Catalog) -> dict:
    return catalog.model_dump(mode="json", exclude_defaults=True)


def _spliced(held: Catalog, edited: Catalog) -> Catalog:
    """``edited`` with every entity equal to the held one's replaced by the held object itself."""
    update: dict[str, list] = {}
    for table in TABLES:
        old = {e.id: e for e in getattr(held, table)}
        update[table] = [old[e.id] if old.get(e.id) == e else e for e in getattr(edited, table)]
    return edited.model_copy(update=update)


@given(st.data())
def test_each_catalog_is_dumped_as_pydantic_dumps_it_and_only_replaced_entities_anew(data):
    catalog = data.draw(catalogs())
    dumped = desired_json(catalog)
    assert dumped == _oracle(catalog)
    for _ in range(data.draw(st.integers(1, 4))):
        after = _spliced(catalog, data.draw(single_edit(catalog)))
        again = desired_json(after)
        assert again == _oracle(after)
        for table in TABLES:
            rows = {row["id"]: row for row in dumped.get(table, [])}
            for entity, row in zip(getattr(after, table), again.get(table, []), strict=True):
                held = next((e for e in getattr(catalog, table) if e.id == entity.id), None)
                if held is entity:
                    assert row is rows[entity.id]  # kept, not dumped again
                else:
                    assert row == entity.model_dump(mode="json", exclude_defaults=True)
        catalog, dumped = after, again


def test_a_big_table_is_dumped_whole_the_first_time_and_the_rows_are_each_entitys_own():
    base = Catalog.model_validate(
        {
            "version": 1,
            "currency": "USD",
            "menus": [{"id": "m", "name": "Menu", "sections": [{"id": "s", "name": "All", "dishes": []}]}],
            "dishes": [],
        }
    )
    dishes = [
        {"id": f"d{k}", "name": f"Dish {k}", "price": f"{k}.50", "description": "x" * (k % 3)}
        for k in range(FEW * 2 + 1)
    ]
    sections = [{"id": "s", "name": "All", "dishes": [d["id"] for d in dishes]}]
    catalog = Catalog.model_validate(
        {**base.model_dump(mode="json"), "dishes": dishes, "menus": [{"id": "m", "name": "Menu", "sections": sections}]}
    )
    first = desired_json(catalog)
    assert first == _oracle(catalog)
    second = desired_json(catalog)
    assert all(a is b for a, b in zip(first["dishes"], second["dishes"], strict=True))
    assert [row["id"] for row in second["dishes"]] == [d.id for d in catalog.dishes]


def test_no_dump_outlives_its_entity():
    gc.collect()
    before = kept()
    catalog = Catalog.model_validate(
        {
            "version": 1,
            "currency": "USD",
            "menus": [{"id": "m", "name": "Menu", "sections": [{"id": "s", "name": "All", "dishes": ["d1", "d2"]}]}],
            "dishes": [{"id": "d1", "name": "One", "price": "1.00"}, {"id": "d2", "name": "Two", "price": "2.00"}],
        }
    )
    desired_json(catalog)
    assert kept() == before + 2
    del catalog
    gc.collect()
    assert kept() == before
