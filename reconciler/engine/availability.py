"""The effective desired state: the catalog, plus the availability layer (who 86'd what, until when).

The layer (:mod:`reconciler.state.availability`) is never written into the YAML. A plan applies
the entries in force at its location to the catalog before the target projects it, so both
targets see an ordinary ``in_stock`` value and nothing else of the pipeline changes. Changes the
layer causes carry a note starting with :data:`LAYER_NOTE` ("86'd until 22:00 by pos"), which the
renderers show apart from the catalog's own changes.

A record whose ``in_stock`` was flipped in the Wix dashboard (the live record differs from what
reconcile last wrote, and its stock differs from the desired one) is *adopted* into the layer
(source ``wix-dashboard``, no expiry) instead of being reverted; an adopted entry ends when the
dashboard flips it back. Everything here is pure: the clock is the caller's ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, Key
from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import Catalog, Orderable
from reconciler.state.availability import EVERYWHERE, AvailabilityStore, LayerEntry, LayerSource
from reconciler.state.storage import Storage

ItemT = TypeVar("ItemT", bound=Orderable)
LAYER_NOTE = "availability layer: "  # the prefix of a change's note when the layer caused it
STOCK = "in_stock"  # the essence field the layer sets, on both targets


@dataclass(frozen=True)
class Layer:
    """What a plan needs of the layer: the entries (those in force at ``now`` count) and the clock's reading."""

    entries: tuple[LayerEntry, ...]
    now: datetime
    adopt: bool = True  # adopt stock flipped in the Wix dashboard (plan and apply; not `86`)


@dataclass
class Adoption:
    """What a plan found flipped in the dashboard (to record on apply) and what it saw undone there."""

    started: list[LayerEntry] = field(default_factory=list)
    ended: list[LayerEntry] = field(default_factory=list)


def at_location(entries: Iterable[LayerEntry], location_id: str, now: datetime) -> dict[str, LayerEntry]:
    """The entry in force for each entity at ``location_id``; one for this location beats one for all."""
    found: dict[str, LayerEntry] = {}
    for entry in sorted(entries, key=lambda e: e.location != EVERYWHERE):
        if entry.active(now) and entry.applies_at(location_id):
            found[entry.entity] = entry
    return found


def effective(catalog: Catalog, entries: dict[str, LayerEntry]) -> Catalog:
    """The catalog with each layer entry's availability in place of the YAML's ``in_stock``."""
    if not entries:
        return catalog

    def over(items: list[ItemT]) -> list[ItemT]:
        return [
            i.model_copy(update={"in_stock": entries[i.id].available})
            if i.id in entries and i.in_stock != entries[i.id].available
            else i
            for i in items
        ]

    return catalog.model_copy(update={"dishes": over(catalog.dishes), "variations": over(catalog.variations)})


def entity_kind(kind: Kind) -> str:
    return "dish" if kind == Kind.DISH else "variation"


def adoptions(
    desired: Essence,
    live: Essence,
    drifted: frozenset[Key],
    entries: dict[str, LayerEntry],
    location_id: str,
    now: datetime,
) -> Adoption:
    """Stock flipped live, outside reconcile: to be kept (adopted), not reverted.

    A drifted record whose stock differs from the desired one was flipped in the dashboard; an
    adopted entry whose record is live with the catalog's stock again was flipped back there.
    """
    found = Adoption()
    for key, record in live.items():
        want = desired.get(key)
        if want is None or STOCK not in record or STOCK not in want:
            continue
        entry = entries.get(key[1])
        if entry is not None and entry.source == LayerSource.WIX_DASHBOARD:
            if record[STOCK] != entry.available:
                found.ended.append(entry)
            continue
        if key in drifted and record[STOCK] != want[STOCK] and (entry is None or entry.source != LayerSource.CLI):
            found.started.append(
                LayerEntry(
                    key[1],
                    entity_kind(key[0]),
                    location_id,
                    bool(record[STOCK]),
                    now,
                    None,
                    "changed in the Wix dashboard",
                    LayerSource.WIX_DASHBOARD,
                )
            )
    return found


def describe(entry: LayerEntry, zone: str) -> str:
    """ "86'd until 22:00 by pos (sold out)", in the location's time zone."""
    verb = "86'd" if not entry.available else "made available"
    until = ""
    if entry.until is not None:
        local = entry.until.astimezone(ZoneInfo(zone))
        same_day = local.date() == entry.since.astimezone(ZoneInfo(zone)).date()
        until = f" until {local:%H:%M}" if same_day else f" until {local:%Y-%m-%d %H:%M}"
    reason = f" ({entry.reason})" if entry.reason else ""
    return f"{verb}{until} by {entry.source}{reason}"


def annotate(changes: Iterable[Change], entries: dict[str, LayerEntry], zone: str) -> list[Change]:
    """Mark the changes the layer caused: an update (or create) of a record's stock named in the layer."""
    out = []
    for change in changes:
        entry = entries.get(change.id)
        if entry is not None and any(f.path == STOCK for f in change.fields):
            change = replace(change, notes=(LAYER_NOTE + describe(entry, zone), *change.notes))
        out.append(change)
    return out


def caused_by_layer(change: Change) -> bool:
    return any(n.startswith(LAYER_NOTE) for n in change.notes)


def stock_only(desired: Essence, live: Essence, keys: Iterable[Key]) -> Essence:
    """The live essence with only these records' stock taken from ``desired``: the minimal update."""
    out = dict(live)
    for key in keys:
        if key in live and key in desired and STOCK in desired[key]:
            out[key] = {**live[key], STOCK: desired[key][STOCK]}
    return out


def now_utc() -> datetime:
    """The system clock, in UTC: the default of every command (tests pass their own clock)."""
    return datetime.now(UTC)


def read_layer(store: AvailabilityStore, now: datetime | None = None, adopt: bool = True) -> Layer:
    """The layer's entries in force at ``now`` (default: the system clock)."""
    moment = now or now_utc()
    return Layer(tuple(store.active(moment)), moment, adopt)


def layer_in(state_dir: Path, now: datetime) -> Layer:
    """The layer kept in a state directory's database, read once (the store is closed again)."""
    store = Storage(state_dir).availability()
    try:
        return read_layer(store, now)
    finally:
        store.close()


def record(store: AvailabilityStore, adoption: Adoption, now: datetime) -> None:
    """Keep what an applied plan adopted from the dashboard, and end what the dashboard undid."""
    if adoption.ended:
        store.end(((e.location, e.entity) for e in adoption.ended), now)
    if adoption.started:
        store.put(adoption.started, now)
