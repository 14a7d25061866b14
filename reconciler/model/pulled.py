"""A live edit accepted into the catalog: one field of one entity, in the base or as a location's override.

``reconcile pull`` finds these (:mod:`reconciler.engine.pull`) and writes them into the YAML files
(:mod:`reconciler.yamlio.patch`); both sides meet here, on the catalog's plain data, so neither
imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TABLES = ("menus", "sections", "dishes", "variations")


@dataclass(frozen=True, order=True)
class FieldEdit:
    """Set ``field`` of entity ``id`` (in catalog list ``table``) to ``value``, as the YAML writes it.

    With ``location`` (a ``locations:`` entry's name, or id), the value is that location's override;
    ``value`` None there means the location has the base value again: its override is dropped.
    """

    table: str  # "menus", "sections", "dishes", "variations"
    id: str
    field: str  # the catalog's field name: "price", "name", "in_stock", ...
    value: Any
    location: str | None = None

    def describe(self) -> str:
        where = f' at location "{self.location}"' if self.location is not None else ""
        return f"{self.table[:-1]} {self.id}: {self.field} = {self.value!r}{where}"


def _entities(data: dict[str, Any], table: str) -> list[dict[str, Any]]:
    if table == "sections":
        return [s for m in data.get("menus") or [] for s in m.get("sections") or []]
    return list(data.get(table) or [])


def apply_edits(data: dict[str, Any], edits: list[FieldEdit]) -> bool:
    """Apply the edits whose entity (or location entry) ``data`` holds, in place; True if any applied.

    ``data`` is one file's catalog, as a model dump (a catalog split across files: each file is tried).
    """
    applied = False
    for edit in edits:
        if edit.location is None:
            entity = next((e for e in _entities(data, edit.table) if e.get("id") == edit.id), None)
            if entity is not None:
                entity[edit.field] = edit.value
                applied = True
            continue
        place = next(
            (loc for loc in data.get("locations") or [] if edit.location in (loc.get("name"), loc.get("id"))), None
        )
        if place is not None:
            _override(place, edit)
            applied = True
    return applied


def _override(place: dict[str, Any], edit: FieldEdit) -> None:
    rows: list[dict[str, Any]] = place.setdefault(edit.table, [])
    row = next((r for r in rows if r.get("id") == edit.id), None)
    if row is None:
        if edit.value is None:
            return
        row = {"id": edit.id}
        rows.append(row)
    if edit.value is None:
        row.pop(edit.field, None)
        if not any(v is not None for k, v in row.items() if k != "id"):
            rows.remove(row)
    else:
        row[edit.field] = edit.value
