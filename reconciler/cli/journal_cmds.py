"""`reconcile rollback` and the journal half of `reconcile history`: every apply, from the CLI or serve.

The journal is the `runs` table of the state database (state/mapping.py): each apply's run id,
when, who (user@host, or serve), its summary and result, the plan it applied and the before-state
of what it touched (engine/journal.py). Rollback plans the way back to that before-state
(engine/rollback.py) and applies it like any plan: shown, confirmed, atomic, refused when stale.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from reconciler.cli import deadline, site_rollback
from reconciler.cli.site_cmds import print_site_result
from reconciler.cli.sync_cmds import _color, _confirm, _result_json, _result_text
from reconciler.engine.apply import ApplyOptions, ApplyResult, apply_plan
from reconciler.engine.journal import operator
from reconciler.engine.planfile import to_json
from reconciler.engine.plankey import plan_key
from reconciler.engine.rollback import find_run, plan_rollback, run_plan
from reconciler.engine.site_rollback import site_runs
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import ConfigError, VerifyFailed
from reconciler.files import write_text
from reconciler.render.text import render_text
from reconciler.state.mapping import MappingStore, Run
from reconciler.state.paths import state_dir as resolve_state_dir
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_target


def _has_journal(storage: Storage) -> bool:
    return storage.postgres or (storage.state_dir / "state.sqlite").exists()


def _store(state: Path) -> MappingStore:
    storage = Storage(state)
    if not _has_journal(storage):
        raise ConfigError(f"no journal in {state} (nothing was applied with this state directory)")
    return storage.mapping()


@click.command()
@click.argument("run_id", required=False)
@click.option("--state-dir", type=click.Path(file_okay=False), envvar="RECONCILE_STATE_DIR")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (for CI).")
@click.option("--force", is_flag=True, help="Roll back even what was edited live since the run, or an unsafe plan.")
@click.option("--out", type=click.Path(dir_okay=False), help="Only save the rollback plan, for `apply --plan`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rollback(run_id, state_dir, auto_approve, force, out, fmt):
    """Put the live catalog back as it was before a run (default: the last applied run).

    Shows the plan back to the recorded before-state, asks for confirmation, and applies it
    atomically. Refuses, naming them, when entities the run touched were changed live since.
    A run of several locations (`apply --location all`) is rolled back at every location it
    changed, each atomically on its own; a location that moved since is refused, the others go on.
    """
    state = resolve_state_dir(state_dir)
    store = _store(state)
    try:
        several = site_runs(store, run_id)
    finally:
        store.close()
    if several is not None:
        done = deadline.run(site_rollback.roll_back(several, state, auto_approve, force, out, fmt))
        if done is not None:
            print_site_result(done, fmt)
        return
    result = deadline.run(_rollback(run_id, state, auto_approve, force, out, fmt))
    if result is None:
        return
    click.echo(json.dumps(_result_json(result), indent=2, sort_keys=True) if fmt == "json" else _result_text(result))
    if result.differences:
        raise VerifyFailed("the live catalog differs from the before-state after the rollback")


async def _rollback(run_id, state: Path, auto_approve: bool, force: bool, out, fmt) -> ApplyResult | None:
    store = _store(state)
    try:
        run = find_run(store, run_id)
        info = run_plan(run).target
        async with open_target(info.name, info.location_id, state) as target:
            back = await plan_rollback(run, target, store, Thresholds.from_env(), force)
            plan = back.planned.plan
            if fmt == "text":
                for moved in back.moved:
                    click.echo(f"Warning (--force): {moved}; the rollback puts it back as it was.", err=True)
                click.echo(render_text(plan, color=_color()), nl=False)
            if out:
                write_text(Path(out), to_json(plan, plan_key()))  # signed like `plan --out`
                click.echo(f"Saved the rollback plan to {out}; apply it with `reconcile apply --plan {out}`.")
                return None
            if plan.empty or not _confirm(plan, auto_approve, force):
                return None
            options = ApplyOptions(
                force=force, saved=True, who=operator(), before=back.planned.live.essence, undoes=run.run.run_id
            )
            return await apply_plan(plan, target, store, state, options)
    finally:
        store.close()


# -- history: the journal's side --------------------------------------------------------------------


def journal_runs(state: Path, limit: int, exclude: set[str]) -> list[tuple[Run, str]]:
    """(run, who) of the newest applies in the journal, but those serve already lists."""
    storage = Storage(state)
    if not _has_journal(storage):
        return []
    store = storage.mapping()
    try:
        runs = [r for r in store.runs(limit=limit + len(exclude)) if r.run_id not in exclude][:limit]
        who = store.who(r.run_id for r in runs) if runs else {}
    finally:
        store.close()
    return [(r, who.get(r.run_id, "")) for r in runs]


def run_line(run: Run, who: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.finished or run.started))
    took = f"  {run.finished - run.started:.1f}s" if run.finished else ""
    return f"{when}  {run.scope}  {run.status:<13} {run.summary or ''}  [{who or 'unknown'}: run {run.run_id}]{took}"


def run_json(run: Run, who: str) -> dict[str, Any]:
    return {**run._asdict(), "who": who}


def show_run(state: Path, run_id: str, fmt: str) -> None:
    """`reconcile history RUN_ID`: the run, who made it, its outcome and the plan it applied."""
    store = _store(state)
    try:
        found = store.journal(run_id)
        parts = store.site_run(run_id) if found is None else []
        if found is None and not parts:
            raise ConfigError(f'no run "{run_id}" in the journal (or the prefix is not unique)')
        undone = store.undone(found.run.run_id) if found is not None else []
    finally:
        store.close()
    if found is None:  # a run of several locations: each location's run in full
        if fmt == "json":
            click.echo(
                json.dumps(
                    {
                        "format": "reconcile-site-run",
                        "version": 1,
                        "site_run": parts[0].site_run,
                        "runs": [r.run.run_id for r in parts],
                    },
                    indent=2,
                    sort_keys=True,
                )
            )
            return
        click.echo(f"Run {parts[0].site_run}: {len(parts)} location run(s)\n")
        for part in parts:
            show_run(state, part.run.run_id, fmt)
        return
    plan = run_plan(found) if found.plan else None
    if fmt == "json":
        body = {
            "format": "reconcile-run",
            "version": 1,
            **run_json(found.run, found.who),
            "undoes": found.undoes,
            "rolled_back_by": [r.run_id for r in undone],
            "plan": json.loads(found.plan) if found.plan else None,
        }
        click.echo(json.dumps(body, indent=2, sort_keys=True))
        return
    run = found.run
    lines = [
        f"Run {run.run_id}",
        f"  where:   {run.scope}",
        f"  when:    {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(run.started))}"
        + (f" ({run.finished - run.started:.1f}s)" if run.finished else " (not finished)"),
        f"  who:     {found.who or 'unknown'}",
        f"  result:  {run.status}" + (f": {run.summary}" if run.summary else ""),
    ]
    if found.undoes:
        lines.append(f"  rolls back run {found.undoes}")
    lines += [f"  rolled back by run {r.run_id}" for r in undone]
    click.echo("\n".join(lines) + "\n")
    click.echo(render_text(plan, color=_color()) if plan else "(this run recorded no plan)\n", nl=False)


def register(cli: click.Group) -> None:
    cli.add_command(rollback)
