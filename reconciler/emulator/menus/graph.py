"""Derived business locations (§3.3): locations flow down the reference graph, best effort.

    Menu.businessLocationId -> Section.businessLocationId -> Item.businessLocationIds
        -> ModifierGroup.businessLocationIds -> Modifier.businessLocationIds
        -> Variant.businessLocationIds (through item.priceVariants)

- A section's ``businessLocationId`` is the location of the first menu (in creation order) that
  lists it and has one; absent when no such menu exists (§6.9: a section may sit in several menus).
- Items, variants, modifier groups and modifiers carry the union of their parents' locations, in
  the parents' creation order; ``[]`` while detached. Labels have no location.
- Whenever a derived value changes, the entity's ``revision`` goes up by 1 and ``updatedDate``
  changes, as the reference recommends for the emulator (§1.5, §6.1): a client must read an entity
  again after attaching or detaching it, never reuse an old revision.

A write calls :func:`note_write` with the entity before and after; only edges of located parents
matter, so building a menu bottom-up costs nothing until the menu itself is created. At the end of
the request :func:`flush` recomputes the affected children level by level (one scan of the parent
kind per level) and stores the ones whose value changed, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reconciler.emulator.menus import repo, shapes
from reconciler.emulator.menus.services import GROUP, ITEM, MENU, MODIFIER, SECTION, VARIANT
from reconciler.emulator.store import Tx

CHILD_KINDS = {MENU: (SECTION,), SECTION: (ITEM,), ITEM: (GROUP, VARIANT), GROUP: (MODIFIER,)}
# (child kind, parent kind), parents before children
LEVELS = ((SECTION, MENU), (ITEM, SECTION), (GROUP, ITEM), (VARIANT, ITEM), (MODIFIER, GROUP))


class Changes:
    """Entities whose derived locations may have changed during one request."""

    def __init__(self) -> None:
        self.dirty: dict[str, set[str]] = {}

    def add(self, kind: str, ids: set[str]) -> None:
        if ids:
            self.dirty.setdefault(kind, set()).update(ids)


def located(kind: str, entity: dict[str, Any] | None) -> set[str]:
    if entity is None:
        return set()
    if kind in (MENU, SECTION):
        value = entity.get("businessLocationId")
        return {value} if value else set()
    return set(entity.get("businessLocationIds") or [])


def _children(kind: str, entity: dict[str, Any] | None, child_kind: str) -> set[str]:
    if entity is None:
        return set()
    return {ident for ident in shapes.references(kind, entity).get(child_kind, []) if isinstance(ident, str)}


def note_write(changes: Changes, kind: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    """Record which children a create (old None), update or delete (new None) may relocate."""
    old_locations, new_locations = located(kind, old), located(kind, new)
    for child_kind in CHILD_KINDS.get(kind, ()):
        before, after = _children(kind, old, child_kind), _children(kind, new, child_kind)
        if old_locations != new_locations:
            affected = (before if old_locations else set()) | (after if new_locations else set())
        else:
            affected = (before ^ after) if new_locations else set()
        changes.add(child_kind, affected)


def _contributions(
    parents: list[dict[str, Any]], parent_kind: str, child_kind: str, wanted: set[str]
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for parent in parents:
        if parent_kind in (MENU, SECTION):
            value = parent.get("businessLocationId")
            locations = [value] if value else []
        else:
            locations = list(parent.get("businessLocationIds") or [])
        if not locations:
            continue
        for child_id in shapes.references(parent_kind, parent).get(child_kind, []):
            if child_id in wanted:
                bucket = found.setdefault(child_id, [])
                bucket.extend(location for location in locations if location not in bucket)
    return found


def flush(tx: Tx, changes: Changes, now: datetime) -> None:
    parsed: dict[str, list[dict[str, Any]]] = {}  # parents read once per request (items feed two levels)
    for child_kind, parent_kind in LEVELS:
        wanted = changes.dirty.pop(child_kind, set())
        if not wanted:
            continue
        if parent_kind not in parsed:
            parsed[parent_kind] = repo.rows(tx, parent_kind).all()
        found = _contributions(parsed[parent_kind], parent_kind, child_kind, wanted)
        parsed.pop(child_kind, None)  # this level rewrites children: read them afresh if they are parents later
        collection = repo.rows(tx, child_kind)
        stored = collection.get_many(sorted(wanted))  # one read for the level, not one per child
        for child_id in sorted(wanted):
            child = stored.get(child_id)
            if child is None:  # a dangling id
                continue
            before = dict(child)
            locations = found.get(child_id, [])
            if child_kind == SECTION:
                if locations:
                    child["businessLocationId"] = locations[0]
                else:
                    child.pop("businessLocationId", None)
                if child.get("businessLocationId") == before.get("businessLocationId"):
                    continue
                child = shapes.normalize(SECTION, child)
            else:
                if child.get("businessLocationIds") == locations:
                    continue
                child["businessLocationIds"] = locations
            repo.bump(child, now)
            collection.update(child_id, child)
            note_write(changes, child_kind, before, child)
