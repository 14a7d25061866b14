"""The JSON Schema of the catalog YAML, for editors (yaml-language-server) and other tools.

Generated from the pydantic models, so it cannot drift from what the loader accepts; a test
compares it with the committed copy in schemas/.
"""

from __future__ import annotations

import json

from reconciler.model.catalog import Catalog, CatalogPart

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def catalog_schema(part: bool = False) -> dict:
    model = CatalogPart if part else Catalog
    schema = model.model_json_schema(mode="validation")
    schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://reconcile.dev/schemas/{'catalog-part' if part else 'catalog'}.schema.json",
        "title": "reconcile catalog part" if part else "reconcile catalog",
        "description": (
            "One file of a catalog split across a directory; lists are merged with the other files."
            if part
            else "The desired state of a restaurant's online menu (menus, sections, dishes, options)."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }
    return schema


def schema_text(part: bool = False) -> str:
    return json.dumps(catalog_schema(part), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
