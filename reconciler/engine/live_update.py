"""The minimal live update of an 86: only the stock of the named entities, one call per entity, no draft.

``reconcile 86`` and serve's POS stock signals must not wait for (or carry along) whatever else
the catalog would change: the desired state of this update is the *live* catalog with only the
named records' stock taken from the effective desired state (catalog + layer). Each changed
entity is its own single-entity plan, which Catalogs v3 executes with its live update endpoint
(one ``updateItem``, no draft) and Menus (New) with one update call; the mapping rows written are
those of the changed entities only, so drift elsewhere stays visible to the next plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.canonical import fingerprint
from reconciler.engine import availability
from reconciler.engine.apply import ApplyOptions, apply_plan
from reconciler.engine.diff import Change, diff
from reconciler.engine.essence import Essence
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import seal
from reconciler.engine.planning import make_plan
from reconciler.engine.safety import Thresholds
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import MappingStore

# An 86 is never "unsafe": it changes one field of the entities it names.
NO_LIMITS = Thresholds(max_update_share=1.0, max_remove_share=1.0, min_existing=10**9)


@dataclass
class LiveUpdate:
    """What a live update did: its changes, the calls made, and what it could not do."""

    changes: list[Change] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # named but not live or with no stock on this target

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


async def update_stock(
    catalog: Catalog,
    target: Any,
    store: MappingStore,
    state_dir: Path,
    layer: availability.Layer,
    entities: set[str],
) -> LiveUpdate:
    """Make the stock of ``entities`` live as catalog + ``layer`` says, touching nothing else."""
    planned = await make_plan(catalog, target, store, NO_LIMITS, True, replace(layer, adopt=False))
    live = planned.live
    keys = sorted(k for k in planned.desired if k[1] in entities and availability.STOCK in planned.desired[k])
    done = LiveUpdate(missing=sorted(entities - {k[1] for k in keys if k in live.essence}))
    wanted = availability.stock_only(planned.desired, live.essence, keys)
    changes = diff(wanted, live.essence, target.capabilities.rank, live.drifted)
    groups = [[c] for c in changes] if target.capabilities.drafts else ([changes] if changes else [])
    for index, group in enumerate(groups):
        if index:  # the last group's write moved the live catalog: plan this one against it (apply checks)
            planned = await make_plan(catalog, target, store, NO_LIMITS, True, replace(layer, adopt=False))
            live = planned.live
            wanted = availability.stock_only(planned.desired, live.essence, keys)
            wanted_keys = {c.key for c in group}
            group = [
                c for c in diff(wanted, live.essence, target.capabilities.rank, live.drifted) if c.key in wanted_keys
            ]
            if not group:
                continue
        plan = await _plan_of(group, wanted, live, target, planned.plan)
        result = await apply_plan(plan, target, store, state_dir, ApplyOptions(force=True, verify=False))
        for name, count in result.calls.items():
            done.calls[name] = done.calls.get(name, 0) + count
    done.changes = availability.annotate(changes, planned.layer, await target.time_zone())
    return done


async def _plan_of(changes: list[Change], wanted: Essence, live: Any, target: Any, base: Plan) -> Plan:
    built = await target.build(changes, wanted, live, live_updates=True)
    namespace = target.capabilities.namespace
    touched = {(namespace(c.kind), c.id) for c in changes}
    hashes: dict[tuple[str, str], str] = {
        (namespace(k), i): fingerprint(wanted[(k, i)]) for (k, i) in wanted if (namespace(k), i) in touched
    }
    mapping = tuple(sorted((ns, i, h) for (ns, i), h in hashes.items()))
    return seal(
        replace(
            base,
            changes=built.changes,
            operations=built.operations,
            ids=built.ids,
            mapping=mapping,
            notes=built.notes,
            revisions=built.revisions,
            checksum="",
        )
    )
