"""The sharing rule (targets/wix_menus/share.py), property-tested: sharing never changes what a location gets.

The oracle is each location's own Menus (New) projection of its effective catalog (what an
isolated location gets, project.py), independent of the sharing code: walked from that
location's menus, the shared site essence, with every id read back to its catalog id, must be
exactly that projection. And sharing shares: an entity is a location's own only when its record
there differs from the shared one.
"""

from __future__ import annotations

from hypothesis import given, settings

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence, Key
from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective
from reconciler.targets.wix_menus import project, share
from tests.location_strategies import chains

REFS = {  # the fields of a record that name other entities, and the kind they name
    Kind.MENU: (("sections", Kind.SECTION, None),),
    Kind.SECTION: (("menu", Kind.MENU, None), ("dishes", Kind.DISH, None)),
    Kind.DISH: (
        ("groups", Kind.OPTION_GROUP, None),
        ("variants", Kind.VARIANT, "variant"),
        ("labels", Kind.LABEL, None),
    ),
    Kind.OPTION_GROUP: (("modifiers", Kind.MODIFIER, "modifier"),),
}


def children(kind: Kind, record: JsonObject) -> list[Key]:
    out: list[Key] = []
    for name, child, inner in REFS.get(kind, ()):
        value = record.get(name)
        values = value if isinstance(value, list) else [value] if value is not None else []
        out += [(child, v[inner] if inner else v) for v in values]
    return out


def base(ident: str) -> str:
    return share.split_id(ident)[1]


def unshared(kind: Kind, record: JsonObject) -> JsonObject:
    """``record`` with every id it names read back to the catalog's id."""
    out = dict(record)
    for name, _, inner in REFS.get(kind, ()):
        value = record.get(name)
        if isinstance(value, list):
            out[name] = [{**v, inner: base(v[inner])} if inner else base(v) for v in value]
        elif isinstance(value, str):
            out[name] = base(value)
    return out


def seen_from(site: Essence, location: str) -> Essence:
    """What a diner of ``location`` reaches in the site essence, by catalog id."""
    todo = [key for key in site if key[0] == Kind.MENU and share.split_id(key[1])[0] == location]
    found: Essence = {}
    while todo:
        key = todo.pop()
        if key not in site or (key[0], base(key[1])) in found:
            continue
        found[(key[0], base(key[1]))] = unshared(key[0], site[key])
        todo += children(key[0], site[key])
    return found


def reachable(essence: Essence) -> Essence:
    todo = [key for key in essence if key[0] == Kind.MENU]
    found: Essence = {}
    while todo:
        key = todo.pop()
        if key in essence and key not in found:
            found[key] = essence[key]
            todo += children(key[0], essence[key])
    return found


@settings(max_examples=60, deadline=None)
@given(chains())
def test_sharing_never_changes_what_a_location_gets(catalog: Catalog):
    keys = [loc.key for loc in catalog.locations]
    site = share.site_essence(catalog, keys)
    for location in catalog.locations:
        own, _, _ = project.project(effective(catalog, location))
        wanted = {k: v for k, v in reachable(own).items() if k[0] != Kind.CLOSURE}
        assert seen_from(site.essence, location.key) == wanted, location.key


@settings(max_examples=60, deadline=None)
@given(chains())
def test_an_entity_is_a_locations_own_only_where_its_record_differs(catalog: Catalog):
    site = share.site_essence(catalog, [loc.key for loc in catalog.locations])
    for (kind, ident), record in site.essence.items():
        location, catalog_id = share.split_id(ident)
        if location is None or kind in share.OWN:
            continue
        assert site.where[(kind, ident)] == (location,)
        shared = site.essence.get((kind, catalog_id))
        assert shared is not None and shared != record, (kind, ident)
        assert site.notes[(kind, ident)].startswith("split: ")
