"""The files that are not catalogs (fleet files, serve configs, the state directory) are read as carefully.

Found from outside after the catalog and the POS exports were bounded: a FIFO given as a fleet
file or a serve config blocked `fleet validate`, `fleet fmt` and `serve` forever, a fleet file of
invalid UTF-8 crashed `fleet fmt`, and a state directory that is a file crashed `history`. Each is
now refused like a bad catalog: one line that names the file and says why, exit 1, nothing changed.
"""

from __future__ import annotations

import os

import pytest

from tests.hostile.bounded import check, run, snapshot

pytestmark = pytest.mark.e2e

FLEET = "version: 1\nname: chain\ndefaults: {target: sandbox}\nsites:\n  - site_id: a1\n    catalog: menu.yaml\n"


@pytest.mark.parametrize(
    "command",
    [["fleet", "validate"], ["fleet", "fmt"], ["fleet", "plan"], ["serve", "--config"]],
    ids=["fleet validate", "fleet fmt", "fleet plan", "serve --config"],
)
def test_a_fifo_is_refused_not_waited_on(tmp_path, command):
    fifo = tmp_path / "file.yaml"
    os.mkfifo(fifo)
    result = check(run([*command, str(fifo)], cwd=tmp_path, timeout=60))
    assert "file.yaml: is a FIFO (named pipe); only regular files are read" in result.output


@pytest.mark.parametrize("command", [["fleet", "validate"], ["fleet", "fmt"]])
def test_a_fleet_file_that_is_not_utf8_is_refused_with_its_line(tmp_path, command):
    fleet = tmp_path / "fleet.yaml"
    fleet.write_bytes(FLEET.encode() + b"# caf\xe9\n")
    before = snapshot([fleet])
    result = check(run([*command, str(fleet)], cwd=tmp_path))
    assert "fleet.yaml: is not UTF-8 text (byte 0xe9 on line 7); save it as UTF-8" in result.output
    assert snapshot([fleet]) == before


def test_a_serve_config_over_the_input_limit_names_the_variable(tmp_path):
    config = tmp_path / "serve.yaml"
    config.write_text("# " + "x" * (2 * 1024 * 1024) + "\n")
    result = check(run(["serve", "--config", str(config)], cwd=tmp_path, env={"RECONCILE_MAX_INPUT_MB": "1"}))
    assert "RECONCILE_MAX_INPUT_MB" in result.output


@pytest.mark.parametrize("command", [["history"], ["rollback"]], ids=["history", "rollback"])
def test_a_state_directory_that_is_a_file_is_a_clear_error(tmp_path, command):
    state = tmp_path / "state"
    state.write_text("not a directory\n")
    result = check(run(command, cwd=tmp_path, env={"RECONCILE_STATE_DIR": str(state)}))
    assert "state" in result.output and "internal error" not in result.output
    assert state.read_text() == "not a directory\n"
