"""`reconcile serve` flags and `reconcile history` output, through click (no server started)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reconciler.cli.serve_cmd import history, register, serve
from reconciler.errors import ConfigError
from reconciler.serve.history import History, SyncRecord

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "serve"
SQUARE_ENV = {
    "SQUARE_ACCESS_TOKEN": "t-1234",
    "SQUARE_WEBHOOK_SIGNATURE_KEY": "k-1234",
    "SQUARE_WEBHOOK_URL": "https://menu.example.com/webhooks/square",
}


def run(command, *args: str, env: dict | None = None):
    return CliRunner().invoke(command, list(args), env=env)


def test_register_adds_serve_and_history():
    @click.group()
    def cli() -> None:
        pass

    register(cli)
    assert cli.commands == {"serve": serve, "history": history}


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "give either --config FILE or --source POS --catalog PATH"),
        (["--config", "x.yaml", "--source", "square"], "give either --config FILE or --source POS --catalog PATH"),
        (["--source", "square"], "--source needs --catalog PATH"),
        (
            ["--config", str(FIXTURES / "serve.yaml"), "--target", "wix-v3", "--debounce", "1s"],
            "--target, --debounce only go with --source; put them in the config file",
        ),
    ],
)
def test_usage_errors(args, message):
    from reconciler.cli.main import cli

    result = run(cli, "serve", *args)
    assert result.exit_code == 1 and message in result.output  # never 2: plan --detailed-exitcode's "changes"


def test_check_names_missing_variables_without_values(tmp_path):
    result = run(
        serve,
        "--source",
        "square",
        "--catalog",
        str(tmp_path / "m.yaml"),
        "--check",
        env={"SQUARE_ACCESS_TOKEN": "t-1234", "SQUARE_WEBHOOK_SIGNATURE_KEY": None, "SQUARE_WEBHOOK_URL": None},
    )
    assert isinstance(result.exception, ConfigError)
    assert "SQUARE_WEBHOOK_SIGNATURE_KEY, SQUARE_WEBHOOK_URL" in str(result.exception)
    assert "t-1234" not in str(result.exception)


def test_check_summarises_the_shorthand(tmp_path):
    result = run(
        serve,
        "--source",
        "square",
        "--catalog",
        str(tmp_path / "m.yaml"),
        "--debounce",
        "750ms",
        "--interval",
        "off",
        "--unsafe",
        "apply",
        "--port",
        "0",
        "--state-dir",
        str(tmp_path / "st"),
        "--check",
        env=SQUARE_ENV,
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"square: square account any -> {tmp_path / 'm.yaml'} -> sandbox location (the only one); unsafe plans: "
        "apply; debounce 0.75s; periodic off",
        f"state: {tmp_path / 'st'}; listen: 127.0.0.1:0",
    ]


def test_history_text_and_json(tmp_path):
    assert run(history, "--state-dir", str(tmp_path)).output == "No syncs recorded yet.\n"
    (tmp_path / "serve").mkdir()
    store = History(tmp_path / "serve" / "history.sqlite")
    store.record(
        SyncRecord(
            "main",
            1000.0,
            1001.5,
            ["webhook"],
            ["e1", "e2", "e3", "e4"],
            "applied",
            "Plan: 0 to create, 1 to update, 0 to archive",
        )
    )
    store.record(
        SyncRecord(
            "main",
            2000.0,
            2000.2,
            ["periodic"],
            ["periodic:2000"],
            "held",
            "Plan: 0 to create, 9 to update, 0 to archive (unsafe: held for review)",
            plan_file="/state/serve/held/main-x.json",
        )
    )
    store.record(
        SyncRecord(
            "other",
            3000.0,
            3001.0,
            ["webhook"],
            ["e9"],
            "failed",
            "PermanentApiError",
            error="Square ListCatalog: the POS API refused the request (HTTP 401)",
        )
    )
    store.close()

    text = run(history, "--state-dir", str(tmp_path)).output.splitlines()
    assert len(text) == 5
    assert "other  failed" in text[0]
    assert text[1] == "    Square ListCatalog: the POS API refused the request (HTTP 401)"
    assert "main  held" in text[2] and "[periodic: periodic:2000]" in text[2]
    assert text[3] == (
        "    held plan: /state/serve/held/main-x.json (review, then `reconcile apply --plan FILE --force`)"
    )
    assert "[webhook: e1, e2, e3 (+1)]  1.5s" in text[4]

    shown = json.loads(
        run(history, "--state-dir", str(tmp_path), "--catalog", "main", "--limit", "1", "--format", "json").output
    )
    assert shown["format"] == "reconcile-serve-history"
    [only] = shown["syncs"]
    assert (only["outcome"], only["events"], only["plan_file"]) == (
        "held",
        ["periodic:2000"],
        "/state/serve/held/main-x.json",
    )


def test_history_finds_the_state_directory_in_the_config(tmp_path):
    config = tmp_path / "serve.yaml"
    config.write_text("state_dir: here\ncatalogs:\n  - {name: a, source: square, catalog: a.yaml}\n")
    (tmp_path / "here" / "serve").mkdir(parents=True)
    History(tmp_path / "here" / "serve" / "history.sqlite").record(
        SyncRecord("a", 1.0, 2.0, ["startup"], ["startup:x"], "in-step")
    )
    assert "a  in-step" in run(history, "--config", str(config)).output
