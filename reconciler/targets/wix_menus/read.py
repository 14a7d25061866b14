"""Read a live Menus (New) site into the essence of reconcile's Menus (New) projection.

All seven services are listed concurrently, each following its cursors. What a diner of the
location can reach defines the live menu: the location's menus, the sections they list, the items
those list, and the groups, modifiers, variants and labels those items use. Wix ids become our ids
through the mapping; unmapped entities are adopted by name (sections within their menu), as every
target does (reconciler/targets/naming.py); anything else is ``wix:<id>``. The Online Orders
settings of those menus and the closures that are ours are read too (ordering.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence, Key
from reconciler.engine.vocabulary import Kind
from reconciler.state.mapping import Entry
from reconciler.targets import media
from reconciler.targets.naming import Namer, ParentOf, drifted
from reconciler.targets.wix_menus import ordering
from reconciler.targets.wix_menus.capabilities import namespace
from reconciler.targets.wix_menus.client import MenusApi
from reconciler.targets.wix_menus.raw import SETTINGS, RawSite, item_refs
from reconciler.targets.wix_menus.records import record


@dataclass
class LiveSite:
    essence: Essence
    wix_ids: dict[Key, str]
    known: dict[str, JsonObject]  # every listed entity by Wix id
    services: dict[str, str]  # Wix id -> the service that holds it
    local_to_wix: dict[tuple[str, str], str]  # (namespace, local id) -> Wix id
    adopted: list[Key] = field(default_factory=list)
    drifted: frozenset[Key] = frozenset()
    currency: str | None = None  # Menus (New) carries no currency; the site's applies
    detached: dict[str, str] = field(default_factory=dict)  # Wix id -> service: left by an interrupted run
    settings: dict[str, JsonObject] = field(default_factory=dict)  # menu Wix id -> its Menu Ordering Settings
    operation: str | None = None  # the location's Online Orders operation, as its menus' settings name it
    media: dict[str, str] = field(default_factory=dict)  # image content key -> Media Manager file id (mapping)
    ambiguous: list[Key] = field(default_factory=list)  # adoptions content could not decide (naming.py)


# What can be read by id and interpreted alone: entities whose record needs no parent (a section's
# menu) and that are not Online Orders settings.
BY_ID = {str(namespace(k)): k for k in (Kind.DISH, Kind.OPTION_GROUP, Kind.VARIANT, Kind.MODIFIER, Kind.LABEL)}


async def fetch_entities(api: MenusApi, ids: set[tuple[str, str]], locations: frozenset[str] | None) -> RawSite | None:
    """Only these entities, with their revisions: one List call per service with their ids
    (``itemIds``, ``modifierIds``…, 500 a call). None, so that the caller reads the whole site,
    for a menu, a section or a closure, or an entity that is gone."""
    wanted: dict[str, set[str]] = {}
    for service, wix_id in ids:
        wanted.setdefault(service, set()).add(wix_id)
    if any(service not in BY_ID for service in wanted):
        return None
    services = sorted(wanted)
    found = await asyncio.gather(*(api.fetch_by_ids(service, sorted(wanted[service])) for service in services))
    lists = dict(zip(services, found, strict=True))
    if any({e.get("id") for e in lists[service]} != wanted[service] for service in services):
        return None
    return RawSite(lists, locations, frozenset(wix_id for _, wix_id in ids))


@dataclass(frozen=True)
class Sites:
    """A reading of several locations at once (a shared plan, share.py): whose menus are ours, and
    the parent that adoption by name respects (a menu's location; a location's own entity's)."""

    keys: dict[str, str]  # Wix location id -> the location's key in the catalog
    parent_of: ParentOf

    def live_parent(self, kind: Kind, entity: JsonObject) -> str | None:
        if kind == Kind.MENU:
            return self.keys.get(str(entity.get("businessLocationId")))
        at = entity.get("businessLocationIds") or []
        return self.keys.get(str(at[0])) if len(at) == 1 else None


def interpret(
    raw: RawSite,
    entries: list[Entry],
    desired: Essence,
    location_id: str | None,
    several_locations: bool,
    sites: Sites | None = None,
) -> LiveSite:
    if raw.only is not None:
        return _interpret_only(raw, entries, desired)
    known = {e["id"]: e for entities in raw.lists.values() for e in entities if e.get("id")}
    services = {e["id"]: service for service, entities in raw.lists.items() for e in entities if e.get("id")}
    if sites is None:
        namer = Namer(entries, desired, set(known), namespace)
        menus = [
            m for m in raw.lists["menu"] if not several_locations or m.get("businessLocationId") in (None, location_id)
        ]
    else:
        namer = Namer(entries, desired, set(known), namespace, sites.parent_of)
        menus = [m for m in raw.lists["menu"] if m.get("businessLocationId") in sites.keys]
    reached = _reach(menus, known, services, namer, sites.live_parent if sites else None)
    live, wix_ids = _records(known, reached, namer)
    settings = {str(s.get("menuId")): s for s in raw.lists.get(SETTINGS, [])}
    ours = {wix_id: settings[wix_id] for kind, wix_id in reached if kind == Kind.MENU and wix_id in settings}
    for kind, wix_id in reached:
        if kind == Kind.MENU:
            live[(kind, namer.names[wix_id])].update(ordering.settings_record(ours.get(wix_id)))
    operation = next((str(s["operationId"]) for s in ours.values() if s.get("operationId")), None)
    adopted = sorted(namer.adopted)
    exceptions = raw.lists.get(namespace(Kind.CLOSURE), [])
    for local_id, wix_id, by_period in _closures(exceptions, entries, desired, operation):
        live[(Kind.CLOSURE, local_id)] = ordering.closure_record(known[wix_id])
        wix_ids[(Kind.CLOSURE, local_id)] = wix_id
        adopted += [(Kind.CLOSURE, local_id)] if by_period else []
    media.in_our_terms(live, entries, desired)  # before drift is judged: images in the catalog's words
    return LiveSite(
        live,
        wix_ids,
        known,
        services,
        namer.local_to_wix,
        adopted,
        drifted(live, entries, namespace),
        detached=_detached(entries, known, set(wix_ids.values()), desired),
        settings=ours,
        operation=operation,
        media=media.known(entries),
        ambiguous=sorted(namer.ambiguous),
    )


def _records(
    known: dict[str, JsonObject], reached: list[tuple[Kind, str]], namer: Namer
) -> tuple[Essence, dict[Key, str]]:
    """Adopt what was reached (``namer.resolve``, children before parents), then every record in our ids."""
    menu_of: dict[str, str] = {}  # section Wix id -> the Wix id of the first menu listing it
    for kind, wix_id in reached:
        if kind == Kind.MENU:
            for section_id in known[wix_id].get("sectionIds") or []:
                menu_of.setdefault(section_id, wix_id)

    def record_of(kind: Kind, wix_id: str, to_local: Callable[[str], str]) -> JsonObject:
        menu = menu_of.get(wix_id)
        return record(kind, known[wix_id], to_local, None if menu is None else to_local(menu))

    namer.resolve(record_of)
    live: Essence = {}
    wix_ids: dict[Key, str] = {}
    for kind, wix_id in reached:
        key = (kind, namer.names[wix_id])
        live[key] = record_of(kind, wix_id, namer.local)
        wix_ids[key] = wix_id
    return live, wix_ids


def _interpret_only(raw: RawSite, entries: list[Entry], desired: Essence) -> LiveSite:
    """The live view of entities read by id (``fetch_entities``): each under its mapped id, its
    record as ``interpret`` makes it; ``wix_ids`` also names what they refer to (groups, labels,
    variants, a group's modifiers), so an update's placeholders resolve. Nothing is adopted."""
    names = {e.wix_id: e.local_id for e in entries}

    def local(wix_id: str) -> str:
        return names.get(wix_id) or f"wix:{wix_id}"

    live: Essence = {}
    wix_ids: dict[Key, str] = {}
    known: dict[str, JsonObject] = {}
    services: dict[str, str] = {}
    for service, entities in sorted(raw.lists.items()):
        for entity in entities:
            kind, wix_id = BY_ID[service], str(entity["id"])
            live[(kind, local(wix_id))] = record(kind, entity, local, None)
            wix_ids[(kind, local(wix_id))] = wix_id
            known[wix_id], services[wix_id] = entity, service
            refs = item_refs(entity) + [(Kind.MODIFIER, m.get("id")) for m in entity.get("modifiers") or []]
            for ref_kind, ref_id in refs:
                if ref_id:
                    wix_ids.setdefault((ref_kind, local(ref_id)), ref_id)
    local_to_wix = {(e.namespace, e.local_id): e.wix_id for e in entries}
    media.in_our_terms(live, entries, desired)  # before drift is judged, as interpret() does
    found = drifted(live, entries, namespace)
    return LiveSite(live, wix_ids, known, services, local_to_wix, [], found, media=media.known(entries))


def _closures(
    exceptions: list[JsonObject], entries: list[Entry], desired: Essence, operation: str | None
) -> list[tuple[str, str, bool]]:
    """(local id, Wix id, adopted) of the availability exceptions that are ours: mapped to a
    closure of ours, or, unmapped, of this location's operation with exactly the period of a
    desired closure. Any other exception (a manager's pause, another app's closure, another
    location's) is not ours and is never read."""
    mapped = {e.wix_id: e.local_id for e in entries if e.namespace == namespace(Kind.CLOSURE)}
    wanted = {local for kind, local in desired if kind == Kind.CLOSURE}
    taken = set(mapped.values())
    out = []
    for raw in exceptions:
        wix_id = str(raw.get("id"))
        if wix_id in mapped:
            out.append((mapped[wix_id], wix_id, False))
            continue
        record = ordering.closure_record(raw)
        local_id = f"{record['start']}/{record['end']}"
        ours = operation is not None and raw.get("operationId") == operation
        if ours and local_id in wanted and local_id not in taken and raw.get("available") is False:
            taken.add(local_id)
            out.append((local_id, wix_id, True))
    return out


def _reach(
    menus: list[JsonObject],
    known: dict[str, JsonObject],
    services: dict[str, str],
    namer: Namer,
    live_parent: Callable[[Kind, JsonObject], str | None] | None = None,
) -> list[tuple[Kind, str]]:
    """What a diner of the location reaches, top down, each met by ``namer`` on the way (a
    section within the menu listing it); ``namer.resolve`` adopts after."""
    names = namer.names
    reached: list[tuple[Kind, str]] = []

    def reach(kind: Kind, wix_id: str | None, menu: str | None = None) -> None:
        if wix_id in known and services[wix_id] == namespace(kind) and wix_id not in names:
            parent = live_parent(kind, known[wix_id]) if live_parent is not None and kind != Kind.SECTION else None
            namer.name(kind, wix_id, known[wix_id].get("name") or "", parent, menu)
            reached.append((kind, wix_id))

    for menu in menus:
        reach(Kind.MENU, menu["id"])
        for section_id in menu.get("sectionIds") or []:
            reach(Kind.SECTION, section_id, menu=menu["id"])
    for _, section_id in [r for r in reached if r[0] == Kind.SECTION]:
        for child in known[section_id].get("itemIds") or []:
            reach(Kind.DISH, child)
    for _, item_id in [r for r in reached if r[0] == Kind.DISH]:
        for kind, wix_id in item_refs(known[item_id]):
            reach(kind, wix_id)
    for _, group_id in [r for r in reached if r[0] == Kind.OPTION_GROUP]:
        for modifier in known[group_id].get("modifiers") or []:
            reach(Kind.MODIFIER, modifier.get("id"))
    return reached


def _detached(
    entries: list[Entry], known: dict[str, JsonObject], reachable: set[str], desired: Essence
) -> dict[str, str]:
    """Entities mapped to us, still there, but no longer reachable: left by an interrupted run."""
    wanted = {(namespace(k), i) for k, i in desired}
    return {
        e.wix_id: e.namespace
        for e in entries
        if e.wix_id in known and e.wix_id not in reachable and (e.namespace, e.local_id) not in wanted
    }
