"""The JSON Schema of the fleet file, generated from the model; tests compare it with schemas/fleet.schema.json."""

from __future__ import annotations

import json

from reconciler.fleet.model import FleetFile
from reconciler.schema import SCHEMA_DIALECT


def fleet_schema() -> dict:
    schema = FleetFile.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "https://reconcile.dev/schemas/fleet.schema.json",
        "title": "reconcile fleet",
        "description": "Wix sites kept in step by `reconcile fleet`: catalog, locations, wave and credential names.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(fleet_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
