"""Starting a roll-out, the same way for both engines: its waves, and where a halted one resumes.

A roll-out applies one *revision* of the fleet (the fleet file and every catalog it names). When
the last roll-out of the same revision halted at a wave, `reconcile fleet apply` resumes it there:
the waves that passed their gate are not run again. A new revision starts from the first wave, as
its canaries have not seen it yet.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reconciler.fleet.budget import Budget
from reconciler.fleet.load import Fleet
from reconciler.fleet.records import FleetRecords, RolloutRecord
from reconciler.fleet.rollout import RolloutSpec, waves_for
from reconciler.fleet.site import SiteContext
from reconciler.state.mapping import MappingStore
from reconciler.state.storage import Storage


@dataclass
class Prepared:
    spec: RolloutSpec
    resumed: RolloutRecord | None  # the halted roll-out this one picks up, if any


def prepare(
    fleet: Fleet,
    mode: str,
    records: FleetRecords,
    engine: str,
    wave: str | None = None,
    max_failures: int | None = None,
    concurrency: int | None = None,
) -> Prepared:
    waves = waves_for(fleet.file, mode, wave, max_failures)
    if wave is not None and not waves:
        known = ", ".join(name for name, _ in fleet.file.waves())
        from reconciler.errors import ConfigError

        raise ConfigError(f'no site is in wave "{wave}"; the fleet\'s waves are: {known}')
    spec = RolloutSpec(
        rollout_id=uuid.uuid4().hex[:12],
        fleet=fleet.name,
        revision=fleet.revision,
        mode=mode,
        waves=waves,
        concurrency=concurrency or fleet.file.limits.concurrency,
    )
    resumed = None
    if mode == "apply" and wave is None:
        last = next((r for r in records.rollouts(fleet.name) if r.mode == "apply"), None)
        if last is not None and last.status == "halted" and last.revision == fleet.revision:
            names = [w.name for w in waves]
            if last.wave in names:
                spec.wave_index = names.index(last.wave)
                resumed = last
    records.start_rollout(
        RolloutRecord(
            spec.rollout_id,
            fleet.name,
            fleet.revision,
            mode,
            engine,
            "running",
            spec.waves[spec.wave_index].name if spec.waves else None,
            time.time(),
            detail={"resumed_from": resumed.rollout_id} if resumed else {},
        )
    )
    return Prepared(spec, resumed)


def result_detail(spec: RolloutSpec, message: str = "") -> dict:
    return {"tally": spec.tally, "failed_sites": spec.failed_sites, "message": message}


@contextlib.contextmanager
def site_context(fleet: Fleet, state_dir: Path, who: str = "") -> Iterator[SiteContext]:
    """The state a process needs to run sites: database, fleet records, id mapping, budgets.

    All of it is in the one state database: every worker sharing a PostgreSQL database shares the
    id mapping and the catalog locks too, whichever machine it runs on."""
    storage = Storage(state_dir)
    db = storage.database()
    mapping = MappingStore(db)
    try:
        records = FleetRecords(db)
        limits = fleet.file.limits
        budget = Budget(records, fleet.name, limits.site_requests_per_minute, limits.fleet_requests_per_minute)
        yield SiteContext(fleet, Path(state_dir), records, mapping, budget, who=who)
    finally:
        db.close()
