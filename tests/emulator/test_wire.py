"""Unit tests: query forms (`.r`, dotted, repeated, fieldMask), projection, fault rules, store scopes."""

from __future__ import annotations

import base64
import json

import pytest

from reconciler.emulator.errors import WixError
from reconciler.emulator.faults import FaultRule, FaultRuleInvalid
from reconciler.emulator.projection import projector
from reconciler.emulator.store import DRAFT, LIVE, open_store
from reconciler.emulator.wire import Params, parse_query


def encode(request: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(request).encode()).decode().rstrip("=")


def test_dot_r_decodes_base64url_without_padding() -> None:
    request = {"paging": {"limit": 5}, "archived": True, "locationIds": ["a", "b"]}
    params = Params(parse_query([(".r", encode(request))]))
    assert params.int("paging.limit", 50) == 5
    assert params.bool("archived", False) is True
    assert params.list("locationIds") == ["a", "b"]


def test_the_sdk_example_dot_r_value() -> None:
    assert parse_query([(".r", "eyJwYWdpbmciOnsibGltaXQiOjV9fQ")]) == {"paging": {"limit": 5}}


def test_dotted_and_repeated_keys() -> None:
    tree = parse_query([("paging.limit", "10"), ("paging.offset", "20"), ("locationIds", "a"), ("locationIds", "b")])
    assert tree == {"paging": {"limit": "10", "offset": "20"}, "locationIds": ["a", "b"]}
    assert Params(tree).int("paging.offset", 0) == 20


def test_field_mask_forms() -> None:
    assert Params(parse_query([("fieldMask", "id,name")])).field_mask() == ["id", "name"]
    assert Params(parse_query([("fieldMask", "id"), ("fieldMask", "name, price.value")])).field_mask() == [
        "id",
        "name",
        "price.value",
    ]
    assert Params(parse_query([(".r", encode({"fieldMask": {"paths": ["a", "b"]}}))])).field_mask() == ["a", "b"]
    assert Params({}).field_mask() == []


@pytest.mark.parametrize("value", ["yes", "1", "TRUEish"])
def test_bad_booleans_are_400(value: str) -> None:
    with pytest.raises(WixError) as raised:
        Params(parse_query([("archived", value)])).bool("archived", False)
    assert raised.value.status == 400 and raised.value.violations[0].field == "archived"


def test_projection_keeps_id_and_listed_paths() -> None:
    entity = {
        "id": "1",
        "name": "n",
        "price": {"value": "1", "currency": "USD"},
        "opts": {"values": [{"name": "a", "x": 1}]},
        "n": None,
    }
    assert projector(["price.value"])(entity) == {"id": "1", "price": {"value": "1"}}
    assert projector(["price.value", "price"])(entity) == {"id": "1", "price": {"value": "1", "currency": "USD"}}
    assert projector(["opts.values.name", "n.deeper"])(entity) == {
        "id": "1",
        "opts": {"values": [{"name": "a"}]},
        "n": None,
    }
    assert projector([]) is None


def test_fault_rule_windows() -> None:
    rule = FaultRule.from_json({"nth": 3, "times": 2})
    assert [rule.decide() for _ in range(6)] == [False, False, True, True, False, False]
    default = FaultRule.from_json({})
    assert [default.decide() for _ in range(3)] == [True, False, False]
    burst = FaultRule.from_json({"probability": 1.0, "times": 3})
    assert all(burst.decide() for _ in range(5))
    with pytest.raises(FaultRuleInvalid):
        FaultRule.from_json({"times": 0})


def test_store_scopes_copy_and_replace_atomically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(str(tmp_path / "s.sqlite"))
    try:
        with store.write() as tx:
            live = tx.collection("api", LIVE, "c", "thing")
            for index in range(3):
                live.insert(f"id{index}", {"id": f"id{index}", "v": index})
            assert tx.copy_scope("api", "c", ["thing"], LIVE, DRAFT) == 3
            tx.collection("api", DRAFT, "c", "thing").update("id1", {"id": "id1", "v": "changed"})
        with pytest.raises(RuntimeError), store.write() as tx:
            tx.replace_scope("api", "c", ["thing"], DRAFT, LIVE)
            raise RuntimeError("crash in the middle of a publish")
        with store.read() as tx:  # the crash rolled the whole publish back
            assert [row["v"] for row in tx.collection("api", LIVE, "c", "thing").all()] == [0, 1, 2]
            assert tx.collection("api", DRAFT, "c", "thing").count() == 3
        with store.write() as tx:
            tx.replace_scope("api", "c", ["thing"], DRAFT, LIVE)
        with store.read() as tx:
            assert [row["v"] for row in tx.collection("api", LIVE, "c", "thing").all()] == [0, "changed", 2]
            assert tx.collection("api", DRAFT, "c", "thing").count() == 0
            assert tx.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


def test_every_answer_is_dated_by_the_emulators_clock_the_one_its_stamps_use():
    """A read of what changed since an earlier read measures from the Date header (targets/wix_menus/snapshot.py)."""
    import email.utils
    from datetime import UTC, datetime

    from reconciler.emulator import SANDBOX_TOKEN, Emulator, seed

    moment = datetime(2026, 3, 2, 9, 15, 30, 700_000, tzinfo=UTC)
    emulator = Emulator(open_store(None), now=lambda: moment)
    seed(emulator.store, locations=1, app="menus")
    for path in ("/restaurants/menus-menu/v1/menus", "/no/such/endpoint"):
        outcome = emulator.handle("GET", path, headers={"Authorization": SANDBOX_TOKEN})
        [date] = [value for name, value in outcome.headers if name == "date"]
        assert email.utils.parsedate_to_datetime(date) == moment.replace(microsecond=0)
