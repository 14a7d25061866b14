"""Make a plan: read live, settle the mapping, diff, let the target choose calls, assess safety.

This is the read-only half of a sync; it never writes to the live catalog or to the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from reconciler.engine.diff import diff
from reconciler.engine.essence import Essence
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import seal
from reconciler.engine.safety import Thresholds, assess
from reconciler.engine.settle import settle
from reconciler.errors import ConfigError, UnsupportedByTarget
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import MappingStore

if TYPE_CHECKING:  # the contract is typed against these types; at run time any target will do
    from reconciler.targets.base import LiveView, RawLive, Target

RawT = TypeVar("RawT", bound="RawLive")
LiveT = TypeVar("LiveT", bound="LiveView")


@dataclass
class Planned(Generic[LiveT]):
    plan: Plan
    desired: Essence
    live: LiveT  # the target's live view


async def make_plan(
    catalog: Catalog,
    target: Target[RawT, LiveT],
    store: MappingStore,
    thresholds: Thresholds,
    live_updates: bool = True,
) -> Planned[LiveT]:
    reasons = target.unsupported(catalog)
    if reasons:
        raise UnsupportedByTarget(target.name, reasons)
    raw = await target.fetch()
    scope = await target.scope()
    entries = settle(store, scope, raw.existing_ids(), write=False)
    desired, approximations = target.project(catalog)
    live = target.interpret(raw, entries, desired)
    if live.currency and live.currency != catalog.currency:
        raise ConfigError(
            f"the catalog is in {catalog.currency} but the Wix site sells in {live.currency}; "
            "prices would be wrong. Fix `currency:` in the catalog."
        )
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
            notes=tuple(approximations) + built.notes,
            safety=assess(built.changes, len(live.essence), thresholds),
            revisions=built.revisions,
        )
    )
    return Planned(plan, desired, live)
