"""The Menus (New) essence of a whole site whose locations share entities (``menus_new: {share: true}``).

Each location's effective catalog is projected as usual (project.py); then every entity gets the
id of the Wix entity that holds it, bottom-up, because a parent names its children's ids:

    labels                        site-wide, by name: always one (``label``)
    variants, modifiers           one entity while the record is equal at every location that has it
    modifier groups, dishes       (``margherita``); a location whose record differs gets its own
                                  (``Airport/margherita``): the value most locations hold keeps the
                                  shared id (ties: the earliest location of ``locations:``)
    sections, menus               always the location's own (``Airport/pizzas``): a menu has one
                                  businessLocationId and a section takes its menu's

A record that names a split child differs from the shared one, so Wix's graph forces the
cascade: a choice's stock overridden at one location splits the modifier there, the groups that
offer it there and the dishes that use those groups there. Pure: the same catalog gives the same
essence, byte for byte (docs/locations-menus-new.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler.canonical import JsonObject, fingerprint
from reconciler.engine.essence import Essence, Key
from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective, find_location
from reconciler.targets.wix_menus import project

SEPARATOR = "/"  # between a location's key and an id: ids cannot hold it (model/fields.py)
SHAREABLE = (Kind.VARIANT, Kind.MODIFIER, Kind.OPTION_GROUP, Kind.DISH)  # children before parents
OWN = (Kind.MENU, Kind.SECTION)  # always per location
CLOSURES_REFUSED = (
    "holiday closures with menus_new.share: a closure belongs to one location's Online Orders operation, "
    "and a shared plan does not hold them yet; leave `share` out for this catalog"
)


def own_id(location: str, local_id: str) -> str:
    return f"{location}{SEPARATOR}{local_id}"


def split_id(local_id: str) -> tuple[str | None, str]:
    """(the location whose own entity it is, the catalog id); (None, id) for a shared entity."""
    location, sep, base = local_id.rpartition(SEPARATOR)
    return (location, base) if sep else (None, local_id)


@dataclass
class SiteEssence:
    essence: Essence
    where: dict[Key, tuple[str, ...]]  # the locations (keys, in catalog order) that have each entity
    notes: dict[Key, str] = field(default_factory=dict)  # why an entity is a location's own
    approximations: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def site_essence(catalog: Catalog, keys: list[str]) -> SiteEssence:
    """The essence of ``catalog`` at the locations ``keys`` (their ``Location.key``), shared where it can be."""
    per: dict[str, Essence] = {}
    approximations: dict[str, None] = {}
    refused: dict[str, None] = {}
    for key in keys:
        essence, notes, problems = project.project(effective(catalog, find_location(catalog, key)))
        per[key] = essence
        approximations.update(dict.fromkeys(f"{note} (at {key})" if len(keys) > 1 else note for note in notes))
        refused.update(dict.fromkeys(problems))
        if any(kind == Kind.CLOSURE for kind, _ in essence):
            refused[CLOSURES_REFUSED] = None
    site = SiteEssence({}, {}, approximations=list(approximations), refused=list(refused))
    renamed: dict[str, dict[Key, str]] = {key: {} for key in keys}  # location -> (kind, catalog id) -> id there
    for key in keys:
        for kind, local_id in per[key]:
            if kind == Kind.LABEL:
                renamed[key][(kind, local_id)] = local_id
                site.essence[(kind, local_id)] = per[key][(kind, local_id)]
                site.where.setdefault((kind, local_id), ())
                site.where[(kind, local_id)] += (key,)
    for kind in SHAREABLE:
        for local_id in sorted({i for key in keys for k, i in per[key] if k == kind}):
            _share(site, per, renamed, keys, kind, local_id)
    for key in keys:
        for kind, local_id in per[key]:
            if kind in OWN:
                renamed[key][(kind, local_id)] = own_id(key, local_id)
        for (kind, local_id), record in sorted(per[key].items()):
            if kind in OWN:
                ident = (kind, own_id(key, local_id))
                site.essence[ident] = _renamed(kind, record, renamed[key])
                site.where[ident] = (key,)
    return site


def _share(
    site: SiteEssence,
    per: dict[str, Essence],
    renamed: dict[str, dict[Key, str]],
    keys: list[str],
    kind: Kind,
    local_id: str,
) -> None:
    """One entity's id at every location that has it: shared while equal, the location's own where not."""
    records = {
        key: _renamed(kind, per[key][(kind, local_id)], renamed[key]) for key in keys if (kind, local_id) in per[key]
    }
    holders: dict[str, list[str]] = {}
    for key, record in records.items():
        holders.setdefault(fingerprint(record), []).append(key)
    shared = max(holders.values(), key=lambda at: (len(at), -keys.index(at[0])))
    shared_record = records[shared[0]]
    site.essence[(kind, local_id)] = shared_record
    site.where[(kind, local_id)] = tuple(shared)
    for key in shared:
        renamed[key][(kind, local_id)] = local_id
    for key, record in records.items():
        if key in shared:
            continue
        ident = own_id(key, local_id)
        renamed[key][(kind, local_id)] = ident
        site.essence[(kind, ident)] = record
        site.where[(kind, ident)] = (key,)
        site.notes[(kind, ident)] = f"split: {_differences(record, shared_record)} at {key}"


def _differences(record: JsonObject, shared: JsonObject) -> str:
    fields = [name for name in sorted(set(record) | set(shared)) if record.get(name) != shared.get(name)]
    words = [_WORDS.get(name, name) for name in fields]
    return f"{', '.join(words)} {'differs' if len(words) == 1 else 'differ'}"


_WORDS = {
    "in_stock": "stock",
    "groups": "its option groups (split there)",
    "modifiers": "its choices",
    "variants": "size prices",
}


def _renamed(kind: Kind, record: JsonObject, ids: dict[Key, str]) -> JsonObject:
    """``record`` naming its children by their ids at this location."""

    def to(child: Kind) -> Callable[[str], str]:
        return lambda local_id: ids.get((child, local_id), local_id)

    out = dict(record)
    if kind == Kind.OPTION_GROUP:
        out["modifiers"] = [{**m, "modifier": to(Kind.MODIFIER)(m["modifier"])} for m in record["modifiers"]]
    elif kind == Kind.DISH:
        out["groups"] = [to(Kind.OPTION_GROUP)(g) for g in record["groups"]]
        if record.get("variants") is not None:
            out["variants"] = [{**v, "variant": to(Kind.VARIANT)(v["variant"])} for v in record["variants"]]
    elif kind == Kind.SECTION:
        out["menu"] = to(Kind.MENU)(record["menu"])
        out["dishes"] = [to(Kind.DISH)(d) for d in record["dishes"]]
    elif kind == Kind.MENU:
        out["sections"] = [to(Kind.SECTION)(s) for s in record["sections"]]
    return out
