"""`reconcile fleet plan|apply|drift --engine temporal`: start a FleetRollout and follow it.

The roll-out runs on the workers, not here: this process starts the workflow, prints each site as
its outcome lands in the state database, and returns the workflow's result. Interrupting it
leaves the roll-out running; `reconcile fleet status` shows where it stands.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from temporalio.client import WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from reconciler.errors import ConfigError
from reconciler.fleet.load import Fleet
from reconciler.fleet.rollout import RolloutResult
from reconciler.fleet.runs import Prepared, prepare, result_detail, site_context
from reconciler.fleet.temporal import Connection, connect
from reconciler.fleet.temporal.workflows import FleetRollout, RolloutJob, RolloutReport, rollout_workflow_id

POLL = 0.25  # seconds between looks at the state database for finished sites
HEARTBEAT_ENV = "RECONCILE_FLEET_HEARTBEAT_TIMEOUT"


async def run_temporal(
    fleet: Fleet,
    mode: str,
    state_dir: Path,
    connection: Connection,
    wave: str | None = None,
    max_failures: int | None = None,
    concurrency: int | None = None,
    progress: Callable[[str, str, str, str], None] | None = None,
    started: Callable[[Prepared], None] | None = None,
) -> RolloutResult:
    client = await connect(connection)
    with site_context(fleet, state_dir) as ctx:
        prepared = prepare(fleet, mode, ctx.records, "temporal", wave, max_failures, concurrency)
        spec = prepared.spec
        job = RolloutJob(spec, connection.task_queue, heartbeat_timeout=float(os.environ.get(HEARTBEAT_ENV) or 30))
        try:
            handle = await client.start_workflow(
                FleetRollout.run,
                job,
                id=rollout_workflow_id(fleet.name),
                task_queue=connection.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            )
        except WorkflowAlreadyStartedError:
            ctx.records.update_rollout(
                spec.rollout_id, "failed", None, result_detail(spec, "another roll-out was running"), True
            )
            raise ConfigError(
                f"a roll-out of fleet {fleet.name} is already running (workflow {rollout_workflow_id(fleet.name)}); "
                "`reconcile fleet status` shows where it stands"
            ) from None
        if started is not None:
            started(prepared)
        waiting = asyncio.ensure_future(handle.result())
        seen: dict[str, float] = {}
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=POLL)
            _report(ctx.records.sites(fleet.name), spec.rollout_id, seen, fleet, progress)
            if done:
                break
        try:
            report: RolloutReport = waiting.result()
        except WorkflowFailureError as exc:
            raise ConfigError(f"the roll-out workflow failed: {exc.cause or exc}") from None
        return RolloutResult(report.status, report.wave, report.spec, report.message)


def _report(records, rollout_id: str, seen: dict[str, float], fleet: Fleet, progress) -> None:
    for site_id, record in records.items():
        if record.rollout_id != rollout_id or record.finished is None or record.started is None:
            continue
        if record.finished < record.started or seen.get(site_id) == record.finished:
            continue
        seen[site_id] = record.finished
        if progress is not None:
            site = fleet.file.site(site_id)
            progress(fleet.file.wave_of(site), site_id, record.result or "", record.detail or "")
