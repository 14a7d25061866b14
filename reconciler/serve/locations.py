"""One sync of a catalog of several locations: plan and apply only the locations a change reached.

A POS change at one location (a price, a sold-out flag) changes that location's effective catalog
and no other: :func:`changed_locations` compares each location's effective catalog before and
after the re-import, and a webhook sync plans and applies only those. A periodic or start-up sync
plans every location (that is how drift made by hand on Wix is repaired). Each location is applied
on its own (:func:`reconciler.engine.locations.apply_locations`); a location whose plan is unsafe
is held for review under ``unsafe: hold`` while the others go on. Called by
:class:`reconciler.serve.sync.Syncer`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reconciler.credentials import wix_from_env
from reconciler.engine.apply import ApplyOptions
from reconciler.engine.availability import layer_in, now_utc
from reconciler.engine.locations import FAILURES, LocationOutcome, Rollout, apply_locations, plan_locations
from reconciler.engine.planfile import seal_site, to_json
from reconciler.engine.sharing import shares
from reconciler.engine.siteplan import SitePlan
from reconciler.engine.thresholds import Thresholds
from reconciler.files import write_text
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective, select_locations
from reconciler.model.locations import Location
from reconciler.serve.config import CatalogConfig
from reconciler.serve.secrets import wix_environ
from reconciler.serve.status import SyncOutcome
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_site


def changed_locations(before: Catalog | None, after: Catalog) -> list[Location]:
    """The locations of ``after`` whose effective catalog differs from ``before``'s (all, without one)."""
    if before is None or not before.locations:
        return list(after.locations)
    old = {loc.pos_location or loc.key: loc for loc in before.locations}
    changed = []
    for location in after.locations:
        earlier = old.get(location.pos_location or location.key)
        if earlier is None or effective(before, earlier) != effective(after, location):
            changed.append(location)
    return changed


async def plan_apply(
    cfg: CatalogConfig,
    catalog: Catalog,
    locations: list[Location],
    state_dir: Path,
    result_of: Callable[..., Any],
    check_stop: Callable[[], None],
    environ: Mapping[str, str],
) -> Any:
    """Plan ``locations``, hold the unsafe ones (``unsafe: hold``), apply the rest; one SyncResult."""
    if cfg.location is not None:
        wanted = {loc.key for loc in select_locations(catalog, cfg.location)}
        locations = [loc for loc in locations if loc.key in wanted]
    if not locations:
        return result_of(SyncOutcome.IN_STEP, "no location's catalog changed", details={"locations": {}})
    if shares(catalog):  # one plan of the site: a change of one location may split or merge a shared entity
        wanted = {loc.key for loc in select_locations(catalog, cfg.location)}
        locations = [loc for loc in catalog.locations if loc.key in wanted]
    thresholds = Thresholds.from_env(
        max_update_share=cfg.safety.max_update_share,
        max_remove_share=cfg.safety.max_remove_share,
        min_existing=cfg.safety.min_entities,
    )
    store = Storage(state_dir).mapping()
    layer = layer_in(state_dir, now_utc())
    try:
        wix = None if cfg.target == "sandbox" else wix_from_env(wix_environ(cfg, environ))
        names = [loc.wix for loc in catalog.locations if loc.id is None]
        async with open_site(cfg.target, state_dir, catalog.currency, names, credentials=wix) as opener:
            site = await plan_locations(catalog, locations, opener, store, thresholds, cfg.live_updates, 4, layer)
            held = [e for e in site.locations if e.plan.safety.unsafe and cfg.unsafe == "hold"]
            safe = seal_site(SitePlan(tuple(e for e in site.locations if e not in held)))
            details: dict[str, Any] = {"locations": {e.location: e.plan.counts for e in site.locations}}
            if site.empty:
                return result_of(SyncOutcome.IN_STEP, site.summary_line(), checksum=site.checksum, details=details)
            check_stop()
            applied = await apply_locations(
                safe, opener, store, state_dir, ApplyOptions(force=cfg.unsafe == "apply"), Rollout(parallel=4)
            )
    finally:
        store.close()
    details["results"] = {r.location: str(r.outcome) for r in applied.results}
    plan_file = _hold(cfg, state_dir, SitePlan(tuple(held))) if held else None
    failed = [r for r in applied.results if r.outcome in FAILURES]
    if failed:
        first = failed[0]
        return result_of(
            SyncOutcome.VERIFY_FAILED if first.outcome == LocationOutcome.VERIFY_FAILED else SyncOutcome.FAILED,
            applied.summary_line(),
            checksum=site.checksum,
            error=f"{first.location}: {first.error}",
            retry=first.outcome != LocationOutcome.VERIFY_FAILED,
            details=details,
        )
    outcome = SyncOutcome.HELD if held and not applied.count(LocationOutcome.APPLIED) else SyncOutcome.APPLIED
    summary = applied.summary_line() + (f"; held (unsafe): {', '.join(e.location for e in held)}" if held else "")
    return result_of(outcome, summary, checksum=site.checksum, plan_file=plan_file, details=details)


def _hold(cfg: CatalogConfig, state_dir: Path, held: SitePlan) -> str:
    folder = state_dir / "serve" / "held"
    folder.mkdir(parents=True, exist_ok=True)
    sealed = seal_site(held)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    file = folder / f"{cfg.name}-{stamp}-{sealed.checksum.removeprefix('sha256:')[:12]}.json"
    write_text(file, to_json(sealed))
    return str(file)
