"""`reconcile pull`: the live edits a plan found (its drift), as edits of the catalog's fields.

The way back for an edit made in the Wix dashboard that should stay: instead of reverting it, write
it into the YAML, for review in a pull request. What a plan marks as drift (the records
``plan --refresh-only`` lists) is turned around here, field by field, into
:class:`~reconciler.model.pulled.FieldEdit` values; :mod:`reconciler.yamlio.patch` writes them.

* A plain field of a menu, section, dish or variation (name, price, description, stock, …) becomes
  that field's new value in the catalog. Fields the live side owns never show as drift, so they are
  never pulled (docs/ownership.md).
* In a catalog of several locations, an edit at one location becomes **that location's override**
  (price, stock and visibility are what a location may override) and never a change of the base;
  an edit of a field no location can override is left for a person (it is listed, not written).
* What has no plain field in the catalog (an option's choices, a size's price on Menus (New), a
  record gone live) is listed as not pulled, with the reason. Everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.engine.capabilities import Entities
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence
from reconciler.engine.ownership import entities
from reconciler.engine.targeting import Selection
from reconciler.engine.vocabulary import Action
from reconciler.model.catalog import Catalog
from reconciler.model.locations import Location
from reconciler.model.pulled import TABLES, FieldEdit

# Essence fields that are the catalog's field of the same name and value.
PLAIN = ("name", "description", "price", "tax_rate", "image", "labels", "in_stock", "special_requests", "visible")
OVERRIDABLE: dict[str, tuple[str, ...]] = {
    "dishes": ("price", "in_stock", "visible"),
    "variations": ("price", "in_stock", "visible"),
    "menus": ("visible",),
    "sections": ("visible",),
}


@dataclass
class Pulled:
    """What a pull found: the edits to write, and the live edits it cannot write, each with why."""

    edits: list[FieldEdit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def pulled(
    catalog: Catalog,
    location: Location | None,
    changes: tuple[Change, ...],
    sources: Entities,
    selection: Selection | None = None,
    into: Pulled | None = None,
    written: Essence | None = None,
) -> Pulled:
    """The drift among ``changes`` (one location's plan; ``location`` None: a catalog without
    ``locations:``) as edits of ``catalog``'s fields.

    ``written`` is what reconcile last wrote here (the journaled catalog, projected): a field whose
    live value is what was written was not edited live, the YAML was (a pending edit), so it is
    left as the YAML says."""
    out = into if into is not None else Pulled()
    found = entities(catalog)
    where = f' at location "{location.key}"' if location is not None else ""
    for change in changes:
        if not change.drift or (selection is not None and not selection.keeps(change.key)):
            continue
        what = f"{change.kind} {change.id}{where}"
        table = next((t for t in sources.of(change.kind) if change.id in found.get(t, {})), None)
        if change.action != Action.UPDATE:
            gone = "gone live" if change.action == Action.CREATE else "added live"
            out.skipped.append(f"{what}: {gone}; edit the catalog by hand")
            continue
        if table not in TABLES:
            out.skipped.append(f"{what}: its fields are not fields of one catalog entity; edit the catalog by hand")
            continue
        last = (written or {}).get(change.key)
        for edit in change.fields:
            if last is not None and edit.path in last and last[edit.path] == edit.before:
                continue  # the YAML's own edit, waiting for an apply: not a live one
            if edit.path not in PLAIN:
                out.skipped.append(f"{what}: {edit.path} has no plain field in the catalog; edit it by hand")
            elif location is None:
                out.edits.append(FieldEdit(table, change.id, edit.path, _value(edit.path, edit.before)))
            elif edit.path in OVERRIDABLE.get(table, ()):
                base = getattr(found[table][change.id], edit.path)
                value = _value(edit.path, edit.before)
                same = _same(edit.path, base, value)
                out.edits.append(FieldEdit(table, change.id, edit.path, None if same else value, location.key))
            else:
                out.skipped.append(f"{what}: a location cannot override {edit.path}; edit the base by hand")
    return out


def _value(path: str, live: Any) -> Any:
    """The live essence value as the catalog writes it (the money types read text)."""
    if path in ("price", "tax_rate") and live is not None:
        return str(live)
    return live


def _same(path: str, base: Any, value: Any) -> bool:
    if path == "price":
        return Decimal(str(base)) == Decimal(str(value))
    return bool(base == value)
