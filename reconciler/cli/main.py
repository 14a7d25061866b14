"""The `reconcile` command line. Commands parse flags, make one call into the library, and print.

Only this package prints; library code logs and raises (see reconciler.errors for exit codes).
"""

from __future__ import annotations

import gc
import importlib
import sys

import click

from reconciler import __version__
from reconciler.errors import ReconcileError

# Each command, and the module whose register() adds it. A command's module is imported when the
# command runs, so `reconcile plan` does not load the POS sources, serve or fleets (about a third of
# its start-up). tests/test_cli_commands.py checks this table against what the modules register.
COMMANDS: dict[str, str] = {
    "validate": "reconciler.cli.catalog_cmds",
    "fmt": "reconciler.cli.catalog_cmds",
    "schema": "reconciler.cli.catalog_cmds",
    "show-effective": "reconciler.cli.catalog_cmds",
    "plan": "reconciler.cli.sync_cmds",
    "apply": "reconciler.cli.sync_cmds",
    "86": "reconciler.cli.availability_cmd",
    "un86": "reconciler.cli.availability_cmd",
    "show": "reconciler.cli.show_cmd",
    "rollback": "reconciler.cli.journal_cmds",
    "import": "reconciler.cli.import_cmd",
    "serve": "reconciler.cli.serve_cmd",
    "history": "reconciler.cli.serve_cmd",
    "emulator": "reconciler.cli.emulator_cmd",
    "fleet": "reconciler.cli.fleet_cmd",
}


def registered(module: str) -> dict[str, click.Command]:
    """The commands ``module``'s register() adds (each module registers itself explicitly)."""
    group = click.Group()
    importlib.import_module(module).register(group)
    return dict(group.commands)


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        return registered(module).get(cmd_name) if module else None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reconcile")
def cli() -> None:
    """Keep a restaurant's Wix menu in step with a desired-state catalog."""


def main() -> None:
    # Plans of large catalogs allocate hundreds of thousands of small objects that all live until
    # the end; the default collector thresholds rescan them constantly (a third of the run time
    # for 10,000 dishes). Collect far less often; a CLI run is short-lived.
    gc.set_threshold(100_000, 50, 100)
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ReconcileError as exc:
        render = getattr(exc, "render", None)
        click.echo(render() if render else f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
