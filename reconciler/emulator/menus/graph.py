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
the request :func:`flush` recomputes the affected children level by level, from the reverse index
of the graph (``parents.py``: one query per level, whose cost is the children asked about, not the
size of the catalog), and stores the ones whose value changed, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reconciler.emulator.menus import parents, repo, shapes
from reconciler.emulator.menus.services import GROUP, ITEM, MENU, MODIFIER, SECTION, VARIANT
from reconciler.emulator.store import Tx

CHILD_KINDS = parents.CHILD_KINDS
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


def flush(tx: Tx, changes: Changes, now: datetime) -> None:
    for child_kind, _parent_kind in LEVELS:
        wanted = changes.dirty.pop(child_kind, set())
        if not wanted:
            continue
        # The parents' contributions come from the reverse index, which the writes of the level
        # above (this same loop) have already brought up to date.
        found = parents.locations(tx, child_kind, wanted)
        collection = repo.rows(tx, child_kind)
        stored = collection.get_many(sorted(wanted))  # one read for the level, not one per child
        moved: list[dict[str, Any]] = []
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
            moved.append(child)
            note_write(changes, child_kind, before, child)
        # Only derived fields changed, so the children these rows list stay; what they pass down is
        # new. Written before the next level asks the index.
        parents.moved(tx, child_kind, moved)
