"""Rollback of an apply of several locations (`apply --location all`): every location it changed, put back.

Such an apply is journaled as one run per location, each tagged with the run of several it belongs
to (``site_run``, :mod:`reconciler.engine.locations`). Rolling it back is one rollback per location
(:mod:`reconciler.engine.rollback`), made into one :class:`~reconciler.engine.siteplan.SitePlan` and
applied like any plan of several locations: **atomic per location**, a failed location left exactly
as it was while the others go on, the same result table. A location whose live side moved since the
run (someone edited what it touched) is refused, naming what moved, unless forced; the others are
still rolled back. Locations the run did not change (their plan was empty, or they failed) have no
location run, so nothing is done there.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.engine.apply import ApplyOptions
from reconciler.engine.locations import LocationOutcome, LocationResult, Opener, SiteResult, apply_one
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import seal_site
from reconciler.engine.rollback import LiveMoved, Rollback, plan_rollback, run_plan
from reconciler.engine.siteplan import LocationPlan, SitePlan
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import ConfigError, ReconcileError, StalePlan
from reconciler.state.mapping import JournalRun, MappingStore

if TYPE_CHECKING:
    from reconciler.targets.base import Progress


@dataclass
class SiteRollback:
    site_run: str
    backs: list[tuple[str, Rollback]]  # location key (its Wix name) -> the way back there, in run order
    refused: dict[str, str] = field(default_factory=dict)  # location key -> what moved there since the run

    @property
    def site(self) -> SitePlan:
        """The plans back of every location (refused ones too, to show them; they are not applied)."""
        return seal_site(SitePlan(tuple(LocationPlan(key, back.planned.plan) for key, back in self.backs)))

    @property
    def to_apply(self) -> SitePlan:
        """The plans back of the locations not refused: what is applied (or saved with --out)."""
        return seal_site(
            SitePlan(tuple(LocationPlan(k, b.planned.plan) for k, b in self.backs if k not in self.refused))
        )


def site_runs(store: MappingStore, run_id: str | None) -> tuple[str, list[JournalRun]] | None:
    """The run of several locations ``run_id`` names (or, without one, that the last applied run was
    part of), with its applied location runs not yet rolled back; None when it is a run of one location."""
    if run_id is None:
        applied = [r for r in store.runs(limit=10_000) if r.status == "applied"]
        last = store.journal(applied[0].run_id) if applied else None
        if last is None or not last.site_run:
            return None
        run_id = last.site_run
    elif store.journal(run_id) is not None:
        return None  # a run of one location (perhaps one location of several): rolled back alone
    runs = store.site_run(run_id)
    if not runs:
        return None
    site_run = runs[0].site_run or run_id
    # by location name: the journal does not keep the catalog's order, and the locations ran concurrently
    undo = sorted(
        (r for r in runs if r.run.status == "applied" and not store.undone(r.run.run_id)),
        key=lambda r: (location_of(r), r.run.scope),
    )
    if not undo:
        raise ConfigError(f"run {site_run[:12]} changed no location that is not already rolled back")
    missing = [r.run.run_id[:12] for r in undo if not r.before or not r.plan]
    if missing:
        raise ConfigError(
            f"run {site_run[:12]} recorded no before-state at {', '.join(missing)}; it cannot be rolled back"
        )
    return site_run, undo


def location_of(run: JournalRun) -> str:
    return run_plan(run).target.location_name or run_plan(run).target.location_id


async def plan_site_rollback(
    site_run: str,
    runs: list[JournalRun],
    opener: Opener,
    store: MappingStore,
    thresholds: Thresholds,
    force: bool,
) -> SiteRollback:
    """The way back at every location the run changed (reads only); what moved is refused unless ``force``."""
    back = SiteRollback(site_run, [])
    for run in runs:
        key = location_of(run)
        async with opener(run_plan(run).target.location_id) as target:
            way = await plan_rollback(run, target, store, thresholds, force=True)
        back.backs.append((key, way))
        if way.moved and not force:
            back.refused[key] = str(LiveMoved(run.run.run_id, way.moved))
    return back


async def apply_site_rollback(
    back: SiteRollback,
    opener: Opener,
    store: MappingStore,
    state_dir: Path,
    options: ApplyOptions,
    thresholds: Thresholds,
    progress_for: Callable[[str], Progress | None] | None = None,
) -> SiteResult:
    """Put every location back on its own, one after the other, each planned again just before.

    A location's way back is made again when its turn comes (what an earlier location's rollback
    wrote may show in a later one's live read, on an API whose entities are site-wide), and applied
    only if it still makes the changes that were shown; else that location is refused as stale. A
    location that moved since the run is refused unless ``options.force``. Refused and failed
    locations are left exactly as they were.
    """
    begun = time.monotonic()
    site_run = options.site_run or uuid.uuid4().hex
    results = []
    options = replace(options, site_run=site_run)
    for key, way in back.backs:
        results.append(await _one(key, way, back, opener, store, state_dir, options, thresholds, progress_for))
    return SiteResult(results, time.monotonic() - begun, site_run)


async def _one(
    key: str,
    way: Rollback,
    back: SiteRollback,
    opener: Opener,
    store: MappingStore,
    state_dir: Path,
    options: ApplyOptions,
    thresholds: Thresholds,
    progress_for: Callable[[str], Progress | None] | None,
) -> LocationResult:
    shown = way.planned.plan
    if key in back.refused:
        return _refused(key, shown, back.refused[key], LiveMoved.exit_code)
    run = way.run
    try:
        async with opener(shown.target.location_id) as target:
            fresh = await plan_rollback(run, target, store, thresholds, force=True)
    except ReconcileError as exc:
        return _refused(key, shown, str(exc), exc.exit_code)
    if fresh.moved and not options.force:
        return _refused(key, shown, str(LiveMoved(run.run.run_id, fresh.moved)), LiveMoved.exit_code)
    if fresh.planned.plan.changes != shown.changes:
        stale = StalePlan([f"{c.kind} {c.id}" for c in set(fresh.planned.plan.changes) ^ set(shown.changes)])
        return _refused(key, shown, str(stale), stale.exit_code)
    own = replace(options, saved=False, before=fresh.planned.live.essence, undoes=run.run.run_id)
    return await apply_one(LocationPlan(key, fresh.planned.plan), opener, store, state_dir, own, progress_for)


def _refused(key: str, plan: Plan, why: str, code: int) -> LocationResult:
    return LocationResult(key, LocationOutcome.FAILED, plan, error=" ".join(why.split())[:500], exit_code=code)
