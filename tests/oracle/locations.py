"""One location's catalog from a catalog of several, computed from the file alone (docs/catalog-format.md).

A second reading of "Many locations", sharing no code with reconciler/: a menu, section or dish is
at a location unless its ``only_at`` leaves the location out or its ``except_at`` names it; a
section of an absent menu is absent; a dish is at a location only if a section there lists it;
the location's entry overrides a dish's or variation's price, in_stock and visible, a choice's
price, and a menu's or section's visibility. The result is plain data for :func:`tests.oracle.expected`.
"""

from __future__ import annotations

import copy


def _names(entry: dict) -> set[str]:
    return {v for v in (entry.get("name"), entry.get("id")) if v is not None}


def _here(entity: dict, names: set[str]) -> bool:
    if "only_at" in entity:
        return bool(names & set(entity["only_at"]))
    if "except_at" in entity:
        return not names & set(entity["except_at"])
    return True


def location_data(data: dict, location: str) -> dict:
    """The plain catalog ``location`` (a name or id of an entry of ``locations``) gets."""
    [entry] = [e for e in data.get("locations", []) if location in _names(e)]
    names = _names(entry)
    out = copy.deepcopy({k: v for k, v in data.items() if k != "locations"})
    menus = []
    for menu in out.get("menus", []):
        if not _here(menu, names):
            continue
        menu["sections"] = [s for s in menu.get("sections", []) if _here(s, names)]
        menus.append(menu)
    listed = {d for m in menus for s in m["sections"] for d in s.get("dishes", [])}
    present = {d["id"] for d in out.get("dishes", []) if d["id"] in listed and _here(d, names)}
    for menu in menus:
        for section in menu["sections"]:
            section["dishes"] = [d for d in section.get("dishes", []) if d in present]
    out["menus"] = menus
    out["dishes"] = [d for d in out.get("dishes", []) if d["id"] in present]
    overrides = {
        kind: {o["id"]: o for o in entry.get(kind, [])} for kind in ("dishes", "variations", "menus", "sections")
    }
    for kind in ("dishes", "variations"):
        for item in out.get(kind, []):
            for field in ("price", "in_stock", "visible"):
                if field in overrides[kind].get(item["id"], {}):
                    item[field] = overrides[kind][item["id"]][field]
    for menu in menus:
        if "visible" in overrides["menus"].get(menu["id"], {}):
            menu["visible"] = overrides["menus"][menu["id"]]["visible"]
        for section in menu["sections"]:
            if "visible" in overrides["sections"].get(section["id"], {}):
                section["visible"] = overrides["sections"][section["id"]]["visible"]
    choices = {(c["group"], c["item"]): c["price"] for c in entry.get("choices", [])}
    for group in out.get("option_groups", []):
        for choice in group.get("choices", []):
            if (group["id"], choice["item"]) in choices:
                choice["price"] = choices[(group["id"], choice["item"])]
    for entity in [*menus, *(s for m in menus for s in m["sections"]), *out["dishes"]]:
        entity.pop("only_at", None)
        entity.pop("except_at", None)
    return out
