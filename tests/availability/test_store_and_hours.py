"""The layer's store (exact expiry, one entry per place, a log) and the times of an 86, in the location's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reconciler.engine.availability import at_location, effective
from reconciler.engine.hours import parse_duration, parse_until, until_close
from reconciler.errors import ConfigError
from reconciler.state.availability import EVERYWHERE, AvailabilityStore, LayerEntry, LayerEvent, LayerSource
from tests.catalog_edits import edit, pizzeria

NOW = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # a Tuesday


def entry(entity="margherita", location="loc-1", until=None, available=False, source=LayerSource.CLI):
    return LayerEntry(entity, "dish", location, available, NOW, until, "why", source)


def test_entries_end_exactly_at_until_and_the_log_says_so(tmp_path):
    store = AvailabilityStore(tmp_path / "s.sqlite")
    store.put([entry(until=NOW + timedelta(hours=2)), entry("caesar")], NOW)
    assert store.next_expiry(NOW) == NOW + timedelta(hours=2)
    assert {e.entity for e in store.active(NOW + timedelta(hours=2) - timedelta(microseconds=1))} == {
        "margherita",
        "caesar",
    }
    assert {e.entity for e in store.active(NOW + timedelta(hours=2))} == {"caesar"}
    assert [e.entity for e in store.expire(NOW + timedelta(hours=2))] == ["margherita"]
    assert [(r.event, r.entry.entity) for r in store.log()][:1] == [(LayerEvent.EXPIRED, "margherita")]
    assert store.next_expiry(NOW + timedelta(hours=2)) is None


def test_a_newer_entry_replaces_the_older_one_at_the_same_place(tmp_path):
    store = AvailabilityStore(tmp_path / "s.sqlite")
    store.put([entry(source=LayerSource.CLI)], NOW)
    store.put([entry(source=LayerSource.POS, until=NOW + timedelta(minutes=5))], NOW)
    [only] = store.entries()
    assert only.source == LayerSource.POS and only.until == NOW + timedelta(minutes=5)


def test_a_location_entry_beats_an_everywhere_entry_and_others_do_not_apply():
    found = at_location(
        [entry(location=EVERYWHERE), entry(location="loc-1", available=True), entry("caesar", location="loc-2")],
        "loc-1",
        NOW,
    )
    assert set(found) == {"margherita"} and found["margherita"].available is True


def test_the_effective_catalog_changes_only_stock_and_never_the_yaml_model():
    catalog = pizzeria()
    out = effective(catalog, {"margherita": entry()})
    assert next(d for d in out.dishes if d.id == "margherita").in_stock is False
    assert next(d for d in catalog.dishes if d.id == "margherita").in_stock is True
    assert [d for d in out.dishes if d.id != "margherita"] == [d for d in catalog.dishes if d.id != "margherita"]


@pytest.mark.parametrize(
    ("text", "span"), [("2h", timedelta(hours=2)), ("90m", timedelta(minutes=90)), ("1h30m", timedelta(minutes=90))]
)
def test_durations(text, span):
    assert parse_duration(text) == span


@pytest.mark.parametrize("text", ["", "2", "soon", "0m", "-1h"])
def test_bad_durations_are_clear_errors(text):
    with pytest.raises(ConfigError, match="--for"):
        parse_duration(text)


def test_until_a_clock_time_is_the_locations_next_one():
    # 18:30 UTC is 19:30 in Paris: 22:00 is today there, 02:00 is tomorrow.
    assert parse_until("22:00", "Europe/Paris", NOW) == datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    assert parse_until("02:00", "Europe/Paris", NOW) == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    assert parse_until("2026-12-24T22:00", "America/New_York", NOW) == datetime(2026, 12, 25, 3, 0, tzinfo=UTC)
    with pytest.raises(ConfigError, match="already passed"):
        parse_until("2026-11-30T10:00", "UTC", NOW)


def _with_hours(windows):
    return edit(pizzeria(), lambda d: d["menus"][0].update(hours=windows))


def test_until_close_is_the_end_of_the_menus_window_open_now():
    catalog = _with_hours(
        [{"day": "tue", "open": "11:00", "close": "15:00"}, {"day": "tue", "open": "18:00", "close": "23:00"}]
    )
    # 19:30 in Paris on Tuesday: the evening window closes at 23:00 Paris = 22:00 UTC.
    assert until_close(catalog, "margherita", "Europe/Paris", NOW) == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


def test_until_close_over_midnight():
    catalog = _with_hours([{"day": "tue", "open": "18:00", "close_day": "wed", "close": "01:00"}])
    assert until_close(catalog, "top-nduja", "UTC", NOW) == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def test_until_close_refuses_a_closed_or_hourless_menu():
    with pytest.raises(ConfigError, match="no menu offering margherita has opening hours"):
        until_close(pizzeria(), "margherita", "UTC", NOW)
    closed = _with_hours([{"day": "mon", "open": "11:00", "close": "15:00"}])
    with pytest.raises(ConfigError, match="closed now"):
        until_close(closed, "margherita", "UTC", NOW)
