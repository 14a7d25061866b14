"""One site's work, over the single-site engine: fetch, plan, apply, verify, and the report.

Both engines run exactly these steps. The local engine calls them directly; the Temporal engine
runs each as an activity (:mod:`reconciler.fleet.temporal.activities`). They pass only small
values between them: the plan itself goes into the state database as an artifact (by checksum),
so a retry on another worker reads the same plan.

    fetch    resolve the site's location and settle mapping rows an interrupted run left pending
             (an apply only: a plan or drift settles them in its plan step)
    plan     read live, diff against the catalog, save the plan artifact (for apply); never writes to Wix
    apply    apply the saved plan exactly as reviewed. If the live catalog moved since the plan
             (someone edited it, or an earlier attempt of this very apply got through), re-plan
             and apply the fresh plan when it is safe: so a retried apply converges and never
             repeats a write that already happened (the engine's staging and settle do the rest)
    verify   re-read live and compare with the applied plan
    report   write the site's outcome for `reconcile fleet status`

:func:`site_flow` strings them together; it is deterministic (it only sequences steps and
decides from their results), which is what lets a Temporal workflow run it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.engine.apply import ApplyOptions, apply_plan
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import from_json, to_json
from reconciler.engine.planning import make_plan
from reconciler.engine.review import review_saved
from reconciler.engine.settle import settle
from reconciler.engine.thresholds import Thresholds
from reconciler.engine.verify import verify
from reconciler.errors import ConfigError, PlanFileInvalid, StalePlan, UnsafePlan
from reconciler.fleet.budget import Budget
from reconciler.fleet.connect import SitePool, open_site
from reconciler.fleet.load import Fleet
from reconciler.fleet.model import Site
from reconciler.fleet.records import FleetRecords
from reconciler.state.mapping import MappingStore
from reconciler.targets.registry import AnyTarget

MODES = ("plan", "drift", "apply")
RESOLVED_KEPT = 10_000  # resolved locations a process keeps at most
FAILED = ("failed", "held", "verify-failed")


@dataclass(frozen=True)
class SiteRequest:
    """What one step needs to find its work; small and JSON-able (it travels through Temporal)."""

    fleet: str
    revision: str
    site_id: str
    location: str | None
    mode: str
    rollout_id: str | None = None


@dataclass(frozen=True)
class Fetched:
    scope: str
    location_name: str
    settled: int  # pending mapping rows an interrupted run left, now committed or dropped


@dataclass(frozen=True)
class Planned:
    checksum: str
    summary: str
    create: int
    update: int
    remove: int
    drift: int
    unsafe: bool
    reasons: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)  # "kind id" of entities edited outside reconcile

    @property
    def empty(self) -> bool:
        return not (self.create or self.update or self.remove)


@dataclass(frozen=True)
class Applied:
    checksum: str  # the plan actually applied (a fresh one when the reviewed plan went stale)
    calls: dict[str, int]
    replanned: bool
    summary: str


@dataclass(frozen=True)
class Verified:
    differences: list[str]


@dataclass(frozen=True)
class UnitOutcome:
    """One location of a site: what happened to it."""

    location: str | None
    result: str  # in-sync, changes, drifted, converged, held, failed, verify-failed
    summary: str = ""
    drift: int = 0
    changes: int = 0
    calls: dict[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class SiteOutcome:
    site_id: str
    result: str
    units: list[UnitOutcome]

    @property
    def failed(self) -> bool:
        return self.result in FAILED


def combine(site_id: str, units: list[UnitOutcome]) -> SiteOutcome:
    """A site's result is its worst location's."""
    order = ["failed", "verify-failed", "held", "drifted", "changes", "converged", "in-sync"]
    worst = min((u.result for u in units), key=order.index, default="in-sync")
    return SiteOutcome(site_id, worst, units)


# -- the flow ------------------------------------------------------------------------------------
Step = Callable[..., Awaitable[object]]


async def site_flow(step: Step, base: SiteRequest, fetch_in_plan: bool = True) -> SiteOutcome:
    """Run one site: every location in turn. ``step(name, request, *args)`` runs a step, with retries.

    A step that still fails after its retries raises; this function turns that into a "failed"
    outcome for the location and carries on with the next one. With ``fetch_in_plan`` a plan or
    drift runs no fetch step: its plan step settles what an earlier run left (one step fewer a site;
    False replays the workflows that still ran it).
    """
    units = []
    try:
        locations: list[str | None] = await step("begin", base)
    except Exception as exc:  # the site cannot even start (unknown to this worker, another revision)
        locations, units = [], [UnitOutcome(None, "failed", error=describe_error(exc))]
    for location in locations:
        request = SiteRequest(**{**base.__dict__, "location": location})
        try:
            units.append(await _unit(step, request, fetch_in_plan))
        except Exception as exc:  # a step gave up: the location failed; say why, without secrets
            units.append(UnitOutcome(location, "failed", error=describe_error(exc)))
    outcome = combine(base.site_id, units)
    await step("report", base, outcome)
    return outcome


async def _unit(step: Step, request: SiteRequest, fetch_in_plan: bool) -> UnitOutcome:
    if request.mode == "apply" or not fetch_in_plan:
        await step("fetch", request)
    planned: Planned = await step("plan", request)
    changes = planned.create + planned.update + planned.remove
    if request.mode != "apply":
        result = "in-sync" if planned.empty else "drifted" if planned.drift else "changes"
        return UnitOutcome(request.location, result, planned.summary, planned.drift, changes)
    if planned.unsafe:
        reasons = "; ".join(planned.reasons)
        return UnitOutcome(request.location, "held", f"unsafe plan held for review: {reasons}", planned.drift, changes)
    if planned.empty:
        return UnitOutcome(request.location, "converged", planned.summary)
    applied: Applied = await step("apply", request, planned.checksum)
    verified: Verified = await step("verify", request, applied.checksum)
    if verified.differences:
        return UnitOutcome(
            request.location,
            "verify-failed",
            "; ".join(verified.differences[:5]),
            planned.drift,
            changes,
            applied.calls,
        )
    return UnitOutcome(request.location, "converged", applied.summary, planned.drift, changes, applied.calls)


def describe_error(exc: BaseException) -> str:
    """One line for status and logs. Our errors carry no secrets (http.py redacts them)."""
    cause = getattr(exc, "cause", None) or exc
    message = getattr(cause, "message", None) or str(cause) or type(cause).__name__
    return message.splitlines()[0][:300] if message else type(cause).__name__


# -- the steps -----------------------------------------------------------------------------------
@dataclass
class SiteContext:
    """What the steps of one process share: the fleet, the state, the budgets."""

    fleet: Fleet
    state_dir: Path
    records: FleetRecords
    mapping: MappingStore
    budget: Budget | None = None
    thresholds: Thresholds = field(default_factory=Thresholds.from_env)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    who: str = ""  # who the journal names for this process's applies: "user@host"; else "worker <worker>"
    pool: SitePool = field(default_factory=SitePool)  # connection pools lent to the steps of every site (connect.py)
    resolved: dict[tuple, object] = field(default_factory=dict)  # (roll-out, site, location, ...) -> resolve()

    def journal_who(self, request: SiteRequest) -> str:
        """Who applied, as `reconcile history` shows it: the person or the worker, and the fleet's site."""
        return f"{self.who or f'worker {self.worker}'} (fleet {request.fleet}, site {request.site_id})"

    def locations(self, site: Site) -> list[str | None]:
        return list(site.locations) if site.locations else [None]

    def remember(self, key: tuple, resolved: object) -> None:
        """Keep a site's resolved location for the rest of its roll-out (connect.open_site)."""
        if len(self.resolved) >= RESOLVED_KEPT:  # sites whose report never came (their worker died)
            del self.resolved[next(iter(self.resolved))]
        self.resolved[key] = resolved

    def forget(self, rollout_id: str | None, site_id: str) -> None:
        """The site's run is over (its report): what it resolved is looked up again next time."""
        for key in [k for k in self.resolved if k[0] == rollout_id and k[1] == site_id]:
            del self.resolved[key]


def _site(ctx: SiteContext, request: SiteRequest) -> Site:
    if request.revision != ctx.fleet.revision:
        raise ConfigError(
            f"this worker has fleet {ctx.fleet.name} at revision {ctx.fleet.revision[:19]}, the roll-out wants "
            f"{request.revision[:19]}: give every worker the same fleet file and catalogs"
        )
    return ctx.fleet.file.site(request.site_id)


async def begin(ctx: SiteContext, request: SiteRequest) -> list[str | None]:
    """Mark the site started; its locations (None: the catalog's, or the site's only one)."""
    site = _site(ctx, request)
    ctx.records.started(request.fleet, request.site_id, request.mode, request.rollout_id)
    return ctx.locations(site)


async def fetch(ctx: SiteContext, request: SiteRequest) -> Fetched:
    site = _site(ctx, request)
    ctx.records.phase(request.fleet, request.site_id, "fetch", ctx.worker)
    async with open_site(ctx, site, request.location, request.rollout_id) as target:
        scope, settled = await _settle_leftovers(ctx, target)
        described = await target.describe()
    return Fetched(scope, described.location_name, settled)


async def _settle_leftovers(ctx: SiteContext, target: AnyTarget) -> tuple[str, int]:
    """Commit or drop the mapping rows an interrupted run left half-recorded; the scope, and how many."""
    scope = await target.scope()
    pending = ctx.mapping.pending(scope)
    if pending or ctx.mapping.intents(scope):
        settle(ctx.mapping, scope, await target.fetch(), write=True)
    return scope, sum(len(rows) for rows in pending.values())


async def plan(ctx: SiteContext, request: SiteRequest) -> Planned:
    site = _site(ctx, request)
    ctx.records.phase(request.fleet, request.site_id, "plan", ctx.worker)
    catalog = ctx.fleet.catalog(site)
    async with open_site(ctx, site, request.location, request.rollout_id) as target:
        if request.mode != "apply":  # no fetch step ran before a plan or drift (site_flow)
            await _settle_leftovers(ctx, target)
        made = (await make_plan(catalog, target, ctx.mapping, ctx.thresholds)).plan
    if request.mode == "apply":  # only the apply and verify steps read the artifact back
        ctx.records.save_plan(made.checksum, made.target.scope, to_json(made))
    return _planned(made)


def _planned(made: Plan) -> Planned:
    counts = made.counts
    drifted = [f"{c.kind} {c.id}" for c in made.changes if c.drift]
    return Planned(
        made.checksum,
        made.summary_line(),
        counts["create"],
        counts["update"],
        counts["remove"],
        len(drifted),
        made.safety.unsafe,
        list(made.safety.reasons),
        drifted[:50],
    )


def _load_plan(ctx: SiteContext, checksum: str) -> Plan:
    body = ctx.records.load_plan(checksum)
    if body is None:
        raise ConfigError(f"the plan {checksum[:19]} is not in the state database; plan again")
    loaded = from_json(body, f"plan {checksum[:19]}")
    if loaded.checksum != checksum:  # another plan stored under this one's name
        raise PlanFileInvalid(f"the state database holds another plan ({loaded.checksum[:19]}) as {checksum[:19]}")
    return loaded


async def apply(ctx: SiteContext, request: SiteRequest, checksum: str) -> Applied:
    site = _site(ctx, request)
    ctx.records.phase(request.fleet, request.site_id, "apply", ctx.worker)
    saved = _load_plan(ctx, checksum)
    options = ApplyOptions(saved=True, verify=False, who=ctx.journal_who(request))  # before-state: read at apply
    async with open_site(ctx, site, request.location, request.rollout_id) as target:
        try:
            # The stored plan is reviewed as `apply --plan` reviews a plan file: its calls are the
            # target's, it is made again from the catalog it carries and must come out the same,
            # and its verdict is made again; what is applied is the plan made again.
            reviewed = await review_saved(saved, target, ctx.mapping, ctx.thresholds, f"plan {checksum[:19]}")
            result = await apply_plan(reviewed, target, ctx.mapping, ctx.state_dir, options)
            return Applied(reviewed.checksum, result.calls, False, result.plan.summary_line())
        except StalePlan:
            pass
        # The live catalog moved: an earlier attempt of this apply may have got through, or someone
        # edited the site. Plan again; apply the fresh plan only if it is safe, as the first one was.
        planned = await make_plan(ctx.fleet.catalog(site), target, ctx.mapping, ctx.thresholds)
        fresh = planned.plan
        ctx.records.save_plan(fresh.checksum, fresh.target.scope, to_json(fresh))
        if fresh.safety.unsafe:
            raise UnsafePlan(
                "the site changed since it was planned and the new plan is unsafe: " + "; ".join(fresh.safety.reasons)
            )
        if fresh.empty:
            return Applied(fresh.checksum, {}, True, "already applied: " + fresh.summary_line())
        again = ApplyOptions(verify=False, who=ctx.journal_who(request), before=planned.live.essence)
        result = await apply_plan(fresh, target, ctx.mapping, ctx.state_dir, again)
        return Applied(fresh.checksum, result.calls, True, result.plan.summary_line())


async def verify_site(ctx: SiteContext, request: SiteRequest, checksum: str) -> Verified:
    site = _site(ctx, request)
    ctx.records.phase(request.fleet, request.site_id, "verify", ctx.worker)
    applied = _load_plan(ctx, checksum)
    async with open_site(ctx, site, request.location, request.rollout_id) as target:
        return Verified(await verify(applied, target, ctx.mapping))


def outcome_detail(outcome: SiteOutcome) -> str:
    """One line per site for status and progress: each location's summary or error."""
    many = len(outcome.units) > 1
    parts = [
        (f"{u.location or 'default location'}: {u.result}: " if many else "") + (u.error or u.summary)
        for u in outcome.units
    ]
    return " | ".join(p for p in parts if p)[:2000]


async def report(ctx: SiteContext, request: SiteRequest, outcome: SiteOutcome) -> None:
    ctx.forget(request.rollout_id, request.site_id)
    ctx.records.finished(
        request.fleet,
        request.site_id,
        outcome.result,
        detail=outcome_detail(outcome),
        drift=sum(u.drift for u in outcome.units),
        changes=sum(u.changes for u in outcome.units),
    )


STEPS: dict[str, Callable[..., Awaitable[object]]] = {
    "begin": begin,
    "fetch": fetch,
    "plan": plan,
    "apply": apply,
    "verify": verify_site,
    "report": report,
}
