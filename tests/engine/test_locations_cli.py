"""`reconcile plan|apply` with a catalog of several locations, on the sandbox: what they print and save."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from reconciler.canonical import sha256
from reconciler.cli.main import cli
from reconciler.errors import ExitCode, ReconcileError

CHAIN = "catalogs/chain.yaml"
SCHEMA = json.loads(Path("schemas/plan.schema.json").read_text(encoding="utf-8"))


def run(tmp_path: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--state-dir", str(tmp_path / "state")])


def exits(result) -> int:
    """The exit code the command line gives (a ReconcileError carries it; the CLI's main maps it)."""
    error = result.exception
    if isinstance(error, ReconcileError):
        return error.exit_code
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return result.exit_code


def text(result) -> str:
    return result.output + (str(result.exception) if isinstance(result.exception, ReconcileError) else "")


def test_plan_of_all_locations_groups_them_with_one_summary(tmp_path):
    result = run(tmp_path, "plan", CHAIN)
    assert exits(result) == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Plan for 3 locations (3 with changes): 49 to create, 0 to update, 0 to archive"
    assert [line.split()[0] for line in lines[3:6]] == ["Downtown", "Airport", "Campus"]
    assert [line for line in lines if line.startswith("── ")] == [
        line for line in lines if line.startswith("── ")
    ] and sum(line.startswith("── ") for line in lines) == 3
    assert "Plan checksum:" in lines[-1] and "(all locations)" in lines[-1]


def test_json_and_markdown_carry_the_same_structure(tmp_path):
    document = json.loads(run(tmp_path, "plan", CHAIN, "--format", "json").output)
    jsonschema.validate(document, SCHEMA)
    assert [e["location"] for e in document["locations"]] == ["Downtown", "Airport", "Campus"]
    assert document["summary"]["locations"] == 3 and document["summary"]["create"] == 49
    assert all(e["plan"]["target"]["location_name"] == e["location"] for e in document["locations"])
    markdown = run(tmp_path, "plan", CHAIN, "--format", "markdown").output
    assert markdown.startswith("### Plan for 3 locations")
    assert all(f"<summary>{name}</summary>" in markdown for name in ("Downtown", "Airport", "Campus"))
    assert "| Airport | Plan: 18 to create" in markdown


def test_one_location_of_a_chain_keeps_the_one_location_plan(tmp_path):
    result = run(tmp_path, "plan", CHAIN, "--location", "Airport", "--format", "json")
    document = json.loads(result.output)
    assert "locations" not in document and document["target"]["location_name"] == "Airport"
    jsonschema.validate(document, SCHEMA)
    dishes = {c["id"]: c for c in document["changes"] if c["kind"] == "dish"}
    assert "airport-panino" in dishes
    assert {f["path"]: f["after"] for f in dishes["margherita"]["fields"]}["price"] == "13.00"


def test_apply_all_prints_a_table_and_a_second_plan_is_empty(tmp_path):
    applied = run(tmp_path, "apply", CHAIN, "--auto-approve")
    assert exits(applied) == 0, applied.output
    table = applied.stdout.splitlines()[-5:]
    assert table[0].split()[:3] == ["Location", "Result", "Changes"]
    rows = [row.split()[:2] for row in table[1:4]]
    assert rows == [["Downtown", "applied"], ["Airport", "applied"], ["Campus", "applied"]]
    assert table[4].startswith("Applied 3, failed 0 (unchanged), skipped 0, no changes 0")
    assert run(tmp_path, "plan", CHAIN, "--detailed-exitcode").exit_code == 0


def test_a_saved_plan_of_several_locations_applies_and_is_refused_when_changed(tmp_path):
    out = tmp_path / "plan.json"
    run(tmp_path, "plan", CHAIN, "--location", "Downtown,Campus", "--out", str(out))
    data = json.loads(out.read_text())
    assert [e["location"] for e in data["locations"]] == ["Downtown", "Campus"]
    # A location's plan edited and the outer checksum forged: its own checksum still refuses it.
    forged = json.loads(out.read_text())
    forged["locations"][1]["plan"]["changes"][0]["name"] = "Edited"
    body = {k: v for k, v in forged.items() if k != "checksum"}
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps({**body, "checksum": "sha256:" + sha256(body)}))
    refused = run(tmp_path, "apply", "--plan", str(tampered), "--auto-approve")
    assert exits(refused) == ExitCode.PLAN_FILE_INVALID and 'location "Campus"' in text(refused)
    applied = run(tmp_path, "apply", "--plan", str(out), "--auto-approve", "--format", "json")
    result = json.loads(applied.stdout)
    assert result["summary"] == {"applied": 2, "failed": 0, "skipped": 0, "unchanged": 0}
    again = run(tmp_path, "plan", CHAIN, "--format", "json")
    changed = [e["location"] for e in json.loads(again.output)["locations"] if e["plan"]["changes"]]
    assert changed == ["Airport"]


def test_a_saved_plan_whose_location_moved_is_stale_there_only(tmp_path):
    run(tmp_path, "apply", CHAIN, "--auto-approve")
    edited = tmp_path / "chain.yaml"
    edited.write_text(Path(CHAIN).read_text().replace('price: "14.00"', 'price: "14.50"'))
    out = tmp_path / "plan.json"
    run(tmp_path, "plan", str(edited), "--out", str(out))
    # Someone changes the Airport after the plan was made.
    moved = tmp_path / "moved.yaml"
    moved.write_text(Path(CHAIN).read_text().replace('price: "9.00"', 'price: "9.90"'))
    run(tmp_path, "apply", str(moved), "--location", "Airport", "--auto-approve")
    applied = run(tmp_path, "apply", "--plan", str(out), "--auto-approve")
    assert exits(applied) == ExitCode.STALE_PLAN, applied.output
    rows = {row.split()[0]: row for row in applied.stdout.splitlines()[-4:-1]}
    assert "applied" in rows["Downtown"] and "applied" in rows["Campus"]
    assert "failed (unchanged)" in rows["Airport"] and "changed" in rows["Airport"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--location", "all", "catalogs/pizzeria.yaml"], "no `locations:` list"),
        (["--location", "Downtown,Uptown", CHAIN], 'no location named "Uptown"'),
    ],
)
def test_location_selections_that_cannot_work_are_refused(tmp_path, args, words):
    result = run(tmp_path, "plan", *args[2:], *args[:2])
    assert exits(result) == ExitCode.ERROR and words in text(result)


def test_canary_and_halt_after_need_a_catalog_of_several_locations(tmp_path):
    result = run(tmp_path, "apply", "catalogs/pizzeria.yaml", "--canary", "X", "--auto-approve")
    assert exits(result) == ExitCode.ERROR and "several locations" in text(result)
