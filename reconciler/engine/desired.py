"""The catalog a plan carries (``Plan.desired``), with each dish, variation and option group dumped
once per object.

Every applied plan journals the whole desired catalog (protect's memory and ``pull`` read it), so
serve's incremental plan of one price change used to dump all 10,000 dishes again: a seventh of
the sync's CPU (py-spy, bench.webhook). serve's spliced import keeps every entity it did not change
as the very same object (sources/splice.py), and catalog entities are frozen models, so an
entity's dump can be kept for as long as the entity lives: the next sync dumps only what it
replaced. The dumps are shared between the plans made from them: they are never changed in place.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from reconciler.model.catalog import Catalog

TABLES = ("dishes", "variations", "option_groups")  # the tables that grow with the catalog

# id(entity) -> (a weak reference to it, its dump); the reference's callback drops the entry when
# the entity dies, before its id can be reused.
_dumps: dict[int, tuple[weakref.ref[Any], dict[str, Any]]] = {}


FEW = 64  # more entities than this without a kept dump: one dump of the whole table is cheaper


def desired_json(catalog: Catalog) -> dict[str, Any]:
    """``catalog.model_dump(mode="json", exclude_defaults=True)``, from the dumps kept of its entities."""
    out = catalog.model_dump(mode="json", exclude_defaults=True, exclude=set(TABLES))
    for table in TABLES:
        entities = getattr(catalog, table)
        if not entities:  # the default, an empty list, is left out as exclude_defaults does
            continue
        rows = [_kept(entity) for entity in entities]
        missing = [k for k, row in enumerate(rows) if row is None]
        # The first dump of a catalog: pydantic dumps a whole list faster than entity by entity (10,000
        # dishes: 0.07 s against 0.17 s here), in its order, so row k is entity k's.
        whole = (
            catalog.model_dump(mode="json", exclude_defaults=True, include={table})[table]
            if len(missing) > FEW
            else None
        )
        for k in missing:
            entity = entities[k]
            rows[k] = _keep(
                entity, whole[k] if whole is not None else entity.model_dump(mode="json", exclude_defaults=True)
            )
        out[table] = rows
    return out


def _kept(entity: Any) -> dict[str, Any] | None:
    kept = _dumps.get(id(entity))
    return kept[1] if kept is not None and kept[0]() is entity else None


def _keep(entity: Any, dumped: dict[str, Any]) -> dict[str, Any]:
    key = id(entity)
    _dumps[key] = (weakref.ref(entity, _dropper(key)), dumped)
    return dumped


def _dropper(key: int) -> Callable[[weakref.ref[Any]], None]:
    def drop(ref: weakref.ref[Any]) -> None:
        kept = _dumps.get(key)
        if kept is not None and kept[0] is ref:
            del _dumps[key]

    return drop


def kept() -> int:
    """How many entities' dumps are kept now (tests: none outlives its entity)."""
    return len(_dumps)
