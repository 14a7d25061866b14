"""Square's incremental read (SearchCatalogObjects after the watermark) gives the YAML a whole import gives.

The oracle is the whole import: after every sequence of POS edits, the fake's ListCatalog is read
whole and translated; the held read with only the changed objects merged must translate to the
same bytes. Where the merge has a doubt it must say so (``raw`` None) and the sync reads whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reconciler.sources.base import ApiSettings, ImportOptions
from reconciler.sources.registry import get_source
from reconciler.sources.service import import_from_raw
from tests.support.fake_pos import FakePos

TOKEN = "t"
OPTIONS = ImportOptions(currency="USD")
SQUARE = get_source("square")


def item(n: int, name: str | None = None, cents: int = 500, lists: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name or f"Dish {n}",
        "categories": [{"id": f"CAT{n % 2}"}],
        "variations": [
            {
                "type": "ITEM_VARIATION",
                "id": f"VAR{n}-{k}",
                "item_variation_data": {
                    "item_id": f"ITEM{n}",
                    "name": size,
                    "pricing_type": "FIXED_PRICING",
                    "price_money": {"amount": cents + 100 * k, "currency": "USD"},
                },
            }
            for k, size in enumerate(("Small", "Large"))
        ],
    }
    if lists:
        data["modifier_list_info"] = [{"modifier_list_id": "LIST0", "enabled": True}]
    return {"type": "ITEM", "id": f"ITEM{n}", "present_at_all_locations": True, "item_data": data}


def modifier_list(names: tuple[str, ...] = ("Oat milk", "Soy milk"), cents: int = 50) -> dict[str, Any]:
    mods = [
        {
            "type": "MODIFIER",
            "id": f"MOD{k}",
            "modifier_data": {
                "name": n,
                "modifier_list_id": "LIST0",
                "price_money": {"amount": cents, "currency": "USD"},
            },
        }
        for k, n in enumerate(names)
    ]
    return {"type": "MODIFIER_LIST", "id": "LIST0", "modifier_list_data": {"name": "Milk", "modifiers": mods}}


def catalog() -> dict[str, Any]:
    cats = [{"type": "CATEGORY", "id": f"CAT{c}", "category_data": {"name": f"Section {c}"}} for c in range(2)]
    return {"objects": [*cats, modifier_list(), *(item(n, lists=n == 0) for n in range(4))]}


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakePos, httpx.Client]]:
    pos = FakePos("square", catalog(), token=TOKEN)
    with pos.running() as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield pos, client


def watermark(client: httpx.Client) -> str:
    return SQUARE.probe(client, ApiSettings(str(client.base_url), TOKEN), None).watermark or ""


def whole(client: httpx.Client) -> tuple[Any, str]:
    """The oracle: a whole read, translated as ``reconcile import`` does."""
    raw = SQUARE.read_api(client, ApiSettings(str(client.base_url), TOKEN))
    return raw, import_from_raw("square", raw, OPTIONS).text


EDITS = st.one_of(
    st.tuples(st.just("price"), st.integers(0, 5), st.integers(0, 1), st.integers(1, 9999)),
    st.tuples(st.just("name"), st.integers(0, 5), st.sampled_from(["Soup", "Stew", "Dish 3", "Tart"])),
    st.tuples(st.just("new"), st.integers(4, 5), st.integers(100, 900)),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("modifier"), st.sampled_from([("Oat milk",), ("Oat milk", "Rice milk"), ()]), st.integers(0, 99)),
    st.tuples(st.just("modifier price"), st.integers(0, 1), st.integers(0, 300)),
)


def edit(pos: FakePos, step: tuple) -> None:
    """One change made in the POS, as the Square dashboard or API would make it; unknown ids are skipped."""
    kind, *args = step
    held = {o["id"]: o for o in pos.data if not o.get("is_deleted")}
    try:
        if kind == "price" and f"ITEM{args[0]}" in held:
            pos.set_price(f"VAR{args[0]}-{args[1]}", args[2])
        elif kind == "name" and f"ITEM{args[0]}" in held:
            pos.upsert(item(args[0], name=args[1], lists=args[0] == 0))
        elif kind == "new":
            pos.upsert(item(args[0], cents=args[1]))
        elif kind == "delete" and f"ITEM{args[0]}" in held:
            pos.delete(f"ITEM{args[0]}")
        elif kind == "modifier":
            pos.upsert(modifier_list(args[0], args[1]))
        elif kind == "modifier price" and any(
            m["id"] == f"MOD{args[0]}" for m in held["LIST0"]["modifier_list_data"]["modifiers"]
        ):
            pos.set_price(f"MOD{args[0]}", args[1])
    except KeyError:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batches=st.lists(st.lists(EDITS, min_size=0, max_size=4), min_size=1, max_size=4),
    kept=st.booleans(),
)
def test_incremental_read_translates_to_the_bytes_of_a_whole_import(fake, batches, kept) -> None:
    """``kept``: a whole read is held as serve holds it (``hold``), or as it came."""
    pos, client = fake
    pos.set_catalog(catalog())
    since = watermark(client)
    held, _ = whole(client)
    held = SQUARE.hold(held) if kept else held
    settings_ = ApiSettings(str(client.base_url), TOKEN)
    for batch in batches:
        for step in batch:
            edit(pos, step)
        next_since = watermark(client)
        changes = SQUARE.read_changes(client, settings_, held, since)
        raw, expected = whole(client)
        event("whole: " + changes.detail.split(" after ")[0] if changes.raw is None else "incremental")
        if changes.raw is None:  # a doubt: said, and the sync reads whole
            assert changes.detail.endswith("whole import")
            held = SQUARE.hold(raw) if kept else raw
        else:
            assert import_from_raw("square", changes.raw, OPTIONS).text == expected
            held = changes.raw
        since = next_since


def test_a_price_change_reads_one_search_page_and_no_list(fake) -> None:
    pos, client = fake
    pos.set_catalog(catalog())
    since = watermark(client)
    held, _ = whole(client)
    pos.set_price("VAR2-1", 1234)
    pos.counts.clear()
    changes = SQUARE.read_changes(client, ApiSettings(str(client.base_url), TOKEN), held, since)
    assert changes.raw is not None and changes.objects == 2  # the variation and the item it is nested in
    assert dict(pos.counts) == {"/v2/catalog/search": 1}
    assert '{item: sq-VAR2-1, price: "7.34"}' in import_from_raw("square", changes.raw, OPTIONS).text  # 12.34 - 5.00
    assert import_from_raw("square", changes.raw, OPTIONS).text == whole(client)[1]


@pytest.mark.parametrize(
    ("held", "since", "said"),
    [
        (None, "2024-01-01T00:00:00Z", "no catalog read held"),
        ({"objects": []}, None, "no watermark"),
    ],
)
def test_without_a_held_read_or_a_watermark_the_answer_is_a_whole_import(fake, held, since, said) -> None:
    _, client = fake
    changes = SQUARE.read_changes(client, ApiSettings(str(client.base_url), TOKEN), held, since)
    assert changes.raw is None and said in changes.detail and changes.detail.endswith("whole import")


def test_a_variation_of_an_item_not_held_is_a_doubt(fake) -> None:
    pos, client = fake
    pos.set_catalog(catalog())
    since = watermark(client)
    held, _ = whole(client)
    held = {"objects": [o for o in held["objects"] if o["id"] != "ITEM1" and not o["id"].startswith("VAR1-")]}
    pos.set_price("VAR1-0", 777)
    pos.data = [o if o["id"] != "ITEM1" else {**o, "version": o["version"]} for o in pos.data]
    changes = SQUARE.read_changes(client, ApiSettings(str(client.base_url), TOKEN), held, since)
    # The item came back too (its nested copy changed), so it is simply new to us: no doubt, and right.
    assert changes.raw is not None
    only_variation = [o for o in changes.raw["objects"] if o["id"] != "ITEM1"]
    from reconciler.sources.square.changes import Doubt, merge

    with pytest.raises(Doubt, match="ITEM1"):
        merge({"objects": only_variation}, [{**_variation(pos, "VAR1-0"), "version": 99}])


def test_an_object_older_than_the_copy_held_is_a_doubt(fake) -> None:
    from reconciler.sources.square.changes import Doubt, merge

    pos, client = fake
    pos.set_catalog(catalog())
    held, _ = whole(client)
    stale = {**next(o for o in held["objects"] if o["id"] == "CAT0"), "version": 0}
    with pytest.raises(Doubt, match="older"):
        merge(held, [stale])


def test_a_whole_read_is_held_normalized_and_translates_to_the_same_bytes(fake) -> None:
    from reconciler.sources.square.changes import Normalized

    pos, client = fake
    pos.set_catalog(catalog())
    raw, text = whole(client)
    assert any(o.get("type") == "ITEM_VARIATION" for o in raw["objects"])  # ListCatalog repeats them at top level
    held = SQUARE.hold(raw)
    assert isinstance(held["objects"], Normalized) and SQUARE.hold(held) is held  # made once
    assert not any(o.get("type") == "ITEM_VARIATION" for o in held["objects"])  # nested in their items only
    assert import_from_raw("square", held, OPTIONS).text == text
    assert raw == whole(client)[0]  # the read it was made from is not changed
    broken = {"objects": [*raw["objects"], {"type": "ITEM"}]}  # no id: kept as it came, the merge doubts it
    assert SQUARE.hold(broken) is broken


def test_toast_and_clover_say_why_they_read_whole() -> None:
    for name in ("toast", "clover"):
        source = get_source(name)
        assert source.incremental is False
        answer = source.read_changes(httpx.Client(), ApiSettings("http://127.0.0.1:9", "t"), {"x": 1}, "1")
        assert answer.raw is None and answer.detail.endswith("whole import")
        raw = {"x": 1}
        assert source.hold(raw) is raw  # nothing to keep a read for
    assert SQUARE.incremental is True


def _variation(pos: FakePos, ident: str) -> dict:
    for obj in pos.data:
        for child in (obj.get("item_data") or {}).get("variations") or []:
            if child["id"] == ident:
                return dict(child)
    raise KeyError(ident)


def test_a_variation_changed_alone_is_placed_in_its_item() -> None:
    """Square may return a changed variation without its item: the nested copy is replaced in place."""
    from reconciler.sources.square.changes import merge

    held = catalog()
    for obj in held["objects"]:
        obj["version"] = 1
        for child in (obj.get("item_data") or {}).get("variations") or []:
            child["version"] = 1
    variation = {**_nested(held, "VAR1-1"), "version": 2}
    variation["item_variation_data"] = {
        **variation["item_variation_data"],
        "price_money": {"amount": 4321, "currency": "USD"},
    }
    merged = merge(held, [variation])
    text = import_from_raw("square", merged, OPTIONS).text
    assert '{item: sq-VAR1-1, price: "38.21"}' in text  # 43.21 - 5.00
    assert import_from_raw("square", held, OPTIONS).text != text  # the held read itself is not changed


def _nested(raw: dict, ident: str) -> dict:
    for obj in raw["objects"]:
        for child in (obj.get("item_data") or {}).get("variations") or []:
            if child["id"] == ident:
                return child
    raise KeyError(ident)
