"""The reverse index of the reference graph (``menus/parents.py``) and the derived locations it feeds.

Two oracles, both from the stored rows alone: the index must equal what the rows' own arrays and
locations define (``parents.expected``), and every derived location must equal its definition
(§3.3: a section takes the first located menu, in creation order, that lists it; items, groups,
variants and modifiers the union of their located parents' locations in the parents' creation
order), with a revision + 1 exactly for the entities whose derived value changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import open_store, seed
from reconciler.emulator.menus import parents, repo
from reconciler.emulator.menus.entities import Ctx, delete, update
from reconciler.emulator.menus.services import SECTIONS
from reconciler.emulator.store import Store
from tests.emulator.menus.conftest import Box
from tests.emulator.menus.helpers import KIND, Wix, ok
from tests.strategies import examples

KINDS = ("menu", "section", "item", "modifierGroup", "variant", "modifier", "label")
SERVICE = {kind: service for service, kind in KIND.items()}


def _rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every entity of every kind, in creation order."""
    with store.read() as tx:
        return {kind: repo.rows(tx, kind).all() for kind in KINDS}


def _definition(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Each entity's derived locations by their definition (a section's: its one location or None)."""
    derived: dict[str, Any] = {}

    def union(parent_kind: str, refs: str, child_kind: str) -> None:
        found: dict[str, list[str]] = {child["id"]: [] for child in rows[child_kind]}
        for parent in rows[parent_kind]:  # creation order
            if parent_kind == "section":
                own = [derived[parent["id"]]] if derived[parent["id"]] else []
            else:
                own = derived[parent["id"]]
            for ident in _listed(parent, refs):
                if ident in found:
                    found[ident] += [location for location in own if location not in found[ident]]
        derived.update(found)

    for section in rows["section"]:
        derived[section["id"]] = next(
            (
                menu["businessLocationId"]
                for menu in rows["menu"]
                if menu.get("businessLocationId") and section["id"] in menu.get("sectionIds", [])
            ),
            None,
        )
    union("section", "itemIds", "item")
    union("item", "modifierGroups", "modifierGroup")
    union("item", "variants", "variant")
    union("modifierGroup", "modifiers", "modifier")
    return derived


def _listed(parent: dict[str, Any], refs: str) -> list[str]:
    if refs == "variants":
        return [v["variantId"] for v in (parent.get("priceVariants") or {}).get("variants") or []]
    if refs in ("modifierGroups", "modifiers"):
        return [ref["id"] for ref in parent.get(refs) or []]
    return list(parent.get(refs) or [])


def _stored_derived(kind: str, entity: dict[str, Any]) -> Any:
    if kind == "section":
        return entity.get("businessLocationId")
    return entity["businessLocationIds"]


def check(store: Store, before: dict[str, list[dict[str, Any]]], written: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Both oracles after one request; ``written``: the ids the request itself wrote."""
    with store.read() as tx:
        assert parents.stored(tx.conn) == parents.expected(tx.conn)
    rows = _rows(store)
    derived = _definition(rows)
    old = {entity["id"]: (kind, entity) for kind in KINDS for entity in before[kind]}
    old_derived = _definition(before)
    for kind in KINDS:
        for entity in rows[kind]:
            ident = entity["id"]
            if kind != "label" and kind != "menu":
                assert _stored_derived(kind, entity) == derived[ident], (kind, ident)
            if ident not in old:
                continue
            moved = kind not in ("label", "menu") and old_derived[ident] != derived[ident]
            expected = int(old[ident][1]["revision"]) + (ident in written) + moved
            assert int(entity["revision"]) == expected, (kind, ident)
            assert (entity["updatedDate"] != old[ident][1]["updatedDate"]) == (
                expected != int(old[ident][1]["revision"])
            )
    return rows


# --- a random sequence of writes, through the API -------------------------------------------------

CHILDREN = {"menu": "section", "section": "item", "modifierGroup": "modifier"}
picks = st.lists(st.integers(0, 50), max_size=4)
operation = st.one_of(
    st.tuples(
        st.just("create"),
        st.sampled_from(["variant", "modifier", "modifierGroup", "item", "section", "menu"]),
        picks,
        picks,
        st.integers(0, 1),
    ),
    st.tuples(
        st.just("relink"),
        st.sampled_from(["menu", "section", "item", "modifierGroup"]),
        st.integers(0, 50),
        picks,
        picks,
    ),
    st.tuples(st.just("bulk relink"), st.sampled_from(["section", "item"]), st.integers(0, 50), picks, picks),
    st.tuples(st.just("delete"), st.sampled_from(KINDS[:6]), st.integers(0, 50), st.booleans(), st.just(0)),
)


def _chosen(rows: dict[str, list[dict[str, Any]]], kind: str, indexes: list[int]) -> list[str]:
    pool = [entity["id"] for entity in rows[kind]]
    return list(dict.fromkeys(pool[i % len(pool)] for i in indexes)) if pool else []


def _links(rows: dict[str, list[dict[str, Any]]], kind: str, first: list[int], second: list[int]) -> dict[str, Any]:
    if kind == "item":
        groups = _chosen(rows, "modifierGroup", first)
        variants = _chosen(rows, "variant", second)
        fields: dict[str, Any] = {"modifierGroups": [{"id": g} for g in groups]}
        if variants:
            fields["priceInfo"] = None
            fields["priceVariants"] = {"variants": [{"variantId": v, "priceInfo": {"price": "1"}} for v in variants]}
        else:
            fields["priceInfo"] = {"price": "2"}
        return fields
    if kind == "modifierGroup":
        return {"modifiers": [{"id": m} for m in _chosen(rows, "modifier", first)]}
    field = "sectionIds" if kind == "menu" else "itemIds"
    return {field: _chosen(rows, CHILDREN[kind], first)}


def _apply(wix: Wix, rows: dict[str, list[dict[str, Any]]], op: tuple[Any, ...], places: list[str]) -> set[str]:
    """Send one request; returns the ids it writes directly."""
    action, kind, a, b, c = op
    service = SERVICE[kind]
    if action == "create":
        fields = {} if kind in ("variant", "modifier") else _links(rows, kind, a, b)
        if kind == "menu":
            fields["businessLocationId"] = places[c]
        wix.create(service, **fields)
        return set()
    pool = rows[kind]
    if not pool:
        return set()
    target = pool[a % len(pool)]
    if action == "delete":
        bulk = b and kind != "menu"  # menus have no bulk delete
        ok(wix.bulk_delete(service, [target["id"]]) if bulk else wix.delete(service, target["id"]))
        return set()
    fields = _links(rows, kind, b, c)
    if action == "relink":
        wix.update(service, target["id"], target["revision"], **fields)
        return {target["id"]}
    other = pool[(a + 1) % len(pool)]
    elements = [
        {KIND[service]: {"id": e["id"], "revision": e["revision"], **fields}}
        for e in {target["id"]: target, other["id"]: other}.values()
    ]
    ok(wix.bulk_update(service, elements))
    return {e[KIND[service]]["id"] for e in elements}


# A graph built bottom-up first (variants and modifiers, groups, items, sections, menus at one of two
# locations, each linked at random), so the random writes after it move located entities.
leaves = st.lists(
    st.tuples(st.just("create"), st.sampled_from(["variant", "modifier"]), st.just([]), st.just([]), st.just(0)),
    min_size=2,
    max_size=4,
)
links = st.lists(st.integers(0, 50), min_size=1, max_size=3)


def _layer(kind: str, size: int) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    step = st.tuples(st.just("create"), st.just(kind), links, links, st.integers(0, 1))
    return st.lists(step, min_size=1, max_size=size)


graphs = st.tuples(leaves, _layer("modifierGroup", 3), _layer("item", 6), _layer("section", 4), _layer("menu", 3)).map(
    lambda layers: [op for layer in layers for op in layer]
)


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow])
@given(graphs, st.lists(operation, min_size=1, max_size=15))
def test_every_write_keeps_the_index_and_the_derived_locations(
    graph: list[tuple[Any, ...]], ops: list[tuple[Any, ...]]
) -> None:
    box = Box()
    try:
        [harbor] = seed(box.store, 1, ["Harbor"], app="menus")
        places = [box.location.location_id, harbor.location_id]
        rows = _rows(box.store)
        for op in graph + ops:
            written = _apply(box.wix, rows, op, places)
            rows = check(box.store, rows, written)
    finally:
        box.close()


# --- pinned values --------------------------------------------------------------------------------


def test_shared_children_follow_their_parents_creation_order(box: Box) -> None:
    wix = box.wix
    [harbor] = seed(box.store, 1, ["Harbor"], app="menus")
    here, there = box.location.location_id, harbor.location_id
    variant = wix.create("variants")
    priced = {
        "priceInfo": None,
        "priceVariants": {"variants": [{"variantId": variant["id"], "priceInfo": {"price": "1"}}]},
    }
    first, second = wix.create("items", **priced), wix.create("items", **priced)
    early = wix.create("sections", itemIds=[second["id"]])
    late = wix.create("sections", itemIds=[first["id"]])
    wix.create("menus", sectionIds=[early["id"]], businessLocationId=there)
    assert wix.get("variants", variant["id"])["businessLocationIds"] == [there]
    wix.create("menus", sectionIds=[late["id"]], businessLocationId=here)
    # The item created first passes its location down first, whichever was placed first.
    assert wix.get("variants", variant["id"])["businessLocationIds"] == [here, there]
    assert wix.get("variants", variant["id"])["revision"] == "3"
    assert wix.get("items", first["id"])["businessLocationIds"] == [here]
    ok(wix.delete("sections", late["id"]))
    assert wix.get("variants", variant["id"])["businessLocationIds"] == [there]
    assert wix.get("items", first["id"])["businessLocationIds"] == []
    ok(wix.bulk_delete("items", [second["id"]]))
    detached = wix.get("variants", variant["id"])
    assert detached["businessLocationIds"] == [] and detached["revision"] == "5"


def test_a_store_made_before_the_index_is_indexed_when_opened(tmp_path: Any) -> None:
    path = str(tmp_path / "state.sqlite")
    store = open_store(path)
    seed(store, 2, ["Downtown", "Harbor"], app="menus", demo=True)
    with store.write() as tx:
        kept = parents.stored(tx.conn)
        assert kept and kept == parents.expected(tx.conn)
        tx.conn.execute("DELETE FROM refs")  # as a file from before the index has it
        tx.conn.execute("PRAGMA user_version = 0")
    store.close()
    reopened = open_store(path)
    try:
        with reopened.read() as tx:
            assert parents.stored(tx.conn) == kept
            assert tx.conn.execute("PRAGMA user_version").fetchone()[0] == 1
    finally:
        reopened.close()


def test_generated_menus_are_indexed_as_the_api_would() -> None:
    store = open_store(None)
    try:
        seed(store, 2, app="menus", dishes=(30, 60))
        with store.read() as tx:
            kept = parents.stored(tx.conn)
            assert len(kept) > 60 and kept == parents.expected(tx.conn)
    finally:
        store.close()


def test_savepoints_and_rollbacks_undo_the_index_with_the_rows(box: Box) -> None:
    wix = box.wix
    item, other = wix.create("items"), wix.create("items")
    section = wix.create("sections", itemIds=[item["id"]])
    with box.store.read() as tx:
        before = parents.stored(tx.conn)
    with pytest.raises(RuntimeError), box.store.write() as tx:
        ctx = Ctx(tx, datetime.now(UTC))
        update(ctx, SECTIONS, section["id"], {"revision": "1", "itemIds": [other["id"]]}, None, "section")
        relinked = parents.stored(tx.conn)
        assert relinked != before and relinked == parents.expected(tx.conn)
        with pytest.raises(RuntimeError), tx.savepoint():  # one bulk element, rolled back alone
            delete(ctx, SECTIONS, section["id"])
            assert parents.stored(tx.conn) == parents.expected(tx.conn) != relinked
            raise RuntimeError("the element fails after its write")
        assert parents.stored(tx.conn) == relinked
        raise RuntimeError("the request fails after its write")
    with box.store.read() as tx:
        assert parents.stored(tx.conn) == before == parents.expected(tx.conn)
