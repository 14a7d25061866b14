"""Make a plan: read live, settle the mapping, diff, let the target choose calls, assess safety.

This is the read-only half of a sync; it never writes to the live catalog or to the mapping.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from reconciler.engine import availability, ownership, protect, targeting
from reconciler.engine.availability import Adoption, Layer
from reconciler.engine.capabilities import TargetInfo
from reconciler.engine.diff import diff
from reconciler.engine.essence import Essence
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import seal
from reconciler.engine.safety import assess
from reconciler.engine.settle import settle
from reconciler.engine.snapshots import Snapshots, unexpected_answers
from reconciler.engine.targeting import Selection
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import ConfigError, UnsupportedByTarget
from reconciler.model.catalog import Catalog
from reconciler.state.availability import LayerEntry
from reconciler.state.mapping import Entry, MappingStore

if TYPE_CHECKING:  # the contract is typed against these types; at run time any target will do
    from reconciler.targets.base import LiveView, RawLive, Target

RawT = TypeVar("RawT", bound="RawLive")
LiveT = TypeVar("LiveT", bound="LiveView")


@dataclass(frozen=True)
class Reading(Generic[RawT]):
    """What a plan reads before it plans: the scope, the live side, the settled mapping, the location."""

    scope: str
    raw: RawT
    entries: list[Entry]
    info: TargetInfo
    zone: str
    started: float = 0.0  # time.monotonic() when the read began (Target.keep needs the read's age)


async def read_live(target: Target[RawT, LiveT], store: MappingStore, snapshot_dir: Path | None) -> Reading[RawT]:
    """The live side, through the live snapshot kept in ``snapshot_dir`` when given (engine/snapshots.py)."""
    started = time.monotonic()
    with unexpected_answers(target.name):
        scope = await target.scope()
        snapshots = Snapshots.of(snapshot_dir) if snapshot_dir is not None else None
        raw = await (target.fetch() if snapshots is None else snapshots.read(target, scope))
    return await reading_of(target, store, scope, raw, started)


async def reading_of(
    target: Target[RawT, LiveT], store: MappingStore, scope: str, raw: RawT, started: float
) -> Reading[RawT]:
    """The reading of what ``target`` read at ``scope`` (``raw``, a read begun at ``started``,
    ``time.monotonic()``): the mapping settled against it."""
    with unexpected_answers(target.name):
        entries = settle(store, scope, raw, write=False)
    return Reading(scope, raw, entries, await target.describe(), await target.time_zone(), started)


@dataclass
class Planned(Generic[LiveT]):
    plan: Plan
    desired: Essence
    live: LiveT  # the target's live view
    adoption: Adoption = field(default_factory=Adoption)  # dashboard stock edits to keep (apply records them)
    layer: dict[str, LayerEntry] = field(default_factory=dict)  # the layer entries in force at this location
    reading: Reading[Any] | None = None  # the read the plan was made against (None: plan_against's)


async def make_plan(
    catalog: Catalog,
    target: Target[RawT, LiveT],
    store: MappingStore,
    thresholds: Thresholds,
    live_updates: bool = True,
    layer: Layer | None = None,
    selection: Selection | None = None,
    snapshot_dir: Path | None = None,
    reading: Reading[RawT] | None = None,
) -> Planned[LiveT]:
    """The plan of ``catalog`` (plus the availability ``layer``, when given) against ``target``;
    with a ``selection`` (``--only``/``--exclude``), of the selected entities' changes alone; with
    ``snapshot_dir`` (a state directory), the live side read through the live snapshot kept there:
    only what changed, where the target can tell (engine/snapshots.py; ``reconcile plan`` only);
    with ``reading``, against what :func:`read_live` of the same target read (the plan memo's)."""
    reasons = target.unsupported(catalog)
    if reasons:
        raise UnsupportedByTarget(target.name, reasons)
    reading = reading or await read_live(target, store, snapshot_dir)
    scope, raw, entries, info, zone = reading.scope, reading.raw, reading.entries, reading.info, reading.zone
    with unexpected_answers(target.name):
        desired, approximations, live, adoption, in_force = effective_state(catalog, target, raw, entries, info, layer)
    _same_currency(catalog, live.currency)
    changes = diff(desired, live.essence, target.capabilities.rank, live.drifted)
    notes = tuple(approximations) + _ownership_notes(catalog, target)
    if selection is not None:
        changes, desired = targeting.targeted(changes, desired, live.essence, selection)
        notes += (selection.describe(),)
    # After targeting: what the plan would do is what is checked, so --only/--exclude cannot bypass it.
    protect.refuse_removals(changes, catalog, target.entities, store, scope)
    built = await target.build(changes, desired, live, live_updates=live_updates)
    owned = ownership.live_owned(catalog, target.entities, desired)
    mapping = ownership.remembered_hashes(built.mapping, desired, owned, target.capabilities)
    if selection is not None:  # the touched entities' rows only: what is left alone keeps its drift
        touched = {(str(target.capabilities.namespace(c.kind)), c.id) for c in changes}
        mapping = tuple(row for row in mapping if (row[0], row[1]) in touched)
    # Annotated after building: a note is for people, and must not make a planner avoid a live update.
    marked = tuple(availability.annotate(built.changes, in_force, zone))
    plan = seal(
        Plan(
            target=info,
            live_fingerprint=raw.fingerprint(),
            live_hashes=raw.hashes(),
            changes=marked,
            operations=built.operations,
            ids=built.ids,
            mapping=mapping,
            notes=notes + built.notes + _adoption_notes(adoption, zone),
            safety=assess(built.changes, len(live.essence), thresholds),
            revisions=built.revisions,
            desired=catalog.model_dump(mode="json", exclude_defaults=True),
            live_updates=live_updates,
        )
    )
    return Planned(plan, desired, live, adoption, in_force, reading)


def _same_currency(catalog: Catalog, live: str | None) -> None:
    if live and live != catalog.currency:
        raise ConfigError(
            f"the catalog is in {catalog.currency} but the Wix site sells in {live}; "
            "prices would be wrong. Fix `currency:` in the catalog."
        )


def _ownership_notes(catalog: Catalog, target: Target[RawT, LiveT]) -> tuple[str, ...]:
    unheld = ownership.unheld(catalog, target.entities)
    if not unheld:
        return ()
    why = next((c for c in target.capabilities.cannot_hold if c.startswith("ownership")), "no record holds it")
    return (f"ownership: of {', '.join(unheld)} is left out: {why}",)


def effective_state(
    catalog: Catalog,
    target: Target[RawT, LiveT],
    raw: RawT,
    entries: list[Entry],
    info: TargetInfo,
    layer: Layer | None,
) -> tuple[Essence, list[str], LiveT, Adoption, dict[str, LayerEntry]]:
    """The desired essence (catalog + the layer's entries in force here, dashboard stock edits adopted) and live."""
    layered = ownership.layer_owned(catalog)  # availability owned by the catalog or the live side: no layer
    in_force = availability.at_location(layer.entries, info.location_id, layer.now) if layer else {}
    in_force = {k: e for k, e in in_force.items() if k in layered}
    desired, approximations = target.project(availability.effective(catalog, in_force))
    live = target.interpret(raw, entries, desired)
    owned = ownership.live_owned(catalog, target.entities, desired)
    desired = ownership.keep_live(desired, live.essence, owned)
    adoption = Adoption()
    if layer is not None and layer.adopt:
        adoption = availability.adoptions(desired, live.essence, live.drifted, in_force, info.location_id, layer.now)
        adoption.started = [e for e in adoption.started if e.entity in layered]
        if adoption.started or adoption.ended:
            in_force = {k: e for k, e in in_force.items() if e not in adoption.ended}
            in_force.update({e.entity: e for e in adoption.started})
            desired, approximations = target.project(availability.effective(catalog, in_force))
            desired = ownership.keep_live(desired, live.essence, owned)
    return desired, approximations, live, adoption, in_force


def _adoption_notes(adoption: Adoption, zone: str) -> tuple[str, ...]:
    started = [
        f"{availability.LAYER_NOTE}{e.kind} {e.entity} was {availability.describe(e, zone)}: kept, not reverted"
        for e in adoption.started
    ]
    ended = [f"{availability.LAYER_NOTE}{e.kind} {e.entity} was undone in the Wix dashboard" for e in adoption.ended]
    return tuple(started + ended)


async def plan_against(
    target: Target[RawT, LiveT],
    raw: RawT,
    live: LiveT,
    desired: Essence,
    thresholds: Thresholds,
    live_updates: bool = True,
    notes: tuple[str, ...] = (),
) -> Planned[LiveT]:
    """The sealed plan that turns ``live`` (read as ``raw``) into a ``desired`` essence given as is.

    Rollback's: its desired state is the live one with some records put back, not a catalog.
    """
    changes = diff(desired, live.essence, target.capabilities.rank, live.drifted)
    built = await target.build(changes, desired, live, live_updates=live_updates)
    plan = seal(
        Plan(
            target=await target.describe(),
            live_fingerprint=raw.fingerprint(),
            live_hashes=raw.hashes(),
            changes=built.changes,
            operations=built.operations,
            ids=built.ids,
            mapping=built.mapping,
            notes=notes + built.notes,
            safety=assess(built.changes, len(live.essence), thresholds),
            revisions=built.revisions,
        )
    )
    return Planned(plan, desired, live)
