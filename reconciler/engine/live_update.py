"""The minimal live update of an 86: only the stock of the named entities, one call per entity, no draft.

``reconcile 86`` and serve's POS stock signals must not wait for (or carry along) whatever else
the catalog would change: the desired state of this update is the *live* catalog with only the
named records' stock taken from the effective desired state (catalog + location overlay + layer).
Each changed entity is its own single-entity plan, which Catalogs v3 executes with its live
update endpoint (one ``updateItem``, no draft) and Menus (New) with one update call naming the
revision it read; the mapping rows written are those of the changed entities only, so drift
elsewhere stays visible to the next plan.

Its cost is the entities named, not the catalog: under the catalog's lock it projects only the
part of the catalog those entities come from (:func:`named`), reads only them through the target's
``fetch_entities`` (by the Wix ids of the id mapping), and applies against that read, with no
second read. When it cannot be sure that read is enough, it takes the whole path instead (a full
plan, as ``reconcile plan`` makes it, against the whole live catalog): a named entity with no
mapping row (not live yet, or to be adopted by name), an entity the target cannot read by id or
finds gone, an earlier run's rows or creates still to settle. An update that meets someone's
edit of the same entity (a stale revision on Menus (New)) reads that entity again and tries once
more; a second conflict is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.canonical import fingerprint
from reconciler.engine import availability, ownership
from reconciler.engine.apply import LEFTOVER, ApplyOptions, apply_plan, catalog_lock
from reconciler.engine.diff import Change, diff
from reconciler.engine.essence import Essence, Key
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import seal
from reconciler.engine.planning import make_plan
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import ConfigError, ConflictingEdit, UnsupportedByTarget
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import Entry, MappingStore

# An 86 is never "unsafe": it changes one field of the entities it names.
NO_LIMITS = Thresholds(max_update_share=1.0, max_remove_share=1.0, min_existing=10**9)


@dataclass
class LiveUpdate:
    """What a live update did: its changes, the calls made, and what it could not do."""

    changes: list[Change] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # named but not live or with no stock on this target
    whole: bool = False  # it read the whole live catalog (see the module's docstring for when)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def add(self, calls: dict[str, int]) -> None:
        for name, count in calls.items():
            self.calls[name] = self.calls.get(name, 0) + count


async def update_stock(
    catalog: Catalog,
    target: Any,
    store: MappingStore,
    state_dir: Path,
    layer: availability.Layer,
    entities: set[str],
) -> LiveUpdate:
    """Make the stock of ``entities`` live as catalog + ``layer`` says, touching nothing else."""
    done = await _by_entity(catalog, target, store, state_dir, layer, entities)
    if done is None:
        done = await _whole(catalog, target, store, state_dir, layer, entities)
    return done


def named(catalog: Catalog, entities: Iterable[str]) -> Catalog:
    """The part of ``catalog`` that the named dishes' and variations' records are projected from.

    The named items, every item whose options offer one of them (up to a dish a section lists:
    whether a variation is reached, and on Menus (New) whether it is a size or a choice, is theirs
    to say), and the option groups and items those use, down to the last choice. Menus and
    sections stay whole: they say what a diner reaches. Everything else is left out, so the
    projection costs what was named, not the catalog."""
    groups = {g.id: g for g in catalog.option_groups}
    items = {i.id: i for i in [*catalog.dishes, *catalog.variations]}
    offering: dict[str, list[str]] = {}  # item -> the groups offering it
    for group in catalog.option_groups:
        for choice in group.choices:
            offering.setdefault(choice.item, []).append(group.id)
    using: dict[str, list[str]] = {}  # group -> the items with it among their options
    for item in items.values():
        for group_id in item.options:
            using.setdefault(group_id, []).append(item.id)
    keep = {i for i in entities if i in items}
    todo = list(keep)
    while todo:  # upwards: whoever offers what is kept
        for group_id in offering.get(todo.pop(), ()):
            for owner in using.get(group_id, ()):
                if owner not in keep:
                    keep.add(owner)
                    todo.append(owner)
    todo = list(keep)
    while todo:  # downwards: what the kept items offer
        for group_id in items[todo.pop()].options:
            for choice in groups[group_id].choices if group_id in groups else ():
                if choice.item in items and choice.item not in keep:
                    keep.add(choice.item)
                    todo.append(choice.item)
    used = {g for i in keep for g in items[i].options}
    return catalog.model_copy(
        update={
            "dishes": [d for d in catalog.dishes if d.id in keep],
            "variations": [v for v in catalog.variations if v.id in keep],
            "option_groups": [g for g in catalog.option_groups if g.id in used],
        }
    )


async def _by_entity(
    catalog: Catalog, target: Any, store: MappingStore, state_dir: Path, layer: availability.Layer, entities: set[str]
) -> LiveUpdate | None:
    """The update from a read of the named entities alone; None when only the whole path can be sure."""
    part = named(catalog, entities)
    reasons = target.unsupported(part)
    if reasons:
        raise UnsupportedByTarget(target.name, reasons)
    scope, info = await target.scope(), await target.describe()
    layered = ownership.layer_owned(part)
    in_force = {
        k: e for k, e in availability.at_location(layer.entries, info.location_id, layer.now).items() if k in layered
    }
    desired, _ = target.project(availability.effective(part, in_force))
    keys = sorted(k for k in desired if k[1] in entities and availability.STOCK in desired[k])
    with catalog_lock(state_dir, scope, store) as lock:
        ids = mapped_ids(keys, target, store, scope)
        if ids is None:
            return None
        raw = await target.fetch_entities(set(ids.values()))
        if raw is None:
            return None
        live = target.interpret(raw, store.entries(scope), desired)
        if any(k not in live.essence for k in keys):
            return None
        if live.currency and live.currency != catalog.currency:
            raise ConfigError(
                f"the catalog is in {catalog.currency} but the Wix site sells in {live.currency}; "
                "prices would be wrong. Fix `currency:` in the catalog."
            )
        desired = ownership.keep_live(desired, live.essence, ownership.live_owned(part, target.entities, keys))
        done = LiveUpdate(missing=sorted(entities - {k[1] for k in keys}))
        wanted = availability.stock_only(desired, live.essence, keys)
        changes = diff(wanted, live.essence, target.capabilities.rank, live.drifted)
        base = Plan(info, raw.fingerprint(), raw.hashes(), (), (), {}, (), live_updates=True)
        groups = [[c] for c in changes] if target.capabilities.drafts else ([changes] if changes else [])
        for group in groups:
            written = _Write(target, store, state_dir, lock, base, desired, ids)
            done.add(await written.apply(group, raw, live))
    done.changes = availability.annotate(changes, in_force, await target.time_zone())
    return done


def mapped_ids(
    keys: list[Key], target: Any, store: MappingStore, scope: str, entries: list[Entry] | None = None
) -> dict[Key, tuple[str, str]] | None:
    """(namespace, Wix id) of each record from the id mapping; None when a read of them alone is in doubt.
    ``entries``: the mapping rows, when the caller (holding the catalog's lock) has just read them."""
    if store.pending(scope) or store.intents(scope) or any(r.status in LEFTOVER for r in store.runs(scope)):
        return None  # an earlier run left something to settle, which needs the whole live side
    rows = {(e.namespace, e.local_id): e.wix_id for e in (store.entries(scope) if entries is None else entries)}
    found: dict[Key, tuple[str, str]] = {}
    for kind, local_id in keys:
        space = str(target.capabilities.namespace(kind))
        wix_id = rows.get((space, local_id))
        if wix_id is None:
            return None  # not live yet, or live but to be adopted by name: only the whole read can tell
        found[(kind, local_id)] = (space, wix_id)
    return found


@dataclass
class _Write:
    """One group's write (one entity; on a target without drafts, all of them in one cut-over)."""

    target: Any
    store: MappingStore
    state_dir: Path
    lock: Any
    base: Plan
    desired: Essence
    ids: dict[Key, tuple[str, str]]

    async def apply(self, group: list[Change], raw: Any, live: Any) -> dict[str, int]:
        try:
            return await self._once(group, raw, live)
        except ConflictingEdit:
            # Edited by someone since it was read: read just these again, and write once more.
            again = await self.target.fetch_entities({self.ids[c.key] for c in group})
            if again is None:
                raise
            scope = self.base.target.scope
            return await self._once(group, again, self.target.interpret(again, self.store.entries(scope), self.desired))

    async def _once(self, group: list[Change], raw: Any, live: Any) -> dict[str, int]:
        keys = [c.key for c in group]
        wanted = availability.stock_only(self.desired, live.essence, keys)
        rank = self.target.capabilities.rank
        changes = [c for c in diff(wanted, live.essence, rank, live.drifted) if c.key in set(keys)]
        if not changes:
            return {}
        base = replace(self.base, live_fingerprint=raw.fingerprint(), live_hashes=raw.hashes())
        plan = await _plan_of(changes, wanted, live, self.target, base)
        options = ApplyOptions(force=True, verify=False, read=raw)
        result = await apply_plan(plan, self.target, self.store, self.state_dir, options, lock=self.lock)
        return dict(result.calls)


async def _whole(
    catalog: Catalog, target: Any, store: MappingStore, state_dir: Path, layer: availability.Layer, entities: set[str]
) -> LiveUpdate:
    """From a full plan against the whole live catalog, planned again before each further write."""
    planned = await make_plan(catalog, target, store, NO_LIMITS, True, replace(layer, adopt=False))
    live = planned.live
    keys = sorted(k for k in planned.desired if k[1] in entities and availability.STOCK in planned.desired[k])
    done = LiveUpdate(missing=sorted(entities - {k[1] for k in keys if k in live.essence}), whole=True)
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
        done.add(result.calls)
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
