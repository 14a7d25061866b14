"""Field ownership in a plan: fields the live side owns take their live value, so the diff never sees them.

The catalog's ``ownership:`` (:mod:`reconciler.model.ownership`) names the fields the live side
owns. A plan projects the catalog as usual, reads the live side, and then, for every record that
exists live, puts the live value of each live-owned field into the desired record
(:func:`keep_live`). The diff then finds nothing in those fields: they are never written (an update
of the record's other fields sends the live value back unchanged), never shown as drift, never in
a plan, on every target alike. A record that does not exist live keeps the catalog's value, so a
create sets it from the YAML (or leaves the Wix default when the YAML gives none).

Which catalog entity a record of each kind comes from is the target's declaration
(``Target.entities``); the fields of a record each catalog field lives in are named alike
on both targets (an essence record says ``price``, ``image``, ``in_stock`` as the catalog does),
listed once in :data:`ESSENCE_PATHS`. Everything here is pure.

Drift: the id mapping remembers the hash of each record as reconcile wrote it. For a record with
live-owned fields that hash leaves those fields out (:func:`owned_hash`, "owned:<fields>:<hash>"),
so a dashboard edit of them is not drift, while an edit of any other field still is;
:func:`hash_matches` is the one comparison of a live record with a remembered hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.canonical import JsonObject, fingerprint
from reconciler.engine.capabilities import Capabilities, Entities
from reconciler.engine.essence import Essence, Key
from reconciler.model.catalog import Catalog
from reconciler.model.ownership import Owned, Ownership, live_fields, owner

# A catalog field -> the paths of the essence record that hold it. "a[].b": field b of each entry
# of list a, the entries matched by what they name (a variant, a modifier, a choice's item).
ESSENCE_PATHS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "description": ("description",),
    "price": ("price", "variants[].price", "modifiers[].price"),
    "tax_rate": ("tax_rate",),
    "image": ("image",),
    "labels": ("labels",),
    "allergens": ("allergens",),
    "calories": ("calories",),
    "availability": ("in_stock",),
    "special_requests": ("special_requests",),
    "visible": ("visible",),
    "fulfillment": ("fulfillment",),
    "platforms": ("platforms",),
    "hours": ("hours", "special_hours"),
}
_IDENTITY = ("variant", "modifier", "item")  # what an entry of a record's list is matched by
TABLES = ("menus", "sections", "dishes", "variations", "option_groups")


def entities(catalog: Catalog) -> dict[str, dict[str, Owned]]:
    """The catalog's entities that may declare ownership or protection, by list and id."""
    sections = {s.id: s for m in catalog.menus for s in m.sections}
    return {
        "menus": {m.id: m for m in catalog.menus},
        "sections": dict(sections),
        "dishes": {d.id: d for d in catalog.dishes},
        "variations": {v.id: v for v in catalog.variations},
        "option_groups": {g.id: g for g in catalog.option_groups},
    }


def entity_of(key: Key, sources: Entities, found: Mapping[str, Mapping[str, Owned]]) -> Owned | None:
    """The catalog entity a record comes from, or None (a kind of no one entity, or not in the catalog)."""
    for table in sources.of(key[0]):
        entity = found.get(table, {}).get(key[1])
        if entity is not None:
            return entity
    return None


def live_owned(catalog: Catalog, sources: Entities, keys: Iterable[Key]) -> dict[Key, frozenset[str]]:
    """The live-owned fields of each record (records with none are left out)."""
    found = entities(catalog)
    out: dict[Key, frozenset[str]] = {}
    # Resolved once per distinct declaration, not per field of every record: most entities declare
    # nothing (None), and 10,000 dishes asked the same ~14 questions each (300,000 lookups).
    resolved: dict[int, frozenset[str]] = {}
    for key in keys:
        entity = entity_of(key, sources, found)
        if entity is None and not sources.of(key[0]):
            continue  # a label or a closure: no entity says anything about it
        declared = entity.ownership if entity is not None else None
        fields = resolved.get(id(declared))
        if fields is None:
            fields = resolved[id(declared)] = live_fields(catalog.ownership, declared)
        if fields:
            out[key] = fields
    return out


def keep_live(desired: Essence, live: Essence, owned: Mapping[Key, frozenset[str]]) -> Essence:
    """``desired`` with each live-owned field of a record that exists live set to its live value."""
    if not owned:
        return desired
    out = dict(desired)
    for key, fields in owned.items():
        want, have = desired.get(key), live.get(key)
        if want is None or have is None:
            continue
        record = dict(want)
        for name in sorted(fields):
            for path in ESSENCE_PATHS[name]:
                _take(record, have, path)
        out[key] = record
    return out


def _take(record: JsonObject, live: JsonObject, path: str) -> None:
    head, _, sub = path.partition("[].")
    if head not in record or head not in live:
        return
    if not sub:
        record[head] = live[head]
        return
    wanted, held = record[head], live[head]
    if not isinstance(wanted, list) or not isinstance(held, list):
        return
    by_identity = {_identity(e): e for e in held if isinstance(e, dict)}
    record[head] = [_entry(e, by_identity, sub) for e in wanted]


def _entry(entry: Any, held: Mapping[object, Any], field: str) -> Any:
    if not isinstance(entry, dict):
        return entry
    match = held.get(_identity(entry))
    if match is None or field not in match or field not in entry:
        return entry
    return {**entry, field: match[field]}


def _identity(entry: JsonObject) -> object:
    return next((entry[k] for k in _IDENTITY if k in entry), None)


def layer_owned(catalog: Catalog) -> frozenset[str]:
    """Dishes and variations whose availability the availability layer owns (the default)."""
    catalog_wide = catalog.ownership
    resolved: dict[int, bool] = {}  # once per distinct declaration (see live_owned)

    def layered(declared: Ownership | None) -> bool:
        found = resolved.get(id(declared))
        if found is None:
            found = resolved[id(declared)] = owner("availability", catalog_wide, declared) == "layer"
        return found

    return frozenset(item.id for item in (*catalog.dishes, *catalog.variations) if layered(item.ownership))


def unheld(catalog: Catalog, sources: Entities) -> list[str]:
    """Entities whose ``ownership:`` this target has no record to apply to (its note, for the plan)."""
    held = sources.tables()
    found = entities(catalog)
    return sorted(
        f"{table}:{entity_id}"
        for table in TABLES
        if table not in held
        for entity_id, entity in found[table].items()
        if entity.ownership is not None
    )


OWNED_HASH = "owned:"


def _without(record: JsonObject, fields: Iterable[str]) -> JsonObject:
    out = dict(record)
    for name in fields:
        for path in ESSENCE_PATHS.get(name, ()):
            head, _, sub = path.partition("[].")
            if head not in out:
                continue
            if not sub:
                out.pop(head)
            elif isinstance(out[head], list):
                out[head] = [{k: v for k, v in e.items() if k != sub} if isinstance(e, dict) else e for e in out[head]]
    return out


def owned_hash(record: JsonObject, fields: Iterable[str]) -> str:
    """The remembered hash of a record with live-owned ``fields``: over everything else."""
    names = sorted(fields)
    return f"{OWNED_HASH}{','.join(names)}:{fingerprint(_without(record, names))}"


def hash_matches(applied: str | None, record: JsonObject) -> bool:
    """Whether a live record is as reconcile last wrote it (``applied``: the mapping's hash)."""
    if applied is not None and applied.startswith(OWNED_HASH):
        names, _, digest = applied[len(OWNED_HASH) :].partition(":")
        return fingerprint(_without(record, names.split(","))) == digest
    return applied == fingerprint(record)


def remembered_hashes(
    mapping: Iterable[tuple[str, str, str]],
    desired: Essence,
    owned: Mapping[Key, frozenset[str]],
    capabilities: Capabilities,
) -> tuple[tuple[str, str, str], ...]:
    """A plan's mapping rows, with the hash of each record that has live-owned fields leaving them out."""
    by_row = {(str(capabilities.namespace(k[0])), k[1]): k for k in owned if k in desired}
    return tuple(
        (ns, local_id, owned_hash(desired[by_row[(ns, local_id)]], owned[by_row[(ns, local_id)]]))
        if (ns, local_id) in by_row
        else (ns, local_id, digest)
        for ns, local_id, digest in mapping
    )
