"""The `reconcile` command line. Commands parse flags, make one call into the library, and print.

Only this package prints; library code logs and raises (see reconciler.errors for exit codes).
"""

from __future__ import annotations

import sys

import click

from reconciler import __version__
from reconciler.cli import catalog_cmds, sync_cmds
from reconciler.errors import ReconcileError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reconcile")
def cli() -> None:
    """Keep a restaurant's Wix menu in step with a desired-state catalog."""


catalog_cmds.register(cli)
sync_cmds.register(cli)


def _register_optional() -> None:
    # Command groups that live in their own modules register themselves here, explicitly.
    from reconciler.cli import emulator_cmd  # noqa: F401  (adds `reconcile emulator`)

    emulator_cmd.register(cli)


try:
    _register_optional()
except ImportError:  # pragma: no cover - during development a group may not exist yet
    pass


def main() -> None:
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
