"""plan --refresh-only: live-side edits listed field by field, nothing planned to revert them, on both targets."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reconciler.engine.refresh import live_edits, render
from tests.catalog_edits import pizzeria
from tests.engine.harness import Harness


@pytest.fixture(params=["v3", "menus"])
def h(request, tmp_path):
    harness = Harness(tmp_path, api=request.param)
    harness.apply(pizzeria())
    return harness


def rename_live(h, dish_id: str, name: str) -> None:
    wix_id = h.plan(pizzeria()).ids[f"item:{dish_id}"]
    if h.api == "v3":
        h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": {"name": name}})
        return
    item = next(i for i in h.raw_site()["item"] if i["id"] == wix_id)
    body = {"id": wix_id, "revision": item["revision"], "name": name}
    for key in ("priceVariants", "priceInfo"):
        if key in item:
            body[key] = item[key]
    h.call("items.updateItem", "PATCH", f"/restaurants/menus-item/v1/items/{wix_id}", {"item": body})


def test_a_dashboard_edit_is_listed_as_written_then_live(h):
    assert live_edits(h.plan(pizzeria())) == []
    rename_live(h, "funghi", "Funghi (edited)")
    [edit] = live_edits(h.plan(pizzeria()))
    assert (edit.kind, edit.id) == ("dish", "funghi")
    assert [(f.path, f.before, f.after) for f in edit.fields] == [("name", "Funghi", "Funghi (edited)")]
    text = render([edit], "here")
    assert "dish funghi" in text and "'Funghi' → 'Funghi (edited)'" in text


def test_the_cli_lists_edits_writes_nothing_and_says_so_in_its_exit_code(tmp_path, monkeypatch):
    from reconciler.cli.main import cli

    state = tmp_path / "state"
    runner = CliRunner()
    catalog = "catalogs/pizzeria.yaml"
    assert runner.invoke(cli, ["apply", catalog, "--auto-approve", "--state-dir", str(state)]).exit_code == 0
    quiet = runner.invoke(cli, ["plan", catalog, "--refresh-only", "--detailed-exitcode", "--state-dir", str(state)])
    assert quiet.exit_code == 0 and "No live edits" in quiet.output


def test_history_shows_the_availability_layer(tmp_path):
    """An 86 and its end are in `reconcile history`, with source and expiry (text and JSON)."""
    import json

    from reconciler.cli.main import cli

    state = tmp_path / "state"
    runner = CliRunner()
    catalog = "catalogs/pizzeria.yaml"
    assert runner.invoke(cli, ["apply", catalog, "--auto-approve", "--state-dir", str(state)]).exit_code == 0
    done = runner.invoke(
        cli, ["86", catalog, "caesar", "--for", "2h", "--reason", "no lettuce", "--state-dir", str(state)]
    )
    assert done.exit_code == 0, done.output
    assert runner.invoke(cli, ["un86", catalog, "caesar", "--state-dir", str(state)]).exit_code == 0
    text = runner.invoke(cli, ["history", "--state-dir", str(state)]).output
    assert "availability  started  caesar 86'd until" in text and "by cli (no lettuce)" in text
    assert "availability  ended    caesar" in text
    data = json.loads(runner.invoke(cli, ["history", "--state-dir", str(state), "--format", "json"]).output)
    assert [(r["event"], r["source"]) for r in data["availability"]] == [("ended", "cli"), ("started", "cli")]
