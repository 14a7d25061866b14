"""`reconcile plan`: show what apply would change. Never writes to the live catalog.

A plan of what did not change is answered by the plan memo (plan_answer.py, engine/memo.py) after
the live side is read, with nothing of the planner loaded; any other plan is made in full
(plan_run.py).
"""

from __future__ import annotations

import click

from reconciler.cli import plan_answer
from reconciler.cli.options import refresh_option, safety_options, selection_options, target_options
from reconciler.cli.protected import locate_protected
from reconciler.engine.plankey import plan_key
from reconciler.engine.thresholds import Thresholds


@click.command()
@click.argument("catalog", type=click.Path(exists=True))
@target_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    help="html: the menu as a diner will see it, every change marked (one self-contained page).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Save the plan (JSON, with checksum) for `reconcile apply --plan`; with --format html, the page.",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 when there are no changes, 2 when there are.")
@safety_options
@selection_options
@refresh_option
@locate_protected
def plan(
    catalog,
    target,
    location,
    state_dir,
    fmt,
    out,
    detailed_exitcode,
    max_update_share,
    max_remove_share,
    safety_min_entities,
    no_live_updates,
    only,
    exclude,
    refresh_only,
):
    """Show what apply would change in the live catalog. Never writes to it."""
    thresholds = Thresholds.from_env(
        max_update_share=max_update_share, max_remove_share=max_remove_share, min_existing=safety_min_entities
    )
    memo, key = None, None
    if not (out or only or exclude or refresh_only):  # the plan memo: engine/memo.py
        key = plan_key()
        memo, answer = plan_answer.answered(
            catalog, target, location, state_dir, fmt, key, thresholds, not no_live_updates
        )
        if answer is not None:
            return plan_answer.emit(answer, detailed_exitcode)
    # Imported here, not above: only a plan the memo does not answer needs the planner, the catalog's
    # model and YAML loader, the targets' projections and the renderers, most of the command's start-up
    # (docs/performance.md). A memo's answer is the common case of a plan run again (CI, serve's checks).
    from reconciler.cli import plan_run

    plan_run.plan_in_full(
        catalog=catalog,
        target=target,
        location=location,
        state_dir=state_dir,
        fmt=fmt,
        out=out,
        detailed_exitcode=detailed_exitcode,
        thresholds=thresholds,
        live_updates=not no_live_updates,
        only=only,
        exclude=exclude,
        refresh_only=refresh_only,
        memo=memo,
        key=key,
    )


def register(cli: click.Group) -> None:
    cli.add_command(plan)
