"""`reconcile fleet ...`: many Wix sites from one fleet file (reconciler.fleet; docs/fleet.md)."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from reconciler.cli import deadline
from reconciler.errors import ExitCode, ReconcileError
from reconciler.state.paths import state_dir as resolve_state_dir

ENGINES = ("local", "temporal")


def _hard_exit_after_temporal(command):
    """Temporal's client runtime threads can abort the interpreter's shutdown (temporalio/sdk-python#300),
    turning a success into SIGABRT. A command that used Temporal therefore ends with os._exit, after
    printing what main() would have printed and flushing."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        if kwargs.get("engine", "temporal") != "temporal":
            return command(*args, **kwargs)
        code = 0
        try:
            command(*args, **kwargs)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except ReconcileError as exc:
            render = getattr(exc, "render", None)
            click.echo(render() if render else f"Error: {exc}", err=True)
            code = exc.exit_code
        except KeyboardInterrupt:
            code = 130
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    return run


def _fleet(path: str, check_catalogs: bool = True, cache_in: str | bool | None = False):
    """The fleet file, its catalogs checked. With ``cache_in`` (a --state-dir value, None meaning the
    default), catalogs are read through that state directory's catalog cache, as plan and apply do;
    the directory is not created here (the cache makes it once a catalog has validated)."""
    from reconciler.fleet.load import load_fleet
    from reconciler.state.paths import state_path

    cache = None if cache_in is False else state_path(cache_in or None)
    return load_fleet(path, check_catalogs=check_catalogs, state_dir=cache)


def _run_options(command):
    options = [
        click.argument("fleet_file", metavar="FLEET", type=click.Path(exists=True, dir_okay=False)),
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default="local",
            show_default=True,
            help="local: this process, asyncio. temporal: the workers of a Temporal cluster.",
        ),
        click.option("--wave", help="Run only this wave of the roll-out."),
        click.option(
            "--max-failures",
            type=click.IntRange(min=0),
            help="Halt a wave once more sites than this failed (default: the fleet file's, else 0).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 1000),
            help="Sites at once, fleet-wide (default: the fleet file's limits.concurrency).",
        ),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text"),
        click.option(
            "--state-dir",
            type=click.Path(file_okay=False),
            envvar="RECONCILE_STATE_DIR",
            help="Local state (default .reconcile/); the database is RECONCILE_DATABASE_URL if set.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _roll(mode: str, fleet_file, engine, wave, max_failures, concurrency, fmt, state_dir):
    fleet = _fleet(fleet_file, cache_in=state_dir)
    state = resolve_state_dir(state_dir)
    sites: dict[str, dict] = {}
    text = fmt == "text"

    def started(prepared) -> None:
        if not text:
            return
        spec = prepared.spec
        count = sum(len(w.site_ids) for w in spec.waves)
        click.echo(
            f"Fleet {fleet.name}: {mode} of {count} site(s) in {len(spec.waves)} wave(s), engine {engine}, "
            f"roll-out {spec.rollout_id}"
        )
        if prepared.resumed is not None:
            click.echo(
                f"Resuming roll-out {prepared.resumed.rollout_id}, halted at wave {prepared.resumed.wave} "
                "(the waves before it passed their gate)."
            )

    def progress(wave_name: str, site_id: str, result: str, detail: str) -> None:
        sites[site_id] = {"wave": wave_name, "result": result, "detail": detail}
        if text:
            click.echo(
                f"  [{wave_name}] {fleet.file.site(site_id).label}: {result}" + (f": {detail}" if detail else "")
            )

    if engine == "temporal":
        from reconciler.fleet.temporal import Connection
        from reconciler.fleet.temporal.client import run_temporal

        result = deadline.run(
            run_temporal(fleet, mode, state, Connection.from_env(), wave, max_failures, concurrency, progress, started)
        )
    else:
        from reconciler.fleet.local import run_local

        result = deadline.run(run_local(fleet, mode, state, wave, max_failures, concurrency, progress, started))
    tally = result.spec.tally
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "format": "reconcile-fleet-result",
                    "version": 1,
                    "fleet": fleet.name,
                    "mode": mode,
                    "engine": engine,
                    "rollout_id": result.spec.rollout_id,
                    "status": result.status,
                    "wave": result.wave,
                    "message": result.message,
                    "tally": tally,
                    "sites": sites,
                },
                indent=2,
                sort_keys=True,
            )
        )
    else:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(tally.items())) or "no site run"
        click.echo(f"Roll-out {result.spec.rollout_id}: {result.status}: {counts}")
        if result.message:
            click.echo(result.message)
        if result.status == "halted":
            click.echo(f"Fix what failed (`reconcile fleet status {fleet_file}`), then run the same command to resume.")
    return result


@click.group()
def fleet() -> None:
    """Keep many Wix sites in step from one fleet file: plan, apply in waves, drift, status."""


@fleet.command("plan")
@_run_options
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when any site has changes.")
@_hard_exit_after_temporal
def plan_cmd(fleet_file, engine, wave, max_failures, concurrency, fmt, state_dir, detailed_exitcode):
    """Plan every site (read-only): what an apply would change."""
    result = _roll("plan", fleet_file, engine, wave, max_failures, concurrency, fmt, state_dir)
    if result.spec.tally.get("failed"):
        sys.exit(ExitCode.ERROR)
    if detailed_exitcode and (result.spec.tally.get("changes") or result.spec.tally.get("drifted")):
        sys.exit(ExitCode.CHANGES)


@fleet.command("apply")
@_run_options
@_hard_exit_after_temporal
def apply_cmd(fleet_file, engine, wave, max_failures, concurrency, fmt, state_dir):
    """Apply every site, wave by wave; halt when a wave fails past its threshold. Run again to resume."""
    result = _roll("apply", fleet_file, engine, wave, max_failures, concurrency, fmt, state_dir)
    if result.status != "finished" or any(k in result.spec.tally for k in ("failed", "held", "verify-failed")):
        sys.exit(ExitCode.APPLY_FAILED)


@fleet.command("drift")
@_run_options
@_hard_exit_after_temporal
def drift_cmd(fleet_file, engine, wave, max_failures, concurrency, fmt, state_dir):
    """Find sites edited outside reconcile, or not yet applied (read-only). Exit 2 when any is."""
    result = _roll("drift", fleet_file, engine, wave, max_failures, concurrency, fmt, state_dir)
    if result.spec.tally.get("failed"):
        sys.exit(ExitCode.ERROR)
    if result.spec.tally.get("drifted") or result.spec.tally.get("changes"):
        sys.exit(ExitCode.CHANGES)


@fleet.command("status")
@click.argument("fleet_file", metavar="FLEET", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--state-dir", type=click.Path(file_okay=False), envvar="RECONCILE_STATE_DIR")
def status_cmd(fleet_file, fmt, state_dir):
    """Per site: last run, result, drift, in-flight work; and the last roll-out."""
    from reconciler.fleet.records import FleetRecords
    from reconciler.fleet.status import render_status, status_data
    from reconciler.state.database import Database, database_url

    fleet = _fleet(fleet_file, check_catalogs=False)
    with Database(database_url(resolve_state_dir(state_dir))) as db:
        data = status_data(fleet, FleetRecords(db))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        click.echo(render_status(data), nl=False)


@fleet.command("worker")
@click.argument("fleet_file", metavar="FLEET", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--concurrency", type=click.IntRange(1, 1000), help="Steps this worker runs at once (default: the fleet's)."
)
@click.option("--state-dir", type=click.Path(file_okay=False), envvar="RECONCILE_STATE_DIR")
@_hard_exit_after_temporal
def worker_cmd(fleet_file, concurrency, state_dir):
    """Run fleet workflows and activities from the Temporal task queue until interrupted.

    Environment: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default),
    TEMPORAL_TASK_QUEUE (reconcile-fleet), RECONCILE_DATABASE_URL (shared state).
    """
    from reconciler.fleet.temporal import Connection
    from reconciler.fleet.temporal.worker import run_worker

    fleet = _fleet(fleet_file, cache_in=state_dir)
    connection = Connection.from_env()

    def ready(identity: str) -> None:
        click.echo(
            f"reconcile fleet worker {identity} polling {connection.task_queue} at {connection.address} "
            f"(namespace {connection.namespace})"
        )
        sys.stdout.flush()

    deadline.run(
        run_worker(fleet, resolve_state_dir(state_dir), connection, concurrency or fleet.file.limits.concurrency, ready)
    )


@fleet.command("validate")
@click.argument("fleet_files", metavar="FLEET...", nargs=-1, required=True, type=click.Path())
def validate_cmd(fleet_files):
    """Check fleet files and the catalogs they name; list every problem with file:line:column."""
    from reconciler.fleet.load import FleetInvalid

    failed = 0
    for path in fleet_files:
        try:
            fleet = _fleet(path)
        except FleetInvalid as exc:
            failed += 1
            click.echo(exc.render())
            continue
        waves = ", ".join(f"{name} ({len(sites)})" for name, sites in fleet.file.waves())
        click.echo(f"ok {path}: {len(fleet.file.sites)} site(s), waves: {waves}")
    if failed:
        sys.exit(ExitCode.ERROR)


@fleet.command("fmt")
@click.argument(
    "fleet_files", metavar="FLEET...", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False)
)
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any file is not in canonical form.")
@click.option("--drop-comments", is_flag=True, help="Allow rewriting files whose comments fmt cannot keep.")
def fmt_cmd(fleet_files, check, drop_comments):
    """Rewrite fleet files in their one canonical form."""
    from reconciler.files import FileProblem, read_text, write_text
    from reconciler.fleet.fmt import canonical_text

    bad = False
    for path in fleet_files:
        try:  # a regular UTF-8 file within the input limit (a FIFO would block, bad bytes would crash)
            text = read_text(path)
        except FileProblem as exc:
            bad = True
            click.echo(str(exc))
            continue
        new, why = canonical_text(text, path, drop_comments)
        if new is None:
            bad = True
            if why.startswith("comments:"):
                click.echo(f"{path}: not formatted: comments on line(s) {why[9:]} would be lost; pass --drop-comments")
            else:
                click.echo(why)
        elif new != text:
            if check:
                bad = True
                click.echo(f"would reformat {path}")
            else:
                write_text(Path(path), new)
                click.echo(f"reformatted {path}")
    if bad:
        sys.exit(ExitCode.ERROR)


@fleet.command("schema")
def schema_cmd():
    """Print the JSON Schema of the fleet file."""
    from reconciler.fleet.schema import schema_text

    click.echo(schema_text(), nl=False)


def register(cli: click.Group) -> None:
    cli.add_command(fleet)
