"""The fleet's workflows: deterministic code that sequences activities and child workflows.

``SiteSync`` (workflow id ``site:<wix site id>``): one sync of one site, by :func:`site_flow`.
Temporal allows one running workflow per id, so two syncs of a site never overlap, whoever
starts them (a roll-out, a webhook). A ``sync_requested`` signal that arrives while it runs makes
it run once more when it is done (bursts coalesce), through continue-as-new, so its history stays
a few dozen events however many follow-ups it runs.

``FleetRollout`` (workflow id ``fleet:<fleet name>``, so one roll-out per fleet at a time): the
waves, by :class:`RolloutDriver`, each site as a ``SiteSync`` child. The driver's lanes bound the
children in flight (``concurrency``, at most 1,000: well under Temporal's limit of 2,000 pending
children per workflow). After ``SITES_PER_RUN`` sites it drains its lanes and continues as new
with where it stands, so its history stays far below the 51,200-event limit for any fleet size.

Both run **outside** the SDK's workflow sandbox. The sandbox re-imports the workflow's modules
for every workflow it starts (about 27 ms of CPU per ``SiteSync``) and runs every activation
through them: 4.9 of a worker's 35 CPU seconds in a profiled drift pass of 100 sites.
What the sandbox would guard against is kept out by construction: these workflows only call
:func:`site_flow` and :class:`RolloutDriver`, which are pure (no I/O, clock or randomness), and
Temporal still checks every replay against the history (a non-deterministic change fails loudly).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ChildWorkflowError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from reconciler.fleet.retry import BACKOFF
    from reconciler.fleet.rollout import RolloutDriver, RolloutSpec
    from reconciler.fleet.site import (
        Applied,
        Fetched,
        Planned,
        SiteOutcome,
        SiteRequest,
        UnitOutcome,
        Verified,
        combine,
        site_flow,
    )

FETCH_IN_PLAN = "plan-and-drift-without-fetch"  # workflow.patched id
SITES_PER_RUN = 500  # sites per FleetRollout run before it continues as new
MAX_CONCURRENCY = 1000
BUSY_RETRY = timedelta(seconds=2)  # a site already syncing (a webhook's sync): wait, then start again
BUSY_TRIES = 150

RESULT_TYPES = {
    "begin": list,
    "fetch": Fetched,
    "plan": Planned,
    "apply": Applied,
    "verify": Verified,
    "report": type(None),
}


@dataclass
class SiteJob:
    request: SiteRequest
    step_timeout: float = 900.0  # seconds one step may take (a large first apply)
    heartbeat_timeout: float = 30.0  # a silent worker is presumed dead after this long


def site_workflow_id(site_id: str) -> str:
    return f"site:{site_id}"


def rollout_workflow_id(fleet: str) -> str:
    return f"fleet:{fleet}"


def retry_policy() -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=BACKOFF.initial),
        backoff_coefficient=BACKOFF.coefficient,
        maximum_interval=timedelta(seconds=BACKOFF.maximum),
        maximum_attempts=BACKOFF.attempts,
        non_retryable_error_types=["Permanent"],
    )


@workflow.defn(name="SiteSync", sandboxed=False)  # see the module docstring: no sandbox
class SiteSync:
    def __init__(self) -> None:
        self.again = False
        self.phase = "starting"

    @workflow.signal
    def sync_requested(self) -> None:
        self.again = True

    @workflow.query
    def current(self) -> str:
        return self.phase

    @workflow.run
    async def run(self, job: SiteJob) -> SiteOutcome:
        async def step(name: str, *args):
            self.phase = name
            return await workflow.execute_activity(
                name,
                args=list(args),
                result_type=RESULT_TYPES[name],
                start_to_close_timeout=timedelta(seconds=job.step_timeout),
                heartbeat_timeout=timedelta(seconds=job.heartbeat_timeout),
                retry_policy=retry_policy(),
            )

        # Histories begun before plan and drift dropped their fetch step replay with it.
        outcome = await site_flow(step, job.request, fetch_in_plan=workflow.patched(FETCH_IN_PLAN))
        self.phase = "done"
        if self.again:
            # Something changed while we ran: one more sync, as an apply, in a fresh history.
            workflow.continue_as_new(
                SiteJob(replace(job.request, mode="apply", rollout_id=None), job.step_timeout, job.heartbeat_timeout)
            )
        return outcome


@dataclass
class RolloutJob:
    spec: RolloutSpec
    task_queue: str
    step_timeout: float = 900.0
    heartbeat_timeout: float = 30.0


@dataclass
class RolloutReport:
    status: str  # finished, halted
    wave: str | None
    message: str
    spec: RolloutSpec


@workflow.defn(name="FleetRollout", sandboxed=False)  # see the module docstring: no sandbox
class FleetRollout:
    def __init__(self) -> None:
        self.spec: RolloutSpec | None = None

    @workflow.query
    def progress(self) -> RolloutSpec | None:
        return self.spec

    @workflow.run
    async def run(self, job: RolloutJob) -> RolloutReport:
        spec = job.spec
        spec.concurrency = max(1, min(spec.concurrency, MAX_CONCURRENCY))
        self.spec = spec

        async def bookkeeping(status: str, wave: str | None, message: str = "") -> None:
            await workflow.execute_activity(
                "rollout_progress",
                args=[spec, status, wave, message],
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=RetryPolicy(maximum_attempts=10, maximum_interval=timedelta(seconds=10)),
            )

        async def on_wave(current: RolloutSpec, name: str) -> None:
            await bookkeeping("running", name)

        async def run_site(wave: str, site_id: str) -> str:
            site_job = SiteJob(
                SiteRequest(spec.fleet, spec.revision, site_id, None, spec.mode, spec.rollout_id),
                job.step_timeout,
                job.heartbeat_timeout,
            )
            for _ in range(BUSY_TRIES):
                try:
                    outcome: SiteOutcome = await workflow.execute_child_workflow(
                        SiteSync.run,
                        site_job,
                        id=site_workflow_id(site_id),
                        task_queue=job.task_queue,
                        parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                    )
                    return outcome.result
                except WorkflowAlreadyStartedError:
                    await workflow.sleep(BUSY_RETRY)
                except ChildWorkflowError:
                    return "failed"
            return combine(site_id, [UnitOutcome(None, "failed", error="the site stayed busy")]).result

        result = await RolloutDriver(spec, run_site, limit=SITES_PER_RUN, on_wave=on_wave).run()
        if result.status == "continue":
            workflow.continue_as_new(RolloutJob(result.spec, job.task_queue, job.step_timeout, job.heartbeat_timeout))
        await bookkeeping(result.status, result.wave, result.message)
        return RolloutReport(result.status, result.wave, result.message, result.spec)
