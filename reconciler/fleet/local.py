"""The local engine: the whole roll-out in this process, with asyncio, at most ``concurrency`` sites
at once. The default: no cluster needed. Steps retry temporary failures with the same back-off the
Temporal engine uses; the state (mapping, records, budgets) is the configured database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reconciler.engine.journal import operator
from reconciler.fleet.load import Fleet
from reconciler.fleet.retry import retrying
from reconciler.fleet.rollout import RolloutDriver, RolloutResult, RolloutSpec
from reconciler.fleet.runs import Prepared, prepare, result_detail, site_context
from reconciler.fleet.site import STEPS, SiteContext, SiteOutcome, SiteRequest, outcome_detail, site_flow

Progress = Callable[[str, str, str, str], None]  # (wave, site id, result, detail)


async def run_site(ctx: SiteContext, spec: RolloutSpec, site_id: str) -> SiteOutcome:
    async def step(name: str, *args):
        return await retrying(lambda: STEPS[name](ctx, *args))

    base = SiteRequest(spec.fleet, spec.revision, site_id, None, spec.mode, spec.rollout_id)
    return await site_flow(step, base)


async def run_local(
    fleet: Fleet,
    mode: str,
    state_dir: Path,
    wave: str | None = None,
    max_failures: int | None = None,
    concurrency: int | None = None,
    progress: Progress | None = None,
    started: Callable[[Prepared], None] | None = None,
) -> RolloutResult:
    with site_context(fleet, state_dir, who=operator()) as ctx:  # the journal names who ran the roll-out
        prepared = prepare(fleet, mode, ctx.records, "local", wave, max_failures, concurrency)
        if started is not None:
            started(prepared)
        spec = prepared.spec

        async def one(wave_name: str, site_id: str) -> str:
            outcome = await run_site(ctx, spec, site_id)
            if progress is not None:
                progress(wave_name, site_id, outcome.result, outcome_detail(outcome))
            return outcome.result

        async def on_wave(current: RolloutSpec, name: str) -> None:
            ctx.records.update_rollout(current.rollout_id, "running", name, result_detail(current))

        try:
            result = await RolloutDriver(spec, one, on_wave=on_wave).run()
        except BaseException:
            ctx.records.update_rollout(spec.rollout_id, "failed", None, result_detail(spec, "interrupted"), final=True)
            raise
        finally:
            await ctx.pool.aclose()
        ctx.records.update_rollout(
            spec.rollout_id, result.status, result.wave, result_detail(spec, result.message), final=True
        )
        return result
