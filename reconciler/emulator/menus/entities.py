"""The three writes every Menus (New) service shares: create, update (revision-guarded), delete.

Used by the single and bulk handlers (``crud.py``), by Duplicate (``extras.py``), by the demo seed
and by the ``touch`` fault. Each write records the edges it changed (``graph.note_write``);
:meth:`Ctx.finish` then settles the derived locations once per request.

- Create: a new GUID (a client ``id`` is ignored), ``revision`` "1", both dates now. A menu
  created without ``businessLocationId`` gets the site's default location (if the site has one).
- Update: the entity must exist (404 ``ENTITY_NOT_FOUND``), the sent revision must be the stored one
  (409 ``INVALID_REVISION``), an item update must carry pricing (428); then merge, rules, revision +1.
- Delete: no revision (§1.5); nothing else is removed: ids of the deleted entity stay in their
  parents' arrays (dangling, §6.2) and reads return them as they are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler.emulator import locations
from reconciler.emulator.menus import graph, repo, rules, shapes
from reconciler.emulator.menus.services import ITEM, MENU, Service
from reconciler.emulator.routing import Call
from reconciler.emulator.store import Tx


@dataclass
class Ctx:
    tx: Tx
    now: datetime
    changes: graph.Changes = field(default_factory=graph.Changes)

    @classmethod
    def of(cls, call: Call) -> Ctx:
        return cls(call.tx, call.site.now())

    def finish(self) -> None:
        graph.flush(self.tx, self.changes, self.now)


def default_location(tx: Tx) -> str | None:
    rows = locations.locations(tx).all()
    chosen = next((row for row in rows if row.get("default")), rows[0] if rows else None)
    return chosen["id"] if chosen else None


def create(ctx: Ctx, service: Service, raw: dict[str, Any], path: str) -> dict[str, Any]:
    kind = service.kind
    entity = shapes.build(kind, raw, str(uuid.uuid4()), repo.stamp(ctx.now))
    written = {key for key in shapes.WRITABLE[kind] if raw.get(key) is not None}
    if kind == MENU:
        if entity.get("businessLocationId"):
            written.add("businessLocationId")
        else:
            location = default_location(ctx.tx)
            if location:
                entity = shapes.normalize(MENU, {**entity, "businessLocationId": location})
    rules.check(ctx.tx, kind, entity, written, path)
    repo.insert(ctx.tx, kind, entity)
    graph.note_write(ctx.changes, kind, None, entity)
    return entity


def update(
    ctx: Ctx, service: Service, ident: str | None, patch: dict[str, Any], mask: list[str] | None, path: str
) -> dict[str, Any]:
    stored = repo.find(ctx.tx, service, ident)
    rules.check_revision(service, stored, patch.get("revision"))
    if service.kind == ITEM:
        rules.require_pricing(patch)
    merged, written = shapes.merge(service.kind, stored, patch, mask)
    rules.check(ctx.tx, service.kind, merged, written, path)
    repo.bump(merged, ctx.now)
    repo.save(ctx.tx, service.kind, merged, stored)
    graph.note_write(ctx.changes, service.kind, stored, merged)
    return merged


def delete(ctx: Ctx, service: Service, ident: str | None) -> None:
    stored = repo.find(ctx.tx, service, ident)
    repo.remove(ctx.tx, service.kind, stored)
    graph.note_write(ctx.changes, service.kind, stored, None)


def touch(ctx: Ctx, service: Service, ident: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A concurrent edit: optional fields written as they are (no rules), revision + 1, new date."""
    stored = repo.find(ctx.tx, service, ident)
    edited = dict(stored)
    for key, value in changes.items():
        if key not in shapes.HEAD and key not in shapes.DERIVED:
            edited[key] = value
    edited = shapes.normalize(service.kind, edited)
    repo.bump(edited, ctx.now)
    repo.save(ctx.tx, service.kind, edited, stored)
    graph.note_write(ctx.changes, service.kind, stored, edited)
    return edited
