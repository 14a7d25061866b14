"""Plan Menus (New) calls so that diners see the old menu or the new one, never a mix for long.

Menus (New) has no draft and no publish: every write is live. The plan has three phases.

    build      create what is new, bottom-up and unattached, so no diner can reach it yet:
                 variants, labels, modifiers  →  modifier groups  →  items  →  sections  →  menus
               (new menus are created hidden)
    cut-over   every in-place update, each naming the revision read at plan time, all in one
               step and as concurrent as allowed: re-pointing parents (menu.sectionIds,
               section.itemIds, item.modifierGroups…) attaches the new entities and detaches the
               removed ones; new menus are shown, removed menus hidden
    clean-up   delete what was removed, top-down: menus  →  sections  →  items  →  the rest

A menu's hours and online-ordering switch (its Menu Ordering Settings) change at the cut-over, and
holiday closures (Availability Exceptions) are created right after it and deleted first in
clean-up (ordering_calls.py).

If anything fails during build or cut-over, the executor compensates: it undoes the updates that
happened (each cut-over call carries the before-state of its entities) and deletes what build
created. The cut-over window, in which a diner could see a mix, is the duration of that step; the
executor measures it. Deletes are irreversible, so clean-up is last and a failure there leaves
detached, invisible entities that the next apply removes (docs/menus-new-atomicity.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from reconciler.canonical import JsonObject, fingerprint
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, Key
from reconciler.engine.plan import Built, Operation, ref, rev
from reconciler.engine.vocabulary import Action, Kind, Phase
from reconciler.targets.naming import AMBIGUOUS, ambiguity_notes
from reconciler.targets.wix_menus import client, convert, ordering_calls
from reconciler.targets.wix_menus.capabilities import namespace
from reconciler.targets.wix_menus.ordering import OPERATION
from reconciler.targets.wix_menus.read import LiveSite

BUILD_ORDER: tuple[tuple[str, ...], ...] = (
    ("variant", "label", "modifier"),
    ("group",),
    ("item",),
    ("section",),
    ("menu",),
)
DELETE_ORDER: tuple[tuple[str, ...], ...] = (
    ("menu",),
    ("section",),
    ("item",),
    ("group", "modifier", "variant", "label"),
)
NOUNS = {
    "menu": "menu",
    "section": "section",
    "item": "item",
    "group": "modifier group",
    "modifier": "modifier",
    "variant": "variant",
    "label": "label",
}


Update = tuple[str, JsonObject, JsonObject | None, str]  # (our id, payload, before-state, mask)


@dataclass
class _Work:
    creates: dict[str, list[tuple[str, JsonObject]]] = field(default_factory=dict)  # service -> (local, payload)
    updates: dict[str, list[Update]] = field(default_factory=dict)  # service -> (local, payload, undo, mask)
    deletes: dict[str, list[str]] = field(default_factory=dict)  # service -> Wix ids
    revisions: dict[str, str] = field(default_factory=dict)
    notes: dict[Key, list[str]] = field(default_factory=dict)


def build(
    changes: list[Change],
    desired: Essence,
    live: LiveSite,
    location_id: str | None,
    menu_locations: dict[str, str] | None = None,
) -> Built:
    """The calls of a plan; entities an earlier run left detached (``live.detached``) are deleted too.

    A new menu is created at ``location_id``, or at the location ``menu_locations`` names for its
    id (a shared plan: the menus of several locations)."""
    garbage = live.detached
    ids = {f"{namespace(k)}:{i}": wix for (k, i), wix in live.wix_ids.items()}
    for wanted in desired:
        wix = live.local_to_wix.get((namespace(wanted[0]), wanted[1]))
        if wix is not None and wix in live.known and wanted not in live.wix_ids:
            ids[f"{namespace(wanted[0])}:{wanted[1]}"] = wix  # built by an earlier, interrupted run: reuse it
    if live.operation:
        ids[OPERATION] = live.operation
    work = _Work()
    for change in changes:
        if change.kind == Kind.CLOSURE or (
            change.kind == Kind.MENU and change.action == Action.UPDATE and not ordering_calls.menu_core_changed(change)
        ):
            continue  # Online Orders only (ordering_calls.py)
        _classify(work, change, desired, live, ids, (menu_locations or {}).get(change.id, location_id))
    orders, orders_revisions = ordering_calls.plan(changes, desired, live)
    work.revisions.update(orders_revisions)
    for wix_id, service in sorted(garbage.items()):
        work.deletes.setdefault(service, []).append(wix_id)
    for adopted in live.adopted:
        work.notes.setdefault(adopted, []).append(
            f"adopted the live {adopted[0]} with the same name ({live.wix_ids[adopted]})"
            + (AMBIGUOUS if adopted in live.ambiguous else "")
        )
    operations = _operations(work, orders)
    annotated = tuple(replace(c, notes=c.notes + tuple(work.notes.get(c.key, ()))) for c in changes)
    notes = []
    if garbage:
        notes.append(f"deletes {len(garbage)} detached entities an earlier run could not clean up")
    if live.adopted:
        notes.append(f"adopting {len(live.adopted)} live entities by name: the next plan will track them by id")
    notes += ambiguity_notes(live.ambiguous)
    mapping = tuple(sorted((namespace(k), i, fingerprint(f)) for (k, i), f in desired.items()))
    return Built(
        tuple(operations),
        dict(sorted(ids.items())),
        mapping,
        annotated,
        tuple(notes),
        dict(sorted(work.revisions.items())),
    )


def _classify(
    work: _Work, change: Change, desired: Essence, live: LiveSite, ids: dict[str, str], location_id: str | None
) -> None:
    """What one change asks of each phase: a create to build, an update at the cut-over, a delete."""
    service: str = namespace(change.kind)
    key = f"{service}:{change.id}"
    if change.action == Action.REMOVE:
        wix = live.wix_ids[change.key]
        work.deletes.setdefault(service, []).append(wix)
        if service == "menu":
            _update(work, service, change.id, {"visible": False}, live.known[wix], "visible")
        return
    fields = desired[change.key]
    payload = convert.to_wix(service, fields, location_id if service == "menu" else None)
    if key in ids:
        if change.action == Action.CREATE:
            work.notes.setdefault(change.key, []).append(
                f"reuses the Wix {NOUNS[service]} {ids[key]} an interrupted run had built"
            )
        payload.pop("businessLocationId", None)  # set once, at creation
        _update(work, service, change.id, payload, live.known[ids[key]], convert.mask(service))
        return
    if service == "menu" and fields["visible"]:
        payload["visible"] = False  # built hidden; shown at the cut-over
        _update(work, service, change.id, {"visible": True}, None, "visible")
    work.creates.setdefault(service, []).append((change.id, payload))


def _update(
    work: _Work, service: str, local_id: str, payload: JsonObject, raw_before: JsonObject | None, mask: str
) -> None:
    """An in-place change at the cut-over. ``raw_before`` is None for entities built in this run."""
    undo = convert.before(service, raw_before) if raw_before is not None else None
    if raw_before is not None:
        work.revisions[f"{service}:{local_id}"] = str(raw_before.get("revision", ""))
    existing = [u for u in work.updates.get(service, []) if u[0] == local_id]
    if existing:  # a new menu is created hidden and also shown: merge into one update
        old = existing[0]
        work.updates[service].remove(old)
        payload = {**old[1], **payload}
        mask = ",".join(dict.fromkeys(old[3].split(",") + mask.split(",")))
    work.updates.setdefault(service, []).append((local_id, payload, undo, mask))


def _operations(work: _Work, orders: list[Operation]) -> list[Operation]:
    ops: list[Operation] = []
    step = 0
    for services in BUILD_ORDER:
        for service in services:
            entries = sorted(work.creates.get(service, []), key=lambda e: e[0])
            ops += _creates(step, service, entries)
        step += 1
    ops += _cut_over(step, work)
    # Online Orders calls: settings and renames with the cut-over, new closures right after it
    # (they name the operation an upsert may tell), removed closures first in clean-up.
    ops += [replace(o, step=step + o.step) for o in orders if o.step != ordering_calls.CLEAN_UP]
    step += 2
    ops += [replace(o, step=step) for o in orders if o.step == ordering_calls.CLEAN_UP]
    step += 1
    for services in DELETE_ORDER:
        for service in services:
            ops += _deletes(step, service, sorted(work.deletes.get(service, [])))
        step += 1
    used = sorted({o.step for o in ops})
    return [replace(o, step=used.index(o.step)) for o in ops]


def _creates(step: int, service: str, entries: list[tuple[str, JsonObject]]) -> list[Operation]:
    spec = client.SERVICES[service]
    if service == "label":  # no bulk create for labels
        operation, method, path = client.single_create(service)
        return [
            Operation(
                step,
                operation,
                method,
                path,
                {spec.entity: payload},
                f'create label "{payload["name"]}"',
                binds=((0, service, local_id),),
                idempotent=False,
                phase=Phase.BUILD,
            )
            for local_id, payload in entries
        ]
    ops = []
    operation, method, path = client.bulk_create(service)
    for start in range(0, len(entries), spec.create_limit):
        batch = entries[start : start + spec.create_limit]
        body = {spec.list_key: [payload for _, payload in batch], "returnEntity": service == "menu"}
        ops.append(
            Operation(
                step,
                operation,
                method,
                path,
                body,
                _count("create", len(batch), NOUNS[service]),
                binds=tuple((i, service, local_id) for i, (local_id, _) in enumerate(batch)),
                idempotent=False,
                phase=Phase.BUILD,
            )
        )
    return ops


def _cut_over(step: int, work: _Work) -> list[Operation]:
    ops = []
    for service in ("variant", "label", "modifier", "group", "item", "section", "menu"):
        entries = sorted(work.updates.get(service, []), key=lambda e: e[0])
        spec = client.SERVICES[service]
        if service == "label":  # no bulk update for labels
            for local_id, payload, undo, _ in entries:
                operation, method, path = client.single_update(service, "{id}")
                body = {
                    spec.entity: {
                        "id": ref(service, local_id),
                        "revision": rev(service, local_id),
                        **payload,
                    }
                }
                ops.append(
                    Operation(
                        step,
                        operation,
                        method,
                        path.replace("{id}", "{" + f"{service}:{local_id}" + "}"),
                        body,
                        f'update label "{payload.get("name", local_id)}"',
                        phase=Phase.CUT_OVER,
                        undo={"elements": [undo]},
                    )
                )
            continue
        operation, method, path = client.bulk_update(service)
        for start in range(0, len(entries), spec.create_limit):
            batch = entries[start : start + spec.create_limit]
            elements = []
            for local_id, payload, _, mask in batch:
                entity = {"id": ref(service, local_id), "revision": rev(service, local_id), **payload}
                element: JsonObject = {spec.entity: entity}
                if service != "variant":  # variants take whole-entity updates (their mask is internal)
                    element["mask"] = mask
                elements.append(element)
            ops.append(
                Operation(
                    step,
                    operation,
                    method,
                    path,
                    {spec.list_key: elements, "returnEntity": False},
                    _count("update", len(batch), NOUNS[service]),
                    phase=Phase.CUT_OVER,
                    undo={"elements": [undo for _, _, undo, _ in batch]},
                )
            )
    return ops


def _deletes(step: int, service: str, wix_ids: list[str]) -> list[Operation]:
    spec = client.SERVICES[service]
    if service == "menu":  # no bulk delete for menus
        return [
            Operation(step, *client.single_delete(service, wix_id), None, "delete a menu", phase=Phase.CLEAN_UP)
            for wix_id in wix_ids
        ]
    ops = []
    for start in range(0, len(wix_ids), spec.delete_limit):
        batch = wix_ids[start : start + spec.delete_limit]
        operation, method, path = client.bulk_delete(service, batch)
        ops.append(
            Operation(
                step, operation, method, path, None, _count("delete", len(batch), NOUNS[service]), phase=Phase.CLEAN_UP
            )
        )
    return ops


def _count(verb: str, n: int, noun: str) -> str:
    return f"{verb} {n} {noun}{'' if n == 1 else 's'}"
