"""`reconcile import` through click, and end to end against a fake POS running as its own process."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli.import_cmd import import_command, register
from reconciler.yamlio.load import load_catalog
from tests.sources.helpers import POS_FIXTURES, SAMPLES

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "cli-secret-token"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(import_command, list(args), env=env)


def test_writes_valid_yaml_to_a_file_and_notes_to_stderr(tmp_path):
    out = tmp_path / "menu.yaml"
    result = run(
        "square", "--from-file", str(POS_FIXTURES / "square-catalog.json"), "-o", str(out), "--menu-name", "All day"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    catalog = load_catalog(out)
    assert catalog.menus[0].name == "All day"
    assert (
        "skipped: ITEM 'ITEM7GIFTCARD00000000001' (Gift card): product type GIFT_CARD is not a menu item"
        in result.stderr
    )
    assert "imported 1 menu(s), 3 section(s), 5 dish(es)" in result.stderr  # one priced on request


def test_yaml_goes_to_stdout_without_output_and_quiet_hides_notes():
    result = run("toast", "--from-file", str(POS_FIXTURES / "toast-menus.json"), "--currency", "usd", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("version: 1\ncurrency: USD\n")
    assert "skipped" not in result.stderr and "imported 2 menu(s)" in result.stderr


def test_location_flag_applies_per_location_prices():
    result = run("square", "--from-file", str(POS_FIXTURES / "square-catalog.json"), "--location", "LOC2")
    assert result.exit_code == 0
    assert 'price: "2.25"' in result.stdout and "in_stock: false" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["square"], "exactly one of --from-file FILE or --from-api"),
        (["square", "--from-file", "x.json", "--from-api"], "exactly one of"),
        (["square", "--from-file", "x.json", "--currency", "dollars"], "not an ISO 4217 code"),
        (["lightspeed", "--from-api"], "Invalid value for 'POS'"),
    ],
)
def test_usage_errors(args, message):
    from reconciler.cli.main import cli

    result = CliRunner().invoke(cli, ["import", *args])
    assert result.exit_code == 1 and message in result.stderr  # never 2: plan --detailed-exitcode's "changes"


def test_from_api_without_environment_names_the_variables():
    result = run("clover", "--from-api", env={"CLOVER_ACCESS_TOKEN": "", "CLOVER_MERCHANT_ID": ""})
    assert result.exit_code == 1
    assert "CLOVER_ACCESS_TOKEN, CLOVER_MERCHANT_ID" in result.stderr


def test_sample_needs_currency_and_then_imports():
    sample = str(SAMPLES / "square-orders-payments-sample-seed-data.json")
    failed = run("square", "--from-file", sample)
    assert failed.exit_code == 1 and "pass --currency" in failed.stderr and failed.stdout == ""
    assert run("square", "--from-file", sample, "--currency", "USD").exit_code == 0


def test_register_adds_the_import_command():
    import click

    @click.group()
    def cli() -> None:
        pass

    register(cli)
    assert cli.get_command(None, "import") is import_command


@pytest.mark.e2e
def test_end_to_end_against_a_fake_square_process(tmp_path):
    """The fake POS in its own process; import, change a price through it, import again: one line moves."""
    command = [
        sys.executable,
        "-m",
        "tests.support.fake_pos",
        "--pos",
        "square",
        "--data",
        str(POS_FIXTURES / "square-catalog.json"),
        "--port",
        "0",
        "--token",
        TOKEN,
        "--page-size",
        "5",
    ]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        env = {"SQUARE_ACCESS_TOKEN": TOKEN, "SQUARE_API_BASE_URL": url}
        first, second = tmp_path / "before.yaml", tmp_path / "after.yaml"
        assert run("square", "--from-api", "-o", str(first), env=env).exit_code == 0
        answer = httpx.post(f"{url}/_fake/price", json={"id": "VAR7BURGERDOUBLE00000001", "amount": 1150})
        assert answer.status_code == 200
        result = run("square", "--from-api", "-o", str(second), env=env)
        assert result.exit_code == 0, result.stderr
        counts = httpx.get(f"{url}/_fake/requests").json()["counts"]
        assert counts["/v2/catalog/list"] >= 6  # several pages, twice

        wrong = run("square", "--from-api", env={**env, "SQUARE_ACCESS_TOKEN": "not-" + TOKEN})
        assert wrong.exit_code == 1 and "HTTP 401" in wrong.stderr
        assert TOKEN not in wrong.stderr + wrong.stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    changed = [
        line
        for line in difflib.unified_diff(
            first.read_text().splitlines(), second.read_text().splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        '-      - {item: sq-VAR7BURGERDOUBLE00000001, price: "2.50"}',
        '+      - {item: sq-VAR7BURGERDOUBLE00000001, price: "3.00"}',
    ]
