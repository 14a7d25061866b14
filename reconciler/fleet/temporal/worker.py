"""`reconcile fleet worker FLEET`: run the fleet's workflows and activities from a Temporal task queue.

Start as many as you like, on as many machines as share the state database
(RECONCILE_DATABASE_URL) and the same fleet file and catalogs: Temporal hands each waiting worker
the next task, so two workers each take about half the load, and when one dies its steps move
to the others after the heartbeat timeout. ``concurrency`` bounds the steps one worker runs at once.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from temporalio.worker import Worker

from reconciler.fleet.load import Fleet
from reconciler.fleet.runs import site_context
from reconciler.fleet.temporal import Connection, connect
from reconciler.fleet.temporal.activities import Activities
from reconciler.fleet.temporal.workflows import FleetRollout, SiteSync


async def run_worker(
    fleet: Fleet,
    state_dir: Path,
    connection: Connection,
    concurrency: int,
    ready: Callable[[str], None] | None = None,
) -> None:
    client = await connect(connection)
    with site_context(fleet, state_dir) as ctx:
        worker = Worker(
            client,
            task_queue=connection.task_queue,
            workflows=[FleetRollout, SiteSync],
            activities=Activities(ctx).all(),
            max_concurrent_activities=concurrency,
            identity=ctx.worker,
            graceful_shutdown_timeout=timedelta(seconds=10),
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            async with worker:
                if ready is not None:
                    ready(ctx.worker)
                await stop.wait()
        finally:
            await ctx.pool.aclose()  # every site's connections
