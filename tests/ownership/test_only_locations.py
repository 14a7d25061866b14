"""`--only` and `--exclude` with several locations: each location's plan keeps the same entities' changes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import cli

CHAIN = "catalogs/chain.yaml"


def test_only_targets_every_location_alike_and_apply_writes_nothing_else(tmp_path):
    state, path = tmp_path / "state", tmp_path / "chain.yaml"
    text = Path(CHAIN).read_text(encoding="utf-8")
    path.write_text(text)
    runner = CliRunner()
    where = ["--state-dir", str(state), "--location", "all"]
    assert runner.invoke(cli, ["apply", str(path), "--auto-approve", *where]).exit_code == 0
    # Two edits of the base: margherita's description and carbonara's price reach every location.
    edited = text.replace("San Marzano tomato, fior di latte, basil.", "San Marzano tomato, basil.")
    edited = edited.replace('  - id: carbonara\n    name: Carbonara\n', '  - id: carbonara\n    name: Carbonara!\n')
    assert edited != text
    path.write_text(edited)
    plan = runner.invoke(cli, ["plan", str(path), "--only", "dish:margherita", "--format", "json", *where])
    assert plan.exit_code == 0, plan.output
    site = json.loads(plan.output)
    keys = {entry["location"]: [(c["kind"], c["id"]) for c in entry["plan"]["changes"]] for entry in site["locations"]}
    assert keys == {
        "Downtown": [("dish", "margherita")],
        "Airport": [("dish", "margherita")],
        "Campus": [("dish", "margherita")],
    }
    excluded = runner.invoke(cli, ["plan", str(path), "--exclude", "dish:margherita", "--format", "json", *where])
    for entry in json.loads(excluded.output)["locations"]:
        assert [(c["kind"], c["id"]) for c in entry["plan"]["changes"]] == [("dish", "carbonara")]
    done = runner.invoke(cli, ["apply", str(path), "--only", "dish:margherita", "--auto-approve", *where])
    assert done.exit_code == 0, done.output
    after = runner.invoke(cli, ["plan", str(path), "--format", "json", *where])
    for entry in json.loads(after.output)["locations"]:  # what was left out is still to do, and only that
        assert [(c["kind"], c["id"]) for c in entry["plan"]["changes"]] == [("dish", "carbonara")], entry["location"]


def test_a_dangling_reference_is_still_refused_per_location(tmp_path):
    state, path = tmp_path / "state", tmp_path / "chain.yaml"
    text = Path(CHAIN).read_text(encoding="utf-8")
    path.write_text(text)
    runner = CliRunner()
    where = ["--state-dir", str(state), "--location", "all"]
    assert runner.invoke(cli, ["apply", str(path), "--auto-approve", *where]).exit_code == 0
    added = text.replace("          - pesto\n", "          - pesto\n          - lasagna\n", 1)
    added = added.replace(
        "dishes:\n  - id: margherita",
        'dishes:\n  - id: lasagna\n    name: Lasagna\n    price: "14.00"\n  - id: margherita',
        1,
    )
    path.write_text(added)
    refused = runner.invoke(cli, ["plan", str(path), "--only", "section:pasta", *where])
    assert refused.exit_code == 1 and "lasagna" in refused.output, refused.output
