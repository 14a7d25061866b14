"""serve's incremental translation (sources/splice.py): the changed items alone translated and spliced
into the held import give the bytes, notes, placement and stock signals of a whole import.

The oracle is the whole import: after every batch of POS edits (price, name, new item, deleted item,
moved category, modifier changes) on the real samples and on generated catalogs, the fake's
ListCatalog is read whole and translated as ``reconcile import`` does. The incremental read merged
into the held read (Square SearchCatalogObjects after the watermark, as serve reads it) is then
imported by :func:`import_changes` from the held import: spliced where it can be sure, else
translated whole, saying why; either way it must be the whole import, byte for byte.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reconciler.sources.base import ApiSettings, ImportOptions
from reconciler.sources.registry import get_source
from reconciler.sources.service import ImportOutput, import_changes, import_from_raw
from reconciler.sources.splice import Unsure, splice
from tests.sources.helpers import SAMPLES
from tests.support.fake_pos import FakePos

TOKEN = "t"
SQUARE = get_source("square")


def generated(items: int = 6) -> dict[str, Any]:
    """Categories, a shared modifier list (one choice free, one priced), single and sized items."""
    cats = [
        {"type": "CATEGORY", "id": f"CAT{c}", "category_data": {"name": f"Section {c}", "ordinal": c}} for c in range(3)
    ]
    mods = [
        {
            "type": "MODIFIER",
            "id": f"MOD{k}",
            "modifier_data": {
                "name": n,
                "modifier_list_id": "LIST0",
                "price_money": {"amount": 75 * k, "currency": "USD"},
            },
        }
        for k, n in enumerate(("Oat milk", "Soy milk"))
    ]
    lists = [{"type": "MODIFIER_LIST", "id": "LIST0", "modifier_list_data": {"name": "Milk", "modifiers": mods}}]
    tax = {"type": "TAX", "id": "TAX0", "tax_data": {"name": "VAT", "percentage": "8.5", "enabled": True}}
    return {"objects": [*cats, *lists, tax, *(item(n) for n in range(items))]}


def item(n: int, name: str | None = None, cents: int = 500, category: int | None = None) -> dict[str, Any]:
    sizes = ("Regular",) if n % 2 else ("Small", "Large")
    data: dict[str, Any] = {
        "name": name or f"Dish {n}",
        "description": f"Made fresh, number {n}",
        "categories": [{"id": f"CAT{n % 3 if category is None else category}", "ordinal": n}],
        "tax_ids": ["TAX0"] if n % 3 == 0 else [],
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
            for k, size in enumerate(sizes)
        ],
    }
    if n % 2 == 0:
        data["modifier_list_info"] = [{"modifier_list_id": "LIST0", "enabled": True}]
    return {"type": "ITEM", "id": f"ITEM{n}", "present_at_all_locations": True, "item_data": data}


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


CATALOGS = {
    "generated": (generated(), ImportOptions()),
    "generated, at one location": (generated(), ImportOptions(location="L1")),
    **{
        name: (sample(name), ImportOptions(currency="USD"))
        for name in sorted(p.name for p in SAMPLES.glob("square-*.json"))
    },
}


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakePos, httpx.Client]]:
    pos = FakePos("square", generated(), token=TOKEN)
    with pos.running() as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield pos, client


def api(client: httpx.Client) -> ApiSettings:
    return ApiSettings(str(client.base_url), TOKEN)


def whole(client: httpx.Client, options: ImportOptions) -> ImportOutput:
    """The oracle: a whole read, translated as ``reconcile import`` does."""
    return import_from_raw("square", SQUARE.read_api(client, api(client)), options)


# An edit picks its object by position among the live ones of its kind, so it applies to any catalog.
EDITS = st.one_of(
    st.tuples(st.just("price"), st.integers(0, 99), st.integers(1, 9999)),
    st.tuples(
        st.just("name"), st.integers(0, 99), st.sampled_from(["Soup", "Stew", "Dish 3", "  Tart ", "Zebra cake"])
    ),
    st.tuples(
        st.just("description"), st.integers(0, 99), st.sampled_from(["", "Spicy", "New\nrecipe", "Bell\x07rings"])
    ),
    st.tuples(st.just("tax"), st.integers(0, 99), st.sampled_from([[], ["TAX0"], ["TAX-GONE"]])),
    st.tuples(st.just("pricing"), st.integers(0, 99), st.sampled_from(["FIXED_PRICING", "VARIABLE_PRICING"])),
    st.tuples(st.just("new"), st.integers(0, 99), st.integers(100, 900)),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("modifier"), st.integers(0, 99), st.integers(0, 300)),
    st.tuples(st.just("modifier list"), st.integers(0, 99), st.sampled_from(["Milk", "Extras", "Sauce"])),
    st.tuples(st.just("sold out"), st.integers(0, 99), st.booleans(), st.sampled_from([None, "2030-01-01T00:00:00Z"])),
    st.tuples(st.just("archive"), st.integers(0, 99), st.booleans()),
)


def live(pos: FakePos, kind: str) -> list[dict]:
    return [o for o in pos.data if o.get("type") == kind and not o.get("is_deleted")]


def children(obj: dict, kind: str) -> list[dict]:
    data = obj.get("item_data") or obj.get("modifier_list_data") or {}
    return [c for c in data.get("variations") or data.get("modifiers") or [] if c.get("type") == kind]


def edit(pos: FakePos, step: tuple) -> None:
    """One change made in the POS, as the Square dashboard or API would make it."""
    kind, which, *args = step
    items, lists = live(pos, "ITEM"), live(pos, "MODIFIER_LIST")
    variations = [v for i in items for v in children(i, "ITEM_VARIATION")]
    modifiers = [m for lst in lists for m in children(lst, "MODIFIER")]

    def pick(xs: list[dict]) -> dict | None:
        return copy.deepcopy(xs[which % len(xs)]) if xs else None

    if kind == "price" and variations:
        pos.set_price(variations[which % len(variations)]["id"], args[0])
    elif kind == "modifier" and modifiers:
        pos.set_price(modifiers[which % len(modifiers)]["id"], args[0])
    elif kind == "delete" and items:
        pos.delete(items[which % len(items)]["id"])
    elif kind == "new" and items:
        new = pick(items)
        new["id"] = f"NEW{len(pos.data)}"
        for k, v in enumerate(new["item_data"].get("variations") or []):
            v["id"] = f"NEWV{len(pos.data)}-{k}"
            v.setdefault("item_variation_data", {})["item_id"] = new["id"]
        new["item_data"]["name"] = f"New dish {args[0]}"
        pos.upsert(new)
    elif (obj := pick(items if kind != "modifier list" else lists)) is not None:
        pos.upsert(_changed(obj, kind, args, pos))


def _changed(obj: dict, kind: str, args: list, pos: FakePos) -> dict:
    data = obj.get("item_data") or obj.get("modifier_list_data")
    if kind in ("name", "modifier list"):
        data["name"] = args[0]
    elif kind == "description":
        data["description"] = args[0]
    elif kind == "move":
        categories = live(pos, "CATEGORY")
        if categories:
            data["categories"] = [{"id": categories[args[0] % len(categories)]["id"], "ordinal": args[0]}]
    elif kind == "archive":
        data["is_archived"] = args[0]
    elif kind == "tax":
        data["tax_ids"] = args[0]
    elif kind == "pricing":
        for v in data.get("variations") or []:
            v.setdefault("item_variation_data", {})["pricing_type"] = args[0]
    elif kind == "sold out":
        for v in data.get("variations") or []:
            overrides = [{"location_id": "L1", "track_inventory": True, "sold_out": args[0]}]
            if args[1]:
                overrides[0]["sold_out_valid_until"] = args[1]
            v.setdefault("item_variation_data", {})["location_overrides"] = overrides
    return obj


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.sampled_from(sorted(CATALOGS)),
    batches=st.lists(st.lists(EDITS, min_size=1, max_size=3), min_size=1, max_size=5),
)
def test_a_spliced_import_is_a_whole_import_byte_for_byte(fake, which, batches) -> None:
    pos, client = fake
    data, options = CATALOGS[which]
    pos.set_catalog(data)
    since = SQUARE.probe(client, api(client), None).watermark
    held = whole(client, options)
    for batch in batches:
        for step in batch:
            edit(pos, step)
        next_since = SQUARE.probe(client, api(client), since).watermark
        changes = SQUARE.read_changes(client, api(client), held.raw, since)
        expected = whole(client, options)
        if changes.raw is None:  # the read itself had a doubt: serve reads whole
            held, since = expected, next_since
            continue
        got, how = import_changes("square", held, changes.raw, options)
        event(how.split(" (")[0].split(":")[0] + (": " + how.split(": ", 1)[1][:40] if how.startswith("whole") else ""))
        assert got.text == expected.text, how
        assert got.result == expected.result, how
        held, since = got, next_since


def test_a_price_change_is_spliced_and_a_rename_is_translated_whole(fake) -> None:
    pos, client = fake
    pos.set_catalog(generated())
    options = ImportOptions()
    since = SQUARE.probe(client, api(client), None).watermark
    held = whole(client, options)
    pos.set_price("VAR3-0", 1234)
    changes = SQUARE.read_changes(client, api(client), held.raw, since)
    got, how = import_changes("square", held, changes.raw, options)
    assert how == "spliced: 1 entit(ies) replaced"  # the dish: its one variation is its price
    assert 'price: "12.34"' in got.text and got.text == whole(client, options).text
    since = SQUARE.probe(client, api(client), since).watermark
    renamed = item(3, name="Aardvark stew")
    pos.upsert(renamed)
    changes = SQUARE.read_changes(client, api(client), got.raw, since)
    again, how = import_changes("square", got, changes.raw, options)
    assert how == "whole: ITEM 'ITEM3' renamed or moved (the order of its sections)"
    assert again.text == whole(client, options).text


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda raw: raw["objects"].append(item(9)), "ITEM 'ITEM9' made"),
        (lambda raw: raw["objects"].pop(), "ITEM 'ITEM5' deleted"),
        (lambda raw: raw["objects"][0]["category_data"].update(name="Soups"), "CATEGORY 'CAT0' changed"),
        (lambda raw: raw["objects"][3]["modifier_list_data"].update(name="Milks"), "MODIFIER_LIST 'LIST0' changed"),
    ],
)
def test_a_change_that_may_reach_other_dishes_is_translated_whole(change, said) -> None:
    raw = generated()
    held = import_from_raw("square", raw, ImportOptions())
    changed = copy.deepcopy(raw)
    change(changed)
    with pytest.raises(Unsure, match=said):
        splice(SQUARE, held.text, held.result, held.raw, changed, ImportOptions())
    got, how = import_changes("square", held, changed, ImportOptions())
    assert how.startswith(f"whole: {said}") and got.text == import_from_raw("square", changed, ImportOptions()).text


def test_a_discount_shared_by_several_dishes_is_translated_whole() -> None:
    raw = generated()
    raw["objects"][3]["modifier_list_data"]["modifiers"][0]["modifier_data"]["price_money"]["amount"] = -50
    held = import_from_raw("square", raw, ImportOptions())
    changed = copy.deepcopy(raw)
    changed["objects"][-2]["item_data"]["variations"][0]["item_variation_data"]["price_money"]["amount"] = 20
    with pytest.raises(Unsure, match="takes money off"):
        splice(SQUARE, held.text, held.result, held.raw, changed, ImportOptions())
    got, _ = import_changes("square", held, changed, ImportOptions())
    assert got.text == import_from_raw("square", changed, ImportOptions()).text


def test_a_held_import_that_is_not_the_changed_items_own_translation_is_not_spliced_into() -> None:
    raw = generated()
    held = import_from_raw("square", raw, ImportOptions())
    other = import_from_raw("square", {"objects": raw["objects"][:-1]}, ImportOptions())  # ITEM5 missing
    changed = copy.deepcopy(raw)
    changed["objects"][-1]["item_data"]["variations"][0]["item_variation_data"]["price_money"]["amount"] = 999
    with pytest.raises(Unsure, match="in the held import is not what its POS objects alone make"):
        splice(SQUARE, other.text, other.result, held.raw, changed, ImportOptions())
    edited = held.text.replace("name: Dish 5\n", "name: Dish 5 \n")
    with pytest.raises(Unsure, match="not in the held text as written"):
        splice(SQUARE, edited, held.result, held.raw, changed, ImportOptions())


def test_a_timed_sold_out_is_spliced_as_the_whole_imports_stock_signal() -> None:
    raw, options = generated(), ImportOptions(location="L1")
    held = import_from_raw("square", raw, options)
    changed = copy.deepcopy(raw)
    override = {"location_id": "L1", "sold_out": True, "sold_out_valid_until": "2030-01-01T00:00:00Z"}
    for v in changed["objects"][-1]["item_data"]["variations"]:
        v["item_variation_data"]["location_overrides"] = [override]
    got, how = import_changes("square", held, changed, options)
    expected = import_from_raw("square", changed, options)
    assert how.startswith("spliced: ") and got.result.stock == expected.result.stock != []
    assert got.text == expected.text and got.result == expected.result
    back, _ = import_changes("square", got, raw, options)  # back in stock: the signal ends with the override
    assert back.result.stock == [] and back.text == held.text
