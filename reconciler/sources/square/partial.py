"""The changed Square items alone, as held and as now, for serve's incremental translation (sources/splice.py).

Both reads are normalized as the incremental read holds them (:func:`.changes.normalize`: variations
and modifiers nested in their item or list) and compared object by object. Only changed ITEMs (with
their nested variations) are cut out: each read of them alone carries every other object the
translation of an item may look at (categories, modifier lists with their modifiers, taxes, item
options) and the images the items name, so it translates them as the whole read does. Anything else
changed (a category, a modifier list, a tax, an item made or deleted, a loose variation) may reach
other dishes: the whole read is translated, and the reason returned says so.
"""

from __future__ import annotations

from typing import Any

from reconciler.sources.splice import Partial
from reconciler.sources.square.changes import CHILDREN, Doubt, Normalized, normalize

PLACE = ("name", "categories", "category_id")  # what a dish's place in its sections is ordered by
MOST = 50  # more changed items than this: a whole translation is about as quick, and simpler


def partial_reads(held: Any, raw: Any) -> Partial | str:
    """The changed items of ``raw`` against ``held`` as two small reads, or why the whole must be translated."""
    if not isinstance(held, dict) or not isinstance(raw, dict):
        return "no Square read held"
    try:
        old, new = _tops(_objects(held)), _tops(_objects(raw))
    except Doubt as exc:
        return str(exc)
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) is not new.get(k) and old.get(k) != new.get(k))
    for ident in changed:
        why = _why_not(ident, old.get(ident), new.get(ident))
        if why:
            return why
    if len(changed) > MOST:
        return f"{len(changed)} items changed (more than {MOST})"
    own = frozenset(i for k in changed for i in (k, *_variation_ids(old[k]), *_variation_ids(new[k])))
    context = [o for k, o in new.items() if o.get("type") not in ("ITEM", "IMAGE")]
    rest = {k: v for k, v in raw.items() if k != "objects"}

    def alone(tops: dict[str, dict]) -> dict[str, Any]:
        items = [tops[k] for k in changed]
        images = {i for item in items for i in _image_ids(item)}
        return {**rest, "objects": [*context, *(tops[i] for i in sorted(images) if i in tops), *items]}

    names = ", ".join(repr(k) for k in changed[:3]) + (" …" if len(changed) > 3 else "")
    return Partial(alone(old), alone(new), own, f"{len(changed)} item(s) translated alone ({names})" if changed else "")


def _tops(objects: list[Any]) -> dict[str, dict]:
    """Top-level objects by id, normalized. A read the incremental read merged is already (the
    objects its merge kept are the very objects held, so most compare by identity); only a whole
    read, with its top-level copies of variations, is normalized again."""
    if isinstance(objects, Normalized):
        return normalize(objects)
    tops: dict[str, dict] = {}
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") in CHILDREN or not isinstance(obj.get("id"), str):
            return normalize(objects)
        tops[obj["id"]] = obj
    return tops


def _objects(read: dict) -> list[Any]:
    objects = read.get("objects")
    if not isinstance(objects, list):
        raise Doubt("a read without objects")
    return objects


def _why_not(ident: str, old: dict | None, new: dict | None) -> str | None:
    kind = (new or old or {}).get("type")
    if old is None or new is None:
        return f"{kind} {ident!r} {'made' if old is None else 'deleted'}"
    if kind != "ITEM" or old.get("type") != "ITEM":
        return f"{kind} {ident!r} changed (it may reach other dishes)"
    if any(_data(old).get(key) != _data(new).get(key) for key in PLACE):
        return f"ITEM {ident!r} renamed or moved (the order of its sections)"
    return None


def _data(item: dict) -> dict:
    data = item.get("item_data")
    return data if isinstance(data, dict) else {}


def _variation_ids(item: dict) -> list[str]:
    nested = _data(item).get("variations")
    return (
        [v["id"] for v in nested if isinstance(v, dict) and isinstance(v.get("id"), str)]
        if isinstance(nested, list)
        else []
    )


def _image_ids(item: dict) -> list[str]:
    ids = _data(item).get("image_ids")
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []
