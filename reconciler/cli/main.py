"""The `reconcile` command line. Commands parse flags, make one call into the library, and print.

Only this package prints; library code logs and raises (see reconciler.errors for exit codes).
"""

from __future__ import annotations

import gc
import sys

import click

from reconciler import __version__
from reconciler.cli import catalog_cmds, emulator_cmd, fleet_cmd, import_cmd, serve_cmd, sync_cmds
from reconciler.errors import ReconcileError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reconcile")
def cli() -> None:
    """Keep a restaurant's Wix menu in step with a desired-state catalog."""


# Every command group registers itself here, explicitly (no import side effects).
for group in (catalog_cmds, sync_cmds, import_cmd, serve_cmd, emulator_cmd, fleet_cmd):
    group.register(cli)


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
