"""An incremental sync: the plan of what changed between two catalogs, from a read of only what it changes.

serve's webhook sync imports the POS catalog again and compares it with the one the last sync
left (``before``). When the difference is in the fields of a few dishes, variations or option
groups (a price, a name, a description), the plan is made as ``make_plan`` makes it, but of the
records those changes touch alone: the part of the catalog they come from is projected
(:func:`reconciler.engine.live_update.named`), only those records are read, by the Wix ids of the
id mapping (the target contract's ``fetch_entities``), and the plan holds their changes only, so
the apply needs no second read (``ApplyOptions.read``) and :func:`verify_read` reads them once more.

Anything else is the full plan's, and :func:`plan_changed` returns None for it: an entity created
or removed, a menu or section changed (a dish moved, a reorder), the catalog's own settings or its
locations, ``protect:`` or ``ownership:`` changed on an entity, more than :data:`MAX_ENTITIES`
records (on a target with drafts, more than one: Catalogs v3 changes one entity live, more in a
draft whose publish it checks against the whole live catalog), a change the safety thresholds
would not pass, a record the target cannot read by id or finds gone, an entity with no mapping
row, an earlier run left unsettled, a reference the read did not resolve. serve uses it for a
webhook's sync after a good one (else the last change may still be unapplied); the periodic
reconcile, the start-up sync and every other reason make the full plan, so drift anywhere else is
still found and repaired there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reconciler.engine import availability, live_update, ownership
from reconciler.engine.availability import Layer
from reconciler.engine.desired import desired_json
from reconciler.engine.diff import diff
from reconciler.engine.essence import Key
from reconciler.engine.ownership import hash_matches
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import seal
from reconciler.engine.planning import Planned, effective_state, make_plan
from reconciler.engine.safety import assess
from reconciler.engine.snapshots import unexpected_answers
from reconciler.engine.thresholds import Thresholds
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import Entry, MappingStore

MAX_ENTITIES = 20  # records an incremental plan may change; more is a big change: the full plan judges it
NOTE = "incremental: planned from a read of only the entities it changes; the periodic reconcile makes the full plan"


@dataclass
class Incremental:
    planned: Planned[Any]
    raw: Any  # what was read: the apply's read (ApplyOptions.read), as the lock is held throughout
    entries: list[Entry]  # the id mapping as stored, read with it under the same lock (ApplyOptions.entries)


def changed_items(before: Catalog, after: Catalog) -> set[str] | None:
    """Ids of the dishes and variations whose records the difference may touch (those that changed,
    and those offering a changed option group); None when it is structural or not the entities' own."""

    def rest(catalog: Catalog) -> Catalog:
        return catalog.model_copy(update={"dishes": [], "variations": [], "option_groups": []})

    if after.locations or rest(before) != rest(after):
        return None
    changed: dict[str, set[str]] = {}
    for table in ("dishes", "variations", "option_groups"):
        old = {e.id: e for e in getattr(before, table)}
        new = {e.id: e for e in getattr(after, table)}
        if old.keys() != new.keys():
            return None  # created or removed
        # serve's spliced import keeps every entity it did not change as the very object: no compare
        changed[table] = {i for i in new if new[i] is not old[i] and new[i] != old[i]}
        if any(new[i].protect != old[i].protect or new[i].ownership != old[i].ownership for i in changed[table]):
            return None  # what a journaled catalog and the id mapping's hashes remember
    groups = changed["option_groups"]
    offering = {i.id for i in (*after.dishes, *after.variations) if groups.intersection(i.options)}
    return changed["dishes"] | changed["variations"] | offering


async def plan_changed(
    before: Catalog,
    catalog: Catalog,
    target: Any,
    store: MappingStore,
    thresholds: Thresholds,
    live_updates: bool,
    layer: Layer | None,
) -> Incremental | None:
    """The plan of what changed from ``before`` to ``catalog``, from a read of only those records; the
    caller holds the catalog's lock. None: make the full plan (see the module's docstring)."""
    items = changed_items(before, catalog)
    part = live_update.named(catalog, items or ())
    keys = _changed_keys(live_update.named(before, items or ()), part, target) if items else None
    if not keys or target.unsupported(part) or (target.capabilities.drafts and not live_updates):
        return None  # the full plan (it says why a catalog is unsupported; without live updates, a draft)
    scope = await target.scope()
    entries = store.entries(scope)  # read once: the caller holds the catalog's lock, nothing else writes them
    ids = live_update.mapped_ids(keys, target, store, scope, entries)
    if ids is None:
        return None
    with unexpected_answers(target.name):
        raw = await target.fetch_entities(set(ids.values()))
        if raw is None:
            return None
        info = await target.describe()
        desired, notes, live, adoption, in_force = effective_state(part, target, raw, entries, info, layer)
    if any(k not in live.essence for k in keys) or (live.currency and live.currency != catalog.currency):
        return None  # the full plan says what is wrong with the currency
    wanted = {k: desired[k] for k in keys}
    changes = diff(wanted, {k: live.essence[k] for k in keys}, target.capabilities.rank, live.drifted)
    built = await target.build(changes, wanted, live, live_updates=live_updates)
    safety = assess(built.changes, _records(catalog), thresholds)
    if safety.unsafe or not _resolved(built.operations, built.ids):
        return None
    owned = ownership.live_owned(part, target.entities, keys)
    touched = {(str(target.capabilities.namespace(c.kind)), c.id) for c in changes}
    mapping = ownership.remembered_hashes(built.mapping, wanted, owned, target.capabilities)
    zone = await target.time_zone()
    plan = Plan(
        target=info,
        live_fingerprint=raw.fingerprint(),
        live_hashes=raw.hashes(),
        changes=tuple(availability.annotate(built.changes, in_force, zone)),
        operations=built.operations,
        ids=built.ids,
        mapping=tuple(row for row in mapping if (row[0], row[1]) in touched),
        notes=(NOTE, *notes, *built.notes),
        safety=safety,
        revisions=built.revisions,
        # The whole catalog, as every applied plan journals it: protect's memory and `pull` read it;
        # dumped from the dumps kept of the entities the splice did not replace (engine/desired.py).
        desired=desired_json(catalog),
        live_updates=live_updates,
    )
    return Incremental(Planned(seal(plan), wanted, live, adoption, in_force), raw, entries)


async def plan_sync(
    before: Catalog | None,
    catalog: Catalog,
    target: Any,
    store: MappingStore,
    thresholds: Thresholds,
    config: Any,
    layer: Layer | None,
) -> tuple[Planned[Any], Incremental | None]:
    """serve's plan (``config``: the catalog's serve config): incremental from ``before`` when it can
    be, else the full plan; with the incremental plan's read and mapping (None for the full plan:
    apply reads again)."""
    live_updates = bool(config.live_updates)
    found = (
        None if before is None else await plan_changed(before, catalog, target, store, thresholds, live_updates, layer)
    )
    if found is not None:
        return found.planned, found
    return await make_plan(catalog, target, store, thresholds, live_updates, layer), None


def _changed_keys(before: Catalog, after: Catalog, target: Any) -> list[Key] | None:
    """The records whose projections differ (parts of the two catalogs, ``live_update.named``)."""
    old, _ = target.project(before)
    new, _ = target.project(after)
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if len(keys) > MAX_ENTITIES or any(k not in old or k not in new for k in keys):
        return None
    if target.capabilities.drafts and len(keys) > 1:
        return None  # more than one entity is a draft, whose publish is checked against the whole catalog
    return keys


def _records(catalog: Catalog) -> int:
    """What the safety thresholds' shares are of: the catalog's entities (not read here, so counted)."""
    sections = sum(len(m.sections) for m in catalog.menus)
    return len(catalog.menus) + sections + len(catalog.dishes) + len(catalog.variations) + len(catalog.option_groups)


def _resolved(operations: Any, ids: dict[str, str]) -> bool:
    """Every ``$ref`` of the calls names an entity the read knows (nothing is created here)."""
    return all(ref in ids for op in operations for ref in _refs(op.body))


def _refs(body: Any) -> Iterator[str]:
    if isinstance(body, dict):
        if set(body) == {"$ref"}:
            yield str(body["$ref"])
            return
        for value in body.values():
            yield from _refs(value)
    elif isinstance(body, list):
        for value in body:
            yield from _refs(value)


async def verify_read(plan: Plan, target: Any, entries: list[Entry]) -> list[str]:
    """After an incremental apply: read what it wrote once more, by id; differences from the plan.

    ``entries``: the id mapping as the apply left it (``ApplyResult.mapping``), the catalog's lock
    still held, so the mapping is not read a third time in one sync."""
    rows = {(ns, local_id): applied for ns, local_id, applied in plan.mapping}
    kinds = {(str(target.capabilities.namespace(c.kind)), c.id): c.key for c in plan.changes}
    wanted: dict[Key, str] = {kinds[row]: applied for row, applied in rows.items() if row in kinds}
    ids = {(ns, plan.ids[f"{ns}:{local_id}"]) for ns, local_id in rows if f"{ns}:{local_id}" in plan.ids}
    raw = await target.fetch_entities(ids)
    if raw is None:
        return ["what the plan wrote could not be read again by id (gone since?)"]
    live = target.interpret(raw, entries, {})
    return [
        f"{key[0]} {key[1]} differs from the desired state"
        if key in live.essence
        else f"{key[0]} {key[1]} is missing from the live catalog"
        for key, applied in sorted(wanted.items())
        if key not in live.essence or not hash_matches(applied, live.essence[key])
    ]
