"""The serve config: what it means, and every mistake reported at once with file:line:column."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.redact import Redactor
from reconciler.serve.config import ServeConfigInvalid, load_config, parse_duration, shorthand
from reconciler.serve.secrets import account_of, catalog_environ, missing, secret_values
from reconciler.targets.registry import TARGETS
from tests.support.emulator_server import REPO_ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "serve"


def problems(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "serve.yaml"
    path.write_text(text)
    with pytest.raises(ServeConfigInvalid) as caught:
        load_config(path)
    return [line.replace(str(path), "serve.yaml") for line in caught.value.render().splitlines()]


def test_the_example_config():
    config = load_config(FIXTURES / "serve.yaml")
    downtown, harbour = config.catalogs
    assert (config.host, config.port, config.workers, config.shutdown_grace) == ("127.0.0.1", 8787, 2, 20.0)
    assert config.state_dir == str(FIXTURES / "state")  # relative to the config file, not the working directory
    assert downtown.catalog == str(FIXTURES / "catalogs" / "downtown.yaml")
    assert (downtown.source, downtown.account, downtown.pos_location, downtown.target, downtown.location) == (
        "square",
        "ML1JH8P4XX72D",
        "L8GX7T9Z1Y0QW",
        "wix-v3",
        "Downtown",
    )
    assert (downtown.unsafe, downtown.debounce, downtown.max_wait, downtown.interval) == ("hold", 2.0, 30.0, 1800.0)
    assert (harbour.unsafe, harbour.debounce, harbour.max_wait, harbour.interval) == ("apply", 0.5, 10.0, 0.0)
    assert harbour.safety.max_update_share == 0.5 and harbour.currency == "USD"


def test_every_problem_of_the_broken_example_is_located():
    with pytest.raises(ServeConfigInvalid) as caught:
        load_config(FIXTURES / "broken.yaml")
    file = str(FIXTURES / "broken.yaml")
    assert caught.value.render().splitlines() == [
        f"{file}:2:1: port: input should be less than or equal to 65535",
        f"{file}:4:5: catalogs[0].name: must be lower-case letters, digits, - and _ (it names files and log entries)",
        f"{file}:5:5: catalogs[0].source: must be one of 'square', 'toast', 'clover'",
        f'{file}:7:5: catalogs[0].debounse: unknown field "debounse"; did you mean "debounce"?',
        f"{file}:8:5: catalogs[0].interval: 'soon' is not a duration such as 2s, 500ms or 5m",
        f'{file}:12:5: catalogs[1].access_token: "access_token" looks like a secret; secrets come from the '
        "environment only, never from the config file (see docs/serve.md for the variable names)",
        f"{file}:14:7: catalogs[1].env.SQUARE_ACCESS_TOKEN: must be an environment variable name (A-Z, 0-9, _)",
    ]
    assert "tok-very-secret-value" not in caught.value.render()


def test_cross_field_rules(tmp_path):
    assert problems(
        "catalogs:\n"
        "  - {name: a, source: square, catalog: a.yaml}\n"
        "  - name: a\n"
        "    source: toast\n"
        "    catalog: b.yaml\n"
        "    env: {TOAST_ACCESS_TOKEN: T2, SQUARE_ACCESS_TOKEN: X}\n",
        tmp_path,
    ) == [
        'serve.yaml:3:5: catalogs[1].name: catalog name "a" is already used by catalogs[0]',
        'serve.yaml:6:35: catalogs[1].env.SQUARE_ACCESS_TOKEN: "SQUARE_ACCESS_TOKEN" is not a toast or Wix '
        "variable; expected one of TOAST_ACCESS_TOKEN, TOAST_API_BASE_URL, TOAST_RESTAURANT_GUID, "
        "TOAST_WEBHOOK_SECRET, WIX_ACCESS_TOKEN, WIX_API_BASE_URL, WIX_API_KEY, WIX_SITE_ID",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "catalogs: [\n",
            ["serve.yaml:2:1: YAML syntax error: while parsing a flow node: did not find expected node content"],
        ),
        ("- a\n- b\n", ["serve.yaml:1:1: the config must be a mapping (catalogs:, host:, ...)"]),
        ("host: 127.0.0.1\n", ['serve.yaml:1:1: catalogs: missing required field "catalogs"']),
        ("catalogs: []\n", ["serve.yaml:1:1: catalogs: list should have at least 1 item after validation, not 0"]),
        (
            "catalogs:\n  - name: a\n    source: square\n",
            ['serve.yaml:2:5: catalogs[0].catalog: missing required field "catalog"'],
        ),
        (
            "catalogs:\n  - {name: a, source: square, catalog: a.yaml, target: wix}\n",
            ["serve.yaml:2:48: catalogs[0].target: must be one of " + ", ".join(repr(t) for t in TARGETS)],
        ),
        (
            "catalogs:\n  - {name: a, source: square, catalog: a.yaml, unsafe: force}\n",
            ["serve.yaml:2:48: catalogs[0].unsafe: must be one of 'hold' or 'apply'"],
        ),
        (
            "catalogs:\n  - {name: a, source: toast, catalog: a.yaml, currency: usd}\n",
            ["serve.yaml:2:47: catalogs[0].currency: must be an ISO 4217 code such as USD"],
        ),
        (
            "catalogs:\n  - {name: a, source: square, catalog: a.yaml}\ncatalogs: []\n",
            ["serve.yaml:3:1: catalogs: key repeated (first at line 1); only one is allowed"],
        ),
        (
            "wix_api_key: abc\ncatalogs:\n  - {name: a, source: square, catalog: a.yaml}\n",
            [
                'serve.yaml:1:1: wix_api_key: "wix_api_key" looks like a secret; '
                "secrets come from the environment only, never from the config file "
                "(see docs/serve.md for the variable names)"
            ],
        ),
        (
            "catalogs:\n  - {name: a, source: square, catalog: a.yaml, safety: {max_update_share: 2}}\n",
            ["serve.yaml:2:57: catalogs[0].safety.max_update_share: input should be less than or equal to 1"],
        ),
    ],
    ids=[
        "syntax",
        "not-a-mapping",
        "no-catalogs",
        "empty-catalogs",
        "missing-field",
        "target",
        "unsafe",
        "currency",
        "duplicate-key",
        "secret-at-top",
        "safety-range",
    ],
)
def test_single_mistakes(text, expected, tmp_path):
    assert problems(text, tmp_path) == expected


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(ServeConfigInvalid) as caught:
        load_config(tmp_path / "nope.yaml")
    assert "nope.yaml: cannot be read" in caught.value.render()


@pytest.mark.parametrize(
    "text, seconds",
    [
        (2, 2.0),
        (0.25, 0.25),
        ("500ms", 0.5),
        ("2s", 2.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("off", 0.0),
        ("0", 0.0),
        (" 3 s ", 3.0),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-1", True, "2d", ""])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_shorthand_builds_one_catalog_named_after_its_pos(tmp_path):
    config = shorthand("clover", str(tmp_path / "menu.yaml"), "wix-v3", "Main St", debounce="250ms", unsafe="apply")
    [only] = config.catalogs
    assert (only.name, only.source, only.catalog, only.target, only.location, only.debounce, only.unsafe) == (
        "clover",
        "clover",
        str(tmp_path / "menu.yaml"),
        "wix-v3",
        "Main St",
        0.25,
        "apply",
    )
    assert shorthand("square", "m.yaml").catalogs[0].target == "sandbox"
    with pytest.raises(ConfigError, match="--debounce: 'often' is not a duration"):
        shorthand("square", "m.yaml", debounce="often")


def test_environment_overrides_and_accounts():
    config = load_config(FIXTURES / "serve.yaml")
    downtown, harbour = config.catalogs
    environ = {
        "SQUARE_ACCESS_TOKEN": "sq-token",
        "SQUARE_WEBHOOK_SIGNATURE_KEY": "sq-key",
        "TOAST_ACCESS_TOKEN": "generic",
        "TOAST_ACCESS_TOKEN_HARBOUR": "harbour-token",
        "TOAST_RESTAURANT_GUID": "from-env",
        "UNRELATED": "x",
    }
    assert catalog_environ(harbour, environ) == {
        "TOAST_ACCESS_TOKEN": "harbour-token",
        "TOAST_RESTAURANT_GUID": harbour.account,
    }
    assert catalog_environ(downtown, environ) == {
        "SQUARE_ACCESS_TOKEN": "sq-token",
        "SQUARE_WEBHOOK_SIGNATURE_KEY": "sq-key",
    }
    assert account_of(harbour, environ) == harbour.account
    assert account_of(shorthand("toast", "m.yaml").catalogs[0], environ) == "from-env"
    assert account_of(shorthand("square", "m.yaml").catalogs[0], environ) is None  # any merchant


def test_missing_environment_is_named_never_shown():
    config = load_config(FIXTURES / "serve.yaml")
    assert missing(config, {"SQUARE_ACCESS_TOKEN": "t", "TOAST_ACCESS_TOKEN": "not-the-harbour-one"}) == [
        "SQUARE_WEBHOOK_SIGNATURE_KEY",
        "SQUARE_WEBHOOK_URL",
        "WIX_ACCESS_TOKEN (or WIX_API_KEY and WIX_SITE_ID)",
        "TOAST_ACCESS_TOKEN_HARBOUR",
        "TOAST_WEBHOOK_SECRET",
    ]
    full = {
        "SQUARE_ACCESS_TOKEN": "t1",
        "SQUARE_WEBHOOK_SIGNATURE_KEY": "k1",
        "SQUARE_WEBHOOK_URL": "https://x/h",
        "TOAST_ACCESS_TOKEN_HARBOUR": "t2",
        "TOAST_WEBHOOK_SECRET": "k2",
        "WIX_API_KEY": "wk",
        "WIX_SITE_ID": "s",
    }
    assert missing(config, full) == []
    redact = Redactor(secret_values(config, {**full, "WIX_API_KEY": "wix-key-1234"}))
    assert redact("token t1 and wix-key-1234 in https://x/h") == "token t1 and *** in https://x/h"  # short ones stay


@pytest.mark.e2e
def test_cli_reports_config_problems_with_file_and_line():
    """The real command line, as a user runs it: exit 1 and every located problem on stderr."""
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "reconciler.cli.main",
            "serve",
            "--config",
            str(FIXTURES / "broken.yaml"),
            "--check",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 1, process.stderr
    assert f"{FIXTURES / 'broken.yaml'}:7:5: catalogs[0].debounse: unknown field" in process.stderr
    assert "tok-very-secret-value" not in process.stderr + process.stdout
