"""`reconcile apply`: a thin command over reconciler.engine (`reconcile plan` is plan_cmd.py)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace

import click

from reconciler.cli import deadline, plan_files, site_cmds
from reconciler.cli.apply_output import result_json as _result_json
from reconciler.cli.apply_output import result_text as _result_text
from reconciler.cli.options import safety_options, selection_options, target_options
from reconciler.cli.progress import progress_reporter
from reconciler.cli.protected import locate_protected
from reconciler.cli.selection import selection_of
from reconciler.engine.apply import ApplyOptions, ApplyResult, apply_plan, catalog_lock
from reconciler.engine.availability import now_utc, read_layer, record
from reconciler.engine.journal import operator
from reconciler.engine.locations import Rollout
from reconciler.engine.plan import Plan
from reconciler.engine.plankey import plan_key
from reconciler.engine.planning import make_plan
from reconciler.engine.review import review_saved
from reconciler.engine.siteplan import SitePlan
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import ConfigError, UnsafePlan, VerifyFailed
from reconciler.render.text import render_text
from reconciler.state.paths import state_dir as resolve_state_dir
from reconciler.state.paths import state_path
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_target
from reconciler.yamlio.cache import load_catalog_cached


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.command()
@click.argument("catalog", required=False, type=click.Path(exists=True))
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Apply a plan saved by `reconcile plan --out`, exactly as reviewed.",
)
@target_options
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (for CI).")
@click.option("--force", is_flag=True, help="Apply even when the plan is marked unsafe.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Independent bulk calls in flight at once.",
)
@click.option(
    "--attempts",
    type=click.IntRange(1, 10),
    default=3,
    show_default=True,
    help="Fresh drafts to try after an ambiguous failure before giving up.",
)
@click.option("--takeover-draft", is_flag=True, help="Discard a draft catalog someone else left behind.")
@click.option("--no-verify", is_flag=True, help="Skip re-reading the live catalog after publishing.")
@safety_options
@selection_options
@site_cmds.rollout_options
@locate_protected
def apply(
    catalog,
    plan_file,
    target,
    location,
    state_dir,
    auto_approve,
    force,
    fmt,
    concurrency,
    attempts,
    takeover_draft,
    no_verify,
    max_update_share,
    max_remove_share,
    safety_min_entities,
    no_live_updates,
    only,
    exclude,
    canary,
    halt_after,
    parallel_locations,
):
    """Apply a catalog (or a saved plan) to the live catalog, atomically (per location, for several)."""
    if bool(catalog) == bool(plan_file):
        raise click.UsageError("give either a CATALOG or --plan FILE")
    # Inputs first: an invalid catalog or plan file is refused before anything is created.
    saved = plan_files.load_saved(plan_file) if plan_file else None
    desired = load_catalog_cached(catalog, state_path(state_dir)) if catalog else None
    state = resolve_state_dir(state_dir)
    thresholds = Thresholds.from_env(
        max_update_share=max_update_share, max_remove_share=max_remove_share, min_existing=safety_min_entities
    )
    options = ApplyOptions(
        force=force,
        saved=bool(plan_file),
        plan_file=plan_file,
        concurrency=concurrency,
        attempts=attempts,
        takeover_draft=takeover_draft,
        verify=not no_verify,
    )
    chosen = site_cmds.choose(desired, location) if desired is not None else None
    rollout = Rollout(parallel_locations, canary, halt_after)
    selection = selection_of(only, exclude, chosen) if desired is not None else None
    if saved is not None and (only or exclude):
        raise click.UsageError("--only and --exclude shape a plan; a saved plan is applied exactly as reviewed")
    if isinstance(saved, SitePlan) or isinstance(chosen, list):
        planned_with = (saved, desired, chosen, target, state, thresholds, options, rollout)
        _apply_site(*planned_with, auto_approve, fmt, no_live_updates, selection)
        return
    if canary is not None or halt_after is not None:
        raise ConfigError("--canary and --halt-after are for a catalog of several locations (`locations:`)")
    result = deadline.run_async(
        _apply(
            chosen,
            saved,
            target,
            location,
            state,
            thresholds,
            options,
            auto_approve,
            fmt,
            not no_live_updates,
            selection,
        ),
        on_timeout=plan_files.cancelled,
    )
    if result is None:
        return
    if fmt == "json":
        click.echo(json.dumps(_result_json(result), indent=2, sort_keys=True))
    else:
        click.echo(_result_text(result))
    if result.differences:
        raise VerifyFailed(
            "the live catalog differs from the desired state after publishing:\n"
            + "\n".join(f"  - {d}" for d in result.differences[:30])
        )


def _apply_site(
    saved, desired, chosen, target, state, thresholds, options, rollout, auto_approve, fmt, no_live, selection=None
):
    """Several locations: plan them (or take the saved plan, reviewed), show, confirm once, apply each."""
    site = saved if isinstance(saved, SitePlan) else None
    review = (thresholds, options.plan_file) if site is not None else None
    if site is None:
        site = deadline.run_async(
            site_cmds.plan_site(desired, chosen, target, state, thresholds, not no_live, selection=selection)
        )
    if fmt == "text":
        site_cmds.print_site_plan(site, "text", _color(), None)
    currency = desired.currency if desired is not None else "USD"

    def confirm(plan: SitePlan) -> bool:
        return plan.empty or _ask(auto_approve)

    result = deadline.run_async(
        site_cmds.apply_site(
            site, target, state, currency, replace(options, who=operator()), rollout, fmt, confirm, review
        ),
        on_timeout=plan_files.cancelled,
    )
    if result is not None:
        site_cmds.print_site_result(result, fmt)


async def _apply(
    chosen, saved, target_name, location, state, thresholds, options, auto_approve, fmt, live_updates, selection=None
) -> ApplyResult | None:
    store = Storage(state).mapping()
    layer = Storage(state).availability()
    try:
        if saved is not None:
            name = target_name or saved.target.name
            async with open_target(name, location or saved.target.location_id, state) as target:
                # What is applied is the plan made again and found equal; its verdict is recomputed.
                layered = read_layer(layer, now_utc())
                signed = plan_key() is not None  # then the plan's signature was checked when it was read
                reviewed = await review_saved(
                    saved, target, store, thresholds, options.plan_file or "the plan", layered, signed
                )
                if fmt == "text":
                    click.echo(render_text(reviewed, color=_color()), nl=False)
                if reviewed.safety.unsafe and not saved.safety.unsafe:
                    click.echo(
                        f"Warning: {options.plan_file} says it is safe; under the thresholds in force it is not.",
                        err=True,
                    )
                if not _confirm(reviewed, auto_approve, options.force):
                    return None
                return await apply_plan(
                    reviewed, target, store, state, replace(options, who=operator()), progress_reporter(fmt)
                )
        catalog = chosen.catalog
        async with site_cmds.open_single(chosen, target_name, state) as target:
            now = now_utc()
            # One lock from before the plan reads the live catalog until the mapping is committed:
            # another apply cannot slip in between (not even while this one waits for "yes").
            with catalog_lock(state, await target.scope(), store) as lock:
                layered = read_layer(layer, now)
                planned = await make_plan(catalog, target, store, thresholds, live_updates, layered, selection)
                if fmt == "text":
                    click.echo(render_text(planned.plan, color=_color()), nl=False)
                if not _confirm(planned.plan, auto_approve, options.force):
                    return None
                journaled = replace(options, who=operator(), before=planned.live.essence)
                if auto_approve and planned.reading is not None:
                    # Nobody was asked, so nothing waited: the plan's read, made under this lock,
                    # is as recent as a second one would be (docs/lifecycle.md, step 8).
                    journaled = replace(journaled, reading=planned.reading)
                reporter = progress_reporter(fmt)
                result = await apply_plan(planned.plan, target, store, state, journaled, reporter, lock)
            record(layer, planned.adoption, now)
            return result
    finally:
        store.close()
        layer.close()


def _confirm(plan: Plan, auto_approve: bool, force: bool) -> bool:
    if plan.safety.unsafe and not force:
        raise UnsafePlan(
            "the plan is unsafe: " + "; ".join(plan.safety.reasons) + ". Review it, then apply with --force."
        )
    return plan.empty or _ask(auto_approve)


def _ask(auto_approve: bool) -> bool:
    if auto_approve:
        return True
    if not sys.stdin.isatty():
        raise ConfigError("apply needs confirmation: run it in a terminal, or pass --auto-approve")
    answer = click.prompt(
        "Apply this plan to the live catalog? Only 'yes' will be accepted", default="", show_default=False
    )
    if answer.strip() != "yes":
        click.echo("Apply cancelled; nothing changed.")
        return False
    return True


def register(cli: click.Group) -> None:
    cli.add_command(apply)
