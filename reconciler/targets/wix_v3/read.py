"""Read the live Wix Catalogs v3 catalog into an essence keyed by *our* ids.

Three list calls (menus, sections, items, archived ones included) run concurrently. What a diner
can reach defines the live menu: non-archived menus, the sections they list, the dishes those
list, and the items offered as choices. Items that reconcile unlisted and hid earlier are
therefore not "live" (and never come back as perpetual removals), but they stay known, so adding
the same dish again reuses its Wix id, photos and history.

Wix ids are translated through the id mapping. A live entity with no mapping is *adopted* when a
desired entity of the same kind has the same name within the same parent (a section within its
menu), so a first sync of an existing site does not duplicate it; where several share the name,
their content decides (naming.py, adoption.py). Anything else keeps a placeholder id
``wix:<wix id>`` and shows up as a removal.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence, Key
from reconciler.engine.vocabulary import Kind
from reconciler.errors import ApiError
from reconciler.state.mapping import Entry
from reconciler.targets import media
from reconciler.targets.naming import Namer, drifted
from reconciler.targets.wix_v3 import convert
from reconciler.targets.wix_v3.capabilities import namespace
from reconciler.targets.wix_v3.client import CatalogsV3
from reconciler.targets.wix_v3.raw import RawLive


@dataclass
class LiveCatalog:
    essence: Essence
    wix_ids: dict[Key, str]  # reachable entities: (essence kind, local id) -> Wix id
    known: dict[str, JsonObject]  # every entity listed, by Wix id (archived and unlisted included)
    local_to_wix: dict[tuple[str, str], str]  # (namespace, local id) -> Wix id, incl. unlisted
    adopted: list[Key] = field(default_factory=list)
    drifted: frozenset[Key] = frozenset()
    currency: str | None = None
    media: dict[str, str] = field(default_factory=dict)  # image content key -> Media Manager file id (mapping)
    ambiguous: list[Key] = field(default_factory=list)  # adoptions content could not decide (naming.py)


async def fetch_entities(api: CatalogsV3, catalog_id: str, ids: set[tuple[str, str]]) -> RawLive | None:
    """Only these items, one Get Item each, concurrently (Catalogs v3 has no list by ids).

    None, so that the caller reads everything, for a menu or a section (what they list is the
    structure, which only the whole read interprets), an item that is gone or archived."""
    if any(ns != namespace(Kind.DISH) for ns, _ in ids):
        return None
    try:
        items = await asyncio.gather(*(api.get_item(catalog_id, wix_id) for _, wix_id in sorted(ids)))
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    if any(item.get("archived") or item.get("id") not in {w for _, w in ids} for item in items):
        return None
    return RawLive([], [], list(items), frozenset(w for _, w in ids))


def _kind(raw: JsonObject) -> Kind:
    return Kind.VARIATION if raw.get("type") == "VARIATION" else Kind.DISH


def _values(raw: JsonObject, key: str) -> list[Any]:
    return list((raw.get(key) or {}).get("values") or [])


def _choices(raw: JsonObject) -> list[str]:
    found: list[str] = []
    for option in _values(raw, "dishOptions"):
        for branch in ("selection", "extras", "deselection"):
            found += [c.get("itemId") for c in ((option or {}).get(branch) or {}).get("availableChoices") or []]
    return [c for c in found if c]


def _meet(
    menus: list[JsonObject], known: dict[str, JsonObject], active: set[str], namer: Namer
) -> tuple[list[tuple[JsonObject, list[JsonObject]]], list[str]]:
    """What a diner reaches, each met by ``namer`` (``resolve`` adopts after): the menus with the
    sections they list (a section belongs to one menu), and the items those list, then whatever
    their options offer, breadth first."""
    names = namer.names

    def name(kind: Kind, wix_id: str, menu: str | None = None) -> None:
        namer.name(kind, wix_id, known[wix_id].get("name") or "", menu=menu)

    structure: list[tuple[JsonObject, list[JsonObject]]] = []
    for menu in menus:
        if menu["id"] not in active:
            continue
        name(Kind.MENU, menu["id"])
        listed = []
        for section_id in _values(menu, "sectionIds"):
            if section_id in active and section_id not in names and "itemIds" in known[section_id]:
                name(Kind.SECTION, section_id, menu["id"])
                listed.append(known[section_id])
        structure.append((menu, listed))
    queue = deque(d for _, listed in structure for section in listed for d in _values(section, "itemIds"))
    reached: list[str] = []
    while queue:
        wix_id = queue.popleft()
        if wix_id in names or wix_id not in active or "type" not in known[wix_id]:
            continue
        name(_kind(known[wix_id]), wix_id)
        reached.append(wix_id)
        queue.extend(_choices(known[wix_id]))
    return structure, reached


def interpret(
    menus: list[JsonObject], sections: list[JsonObject], items: list[JsonObject], entries: list[Entry], desired: Essence
) -> LiveCatalog:
    """Turn raw lists into a live essence, translating ids through the mapping and adopting."""
    known = {e["id"]: e for e in [*menus, *sections, *items] if e.get("id")}
    active = {wix_id for wix_id, raw in known.items() if not raw.get("archived")}
    namer = Namer(entries, desired, active, namespace)
    names = namer.names
    structure, reached = _meet(menus, known, active, namer)
    menu_of = {section["id"]: menu["id"] for menu, listed in structure for section in listed}
    sections_of = {menu["id"]: [section["id"] for section in listed] for menu, listed in structure}

    def record_of(kind: Kind, wix_id: str, to_local: Callable[[str], str]) -> JsonObject:
        raw = known[wix_id]
        if kind == Kind.MENU:
            return convert.menu_from_wix(raw, [to_local(s) for s in sections_of[wix_id]])
        if kind == Kind.SECTION:
            dishes = [to_local(d) for d in _values(raw, "itemIds") if d in names]
            return convert.section_from_wix(raw, to_local(menu_of[wix_id]), dishes)
        return convert.item_from_wix(raw, to_local)

    # Adoption, children before parents (naming.py), then every record in our ids.
    namer.resolve(record_of)
    live: Essence = {}
    wix_ids: dict[Key, str] = {}
    in_order = [
        (k, e["id"]) for m, listed in structure for k, e in [(Kind.MENU, m), *((Kind.SECTION, s) for s in listed)]
    ]
    for kind, wix_id in in_order + [(_kind(known[w]), w) for w in reached]:
        live[(kind, names[wix_id])] = record_of(kind, wix_id, namer.local)
        wix_ids[(kind, names[wix_id])] = wix_id

    currency = next((i["price"]["currency"] for i in items if (i.get("price") or {}).get("currency")), None)
    media.in_our_terms(live, entries, desired)  # before drift is judged: images in the catalog's words
    found = (sorted(namer.adopted), drifted(live, entries, namespace), currency, media.known(entries))
    return LiveCatalog(live, wix_ids, known, namer.local_to_wix, *found, sorted(namer.ambiguous))


def interpret_only(items: list[JsonObject], entries: list[Entry], desired: Essence) -> LiveCatalog:
    """The live view of items read one by one (``fetch_entities``): each under its mapped id, its
    record as ``interpret`` makes it; ``wix_ids`` also names the items their options offer, so an
    update's placeholders resolve. Nothing is adopted: every item read was found through the mapping."""
    items_ns = namespace(Kind.DISH)
    by_wix = {e.wix_id: e.local_id for e in entries if e.namespace == items_ns}

    def to_local(wix_id: str) -> str:
        return by_wix.get(wix_id) or f"wix:{wix_id}"

    live: Essence = {}
    wix_ids: dict[Key, str] = {}
    for raw in items:
        kind = Kind.VARIATION if raw.get("type") == "VARIATION" else Kind.DISH
        live[(kind, to_local(raw["id"]))] = convert.item_from_wix(raw, to_local)
        wix_ids[(kind, to_local(raw["id"]))] = raw["id"]
        for choice in _choices(raw):
            wix_ids.setdefault((Kind.VARIATION, to_local(choice)), choice)
    currency = next((i["price"]["currency"] for i in items if (i.get("price") or {}).get("currency")), None)
    local_to_wix = {(e.namespace, e.local_id): e.wix_id for e in entries}
    known = {i["id"]: i for i in items}
    media.in_our_terms(live, entries, desired)  # before drift is judged, as interpret() does
    found = drifted(live, entries, namespace)
    return LiveCatalog(live, wix_ids, known, local_to_wix, [], found, currency, media.known(entries))
