"""`reconcile rollback` of an apply of several locations: shown per location, confirmed once, applied per location.

The work is :mod:`reconciler.engine.site_rollback`; this module prints and asks.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.site_cmds import _progress
from reconciler.cli.sync_cmds import _ask, _color
from reconciler.engine.apply import ApplyOptions
from reconciler.engine.journal import operator
from reconciler.engine.locations import SiteResult, refuse_unsafe
from reconciler.engine.planfile import to_json
from reconciler.engine.rollback import run_plan
from reconciler.engine.site_rollback import apply_site_rollback, location_of, plan_site_rollback
from reconciler.engine.thresholds import Thresholds
from reconciler.files import write_text
from reconciler.render.text import render_site_text
from reconciler.state.mapping import JournalRun
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_site


async def roll_back(
    several: tuple[str, list[JournalRun]], state: Path, auto_approve: bool, force: bool, out: str | None, fmt: str
) -> SiteResult | None:
    site_run, runs = several
    first = run_plan(runs[0]).target
    store = Storage(state).mapping()
    try:
        async with open_site(first.name, state, "USD") as opener:
            back = await plan_site_rollback(site_run, runs, opener, store, Thresholds.from_env(), force)
            if fmt == "text":
                where = ", ".join(location_of(r) for r in runs)
                click.echo(f"Rollback of run {site_run[:12]} at {len(runs)} location(s): {where}")
                for key, why in back.refused.items():
                    click.echo(f'Refused at "{key}" (nothing is sent there): {why}', err=True)
                for key, way in back.backs:
                    for moved in way.moved if force else ():
                        click.echo(f"Warning (--force) at {key}: {moved}; the rollback puts it back.", err=True)
                click.echo(render_site_text(back.site, color=_color()), nl=False)
            if out:
                write_text(Path(out), to_json(back.to_apply))
                click.echo(f"Saved the rollback plan to {out}; apply it with `reconcile apply --plan {out}`.")
                return None
            refuse_unsafe(back.to_apply, force)
            if not back.to_apply.empty and not _ask(auto_approve):
                return None
            options = ApplyOptions(force=force, who=operator())
            return await apply_site_rollback(
                back, opener, store, state, options, Thresholds.from_env(), progress_for=_progress(fmt)
            )
    finally:
        store.close()
