"""The saved plan's format: its committed schema is current, real plans follow it, other versions
and broken files are refused with a message that says why."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from reconciler.canonical import sha256
from reconciler.engine.journal import plan_text
from reconciler.engine.planfile import PLAN_VERSION, dumps_document, from_json, schema_text, to_json
from reconciler.errors import PlanFileInvalid
from tests.catalog_edits import dish, edit, pizzeria
from tests.engine.harness import Harness

SCHEMA = Path("schemas/plan.schema.json")


def resealed(data: dict) -> str:
    """A plan file whose checksum matches its (edited) content, as a careful forger would write it."""
    body = {k: v for k, v in data.items() if k != "checksum"}
    return json.dumps({**body, "checksum": "sha256:" + sha256(body)})


@pytest.fixture(scope="module", params=["v3", "menus"])
def plans(request, tmp_path_factory) -> list:
    """A create, an update and a removal on each target: every shape of change and call."""
    h = Harness(tmp_path_factory.mktemp(request.param), api=request.param)
    created = h.plan(pizzeria())
    h.apply(created)
    updated = h.plan(edit(pizzeria(), lambda d: dish(d, "margherita").update(price="12.00")))
    without = h.plan(edit(pizzeria(), lambda d: d["menus"][0]["sections"].pop()))
    return [created, updated, without]


def test_committed_schema_is_current():
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "schemas/plan.schema.json is stale: run `reconcile schema --plan > schemas/plan.schema.json`"
    )


def test_real_plans_follow_the_committed_schema(plans):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for plan in plans:
        jsonschema.validate(json.loads(to_json(plan)), schema)
        assert from_json(to_json(plan)) == plan


def test_a_plan_file_has_the_bytes_of_the_json_module(plans):
    """orjson writes plan files (and journals them); the bytes stay those the json module gives."""
    for plan in plans:
        document = json.loads(to_json(plan))
        assert to_json(plan) == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    odd = {"b": [1, {"z": "é", "a": None}], "a": {1: "non-string key"}, "c": 2**70}
    assert dumps_document(odd) == json.dumps(odd, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_the_journal_holds_the_document_of_the_plan_file_as_its_seal_made_it(plans):
    """The journal writes the bytes the seal hashed (compact); the same document as the plan file."""
    for plan in plans:
        journaled = plan_text(plan)
        assert journaled != to_json(plan) and json.loads(journaled) == json.loads(to_json(plan))
        assert from_json(journaled) == plan
        changed = replace(plan, notes=(*plan.notes, "edited after the seal"))  # a new object: no seal's bytes
        assert plan_text(changed) == to_json(changed)


def test_the_schema_refuses_unknown_keys_missing_keys_and_other_versions(plans):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = json.loads(to_json(plans[1]))
    for broken in (
        {**data, "colour": "red"},
        {k: v for k, v in data.items() if k != "revisions"},
        {**data, "version": PLAN_VERSION - 1},
        {**data, "changes": [{**data["changes"][0], "action": "rename"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_plan_is_refused_naming_its_version_and_ours(plans, version):
    data = json.loads(to_json(plans[0]))
    with pytest.raises(PlanFileInvalid) as refused:
        from_json(resealed({**data, "version": version}), "old.json")
    message = str(refused.value)
    assert f"old.json is a plan of format version {version}" in message
    assert f"this reconcile reads version {PLAN_VERSION}" in message
    assert "reconcile plan --out" in message


def test_a_plan_without_a_version_is_refused_as_such(plans):
    data = {k: v for k, v in json.loads(to_json(plans[0])).items() if k != "version"}
    with pytest.raises(PlanFileInvalid, match="format no version; this reconcile reads version"):
        from_json(resealed(data), "plan.json")


def test_a_resealed_plan_that_breaks_the_format_names_every_broken_field(plans):
    data = json.loads(to_json(plans[1]))
    data["operations"][0]["step"] = "first"
    data["changes"][0]["kind"] = "pizza"
    with pytest.raises(PlanFileInvalid) as refused:
        from_json(resealed(data), "plan.json")
    message = str(refused.value)
    assert "does not follow the plan format" in message
    assert "operations.0.step" in message and "changes.0.kind" in message


def test_an_edited_plan_is_refused_by_its_checksum(plans):
    text = to_json(plans[1]).replace('"12.00"', '"1.00"')
    with pytest.raises(PlanFileInvalid, match="checksum does not match"):
        from_json(text, "plan.json")


def test_reconcile_schema_plan_prints_the_committed_schema():
    from click.testing import CliRunner

    from reconciler.cli.main import cli

    printed = CliRunner().invoke(cli, ["schema", "--plan"])
    assert printed.exit_code == 0 and printed.output == SCHEMA.read_text(encoding="utf-8")
    assert CliRunner().invoke(cli, ["schema", "--plan", "--part"]).exit_code == 1  # a usage error, never 2
