"""``protect: true``: an entity no plan may remove (Terraform's ``prevent_destroy``).

A plan whose changes remove a protected entity is refused (:class:`~reconciler.errors.ProtectedRemoval`,
exit 10), naming every one. The check runs on the changes the plan would make, after ``--only`` and
``--exclude`` have shaped them, so targeting cannot slip a removal past it.

An entity is protected when the catalog being planned says so, **or** when the catalog last applied
at this scope said so (the journal keeps each run's catalog): deleting a protected dish from the YAML
is exactly the removal protection exists to stop. To remove one on purpose, apply the catalog with
``protect: true`` taken off first (that apply journals a catalog without it), then delete it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.engine.capabilities import Entities
from reconciler.engine.diff import Change
from reconciler.engine.ownership import entities
from reconciler.engine.vocabulary import Action
from reconciler.errors import ProtectedRemoval
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import MappingStore

Remembered = dict[tuple[str, str], str]  # (catalog list, id) -> the run whose catalog protected it


def last_applied(store: MappingStore, scope: str) -> tuple[str, dict[str, Any]] | None:
    """The run id and the catalog (its JSON form) of the last apply at ``scope``, as the journal keeps them."""
    for run in store.runs(scope, limit=20):
        if run.status != "applied":
            continue
        journaled = store.journal(run.run_id)
        try:
            desired = json.loads(journaled.plan).get("desired") if journaled and journaled.plan else None
        except (ValueError, AttributeError):
            desired = None
        if isinstance(desired, dict) and desired:  # a rollback's plan is made from no catalog: look further
            return run.run_id, desired
    return None


def remembered(store: MappingStore, scope: str) -> Remembered:
    """What the catalog of the last apply at ``scope`` protected."""
    last = last_applied(store, scope)
    return dict.fromkeys(_protected(last[1]), last[0][:12]) if last else {}


def _protected(desired: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """(list, id) of every entity marked protect in a catalog's JSON form."""
    tables: dict[str, list[Any]] = {
        "menus": list(desired.get("menus") or []),
        "sections": [s for m in desired.get("menus") or [] for s in (m.get("sections") or [])],
        "dishes": list(desired.get("dishes") or []),
        "variations": list(desired.get("variations") or []),
        "option_groups": list(desired.get("option_groups") or []),
    }
    for table, rows in tables.items():
        for row in rows:
            if isinstance(row, dict) and row.get("protect") is True and isinstance(row.get("id"), str):
                yield (table, row["id"])


def refuse_removals(
    changes: Iterable[Change], catalog: Catalog, sources: Entities, store: MappingStore, scope: str
) -> None:
    """Raise :class:`ProtectedRemoval` naming every protected entity ``changes`` would remove.

    The last applied catalog is read from the journal only when a removal asks for it: reading and
    decoding it costs a whole catalog (0.4 s and 200 MB at 10,000 dishes), and most plans remove nothing.
    """
    changes = list(changes)
    removals = [c for c in changes if c.action == Action.REMOVE]
    inline = set() if GROUPS in sources.tables() else _dropped_options(changes)
    if not removals and not inline:
        return
    found = entities(catalog)
    past: Remembered | None = None
    refused: list[tuple[str, str, str, str]] = []
    for change in removals:
        label = f'{change.kind} {change.id} "{change.name}"'
        for table in sources.of(change.kind):
            current = found[table].get(change.id)
            if current is not None and current.protect:
                refused.append((table, change.id, label, f"{table} {change.id}: protect: true"))
                break
            if current is None and past is None:
                past = remembered(store, scope)
            if current is None and past is not None and (table, change.id) in past:
                run = past[(table, change.id)]
                refused.append((table, change.id, label, f"protect: true in the catalog last applied, run {run}"))
                break
    if inline:
        refused += _inline_groups(inline, catalog, store, scope)
    if refused:
        raise ProtectedRemoval(refused)


GROUPS = "option_groups"
_OPTION = re.compile(r"options\[(?P<name>[^\]]+)\]")


def _dropped_options(changes: Iterable[Change]) -> set[str]:
    """Names of the option groups updates take off dishes, on a target that keeps option groups
    inside its dishes (Catalogs v3: ``dishOptions``) rather than as entities of their own."""
    names: set[str] = set()
    for change in changes:
        if change.action != Action.UPDATE:
            continue
        for f in change.fields:
            if f.path == "options" and isinstance(f.before, list) and isinstance(f.after, list):
                names |= {o.get("name") for o in f.before} - {o.get("name") for o in f.after}
            named = _OPTION.fullmatch(f.path)
            if named and f.before is not None and f.after is None:
                names.add(named["name"])
    return names


def _inline_groups(
    dropped: set[str], catalog: Catalog, store: MappingStore, scope: str
) -> list[tuple[str, str, str, str]]:
    """Protected option groups that no dish or variation of ``catalog`` offers any more, while the
    plan takes a group of their name off a dish: on such a target that is the group's removal."""
    offered = {g for item in (*catalog.dishes, *catalog.variations) for g in item.options}
    refused = [
        (GROUPS, g.id, f'option_group {g.id} "{g.name}"', f"{GROUPS} {g.id}: protect: true")
        for g in catalog.option_groups
        if g.protect and g.name in dropped and g.id not in offered
    ]
    current = {g.id for g in catalog.option_groups if g.id in offered or g.protect}
    last = last_applied(store, scope)
    run, desired = last if last else ("", {})
    for row in desired.get(GROUPS) or []:
        if not isinstance(row, dict) or row.get("protect") is not True or row.get("id") in current:
            continue
        if row.get("name") in dropped and row.get("id") not in offered and isinstance(row.get("id"), str):
            label = f'option_group {row["id"]} "{row["name"]}"'
            refused.append((GROUPS, row["id"], label, f"protect: true in the catalog last applied, run {run[:12]}"))
    return refused
