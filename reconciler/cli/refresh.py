"""`reconcile plan --refresh-only`: list what was edited on the live side, without proposing to revert it."""

from __future__ import annotations

import json
import sys

import click

from reconciler.engine.plan import Plan
from reconciler.engine.refresh import live_edits, render
from reconciler.errors import ExitCode


def show_refresh(plan: Plan, fmt: str, detailed_exitcode: bool) -> None:
    edits = live_edits(plan)
    where = f'location "{plan.target.location_name}"'
    if fmt == "json":
        body = [
            {
                "kind": e.kind,
                "id": e.id,
                "name": e.name,
                "gone": e.removed,
                "fields": [{"path": f.path, "written": f.before, "live": f.after} for f in e.fields],
            }
            for e in edits
        ]
        click.echo(json.dumps({"format": "reconcile-live-edits", "version": 1, "edits": body}, indent=2, default=str))
    else:
        click.echo(render(edits, where), nl=False)
    if detailed_exitcode and edits:
        sys.exit(ExitCode.CHANGES)
