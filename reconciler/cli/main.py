"""The `reconcile` command line. Commands parse flags, make one call into the library, and print.

Only this package prints; library code logs and raises. :class:`ReconcileCli` is the one place
that turns the outcome of a command into an exit code (the table is
:data:`reconciler.errors.EXIT_CODES`; README's table is tested against it):

* a :class:`ReconcileError` prints its message and exits with its code;
* a usage error (unknown flag, bad value, missing argument) exits 1, never 2, because
  ``plan --detailed-exitcode`` uses 2 for "there are changes";
* anything else is a bug: "internal error" with the run id, and the traceback only with
  ``--debug`` (or ``RECONCILE_DEBUG=1``);
* Ctrl-C exits 130; a closed stdout (``reconcile plan | head``) exits quietly.

Everything written to stdout and stderr passes the redactor (:mod:`reconciler.redact`), built
from every credential in the environment, and the command's deadline
(:mod:`reconciler.cli.deadline`) is armed before it starts.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import traceback
import uuid

import click

from reconciler import __version__, limits
from reconciler.cli import deadline
from reconciler.errors import ExitCode, ReconcileError
from reconciler.redact import RedactingStream, Redactor, from_environment

DEBUG_VARIABLE = "RECONCILE_DEBUG"
# They run until stopped (a fleet worker too; a roll-out of many sites takes as long as its waves): no deadline.
UNBOUNDED = ("serve", "emulator", "fleet")
# Commands that load the POS sources anyway: their redactor also knows each source's declared secrets
# (the others rely on the names every credential variable has: see reconciler.redact.SECRET_NAME).
_WITH_SOURCES = ("import", "serve", "history", "fleet")

# Each command, and the module whose register() adds it. A command's module is imported when the
# command runs, so `reconcile plan` does not load the POS sources, serve or fleets (about a third of
# its start-up). tests/test_cli_commands.py checks this table against what the modules register.
COMMANDS: dict[str, str] = {
    "validate": "reconciler.cli.catalog_cmds",
    "fmt": "reconciler.cli.catalog_cmds",
    "schema": "reconciler.cli.catalog_cmds",
    "show-effective": "reconciler.cli.catalog_cmds",
    "plan": "reconciler.cli.plan_cmd",
    "apply": "reconciler.cli.sync_cmds",
    "pull": "reconciler.cli.pull_cmd",
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
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        return registered(module).get(cmd_name) if module else super().get_command(ctx, cmd_name)


class _CliLogHandler(logging.StreamHandler):
    """Library warnings as ``Warning: …`` lines on stderr (serve replaces it with its JSON log)."""

    replaceable = True

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("Warning: %(message)s"))

    @property
    def stream(self):  # the current stderr, so it is redacted and captured like any other output
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class ReconcileCli(_Commands):
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        arguments = list(sys.argv[1:] if args is None else args)
        debug = _take_debug(arguments) or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")
        run_id = uuid.uuid4().hex[:12]
        redact = from_environment(os.environ, _credential_names(arguments))
        streams = sys.stdout, sys.stderr
        if redact:
            sys.stdout, sys.stderr = RedactingStream(sys.stdout, redact), RedactingStream(sys.stderr, redact)
        handler = _CliLogHandler()
        root = logging.getLogger()
        root.addHandler(handler)
        previous_level = root.level
        if root.level > logging.WARNING or root.level == logging.NOTSET:
            root.setLevel(logging.WARNING)
        try:
            code = self._outcome(arguments, prog_name, complete_var, debug, run_id, redact, **extra)
        finally:
            root.removeHandler(handler)
            root.setLevel(previous_level)
            deadline.stop()
            _flush()
            sys.stdout, sys.stderr = streams
        if standalone_mode:
            sys.exit(code)
        return code

    def _outcome(self, arguments, prog_name, complete_var, debug: bool, run_id: str, redact: Redactor, **extra) -> int:
        try:
            try:
                result = super().main(arguments, prog_name, complete_var, standalone_mode=False, **extra)
            finally:
                deadline.stop()  # before any message is printed: a timer firing now would break it
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            return ExitCode.INTERRUPTED
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            return ExitCode.INTERRUPTED
        except click.UsageError as exc:
            exc.show()
            return ExitCode.USAGE
        except click.ClickException as exc:
            exc.show()
            return ExitCode.ERROR
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except ReconcileError as exc:
            render = getattr(exc, "render", None)
            click.echo(render() if render else f"Error: {exc}", err=True)
            if debug:
                click.echo(_traceback(exc), err=True)
            return exc.exit_code
        except BrokenPipeError:
            _silence_stdout()
            return ExitCode.ERROR
        except SystemExit as exc:  # sys.exit(n) from a command
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else ExitCode.ERROR)
        except Exception as exc:  # a bug: say so, briefly, and how to learn more
            summary = f"{type(exc).__name__}: {str(exc)[:300]}" if str(exc) else type(exc).__name__
            click.echo(
                f"Error: internal error in reconcile (run {run_id}): {summary}\n"
                + (
                    _traceback(exc)
                    if debug
                    else "This is a bug in reconcile, not in your input. Run the command again with --debug "
                    "to see the traceback, and report it."
                ),
                err=True,
            )
            return ExitCode.INTERNAL
        return result if isinstance(result, int) else ExitCode.OK


def _take_debug(arguments: list[str]) -> bool:
    """Remove ``--debug`` wherever it is on the line (before ``--``); True if it was there."""
    end = arguments.index("--") if "--" in arguments else len(arguments)
    found = "--debug" in arguments[:end]
    arguments[:end] = [a for a in arguments[:end] if a != "--debug"]
    return found


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).rstrip()


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError, OSError):
            _silence_stdout()


def _silence_stdout() -> None:
    """After a closed pipe, send the rest to /dev/null so Python's exit does not print an error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def _credential_names(arguments: list[str]) -> list[str]:
    """Every variable a source declares secret (its token, its webhook key), for commands that load sources."""
    command = next((a for a in arguments if not a.startswith("-")), None)
    if command not in _WITH_SOURCES:
        return []
    from reconciler.sources.registry import get_source, source_names

    return [name for pos in source_names() for name in get_source(pos).env.secrets() if name]


@click.group(cls=ReconcileCli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reconcile")
@click.option(
    "--deadline",
    "deadline_seconds",
    metavar="SECONDS",
    envvar=limits.DEADLINE_VARIABLE,
    help=f"Stop any command that runs longer than this many seconds (default {limits.DEFAULT_DEADLINE:.0f}; "
    f"or {limits.DEADLINE_VARIABLE}). serve and the emulator run until stopped.",
)
@click.option("--debug", is_flag=True, help=f"Show tracebacks of errors (or {DEBUG_VARIABLE}=1); accepted anywhere.")
def cli(deadline_seconds: str | None, debug: bool) -> None:
    """Keep a restaurant's Wix menu in step with a desired-state catalog."""
    context = click.get_current_context()
    if context.invoked_subcommand not in UNBOUNDED:
        deadline.start(deadline_seconds)
    if context.invoked_subcommand == "plan" and gc.isenabled():
        # A plan makes almost no cyclic garbage (10,000 dishes: 1 MB more at its peak without the
        # collector), while the collector's scans of the objects it keeps (the catalog, the live read,
        # the essences) were 0.08-0.17 s of a cold plan's CPU: off for the command, on again after it
        # (a command run in process, as the tests run them, leaves the collector as it found it).
        gc.disable()
        context.call_on_close(gc.enable)


def main() -> None:
    # Plans of large catalogs allocate hundreds of thousands of small objects that all live until
    # the end; the default collector thresholds rescan them constantly (a third of the run time
    # for 10,000 dishes). Collect far less often; a CLI run is short-lived.
    gc.set_threshold(100_000, 50, 100)
    cli.main(prog_name="reconcile")


if __name__ == "__main__":  # pragma: no cover - `python -m reconciler.cli.main`, as the tests start it
    main()
