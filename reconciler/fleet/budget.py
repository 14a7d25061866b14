"""Request budgets: one per site (Wix allows about 200 requests a minute per app instance) and one
for the whole fleet, shared by every worker through the state database.

Every HTTP request a site's target sends passes :class:`reconciler.fleet.connect.SiteTransport`,
which reserves one request in both budgets (:meth:`FleetRecords.reserve`, GCRA) and waits until it may go. Retries
are requests too, so they count. Concurrency (how many sites run at once) is a separate knob:
budgets bound the rate, whatever the concurrency.

A budget of ``rate`` a minute allows bursts of ``rate // 20`` (at least 1) and is paced at
``rate - burst`` a minute, so no sliding minute ever sees more than ``rate`` requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from reconciler.fleet.records import FleetRecords


def _pacing(per_minute: int) -> tuple[float, float]:
    burst = max(1, per_minute // 20)
    paced = max(1, per_minute - burst) if per_minute > 1 else 1
    interval = 60.0 / paced
    return interval, interval * (burst - 1)


class Budget:
    def __init__(
        self,
        records: FleetRecords,
        fleet: str,
        site_per_minute: int,
        fleet_per_minute: int | None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.records = records
        self.fleet = fleet
        self.site = _pacing(site_per_minute)
        self.whole = _pacing(fleet_per_minute) if fleet_per_minute else None
        self._sleep = sleep
        self.waited = 0.0  # seconds spent waiting for the budgets (for status and benchmarks)

    def names(self, site_id: str) -> list[tuple[str, float, float]]:
        budgets = [(f"site:{site_id}", *self.site)]
        if self.whole:
            budgets.append((f"fleet:{self.fleet}", *self.whole))
        return budgets

    async def take(self, site_id: str) -> None:
        wait = await asyncio.to_thread(self.records.reserve, self.names(site_id))
        if wait > 0:
            self.waited += wait
            await self._sleep(wait)
