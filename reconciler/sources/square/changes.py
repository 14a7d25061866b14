"""Square's incremental read: only the catalog objects that changed after the last import.

Square's ``catalog.version.updated`` webhook names no object (reference §1.3), so the changed
objects are asked for: ``SearchCatalogObjects`` with ``begin_time`` = the watermark of the catalog
read held (Square's ``latest_time``, exclusive), ``include_deleted_objects`` (a deletion is a
tombstone, ``is_deleted``), every page. They are merged by id into the held read, which becomes
what a whole ``ListCatalog`` would return now; the translation then runs on it as on a whole read,
so the YAML is the same bytes.

The held read is kept *normalized*: variations and modifiers only nested in their item or list
(where ``ListCatalog`` also repeats them at top level, the copies are the same objects; the parser
keeps the newest copy of an id either way). Anything the merge cannot place for certain is a
doubt, answered by a whole read: a variation or modifier whose item or list we do not hold or that
does not list it, an object older than the copy held, more changes than a whole read costs.
"""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.http import listing
from reconciler.sources.base import ApiSettings, Changes
from reconciler.sources.square.api import TYPES, pages
from reconciler.sources.square.forms import snake_keys

SEARCH = "Square SearchCatalogObjects"
PAGE = 1000  # SearchCatalogObjects' largest page
MOST = 2000  # more changed objects than this: a whole read costs about the same, and is simpler
# A nested kind: (its payload, the field naming its parent, the parent's payload, the parent's list)
CHILDREN = {
    "ITEM_VARIATION": ("item_variation_data", "item_id", "item_data", "variations"),
    "MODIFIER": ("modifier_data", "modifier_list_id", "modifier_list_data", "modifiers"),
}
NESTS = {"ITEM": ("item_data", "variations"), "MODIFIER_LIST": ("modifier_list_data", "modifiers")}


class Doubt(Exception):
    """The merge cannot say for certain what a whole read would return: read it whole."""


def read_changes(client: httpx.Client, settings: ApiSettings, held: Any, since: str | None) -> Changes:
    """The held read with every object changed after ``since`` merged in, or why a whole read is needed."""
    if not since:
        return Changes(None, "no watermark of the catalog read held: whole import")
    if not isinstance(held, dict) or not isinstance(held.get("objects"), list):
        return Changes(None, "no catalog read held: whole import")
    changed = search_changed(client, settings, since)
    if changed is None:
        return Changes(None, f"more than {MOST} objects changed after {since}: whole import")
    try:
        merged = merge(held, changed)
    except Doubt as exc:
        return Changes(None, f"{exc}: whole import")
    return Changes(merged, f"{len(changed)} changed object(s) read after {since}", len(changed))


def search_changed(client: httpx.Client, settings: ApiSettings, since: str) -> list[dict] | None:
    """Every object changed after ``since``, tombstones included, or None when there are more than MOST."""
    out: list[dict] = []
    body = {"object_types": TYPES, "include_deleted_objects": True, "begin_time": since, "limit": PAGE}
    for page in pages(client, settings, "POST", "/v2/catalog/search", SEARCH, body):
        out.extend(o for o in (snake_keys(x) for x in listing(page, "objects", SEARCH)) if isinstance(o, dict))
        if len(out) > MOST:
            return None
    return out


class Normalized(list):  # type: ignore[type-arg]
    """The objects of a read :func:`merge` or :func:`hold` made: normalized already (snake_case keys,
    children nested), so the next merge takes them as they are instead of walking 10,000 objects
    again. Only those two make one, and a held read is never changed in place."""


def hold(raw: Any) -> Any:
    """The read as serve keeps it for the next :func:`read_changes`: normalized, as a merge leaves it.

    Made after the sync that read it, so the first webhook after a whole read does not walk every
    object to normalize it (0.6 s of its latency at 10,000 dishes, measured). A read that cannot be
    normalized is kept as it is: the next merge doubts it, and that sync reads whole."""
    objects = raw.get("objects") if isinstance(raw, dict) else None
    if not isinstance(objects, list) or isinstance(objects, Normalized):
        return raw
    try:
        tops = _normalized(objects)
    except Doubt:
        return raw
    return {**raw, "objects": Normalized(tops.values())}


def normalize(objects: list[Any]) -> dict[str, dict]:
    """Top-level objects by id, in order; a nested kind's top-level copy folded into its parent."""
    if isinstance(objects, Normalized):  # keyed as below: a loose child (no parent held) by kind and id
        return {f"{o['type']}:{o['id']}" if o.get("type") in CHILDREN else o["id"]: o for o in objects}
    return _normalized(objects)


def _normalized(objects: list[Any]) -> dict[str, dict]:
    tops: dict[str, dict] = {}
    loose: list[dict] = []
    for obj in objects:
        obj = snake_keys(obj)
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise Doubt("an object without an id in the catalog read held")
        if obj.get("type") in CHILDREN:
            loose.append(obj)
        else:
            tops[obj["id"]] = obj
    for child in loose:
        _place(tops, child, orphan_ok=True)
    return tops


def merge(held: dict, changed: list[dict]) -> dict:
    """What a whole ListCatalog would return now (normalized), from the held read and the changes."""
    tops = normalize(held["objects"])
    deleted: set[str] = set()
    for obj in changed:
        if obj.get("type") in CHILDREN:
            continue
        ident = _ident(obj)
        if obj.get("is_deleted") is True:
            tops.pop(ident, None)
            deleted.add(ident)
            continue
        _not_older(tops.get(ident), obj)
        tops[ident] = obj
    for obj in changed:
        if obj.get("type") not in CHILDREN:
            continue
        if _parent_id(obj) in deleted:
            continue  # its item or list is gone, and with it every nested copy
        if obj.get("is_deleted") is True:
            _remove_child(tops, obj)
        else:
            _place(tops, obj, orphan_ok=False)
    return {**{k: v for k, v in held.items() if k != "objects"}, "objects": Normalized(tops.values())}


def _ident(obj: dict) -> str:
    ident = obj.get("id")
    if not isinstance(ident, str) or not ident:
        raise Doubt("a changed object without an id")
    return ident


def _not_older(known: dict | None, obj: dict) -> None:
    held, new = (o.get("version") if o else None for o in (known, obj))
    if isinstance(held, int) and (not isinstance(new, int) or new < held):
        raise Doubt(f"{obj.get('type')} {obj.get('id')!r} came back older than the copy held (version {new} < {held})")


def _parent_id(child: dict) -> str | None:
    payload, field, _, _ = CHILDREN[str(child.get("type"))]
    parent = (child.get(payload) or {}).get(field) if isinstance(child.get(payload), dict) else None
    return parent if isinstance(parent, str) else None


def _nested(parent: dict, kind: str) -> list:
    _, _, payload, field = CHILDREN[kind]
    data = parent.get(payload)
    inner = data.get(field) if isinstance(data, dict) else None
    return inner if isinstance(inner, list) else []


def _with_nested(parent: dict, kind: str, nested: list) -> dict:
    """A copy of ``parent`` whose nested list is ``nested`` (the held read is never changed in place)."""
    _, _, payload, field = CHILDREN[kind]
    return {**parent, payload: {**parent[payload], field: nested}}


def _place(tops: dict[str, dict], child: dict, orphan_ok: bool) -> None:
    """Put a live variation or modifier into its item's or list's nested copy, where the id is."""
    ident, kind = _ident(child), str(child["type"])
    parent_id = _parent_id(child)
    parent = tops.get(parent_id) if parent_id else None
    nested = _nested(parent, kind) if parent is not None else []
    at = next((k for k, c in enumerate(nested) if isinstance(c, dict) and c.get("id") == ident), None)
    if parent is None or at is None:
        if orphan_ok:  # a top-level copy no item lists: ListCatalog shows it so; keep it so
            tops.setdefault(f"{kind}:{ident}", child)
            return
        where = f"{kind} {ident!r}"
        raise Doubt(
            f"{where} names {parent_id!r}, which we do not hold" if parent is None else f"{where} is new to its parent"
        )
    held = nested[at]
    if isinstance(held.get("version"), int) and held["version"] >= (child.get("version") or 0):
        if child.get("version") != held["version"] and not orphan_ok:
            raise Doubt(f"{kind} {ident!r} came back older than the copy held")
        return
    assert parent_id is not None
    tops[parent_id] = _with_nested(parent, kind, [*nested[:at], child, *nested[at + 1 :]])


def _remove_child(tops: dict[str, dict], child: dict) -> None:
    ident, kind = _ident(child), str(child["type"])
    tops.pop(f"{kind}:{ident}", None)
    parent_id = _parent_id(child)
    parent = tops.get(parent_id) if parent_id else None
    if parent is not None:
        nested = _nested(parent, kind)
        kept = [c for c in nested if not (isinstance(c, dict) and c.get("id") == ident)]
        if len(kept) != len(nested):
            assert parent_id is not None
            tops[parent_id] = _with_nested(parent, kind, kept)
