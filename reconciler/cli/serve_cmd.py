"""`reconcile serve` and `reconcile history`: keep Wix in step with the POS from webhooks.

Thin commands over :mod:`reconciler.serve`: they build or load the config, then make one call
(:func:`reconciler.serve.server.run`) or read the run history. See docs/serve.md.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click

from reconciler.cli.choices import LiveEpilog, PosChoice
from reconciler.serve.config import ServeConfig, load_config, shorthand
from reconciler.serve.secrets import cleaned
from reconciler.sources.registry import sources
from reconciler.state.paths import state_dir as resolve_state_dir
from reconciler.targets.registry import TARGETS


def _state(flag: str | None, config: ServeConfig | None) -> Path:
    """--state-dir, else the config's state_dir, else RECONCILE_STATE_DIR, else .reconcile/."""
    return resolve_state_dir(flag or (config.state_dir if config else None))


def _env_help() -> str:
    lines = [f"{source.name}: " + ", ".join(source.env.all()) for source in sources()]
    lines.append("wix-v3, wix-menus: WIX_API_KEY and WIX_SITE_ID, or WIX_ACCESS_TOKEN; WIX_API_BASE_URL")
    return "\b\nEnvironment (secrets come from here only; see docs/serve.md):\n" + "\n".join(
        f"  {line}" for line in lines
    )


@click.command(cls=LiveEpilog, epilog_from=_env_help)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Serve config file (YAML).")
@click.option("--source", type=PosChoice(), help="Single-catalog shorthand: the POS sending webhooks.")
@click.option("--catalog", type=click.Path(dir_okay=False), help="Single-catalog shorthand: the catalog YAML to keep.")
@click.option("--target", type=click.Choice(TARGETS), help="Shorthand: where the live catalog is (default sandbox).")
@click.option("--location", help="Shorthand: Wix business location, by name or id.")
@click.option("--account", help="Shorthand: POS merchant id / restaurant GUID whose webhooks to take (default any).")
@click.option(
    "--pos-location",
    help="Shorthand: POS location id for per-location prices (Square), or which restaurant document (Toast).",
)
@click.option("--currency", help="Shorthand: ISO 4217 code, for POS data without one (Toast).")
@click.option(
    "--unsafe",
    type=click.Choice(["hold", "apply"]),
    help="Shorthand: unsafe plans are held for review (default) or applied anyway.",
)
@click.option("--debounce", help="Shorthand: quiet time before a sync, e.g. 2s or 500ms (default 2s).")
@click.option("--interval", help="Shorthand: periodic reconcile, e.g. 30m; 0 turns it off (default 30m).")
@click.option("--host", help="Interface to listen on (default 127.0.0.1, or the config's).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port; 0 picks a free one (default 8787, or the config's).")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    help="Local state (queue, history, mapping). Default: the config's, RECONCILE_STATE_DIR or .reconcile/.",
)
@click.option("--check", is_flag=True, help="Validate the config and the environment, print a summary, and exit.")
def serve(config_file, source, host, port, state_dir, check, **shorthand_options):
    """Keep Wix in step with the POS: take webhooks, queue them durably, sync in the background.

    The first line of output is the URL, e.g. `reconcile serve listening on http://127.0.0.1:8787`.
    After that, stderr carries one JSON line per webhook event and per sync.
    """
    from reconciler.serve.server import check_environment, run

    if bool(config_file) == bool(source):
        raise click.UsageError("give either --config FILE or --source POS --catalog PATH")
    config = _config_file(config_file, shorthand_options) if config_file else _shorthand(source, shorthand_options)
    state = _state(state_dir, config)
    host, port = host or config.host, config.port if port is None else port
    if not check:
        run(config, state, host, port)
        return
    check_environment(config, cleaned(config, os.environ))
    for entry in config.catalogs:
        click.echo(
            f"{entry.name}: {entry.source} account {entry.account or 'any'} -> {entry.catalog} -> "
            f"{entry.target} location {entry.location or '(the only one)'}; unsafe plans: {entry.unsafe}; "
            f"debounce {entry.debounce:g}s; periodic {f'{entry.interval:g}s' if entry.interval else 'off'}"
        )
    click.echo(f"state: {state}; listen: {host}:{port}")


SHORTHAND = ("catalog", "target", "location", "account", "pos_location", "currency", "unsafe", "debounce", "interval")


def _config_file(path: str, shorthand_options: dict) -> ServeConfig:
    extra = [f"--{name.replace('_', '-')}" for name in SHORTHAND if shorthand_options[name] is not None]
    if extra:
        raise click.UsageError(f"{', '.join(extra)} only go with --source; put them in the config file")
    return load_config(path)


def _shorthand(source: str, options: dict) -> ServeConfig:
    options = dict(options)
    catalog, target, location = options.pop("catalog"), options.pop("target"), options.pop("location")
    if not catalog:
        raise click.UsageError("--source needs --catalog PATH (the catalog YAML serve keeps up to date)")
    return shorthand(source, catalog, target, location, **options)


@click.command()
@click.argument("run_id", required=False)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Read the state directory from this serve config.",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    help="Local state directory (default: RECONCILE_STATE_DIR or .reconcile/).",
)
@click.option("--catalog", "catalog_name", help="Only this serve catalog (its name in the config).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Newest entries to show.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history(run_id, config_file, state_dir, catalog_name, limit, fmt):
    """Show every apply (from the CLI or serve) and every serve sync, newest first; RUN_ID: one run in full.

    A line per serve sync (its events, plan summary and outcome) and per apply run from the CLI
    (run id, when, who as user@host, summary, result). `history RUN_ID` shows who ran it, how it
    ended and the plan it applied; `reconcile rollback RUN_ID` undoes it.
    """
    from reconciler.cli.journal_cmds import journal_runs, run_json, run_line, show_run
    from reconciler.serve.history import History
    from reconciler.serve.server import serve_dir
    from reconciler.state.storage import Storage

    config = load_config(config_file) if config_file else None
    state = _state(state_dir, config)
    if run_id:
        show_run(state, run_id, fmt)
        return
    storage = Storage(state)
    if not storage.postgres and not (serve_dir(state) / "history.sqlite").exists():
        records = []
    else:
        with storage.database("serve/history", durability="full") as db:
            records = History(db).list(limit, catalog_name)
    served = {r.run_id for r in records if r.run_id}
    runs = [] if catalog_name else journal_runs(state, limit, served)
    layer = [] if catalog_name else _layer_log(storage, state, limit)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "format": "reconcile-serve-history",
                    "version": 1,
                    "syncs": [r.to_json() for r in records],
                    "runs": [run_json(run, who) for run, who in runs],
                    "availability": [_layer_json(r) for r in layer],
                },
                indent=2,
                sort_keys=True,
            )
        )
        return
    if not records and not runs and not layer:
        click.echo("No syncs recorded yet.")
        return
    entries = [(r.finished, _history_line(r)) for r in records]
    entries += [(r.at.timestamp(), _layer_line(r)) for r in layer]
    entries += [(run.finished or run.started, run_line(run, who)) for run, who in runs]
    for _, line in sorted(entries, key=lambda e: -e[0])[:limit]:
        click.echo(line)


def _layer_log(storage, state, limit: int) -> list:
    """The availability layer's log (86s, POS stock, dashboard stock edits adopted, expiries)."""
    from reconciler.state.availability import AvailabilityStore

    if not storage.postgres and not (state / "state.sqlite").exists():
        return []
    with storage.database("state") as db:
        return AvailabilityStore(db, owns=False).log(limit)


def _layer_line(record) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.at.timestamp()))
    entry = record.entry
    state = "available" if entry.available else "86'd"
    until = f" until {entry.until:%Y-%m-%d %H:%M} UTC" if entry.until else ""
    where = "every location" if entry.location == "*" else entry.location
    reason = f" ({entry.reason})" if entry.reason else ""
    return f"{when}  availability  {record.event:<8} {entry.entity} {state}{until} at {where} by {entry.source}{reason}"


def _layer_json(record) -> dict:
    entry = record.entry
    return {
        "at": record.at.isoformat(),
        "event": str(record.event),
        "entity": entry.entity,
        "location": entry.location,
        "available": entry.available,
        "until": entry.until.isoformat() if entry.until else None,
        "reason": entry.reason,
        "source": str(entry.source),
    }


def _history_line(record) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.finished))
    events = ", ".join(record.events[:3]) + (f" (+{len(record.events) - 3})" if len(record.events) > 3 else "")
    line = (
        f"{when}  {record.catalog}  {record.outcome:<13} {record.summary}  "
        f"[{'+'.join(record.reasons)}: {events}]  {record.finished - record.started:.1f}s"
    )
    if record.run_id:
        line += f"  run {record.run_id}"
    if record.plan_file:
        line += f"\n    held plan: {record.plan_file} (review, then `reconcile apply --plan FILE --force`)"
    if record.error:
        line += "\n    " + record.error.replace("\n", "\n    ")
    return line


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(history)
