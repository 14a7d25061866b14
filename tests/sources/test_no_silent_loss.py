"""Nothing a diner would see is dropped without a note: a property of every importer.

For every POS fixture, every public sample and every Square API body, the objects a diner could
see are found by walking the raw JSON here (independently of the parsers), and each must be in
the catalog (``placed``, naming ids that the YAML holds) or in a note.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_file
from tests.sources.helpers import FIXTURES, POS_FIXTURES, SAMPLES

SQUARE_VISIBLE = {"ITEM", "ITEM_VARIATION", "CATEGORY", "MODIFIER_LIST", "MODIFIER"}
CASES = (
    [("square", p) for p in sorted(SAMPLES.glob("*.json"))]
    + [("square", p) for p in sorted((FIXTURES / "square-shapes").glob("*.json"))]
    + [("square", POS_FIXTURES / "square-catalog.json")]
    + [("toast", POS_FIXTURES / "toast-menus.json"), ("clover", POS_FIXTURES / "clover-inventory.json")]
)


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def square_objects(value: object) -> Iterator[tuple[str, bool]]:
    """(id, deleted) of every ITEM, ITEM_VARIATION, CATEGORY, MODIFIER_LIST, MODIFIER anywhere."""
    if isinstance(value, list):
        for inner in value:
            yield from square_objects(inner)
    elif isinstance(value, dict):
        keys = {_snake(k): k for k in value if isinstance(k, str)}
        kind = value.get("type") or next(
            (k[: -len("_data")].upper() for k in keys if k.endswith("_data") and k != "custom_attribute_data"), None
        )
        if kind in SQUARE_VISIBLE and isinstance(value.get("id"), str):
            yield value["id"], bool(value.get(keys.get("is_deleted", "is_deleted")))
        for inner in value.values():
            yield from square_objects(inner)


def toast_objects(doc: dict) -> Iterator[str]:
    def groups(group: dict) -> Iterator[str]:
        yield group["guid"]
        for item in group.get("menuItems") or []:
            yield item["guid"]
        for sub in group.get("menuGroups") or []:
            yield from groups(sub)

    for menu in doc["menus"]:
        yield menu["guid"]
        for group in menu.get("menuGroups") or []:
            yield from groups(group)
    for key in ("modifierGroupReferences", "modifierOptionReferences"):
        yield from (entry["guid"] for entry in (doc.get(key) or {}).values())


def clover_objects(doc: dict) -> Iterator[str]:
    for key in ("items", "categories", "modifier_groups"):
        for entry in doc.get(key, {}).get("elements", []):
            if not entry.get("deleted") and not entry.get("deletedTime"):  # tombstones
                yield entry["id"]
            for modifier in (entry.get("modifiers") or {}).get("elements", []):
                yield modifier["id"]


def visible_objects(pos: str, raw: object) -> set[str]:
    if pos == "square":
        seen = list(square_objects(raw))
        deleted = {ident for ident, gone in seen if gone}
        return {ident for ident, _ in seen} - deleted
    if pos == "toast":
        docs = raw if isinstance(raw, list) else [raw]
        return {g for doc in docs for g in toast_objects(doc)}
    assert isinstance(raw, dict)
    return set(clover_objects(raw))


@pytest.mark.parametrize(("pos", "path"), CASES, ids=[f"{pos}:{Path(p).name}" for pos, p in CASES])
def test_every_object_a_diner_would_see_is_in_the_yaml_or_in_a_note(pos, path):
    raw = json.loads(Path(path).read_text())
    output = import_from_file(pos, path, ImportOptions(currency="USD"))
    catalog = output.result.catalog
    ids = {d.id for d in catalog.dishes} | {v.id for v in catalog.variations} | {g.id for g in catalog.option_groups}
    ids |= {m.id for m in catalog.menus} | {s.id for m in catalog.menus for s in m.sections}
    noted = {n.object_id for n in output.notes}
    expected = visible_objects(pos, raw)
    assert expected, "the walk found nothing: the oracle is broken"
    lost = sorted(o for o in expected if o not in noted and not set(output.result.placed.get(o, ())) & ids)
    assert lost == []
    for pos_id, made in output.result.placed.items():
        for catalog_id in made:
            assert catalog_id in output.text, f"{pos_id} -> {catalog_id} is not in the YAML"


def test_an_object_nothing_imports_gets_a_note_of_its_own():
    raw = {
        "objects": [
            {
                "type": "MODIFIER_LIST",
                "id": "L1",
                "modifier_list_data": {
                    "name": "Sauces",
                    "modifiers": [{"type": "MODIFIER", "id": "M1", "modifier_data": {"name": "Aioli"}}],
                },
            },
            {"type": "CATEGORY", "id": "C1", "category_data": {"name": "Empty"}},
        ]
    }
    from reconciler.sources.registry import get_source

    result = get_source("square").translate(raw, ImportOptions(currency="USD"))
    notes = {(n.object_id, n.reason) for n in result.notes}
    assert ("L1", "no imported item offers this modifier list") in notes
    assert ("M1", "not imported with its modifier list L1") in notes
    assert result.placed["C1"]  # an empty category is still a section
