"""The command table of `reconcile` (reconciler/cli/main.py) loads each command from the module that
registers it: every registered command is in the table, under its own module, and nothing else is."""

from __future__ import annotations

from click.testing import CliRunner

from reconciler.cli.main import COMMANDS, cli, registered


def test_the_table_names_exactly_what_the_modules_register():
    found = {name: module for module in sorted(set(COMMANDS.values())) for name in registered(module)}
    assert found == COMMANDS


def test_help_lists_every_command_and_each_one_loads():
    shown = CliRunner().invoke(cli, ["--help"])
    assert shown.exit_code == 0, shown.output
    listed = shown.output.split("Commands:", 1)[1]
    for name in COMMANDS:
        assert f"  {name} " in listed
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0


def test_an_unknown_command_is_a_usage_error():
    done = CliRunner().invoke(cli, ["plna"])
    assert done.exit_code != 0 and "No such command 'plna'" in done.output
