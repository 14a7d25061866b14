"""Small helpers that load the example catalogs and change them the way a person editing YAML would."""

from __future__ import annotations

import copy

from reconciler.model.catalog import Catalog
from reconciler.yamlio.load import load_catalog
from tests.oracle import read_file

PIZZERIA_FILE = "catalogs/pizzeria.yaml"


def pizzeria() -> Catalog:
    return load_catalog(PIZZERIA_FILE)


def edit(catalog: Catalog, change) -> Catalog:
    """A copy of ``catalog`` after ``change(data)`` mutated its plain data."""
    data = catalog.model_dump()
    change(data)
    return Catalog.model_validate(data)


def edited(path: str, change) -> tuple[Catalog, dict]:
    """The catalog file ``path`` after ``change(data)``, twice: as reconcile loads it, and as the
    oracle reads the file (its own plain data), so expectations never come from reconcile's loader."""
    data = load_catalog(path).model_dump()
    change(data)
    plain = copy.deepcopy(read_file(path))
    change(plain)
    return Catalog.model_validate(data), plain


def dish(data: dict, dish_id: str) -> dict:
    return next(d for d in data["dishes"] if d["id"] == dish_id)


def section(data: dict, section_id: str) -> dict:
    return next(s for m in data["menus"] for s in m["sections"] if s["id"] == section_id)


def kinds(plan) -> list[tuple[str, str, str]]:
    return [(c.action, c.kind, c.id) for c in plan.changes]
