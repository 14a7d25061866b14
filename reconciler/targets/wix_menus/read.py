"""Read a live Menus (New) site into the essence of reconcile's Menus (New) projection.

All seven services are listed concurrently, each following its cursors. What a diner of the
location can reach defines the live menu: the location's menus, the sections they list, the items
those list, and the groups, modifiers, variants and labels those items use. Wix ids become our ids
through the mapping; unmapped entities are adopted by name (sections within their menu), as every
target does (reconciler/targets/naming.py); anything else is ``wix:<id>``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler.canonical import fingerprint
from reconciler.engine.essence import Essence, Key, money, text
from reconciler.engine.vocabulary import Kind
from reconciler.state.mapping import Entry
from reconciler.targets.naming import Namer, drifted
from reconciler.targets.wix_menus.capabilities import namespace
from reconciler.targets.wix_menus.client import SERVICES, MenusApi


@dataclass
class RawSite:
    lists: dict[str, list[dict]]  # service (an id namespace) -> entities

    def fingerprint(self) -> str:
        return fingerprint(sorted(self.hashes().items()))

    def hashes(self) -> dict[str, str]:
        # Revisions and dates change on every write, so they are part of what "moved" means.
        return {e["id"]: fingerprint(e) for entities in self.lists.values() for e in entities if e.get("id")}

    def existing_ids(self) -> set[str]:
        return {e["id"] for entities in self.lists.values() for e in entities if e.get("id")}


@dataclass
class LiveSite:
    essence: Essence
    wix_ids: dict[Key, str]
    known: dict[str, dict]  # every listed entity by Wix id
    services: dict[str, str]  # Wix id -> the service that holds it
    local_to_wix: dict[tuple[str, str], str]  # (namespace, local id) -> Wix id
    adopted: list[Key] = field(default_factory=list)
    drifted: frozenset[Key] = frozenset()
    currency: str | None = None  # Menus (New) carries no currency; the site's applies
    detached: dict[str, str] = field(default_factory=dict)  # Wix id -> service: left by an interrupted run


async def fetch(api: MenusApi) -> RawSite:
    services = list(SERVICES)
    results = await asyncio.gather(*(api.list_all(service) for service in services))
    return RawSite(dict(zip(services, results, strict=True)))


def interpret(
    raw: RawSite, entries: list[Entry], desired: Essence, location_id: str | None, several_locations: bool
) -> LiveSite:
    known = {e["id"]: e for entities in raw.lists.values() for e in entities if e.get("id")}
    services = {e["id"]: service for service, entities in raw.lists.items() for e in entities if e.get("id")}
    namer = Namer(entries, desired, set(known), namespace)
    names = namer.names

    def name(kind: str, wix_id: str, parent: str | None = None) -> str:
        return namer.name(kind, wix_id, known[wix_id].get("name") or "", parent)

    def reachable(kind: str, wix_id: str) -> bool:
        return wix_id in known and services[wix_id] == namespace(kind)

    live: Essence = {}
    wix_ids: dict[Key, str] = {}
    pending: list[tuple[str, str]] = []  # (essence kind, Wix id) of everything reached

    for menu in raw.lists["menu"]:
        if several_locations and menu.get("businessLocationId") not in (None, location_id):
            continue
        menu_local = name(Kind.MENU, menu["id"])
        pending.append((Kind.MENU, menu["id"]))
        for section_id in menu.get("sectionIds") or []:
            if reachable(Kind.SECTION, section_id) and section_id not in names:
                name(Kind.SECTION, section_id, menu_local)
                pending.append((Kind.SECTION, section_id))
    for _, section_id in [p for p in pending if p[0] == Kind.SECTION]:
        for child in known[section_id].get("itemIds") or []:
            if reachable(Kind.DISH, child) and child not in names:
                name(Kind.DISH, child)
                pending.append((Kind.DISH, child))
    for _, item_id in [p for p in pending if p[0] == Kind.DISH]:
        item = known[item_id]
        for ref in _item_refs(item):
            kind, wix_id = ref
            if reachable(kind, wix_id) and wix_id not in names:
                name(kind, wix_id)
                pending.append(ref)
    for _, group_id in [p for p in pending if p[0] == Kind.OPTION_GROUP]:
        for modifier in known[group_id].get("modifiers") or []:
            wix_id = modifier.get("id")
            if reachable(Kind.MODIFIER, wix_id) and wix_id not in names:
                name(Kind.MODIFIER, wix_id)
                pending.append((Kind.MODIFIER, wix_id))

    to_local = namer.local

    menu_of = {}
    for kind, wix_id in pending:
        if kind == Kind.MENU:
            for section_id in known[wix_id].get("sectionIds") or []:
                menu_of.setdefault(section_id, names[wix_id])
    for kind, wix_id in pending:
        record = _record(kind, known[wix_id], to_local, menu_of.get(wix_id))
        live[(kind, names[wix_id])] = record
        wix_ids[(kind, names[wix_id])] = wix_id

    # Entities mapped to us, still there, but no longer reachable: left by an interrupted run.
    reachable = set(wix_ids.values())
    wanted = {(namespace(k), i) for k, i in desired}
    detached = {
        e.wix_id: e.namespace
        for e in entries
        if e.wix_id in known and e.wix_id not in reachable and (e.namespace, e.local_id) not in wanted
    }
    return LiveSite(
        live,
        wix_ids,
        known,
        services,
        namer.local_to_wix,
        sorted(namer.adopted),
        drifted(live, entries, namespace),
        detached=detached,
    )


def _item_refs(item: dict) -> list[tuple[str, str]]:
    refs = [(Kind.OPTION_GROUP, g.get("id")) for g in item.get("modifierGroups") or []]
    refs += [(Kind.LABEL, label.get("id")) for label in item.get("labels") or []]
    refs += [(Kind.VARIANT, v.get("variantId")) for v in ((item.get("priceVariants") or {}).get("variants") or [])]
    return [(kind, wix_id) for kind, wix_id in refs if wix_id]


def _price(info: dict | None) -> str | None:
    value = (info or {}).get("price")
    return money(value) if value not in (None, "") else None


def _record(kind: str, raw: dict, to_local: Callable[[str], str], menu: str | None) -> dict:
    if kind == Kind.MENU:
        return {
            "name": raw.get("name") or "",
            "description": text(raw.get("description")),
            "visible": raw.get("visible") is not False,
            "sections": [to_local(s) for s in raw.get("sectionIds") or []],
        }
    if kind == Kind.SECTION:
        return {
            "menu": menu,
            "name": raw.get("name") or "",
            "description": text(raw.get("description")),
            "image": (raw.get("image") or {}).get("url") or None,
            "visible": raw.get("visible") is not False,
            "dishes": [to_local(i) for i in raw.get("itemIds") or []],
        }
    if kind == Kind.DISH:
        settings = raw.get("orderSettings") or {}
        variants = (raw.get("priceVariants") or {}).get("variants")
        return {
            "name": raw.get("name") or "",
            "description": text(raw.get("description")),
            "image": (raw.get("image") or {}).get("url") or None,
            "visible": raw.get("visible") is not False,
            "labels": [to_local(label.get("id")) for label in raw.get("labels") or []],
            "in_stock": settings.get("inStock") is not False,
            "special_requests": settings.get("acceptSpecialRequests") is not False,
            "price": None if raw.get("priceVariants") else _price(raw.get("priceInfo")),
            "variants": None
            if not raw.get("priceVariants")
            else [
                {"variant": to_local(v.get("variantId")), "price": _price(v.get("priceInfo")) or money("0")}
                for v in variants or []
            ],
            "groups": [to_local(g.get("id")) for g in raw.get("modifierGroups") or []],
        }
    if kind == Kind.OPTION_GROUP:
        rule = raw.get("rule") or {}
        modifiers = raw.get("modifiers") or []
        return {
            "name": raw.get("name") or "",
            "required": bool(rule.get("required")),
            "min": rule.get("minSelections") or 0,
            "max": rule.get("maxSelections") if rule.get("maxSelections") is not None else len(modifiers),
            "modifiers": [
                {
                    "modifier": to_local(m.get("id")),
                    "price": money((m.get("additionalChargeInfo") or {}).get("additionalCharge") or "0"),
                    "preselected": bool(m.get("preSelected")),
                }
                for m in modifiers
            ],
        }
    if kind == Kind.MODIFIER:
        return {"name": raw.get("name") or "", "in_stock": raw.get("inStock") is not False}
    return {"name": raw.get("name") or ""}  # variant, label
