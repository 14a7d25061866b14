"""The fleet file: every problem at once with file:line:column, secrets refused without their value,
the canonical form, the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.fleet.fmt import canonical_text
from reconciler.fleet.load import FleetInvalid, load_fleet
from reconciler.fleet.rollout import waves_for
from reconciler.fleet.schema import schema_text
from reconciler.yamlio.source import read
from tests.support.emulator_server import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "fleet.yaml"


def write(tmp_path: Path, text: str, catalog: bool = True) -> Path:
    if catalog:
        (tmp_path / "menu.yaml").write_text((REPO_ROOT / "catalogs" / "pizzeria.yaml").read_text())
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, check_catalogs: bool = False) -> list[str]:
    with pytest.raises(FleetInvalid) as caught:
        load_fleet(path, check_catalogs=check_catalogs)
    return caught.value.render().splitlines()


def test_the_example_is_valid_canonical_and_matches_the_schema():
    fleet = load_fleet(EXAMPLE, check_catalogs=True)
    assert [name for name, _ in fleet.file.waves()] == ["canary", "everyone"]
    text = EXAMPLE.read_text()
    assert canonical_text(text, str(EXAMPLE)) == (text, "")
    located, _ = read(text, str(EXAMPLE))
    jsonschema.validate(located.data, json.loads(schema_text()))
    assert text.startswith("# yaml-language-server: $schema=../schemas/fleet.schema.json")


def test_committed_schema_is_current():
    committed = (REPO_ROOT / "schemas" / "fleet.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), (
        "schemas/fleet.schema.json is stale: run `reconcile fleet schema > schemas/fleet.schema.json`"
    )


def test_every_problem_at_once_located(tmp_path):
    path = write(
        tmp_path,
        """version: 1
name: Chain
defaults:
  target: wix-menus
  credentials: {api_key_env: chain_key}
rollout:
  waves: [canary, canary]
sites:
  - site_id: a1
    catalog: menu.yaml
    wave: early
    colour: red
  - site_id: a1
    catalog: missing.yaml
  - catalog: menu.yaml
    locations: [Downtown, Downtown]
""",
    )
    found = problems(path)
    expected = [
        f"{path}:2:1: name: must be lower-case letters, digits, - and _",
        f"{path}:5:17: defaults.credentials.api_key_env: must be the NAME of an environment variable",
        f"{path}:12:5: sites[0].colour: unknown field \"colour\"",
        f"{path}:15:5: sites[2].site_id: missing required field \"site_id\"",
    ]
    for line in expected:
        assert any(f.startswith(line) for f in found), f"{line!r} not in:\n" + "\n".join(found)
    assert len(found) == len(expected), found  # model errors first; cross-field rules run on a valid model


def test_cross_field_rules_all_reported(tmp_path):
    path = write(
        tmp_path,
        """version: 1
name: chain
defaults:
  target: wix-menus
rollout:
  waves: [canary, canary]
sites:
  - site_id: a1
    catalog: menu.yaml
    wave: early
    credentials: {api_key_env: A_KEY, access_token_env: A_TOKEN}
  - site_id: a1
    catalog: missing.yaml
    credentials: {api_key_env: A_KEY}
    locations: [Downtown, Downtown]
""",
    )
    found = "\n".join(problems(path))
    for fragment in (
        f'{path}:6:19: rollout.waves[1]: wave "canary" is listed twice',
        f'{path}:10:5: sites[0].wave: unknown wave "early"; rollout.waves lists: canary, canary',
        f"{path}:11:5: sites[0].credentials: give api_key_env or access_token_env, not both",
        f'{path}:12:5: sites[1].site_id: site "a1" is already listed as sites[0]',
        f"{path}:13:5: sites[1].catalog: no such file or directory: missing.yaml",
        f"{path}:15:5: sites[1].locations: a location is listed twice",
    ):
        assert fragment in found, f"{fragment!r} not in:\n{found}"
    assert "the wix-menus target needs credentials" not in found  # both sites name some


def test_a_secret_in_the_file_is_refused_and_never_echoed(tmp_path):
    secret = "sk_live_5f3a9b0c1d2e"
    path = write(
        tmp_path,
        f"""version: 1
name: chain
defaults:
  credentials: {{api_key: {secret}}}
sites:
  - site_id: a1
    catalog: menu.yaml
    credentials: {{access_token_env: "{secret}"}}
""",
    )
    found = "\n".join(problems(path))
    assert '"api_key" looks like a secret' in found
    assert "sites[0].credentials.access_token_env: must be the NAME of an environment variable" in found
    assert secret not in found
    result = CliRunner().invoke(cli, ["fleet", "validate", str(path)])
    assert result.exit_code == 1 and secret not in result.output


def test_a_site_without_credentials_needs_them_unless_sandbox(tmp_path):
    path = write(tmp_path, "version: 1\nname: chain\nsites:\n  - site_id: a1\n    catalog: menu.yaml\n")
    assert "sites[0]: the wix-menus target needs credentials" in "\n".join(problems(path))
    path.write_text(
        "version: 1\nname: chain\ndefaults: {target: sandbox}\nsites:\n  - site_id: a1\n    catalog: menu.yaml\n"
    )
    assert load_fleet(path).file.sites[0].site_id == "a1"


def test_catalog_problems_are_reported_with_their_own_file(tmp_path):
    path = write(
        tmp_path,
        "version: 1\nname: chain\ndefaults: {target: sandbox}\nsites:\n  - site_id: a1\n    catalog: menu.yaml\n",
    )
    (tmp_path / "menu.yaml").write_text("version: 1\ncurrency: usd\nmenus: []\n")
    found = problems(path, check_catalogs=True)
    assert any(line.startswith(f"{tmp_path / 'menu.yaml'}:2:1: currency:") for line in found), found


def test_yaml_syntax_errors_and_repeated_keys(tmp_path):
    path = write(tmp_path, "version: 1\nname: chain\nname: again\nsites: [\n")
    found = problems(path)
    assert len(found) == 1 and "YAML syntax error" in found[0]
    path.write_text(
        "version: 1\nname: chain\nname: again\ndefaults: {target: sandbox}\n"
        "sites:\n  - {site_id: a, catalog: menu.yaml}\n"
    )
    assert problems(path) == [f"{path}:3:1: name: key repeated (first at line 2); only one is allowed"]


def test_fmt_is_canonical_idempotent_and_keeps_the_header(tmp_path):
    messy = """# Our chain's sites.
sites:
  - wave: canary
    catalog: menu.yaml
    site_id: a1
    locations:
      - Downtown
    credentials:
      access_token_env: A_TOKEN
name: chain
rollout: {waves: [canary, rest], max_failures: 0}
version: 1
defaults: {target: wix-menus}
"""
    path = write(tmp_path, messy)
    new, why = canonical_text(messy, str(path))
    assert why == ""
    assert (
        new
        == """# Our chain's sites.
version: 1
name: chain
rollout:
  waves: [canary, rest]
  max_failures: 0
sites:
  - site_id: a1
    catalog: menu.yaml
    locations: [Downtown]
    wave: canary
    credentials: {access_token_env: A_TOKEN}
"""
    )
    assert canonical_text(new, str(path)) == (new, "")
    runner = CliRunner()
    assert runner.invoke(cli, ["fleet", "fmt", "--check", str(path)]).exit_code == 1
    assert path.read_text() == messy, "--check changes nothing"
    assert runner.invoke(cli, ["fleet", "fmt", str(path)]).exit_code == 0
    assert path.read_text() == new


def test_fmt_refuses_to_drop_comments_in_the_body(tmp_path):
    text = (
        "version: 1\nname: chain  # our chain\ndefaults: {target: sandbox}\n"
        "sites:\n  - {site_id: a, catalog: menu.yaml}\n"
    )
    path = write(tmp_path, text)
    result = CliRunner().invoke(cli, ["fleet", "fmt", str(path)])
    assert result.exit_code == 1 and "comments on line(s) 2 would be lost" in result.output
    assert path.read_text() == text


def test_waves_and_thresholds(tmp_path):
    path = write(
        tmp_path,
        """version: 1
name: chain
defaults: {target: sandbox}
rollout:
  waves: [canary, rest]
  max_failure_share: 0.25
sites:
  - {site_id: a, catalog: menu.yaml, wave: canary}
  - {site_id: b, catalog: menu.yaml}
  - {site_id: c, catalog: menu.yaml}
  - {site_id: d, catalog: menu.yaml}
  - {site_id: e, catalog: menu.yaml}
""",
    )
    fleet = load_fleet(path)
    waves = waves_for(fleet.file, "apply")
    assert [(w.name, w.site_ids, w.allowed_failures) for w in waves] == [
        ("canary", ["a"], 0),
        ("rest", ["b", "c", "d", "e"], 1),
    ]
    assert [w.allowed_failures for w in waves_for(fleet.file, "apply", max_failures=3)] == [3, 3]
    assert [w.allowed_failures for w in waves_for(fleet.file, "plan")] == [None, None]
    assert [w.name for w in waves_for(fleet.file, "apply", only="rest")] == ["rest"]
