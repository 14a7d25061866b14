"""What each POS's webhook events say, field by field: the account, the event id and kind, the stock
signals (ids, availability, location, reason) at the boundaries of their counts, the error that names
a missing field, and the malformed entries that are skipped rather than crash the endpoint.

Called as serve calls them, through the registry (``parse_webhook``, ``verify_webhook``,
``webhook_handshake``); Toast's ``stock_signal`` also reads the stock API's entries, so it is tested
directly for what only that API sends.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.sources.base import STOCK_HINT, WebhookKey
from reconciler.sources.errors import WebhookInvalid
from reconciler.sources.registry import get_source
from reconciler.sources.toast.webhook import messages as toast_messages
from reconciler.sources.toast.webhook import signature as toast_signature
from reconciler.sources.toast.webhook import stock_signal as toast_stock_signal


def parse(pos: str, data: Any, headers: dict[str, str] | None = None):
    return get_source(pos).parse_webhook(json.dumps(data).encode(), headers)


def stock(event) -> list[dict[str, Any]]:
    return event.hint.get(STOCK_HINT, [])


def signal(ids: list[str], available: bool, location: str | None, reason: str) -> dict[str, Any]:
    return {"ids": ids, "available": available, "location": location, "until": None, "reason": reason}


# -- verdicts are booleans ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pos, headers",
    [
        ("square", {}),
        ("square", {"x-square-hmacsha256-signature": "AAAA"}),
        ("toast", {}),
        ("toast", {"toast-signature": "AAAA"}),
        ("clover", {}),
        ("clover", {"x-clover-auth": "wrong"}),
    ],
    ids=["square-missing", "square-wrong", "toast-missing", "toast-wrong", "clover-missing", "clover-wrong"],
)
def test_a_refused_delivery_is_a_false_verdict_with_a_reason(pos, headers):
    verdict = get_source(pos).verify_webhook(headers, b"{}", [WebhookKey("secret", "https://example.com/h")])
    assert verdict.ok is False and verdict.reason


# -- missing fields are named ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pos, data, field",
    [
        ("square", {"event_id": "e1"}, "type"),
        ("square", {"type": "catalog.version.updated"}, "event_id"),
        ("square", {"type": 5, "event_id": "e1"}, "type"),
        ("toast", {"guid": "g1"}, "eventCategory"),
        ("toast", {"eventCategory": "menus"}, "guid"),
        ("toast", {"eventCategory": "menus", "guid": ""}, "guid"),
        ("clover", {"appId": "A"}, "merchants"),
        ("clover", {"merchants": {"M1": [{"type": "UPDATE"}]}}, "objectId"),
        ("clover", {"merchants": {"M1": [{"objectId": ["I:X"]}]}}, "objectId"),
    ],
)
def test_the_error_of_a_malformed_body_names_its_missing_field(pos, data, field):
    with pytest.raises(WebhookInvalid) as caught:
        parse(pos, data)
    assert str(caught.value) == f"{field} is missing"


# -- Clover ---------------------------------------------------------------------------------------------


def clover(*entries: dict[str, Any], merchant: str = "M1") -> list:
    return parse("clover", {"appId": "A", "merchants": {merchant: list(entries)}})


def test_clover_skips_what_is_not_an_entry_and_reads_on():
    body = {"merchants": {"M0": None, "M1": ["junk", {"objectId": "I:A", "type": "UPDATE", "ts": 1}]}}
    [event] = parse("clover", body)
    assert (event.pos, event.account, event.event_id, event.kind) == ("clover", "M1", "I:A@1", "I:UPDATE")


def test_clover_object_kind_is_what_precedes_the_first_colon_and_a_missing_type_stays_empty():
    [event] = clover({"objectId": "IC:CAT:1", "ts": 7})
    assert (event.kind, event.relevant, event.hint) == ("IC:", True, {"object": "IC:CAT:1", "type": ""})


@pytest.mark.parametrize(
    "entry, expected",
    [
        ({"objectId": "IS:ITEM1", "stockCount": 0}, signal(["ITEM1"], False, "M7", "stock 0")),
        ({"objectId": "IS:ITEM1", "stockCount": 1}, signal(["ITEM1"], True, "M7", "")),
        ({"objectId": "IS:ITEM1", "data": {"quantity": 0.0}}, signal(["ITEM1"], False, "M7", "stock 0")),
        ({"objectId": "IS:ITEM1", "count": 3}, signal(["ITEM1"], True, "M7", "")),
        ({"objectId": "IA:ITEM1", "available": False}, signal(["ITEM1"], False, "M7", "unavailable")),
        ({"objectId": "IA:ITEM1", "data": {"available": True}}, signal(["ITEM1"], True, "M7", "")),
        # an item id is everything after the first colon
        ({"objectId": "IS:ITEM:1", "stockCount": 0}, signal(["ITEM:1"], False, "M7", "stock 0")),
        # availability is IA's word; an IS entry is read by its count
        ({"objectId": "IS:ITEM1", "available": False, "stockCount": 5}, signal(["ITEM1"], True, "M7", "")),
    ],
)
def test_clover_stock_entries_become_signals_at_their_merchant(entry, expected):
    [event] = clover(entry, merchant="M7")
    assert event.pos == "clover" and stock(event) == [expected]


@pytest.mark.parametrize(
    "entry",
    [
        {"objectId": "IS", "stockCount": 0},  # no item id
        {"objectId": "IS:ITEM1"},  # says nothing about stock
        {"objectId": "IS:ITEM1", "stockCount": "0"},  # a count that is not a number
        {"objectId": "IS:ITEM1", "stockCount": True},
        {"objectId": "IA:ITEM1", "available": "no"},
    ],
)
def test_clover_stock_entries_that_state_nothing_are_ordinary_inventory_events(entry):
    [event] = clover(entry)
    assert event.relevant and STOCK_HINT not in event.hint


def test_clover_handshake_boundaries():
    handshake = get_source("clover").webhook_handshake
    code = "c" * 100
    found = handshake(json.dumps({"verificationCode": code}).encode())
    assert found is not None and found.code == code and "Clover developer dashboard" in found.message
    padded = b'{"verificationCode":"abc"}'
    assert handshake(padded + b" " * (1024 - len(padded))) is not None  # 1,024 bytes: small enough
    assert handshake(padded + b" " * (1025 - len(padded))) is None
    for code in ("", "c" * 101, "two words", "<b>hi</b>", "abc\n"):
        assert handshake(json.dumps({"verificationCode": code}).encode()) is None, code


# -- Square ---------------------------------------------------------------------------------------------


def square_counts(counts: Any, merchant: str | None = "M1") -> list:
    body = {"type": "inventory.count.updated", "event_id": "e9", "merchant_id": merchant}
    body["data"] = {"type": "inventory_counts", "object": {"inventory_counts": counts}}
    return parse("square", body)


def count(variation: str | None, quantity: Any = None, state: str = "IN_STOCK", location: str = "L1") -> dict:
    entry: dict[str, Any] = {"state": state, "location_id": location}
    if variation is not None:
        entry["catalog_object_id"] = variation
    if quantity is not None:
        entry["quantity"] = quantity
    return entry


def test_square_inventory_event_fields():
    [event] = square_counts([count("V1", "2")])
    assert (event.pos, event.account, event.event_id, event.kind, event.relevant) == (
        "square",
        "M1",
        "e9",
        "inventory.count.updated",
        True,
    )
    [anonymous] = square_counts([count("V1", "2")], merchant="")
    assert anonymous.account is None


@pytest.mark.parametrize(
    "quantity, available, reason",
    [
        ("0", False, "sold out (inventory 0)"),
        ("-1", False, "sold out (inventory 0)"),
        ("1", True, ""),
        ("0.5", True, ""),
    ],
)
def test_square_counts_at_the_boundary(quantity, available, reason):
    [event] = square_counts([count("V1", quantity)])
    assert stock(event) == [signal(["V1"], available, "L1", reason)]


def test_square_skips_movements_and_unreadable_counts_and_reads_on():
    counts = [
        "junk",
        count("V0", "0", state="WASTE"),
        count(None, "0"),
        count("V1", "lots"),
        count("V2"),  # no quantity: none left
        count("V3", "4", location=""),
    ]
    [event] = square_counts(counts)
    assert stock(event) == [signal(["V2"], False, "L1", "sold out (inventory 0)"), signal(["V3"], True, None, "")]


@pytest.mark.parametrize("counts", [5, {"V1": "0"}, "V1", None])
def test_square_inventory_counts_that_are_not_a_list_give_no_signal(counts):
    [event] = square_counts(counts)
    assert stock(event) == [] and not event.relevant


def test_square_catalog_event_without_a_version_has_no_hint():
    [event] = parse("square", {"type": "catalog.version.updated", "event_id": "e1", "data": {"object": {}}})
    assert event.hint == {} and event.relevant


# -- Toast ----------------------------------------------------------------------------------------------


def test_toast_message_forms_without_a_usable_timestamp():
    body = b'{"timestamp":"","guid":"g"}'
    assert [name for name, _ in toast_messages({}, body)] == ["body"]
    assert [name for name, _ in toast_messages({}, b'{"timestamp":5}')] == ["body"]
    assert [name for name, _ in toast_messages({}, b"[1]")] == ["body"]
    verdict = get_source("toast").verify_webhook(
        {"toast-signature": toast_signature("s", body)}, body, [WebhookKey("s")]
    )
    assert verdict.ok and verdict.variant == "body"


def toast(details: dict[str, Any], headers: dict[str, str] | None = None, **envelope: Any) -> list:
    body = {"eventCategory": "stock", "eventType": "out_of_stock", "guid": "g1", "details": details, **envelope}
    return parse("toast", body, headers)


def test_toast_stock_event_fields_and_account_from_the_header():
    details = {"itemGuid": "IT1", "multiLocationId": "ML1", "status": "OUT_OF_STOCK"}
    [event] = toast(details, {"Toast-Restaurant-External-ID": "R9"})
    assert (event.pos, event.account, event.event_id, event.kind, event.relevant) == (
        "toast",
        "R9",
        "g1",
        "stock:out_of_stock",
        True,
    )
    assert stock(event) == [signal(["IT1", "ML1"], False, "R9", "out of stock")]


def test_toast_menus_event_fields():
    [event] = parse("toast", {"eventCategory": "menus", "guid": "g2", "details": {"restaurantGuid": "R1"}})
    assert (event.pos, event.account, event.kind, event.relevant, event.hint) == ("toast", "R1", "menus:", True, {})


@pytest.mark.parametrize(
    "details, expected",
    [
        ({"status": "IN_STOCK"}, signal(["IT1"], True, "R1", "")),
        ({"status": "OUT_OF_STOCK"}, signal(["IT1"], False, "R1", "out of stock")),
        ({"status": "QUANTITY", "quantity": 0}, signal(["IT1"], False, "R1", "quantity 0")),
        ({"status": "QUANTITY", "quantity": 1}, signal(["IT1"], True, "R1", "")),
        ({"status": "QUANTITY", "quantity": 0.5}, signal(["IT1"], True, "R1", "")),
        ({"status": "QUANTITY"}, signal(["IT1"], False, "R1", "quantity 0")),
    ],
)
def test_toast_stock_statuses(details, expected):
    [event] = toast({"itemGuid": "IT1", "restaurantGuid": "R1", **details})
    assert stock(event) == [expected]


@pytest.mark.parametrize("details", [{"itemGuid": "IT1", "status": "SOLD"}, {"status": "OUT_OF_STOCK"}])
def test_toast_stock_events_that_state_nothing_are_not_relevant(details):
    [event] = toast(details)
    assert not event.relevant and event.hint == {}


def test_toast_stock_api_entries_are_read_by_their_guid_at_their_own_restaurant():
    entry = {"guid": "IT2", "status": "QUANTITY", "quantity": 0, "restaurantGuid": "R2"}
    found = toast_stock_signal(entry, "R1")
    assert found is not None and found.hint() == signal(["IT2"], False, "R2", "quantity 0")
    found = toast_stock_signal({"guid": "IT3", "status": "OUT_OF_STOCK"}, "R1")
    assert found is not None and found.hint() == signal(["IT3"], False, "R1", "out of stock")
