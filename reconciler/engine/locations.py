"""Plan and apply the locations of one site: each location planned, applied and verified on its own.

A catalog with ``locations:`` is many single-location syncs that share one file. This module runs
them: :func:`plan_locations` plans each selected location's effective catalog
(:func:`reconciler.model.effective.effective`) against its own target, concurrently (reads only),
into one :class:`~reconciler.engine.siteplan.SitePlan`; :func:`apply_locations` applies it.

Apply is **atomic per location**: each location runs :func:`~reconciler.engine.apply.apply_plan` with
its own plan, lock, draft catalog (Catalogs v3) or cut-over (Menus (New)), journal and verify. A
failure leaves that location exactly as it was and the others go on, so a re-run finishes the
rest and touches nothing already converged (their plans are empty). The roll-out:

    refuse          any location's plan is unsafe and --force was not given (nothing touched)
    canary          ``Rollout.canary`` first, alone; the rest only if it applied and verified cleanly
    the rest        in catalog order, at most ``Rollout.parallel`` at once
    halt            after ``Rollout.halt_after`` failures no new location starts (running ones finish)

Targets are opened through an ``Opener`` (a Wix location's id or name → a target), so this module
never imports the targets; the CLI, serve and the fleet engine pass one. The fleet engine, which
runs one site at a time, calls :func:`plan_location` per location instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.engine import sharing
from reconciler.engine.apply import ApplyOptions, ApplyResult, apply_plan
from reconciler.engine.availability import Layer
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import seal_site
from reconciler.engine.planning import Planned, make_plan
from reconciler.engine.siteplan import SHARED_KEY, LocationPlan, SitePlan
from reconciler.engine.targeting import Selection
from reconciler.engine.thresholds import Thresholds
from reconciler.engine.verify import verify
from reconciler.errors import ApplyOutcomeUnknown, ConfigError, ExitCode, ReconcileError, UnsafePlan
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective
from reconciler.model.locations import Location
from reconciler.state.mapping import MappingStore

if TYPE_CHECKING:
    from reconciler.targets.base import Progress, Target

log = logging.getLogger(__name__)

Opener = Callable[[str], AbstractAsyncContextManager["Target[Any, Any]"]]  # Wix location id or name → target
# Told of each location's plan while its target is still open (the HTML plan asks it for diner views).
Seen = Callable[[Location, Planned[Any], "Target[Any, Any]"], None]


class LocationOutcome(StrEnum):
    """What became of one location in an apply of several."""

    APPLIED = "applied"
    UNCHANGED = "no changes"  # its plan was empty: nothing sent, nothing touched
    FAILED = "failed"  # apply stopped; this location's live catalog and mapping are as they were
    UNKNOWN = "unknown"  # stopped and the outcome could not be determined; the next run settles it
    VERIFY_FAILED = "verify failed"  # applied, but the live catalog does not match the plan
    SKIPPED = "skipped"  # not started (the canary did not apply cleanly, or the run halted)


FAILURES = (LocationOutcome.FAILED, LocationOutcome.UNKNOWN, LocationOutcome.VERIFY_FAILED)


@dataclass(frozen=True)
class Rollout:
    parallel: int = 4  # locations applied at once
    canary: str | None = None  # a location key: applied first, alone; the rest only if it verified cleanly
    halt_after: int | None = None  # after this many failed locations, start no new one


@dataclass
class LocationResult:
    location: str
    outcome: LocationOutcome
    plan: Plan
    result: ApplyResult | None = None
    error: str = ""  # why it failed or was skipped (one line, never a secret)
    exit_code: int = ExitCode.OK


@dataclass
class SiteResult:
    results: list[LocationResult]
    seconds: float = 0.0
    site_run: str = ""  # the journal's id of this apply of several locations: `reconcile rollback` takes it

    def count(self, outcome: LocationOutcome) -> int:
        return sum(r.outcome == outcome for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 when every location applied or had no changes, else the code of the first that did not."""
        for result in self.results:
            if result.outcome in FAILURES:
                return result.exit_code
        if any(r.outcome == LocationOutcome.SKIPPED for r in self.results):
            return ExitCode.APPLY_FAILED
        return ExitCode.OK

    def summary_line(self) -> str:
        failed = len([r for r in self.results if r.outcome in FAILURES])
        return (
            f"Applied {self.count(LocationOutcome.APPLIED)}, failed {failed} "
            f"(unchanged), skipped {self.count(LocationOutcome.SKIPPED)}, "
            f"no changes {self.count(LocationOutcome.UNCHANGED)} "
            f"· {len(self.results)} location{'' if len(self.results) == 1 else 's'} in {self.seconds:.2f}s"
        )


# -- planning ------------------------------------------------------------------------------------
async def plan_location(
    catalog: Catalog,
    location: Location | None,
    target: Target[Any, Any],
    store: MappingStore,
    thresholds: Thresholds,
    live_updates: bool = True,
    layer: Layer | None = None,
) -> Plan:
    """The plan of one location of ``catalog`` (``None``: a catalog without ``locations:``), with the
    availability ``layer`` when given (its entries for this location and for every location)."""
    desired = catalog if location is None else effective(catalog, location)
    return (await make_plan(desired, target, store, thresholds, live_updates, layer)).plan


async def plan_locations(
    catalog: Catalog,
    locations: list[Location],
    opener: Opener,
    store: MappingStore,
    thresholds: Thresholds,
    live_updates: bool = True,
    parallel: int = 4,
    layer: Layer | None = None,
    seen: Seen | None = None,
    selection: Selection | None = None,
) -> SitePlan:
    """Plan every location in ``locations`` (reads only, at most ``parallel`` at once), in their order.

    Every location that cannot be planned is named in one error, so a typo in three location
    names is three lines, not three runs. ``seen``, when given, is told of each location's
    :class:`~reconciler.engine.planning.Planned` (desired and live essence) with its target.
    ``selection`` (``--only``/``--exclude``) targets each location's plan alike: the same entities,
    each location's own changes to them.
    """
    if sharing.shares(catalog) and selection is not None:
        raise ConfigError("--only and --exclude are not available for a site that shares entities (menus_new)")
    if sharing.shares(catalog):  # menus_new.share: one plan of the site, where the target shares entities
        shared = await sharing.plan_shared(catalog, locations, opener, store, thresholds, live_updates, layer)
        if shared is not None:
            return shared
    else:
        await sharing.refuse_unsharing(((loc.key, loc.wix) for loc in catalog.locations), opener, store)
    gate = asyncio.Semaphore(max(1, parallel))

    async def one(location: Location) -> LocationPlan | ReconcileError:
        async with gate:
            try:
                async with opener(location.wix) as target:
                    desired = effective(catalog, location)
                    planned = await make_plan(desired, target, store, thresholds, live_updates, layer, selection)
                    if seen is not None:
                        seen(location, planned, target)
                    # the live essence it was planned against: the journal's before-state, for rollback
                    return LocationPlan(location.key, planned.plan, planned.live.essence)
            except ReconcileError as exc:
                return exc

    planned = await asyncio.gather(*(one(location) for location in locations))
    failed = [(loc, p) for loc, p in zip(locations, planned, strict=True) if isinstance(p, ReconcileError)]
    if failed:
        if len(failed) == 1:
            location, error = failed[0]
            error.args = (f'location "{location.key}": {error}',)
            raise error
        raise ConfigError(
            "\n".join(
                f'location "{loc.key}": ' + ("\n  ".join(str(e).splitlines()) or type(e).__name__) for loc, e in failed
            )
        )
    return seal_site(SitePlan(tuple(p for p in planned if isinstance(p, LocationPlan))))


# -- applying ------------------------------------------------------------------------------------
def refuse_unsafe(site: SitePlan, force: bool) -> None:
    unsafe = site.unsafe
    if unsafe and not force:
        reasons = "; ".join(f'{key}: {"; ".join(site.plan_of(key).safety.reasons)}' for key in unsafe)
        raise UnsafePlan(
            f"the plan is unsafe at {len(unsafe)} location(s) ({reasons}). Review it, then apply with --force, "
            "or leave those locations out with --location."
        )


async def apply_locations(
    site: SitePlan,
    opener: Opener,
    store: MappingStore,
    state_dir: Path,
    options: ApplyOptions,
    rollout: Rollout,
    progress_for: Callable[[str], Progress | None] | None = None,
    started: Callable[[str], None] | None = None,
) -> SiteResult:
    """Apply each location's plan on its own; see the module docstring for the order of events. Each
    location's run is journaled under one ``SiteResult.site_run`` (with its before-state, when planned here)."""
    begun = time.monotonic()
    refuse_unsafe(site, options.force)
    options = replace(options, site_run=options.site_run or uuid.uuid4().hex)
    keys = [entry.location for entry in site.locations]
    if rollout.canary is not None and len(keys) == 1 and keys[0].startswith(SHARED_KEY):
        sharing.refuse_canary(site.locations[0].plan, rollout.canary)
    if rollout.canary is not None and rollout.canary not in keys:
        raise ConfigError(f'--canary "{rollout.canary}" is not one of the locations applied: {", ".join(keys)}')
    results: dict[str, LocationResult] = {}
    failures = 0

    async def run(entry: LocationPlan) -> LocationResult:
        nonlocal failures
        if started is not None and not entry.plan.empty:
            started(entry.location)
        result = await apply_one(entry, opener, store, state_dir, options, progress_for)
        results[entry.location] = result
        if result.outcome in FAILURES:
            failures += 1
        return result

    order = list(site.locations)
    if rollout.canary is not None:
        canary = next(e for e in order if e.location == rollout.canary)
        order.remove(canary)
        first = await run(canary)
        if first.outcome not in (LocationOutcome.APPLIED, LocationOutcome.UNCHANGED):
            _skip(order, f'the canary "{canary.location}" did not apply cleanly ({first.outcome})', results)
            order = []
    queue = list(order)

    async def worker() -> None:
        while queue:
            if rollout.halt_after is not None and failures >= rollout.halt_after:
                _skip(
                    queue,
                    f"halted after {failures} failed location{'' if failures == 1 else 's'} (--halt-after)",
                    results,
                )
                queue.clear()
                return
            await run(queue.pop(0))

    await asyncio.gather(*(worker() for _ in range(max(1, rollout.parallel))))
    return SiteResult([results[key] for key in keys], time.monotonic() - begun, options.site_run or "")


def _skip(entries: list[LocationPlan], reason: str, results: dict[str, LocationResult]) -> None:
    for entry in entries:
        results[entry.location] = LocationResult(entry.location, LocationOutcome.SKIPPED, entry.plan, error=reason)


async def apply_one(
    entry: LocationPlan,
    opener: Opener,
    store: MappingStore,
    state_dir: Path,
    options: ApplyOptions,
    progress_for: Callable[[str], Progress | None] | None,
) -> LocationResult:
    plan = entry.plan
    if plan.empty:
        return LocationResult(entry.location, LocationOutcome.UNCHANGED, plan)
    progress = progress_for(entry.location) if progress_for is not None else None
    async with opener(plan.target.location_id) as target:
        try:
            before = options.before if options.before is not None else entry.before
            result = await apply_plan(
                plan, target, store, state_dir, replace(options, verify=False, before=before), progress
            )
        except ApplyOutcomeUnknown as exc:
            return LocationResult(
                entry.location, LocationOutcome.UNKNOWN, plan, error=_line(exc), exit_code=exc.exit_code
            )
        except ReconcileError as exc:
            log.info("location %s failed: %s", entry.location, exc)
            return LocationResult(
                entry.location, LocationOutcome.FAILED, plan, error=_line(exc), exit_code=exc.exit_code
            )
        if options.verify:  # here, not in apply_plan: a verify that cannot read is no failure of the apply
            try:
                result.differences = await verify(plan, target, store)
            except ReconcileError as exc:
                result.differences = [f"published, but the live catalog could not be read back to verify it: {exc}"]
    if result.differences:
        return LocationResult(
            entry.location,
            LocationOutcome.VERIFY_FAILED,
            plan,
            result,
            "; ".join(result.differences[:3]),
            ExitCode.VERIFY_FAILED,
        )
    return LocationResult(entry.location, LocationOutcome.APPLIED, plan, result)


def _line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    return " ".join(line.strip() for line in lines[:3])[:500]
