"""The availability layer's store, on both backends: one entry per place, exact expiry, the log,
and a reopen through :class:`~reconciler.state.storage.Storage`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reconciler.state.availability import EVERYWHERE, AvailabilityStore, LayerEntry, LayerEvent, LayerSource
from reconciler.state.storage import Storage

NOW = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)


def entry(entity: str, location: str = "loc-1", until: datetime | None = None, source=LayerSource.CLI) -> LayerEntry:
    return LayerEntry(entity, "dish", location, False, NOW, until, f"86 {entity}", source)


def test_entries_replace_expire_end_and_are_logged(url):
    store = AvailabilityStore(url)
    store.put([entry("margherita", until=NOW + timedelta(hours=2)), entry("caesar", EVERYWHERE)], NOW)
    store.put([entry("margherita", source=LayerSource.POS, until=NOW + timedelta(hours=1))], NOW)  # replaces
    assert [(e.location, e.entity, e.source) for e in store.entries()] == [
        (EVERYWHERE, "caesar", LayerSource.CLI),
        ("loc-1", "margherita", LayerSource.POS),
    ]
    assert store.next_expiry(NOW) == NOW + timedelta(hours=1)
    assert [e.entity for e in store.active(NOW, "loc-2")] == ["caesar"]
    assert [e.entity for e in store.expire(NOW + timedelta(hours=1))] == ["margherita"]
    assert store.end([(EVERYWHERE, "caesar"), ("loc-1", "nothing")], NOW + timedelta(hours=3)) == 1
    assert store.entries() == []
    events = [(r.event, r.entry.entity) for r in store.log()]
    assert events == [
        (LayerEvent.ENDED, "caesar"),
        (LayerEvent.EXPIRED, "margherita"),
        (LayerEvent.STARTED, "margherita"),
        (LayerEvent.STARTED, "caesar"),
        (LayerEvent.STARTED, "margherita"),
    ]
    store.close()


def test_the_layer_survives_a_reopen_through_storage(state_dir, env):
    first = Storage(state_dir, env).availability()
    first.put([entry("tiramisu", until=NOW + timedelta(minutes=30))], NOW)
    first.close()
    second = Storage(state_dir, env).availability()
    (kept,) = second.entries()
    assert (kept.entity, kept.until, kept.reason) == ("tiramisu", NOW + timedelta(minutes=30), "86 tiramisu")
    second.close()
