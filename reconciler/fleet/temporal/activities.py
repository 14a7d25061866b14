"""The site steps (:mod:`reconciler.fleet.site`) as Temporal activities, plus the roll-out's bookkeeping.

Each activity heartbeats while it runs, so when a worker dies (even by SIGKILL) Temporal gives the
step to another worker after the heartbeat timeout instead of waiting for the step's whole time
limit. Errors leave as ``ApplicationError`` of type ``Temporary`` (retried with back-off by the
workflow's retry policy) or ``Permanent`` (``non_retryable``); the message is ours, redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable

from temporalio import activity
from temporalio.exceptions import ApplicationError

from reconciler.fleet import site as steps
from reconciler.fleet.records import RolloutRecord
from reconciler.fleet.retry import is_temporary
from reconciler.fleet.rollout import RolloutSpec
from reconciler.fleet.runs import result_detail
from reconciler.fleet.site import (
    Applied,
    Fetched,
    Planned,
    SiteContext,
    SiteOutcome,
    SiteRequest,
    Verified,
    describe_error,
)

HEARTBEAT_EVERY = 2.0  # seconds; the workflow's heartbeat timeout is several times this


async def _guarded(work: Awaitable):
    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(HEARTBEAT_EVERY)

    beating = asyncio.create_task(beat())
    try:
        return await work
    except ApplicationError:
        raise
    except Exception as exc:
        kind = "Temporary" if is_temporary(exc) else "Permanent"
        raise ApplicationError(
            f"{type(exc).__name__}: {describe_error(exc)}", type=kind, non_retryable=kind == "Permanent"
        ) from None
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


class Activities:
    """Bound to one process's :class:`SiteContext` (fleet, state database, budgets)."""

    def __init__(self, ctx: SiteContext) -> None:
        self.ctx = ctx

    def all(self) -> list:
        return [self.begin, self.fetch, self.plan, self.apply, self.verify, self.report, self.rollout_progress]

    @activity.defn(name="begin")
    async def begin(self, request: SiteRequest) -> list[str | None]:
        return await _guarded(steps.begin(self.ctx, request))

    @activity.defn(name="fetch")
    async def fetch(self, request: SiteRequest) -> Fetched:
        return await _guarded(steps.fetch(self.ctx, request))

    @activity.defn(name="plan")
    async def plan(self, request: SiteRequest) -> Planned:
        return await _guarded(steps.plan(self.ctx, request))

    @activity.defn(name="apply")
    async def apply(self, request: SiteRequest, checksum: str) -> Applied:
        return await _guarded(steps.apply(self.ctx, request, checksum))

    @activity.defn(name="verify")
    async def verify(self, request: SiteRequest, checksum: str) -> Verified:
        return await _guarded(steps.verify_site(self.ctx, request, checksum))

    @activity.defn(name="report")
    async def report(self, request: SiteRequest, outcome: SiteOutcome) -> None:
        await _guarded(steps.report(self.ctx, request, outcome))

    @activity.defn(name="rollout_progress")
    async def rollout_progress(self, spec: RolloutSpec, status: str, wave: str | None, message: str) -> None:
        """Record where a roll-out stands (every wave start, and its end), for `fleet status`."""
        records = self.ctx.records
        if records.rollout(spec.rollout_id) is None:  # started by a client of another state database
            records.start_rollout(
                RolloutRecord(
                    spec.rollout_id,
                    spec.fleet,
                    spec.revision,
                    spec.mode,
                    "temporal",
                    status,
                    wave,
                    activity.info().started_time.timestamp(),
                )
            )
        final = status in ("finished", "halted", "failed")
        records.update_rollout(spec.rollout_id, status, wave, result_detail(spec, message), final=final)
