"""`reconcile plan|apply` for a catalog of several locations: `--location all|A,B`, `--canary`, `--halt-after`.

The rules of `--location` (docs/catalog-format.md, "Many locations"):

* a catalog without `locations:`: as always, `--location` names the Wix location (or none);
* a catalog with `locations:` and one name: that location alone, exactly as a one-location catalog
  (the same plan, output and saved-plan format), planned from its effective catalog;
* `--location all`, a list `A,B`, or nothing: a plan of each selected location, grouped, with one
  summary across all, applied location by location (reconciler/engine/locations.py).

These commands parse and print; the work is one call into :mod:`reconciler.engine.locations`.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from reconciler.cli.progress import progress_reporter
from reconciler.engine.apply import ApplyOptions
from reconciler.engine.availability import now_utc, read_layer
from reconciler.engine.locations import (
    FAILURES,
    LocationOutcome,
    LocationResult,
    Rollout,
    Seen,
    SiteResult,
    apply_locations,
    plan_locations,
    refuse_unsafe,
)
from reconciler.engine.planfile import seal_site, to_json
from reconciler.engine.review import review_saved
from reconciler.engine.sharing import refuse_unsharing, shares
from reconciler.engine.siteplan import LocationPlan, SitePlan
from reconciler.engine.targeting import Selection
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import ConfigError, ExitCode, StalePlan
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective, find_location, select_locations
from reconciler.model.locations import Location
from reconciler.render.markdown import render_site_markdown
from reconciler.render.text import render_site_text
from reconciler.state.storage import Storage
from reconciler.targets.base import Phase, Progress
from reconciler.targets.registry import open_site, open_target


@dataclass(frozen=True)
class Single:
    """One location: the catalog to plan (an effective catalog, for a chain) and the Wix location."""

    catalog: Catalog
    location: str | None
    chain: tuple[str, ...] = ()  # a chain's locations by name: the sandbox creates the ones it lacks
    places: tuple[tuple[str, str], ...] = ()  # a chain's (key, Wix id or name): a shared site is refused


@contextlib.asynccontextmanager
async def open_single(chosen: Single, target_name: str | None, state: Path) -> AsyncIterator[Any]:
    """The target of one location (a chain's location: on a sandbox that has all the chain's locations)."""
    name = target_name or "sandbox"
    if chosen.places:  # one location of a site whose entities are shared is not planned on its own
        store = Storage(state).mapping()
        try:
            async with open_site(name, state, chosen.catalog.currency, list(chosen.chain)) as opener:
                await refuse_unsharing(chosen.places, opener, store)
        finally:
            store.close()
    if not chosen.chain:
        async with open_target(name, chosen.location, state, currency=chosen.catalog.currency) as target:
            yield target
        return
    async with (
        open_site(name, state, chosen.catalog.currency, list(chosen.chain)) as opener,
        opener(chosen.location or "") as target,
    ):
        yield target


def choose(catalog: Catalog, wanted: str | None) -> Single | list[Location]:
    """What `--location` selects in ``catalog``: one location (today's path) or several."""
    several = wanted is not None and (wanted.strip() == "all" or "," in wanted)
    if not catalog.locations:
        if several:
            raise ConfigError(
                f'--location {wanted}: the catalog has no `locations:` list, so it is for one location; '
                "name it (or leave --location out on a one-location site)"
            )
        return Single(catalog, wanted or catalog.location)
    if wanted is not None and not several and not shares(catalog):  # shared: one location is planned in its site
        location = find_location(catalog, wanted.strip())
        names = tuple(loc.wix for loc in catalog.locations if loc.id is None)
        places = tuple((loc.key, loc.wix) for loc in catalog.locations)
        return Single(effective(catalog, location), location.wix, names, places)
    return select_locations(catalog, wanted)


def rollout_options(command: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--canary",
                help="Apply to this location first, alone; go on with the others only if it applied and verified.",
            ),
            click.option(
                "--halt-after",
                type=click.IntRange(1, None),
                help="Stop starting new locations after this many have failed (running ones finish).",
            ),
            click.option(
                "--parallel-locations",
                type=click.IntRange(1, 32),
                default=4,
                show_default=True,
                help="Locations applied at once (each is still applied atomically on its own).",
            ),
        ]
    ):
        command = option(command)
    return command


async def plan_site(
    catalog: Catalog,
    locations: list[Location],
    target_name: str | None,
    state: Path,
    thresholds: Thresholds,
    live_updates: bool,
    parallel: int = 4,
    seen: Seen | None = None,
    selection: Selection | None = None,
) -> SitePlan:
    store = Storage(state).mapping()
    layer = Storage(state).availability()
    try:
        names = [loc.wix for loc in locations if loc.id is None]
        async with open_site(target_name or "sandbox", state, catalog.currency, names) as opener:
            return await plan_locations(
                catalog,
                locations,
                opener,
                store,
                thresholds,
                live_updates,
                parallel,
                read_layer(layer, now_utc()),
                seen,
                selection,
            )
    finally:
        store.close()
        layer.close()


def print_site_plan(site: SitePlan, fmt: str, color: bool, out: str | None) -> None:
    if fmt == "json":
        click.echo(to_json(site), nl=False)
    elif fmt == "markdown":
        click.echo(render_site_markdown(site), nl=False)
    else:
        click.echo(render_site_text(site, color=color), nl=False)
        if out:
            click.echo(f"Saved the plan to {out}; apply it with `reconcile apply --plan {out}`.")


async def apply_site(
    site: SitePlan,
    target_name: str | None,
    state: Path,
    currency: str,
    options: ApplyOptions,
    rollout: Rollout,
    fmt: str,
    confirm: Callable[[SitePlan], bool],
    review: tuple[Thresholds, str | None] | None = None,
) -> SiteResult | None:
    """Show, confirm, then apply each location's plan (the plans were just made, or saved and reviewed).

    With ``review`` (a saved plan: the thresholds in force and the file's name), each location's plan
    is first made again and compared (:func:`reconciler.engine.review.review_saved`); what is applied
    is the plan made again, with its own verdict.
    """
    if rollout.canary is not None and not options.verify:
        raise ConfigError("--canary waits for the canary to verify cleanly; it cannot be used with --no-verify")
    if review is None:
        refuse_unsafe(site, options.force)
        if not confirm(site):
            return None
    name = target_name or site.locations[0].plan.target.name
    store = Storage(state).mapping()
    try:
        async with open_site(name, state, currency) as opener:
            if review is not None:
                site = await _reviewed(site, opener, store, review[0], review[1] or "the plan")
                refuse_unsafe(site, options.force)
                if not confirm(site):
                    return None
            return await apply_locations(
                site,
                opener,
                store,
                state,
                options,
                rollout,
                progress_for=_progress(fmt),
                started=lambda key: click.echo(f"[{key}] applying", err=True),
            )
    finally:
        store.close()


async def _reviewed(site: SitePlan, opener: Any, store: Any, thresholds: Thresholds, source: str) -> SitePlan:
    """Every location's saved plan made again and compared; the plans made again, sealed as one."""
    reviewed = []
    for entry in site.locations:
        async with opener(entry.plan.target.location_id) as target:
            where = f'{source}, location "{entry.location}"'
            try:
                plan = await review_saved(entry.plan, target, store, thresholds, where)
            except StalePlan:
                # That location moved: its apply refuses the plan as stale (nothing is sent there; its
                # calls were checked against the target's known calls first), and the others go on.
                plan = entry.plan
            reviewed.append(LocationPlan(entry.location, plan))
    return seal_site(SitePlan(tuple(reviewed), ""))


def _progress(fmt: str) -> Callable[[str], Progress]:
    def make(location: str) -> Progress:
        inner = progress_reporter(fmt)

        def report(phase: Phase, stage: str, done: int, total: int) -> None:
            inner(phase, f"[{location}] {stage}", done, total)

        return report

    return make


def print_site_result(result: SiteResult, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(site_result_json(result), indent=2, sort_keys=True))
    else:
        click.echo(site_result_text(result))
    if result.exit_code != ExitCode.OK:
        sys.exit(result.exit_code)


def site_result_text(result: SiteResult) -> str:
    rows = [("Location", "Result", "Changes", "Calls", "Time", "Detail")]
    for r in result.results:
        changes = sum(r.plan.counts.values())
        outcome = "failed (unchanged)" if r.outcome == LocationOutcome.FAILED else str(r.outcome)
        calls = str(r.result.total_calls) if r.result else "-"
        seconds = f"{r.result.seconds:.2f}s" if r.result else "-"
        rows.append((r.location, outcome, str(changes), calls, seconds, _detail(r)))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths, strict=True)) + "  " + row[5] for row in rows]
    head = [f"Run {result.site_run} (`reconcile rollback {result.site_run[:12]}` puts every location back)"]
    return "\n".join([*head[: bool(result.site_run)], *(line.rstrip() for line in lines), result.summary_line()])


def _detail(r: LocationResult) -> str:
    if r.error:
        return r.error
    if r.result is not None and r.result.cutover_seconds is not None:
        return f"cut-over window {r.result.cutover_seconds * 1000:.0f} ms"
    return ""


def site_result_json(result: SiteResult) -> dict[str, Any]:
    return {
        "format": "reconcile-site-apply-result",
        "version": 1,
        "status": "applied" if result.exit_code == ExitCode.OK else "failed",
        "exit_code": result.exit_code,
        "seconds": round(result.seconds, 3),
        "site_run": result.site_run or None,
        "summary": {
            "applied": result.count(LocationOutcome.APPLIED),
            "failed": sum(r.outcome in FAILURES for r in result.results),
            "skipped": result.count(LocationOutcome.SKIPPED),
            "unchanged": result.count(LocationOutcome.UNCHANGED),
        },
        "locations": [
            {
                "location": r.location,
                "result": str(r.outcome),
                "checksum": r.plan.checksum,
                "changes": r.plan.counts,
                "calls": r.result.calls if r.result else {},
                "total_calls": r.result.total_calls if r.result else 0,
                "seconds": round(r.result.seconds, 3) if r.result else 0.0,
                "error": r.error or None,
                "exit_code": r.exit_code,
                "differences": r.result.differences if r.result else [],
                "window_seconds": None
                if r.result is None or r.result.cutover_seconds is None
                else round(r.result.cutover_seconds, 4),
            }
            for r in result.results
        ],
    }
