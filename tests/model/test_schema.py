"""The committed JSON Schema is current, and it accepts the examples and rejects broken input."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reconciler.schema import schema_text
from reconciler.yamlio.source import read


@pytest.mark.parametrize("part,file", [(False, "catalog.schema.json"), (True, "catalog-part.schema.json")])
def test_committed_schema_is_current(part, file):
    committed = Path("schemas", file).read_text(encoding="utf-8")
    assert committed == schema_text(part), f"schemas/{file} is stale: run `reconcile schema > schemas/{file}`"


@pytest.mark.parametrize("example", sorted(Path("catalogs").glob("*.yaml")))
def test_examples_validate_against_the_schema(example):
    schema = json.loads(schema_text())
    located, problems = read(example.read_text(encoding="utf-8"), str(example))
    assert not problems
    jsonschema.validate(located.data, schema)
    assert example.read_text().startswith("# yaml-language-server: $schema=../schemas/catalog.schema.json")


def test_schema_rejects_float_prices_and_unknown_fields():
    schema = json.loads(schema_text())
    base = {"currency": "USD", "dishes": [{"id": "d", "name": "D", "price": "1.00"}]}
    jsonschema.validate(base, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**base, "dishes": [{"id": "d", "name": "D", "price": 1.5}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**base, "colour": "red"}, schema)
