"""A roll-out: the fleet's sites in waves, a bounded number at once, a health gate after each wave.

Both engines drive the same :class:`RolloutDriver`: the local engine with asyncio tasks, the
Temporal engine inside a workflow (so this module is pure: no I/O, no clock, no randomness;
asyncio's primitives are deterministic under Temporal's event loop).

Within a wave, ``concurrency`` lanes take the next site in file order, so the sites started so
far are always a prefix of the wave: where a run stopped is one number (``position``). A wave
halts the roll-out as soon as more of its sites failed than it allows; no further site of it
starts, those in flight finish. Resuming a halted roll-out runs its halted wave again from the
start (sites that converged plan nothing and write nothing), then the waves after it.

``limit`` stops a run after that many sites started (the Temporal workflow continues as new with
the returned position, so its history stays small however large the fleet).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

FAILED = ("failed", "held", "verify-failed")
FAILED_SITES_KEPT = 100


@dataclass
class Wave:
    name: str
    site_ids: list[str]
    allowed_failures: int | None  # None: never halts (plan and drift)


@dataclass
class RolloutSpec:
    """Everything a roll-out needs, JSON-able; also where a halted or continued run picks up."""

    rollout_id: str
    fleet: str
    revision: str
    mode: str  # plan, drift, apply
    waves: list[Wave]
    concurrency: int
    wave_index: int = 0
    position: int = 0  # sites of the current wave already done
    failures: int = 0  # failures so far in the current wave
    tally: dict[str, int] = field(default_factory=dict)  # site results over the whole roll-out
    failed_sites: list[str] = field(default_factory=list)


@dataclass
class RolloutResult:
    status: str  # finished, halted, continue (the run stopped at ``limit``; carry on from ``spec``)
    wave: str | None
    spec: RolloutSpec
    message: str = ""


SiteRunner = Callable[[str, str], Awaitable[str]]  # (wave, site id) -> the site's result


class RolloutDriver:
    def __init__(
        self,
        spec: RolloutSpec,
        run_site: SiteRunner,
        limit: int | None = None,
        on_wave: Callable[[RolloutSpec, str], Awaitable[None]] | None = None,
    ) -> None:
        self.spec = spec
        self.run_site = run_site
        self.limit = limit
        self.on_wave = on_wave  # called when a wave starts (progress, records)
        self.started = 0

    async def run(self) -> RolloutResult:
        spec = self.spec
        while spec.wave_index < len(spec.waves):
            wave = spec.waves[spec.wave_index]
            if self.on_wave is not None:
                await self.on_wave(spec, wave.name)
            await self._wave(wave)
            if self._over(wave):
                return RolloutResult(
                    "halted",
                    wave.name,
                    spec,
                    f"wave {wave.name} halted the roll-out: {spec.failures} of its sites failed "
                    f"(at most {wave.allowed_failures} allowed)",
                )
            if spec.position < len(wave.site_ids):
                return RolloutResult("continue", wave.name, spec)
            spec.wave_index += 1
            spec.position = 0
            spec.failures = 0
        last = spec.waves[-1].name if spec.waves else None
        return RolloutResult("finished", last, spec)

    def _over(self, wave: Wave) -> bool:
        return wave.allowed_failures is not None and self.spec.failures > wave.allowed_failures

    async def _wave(self, wave: Wave) -> None:
        spec = self.spec
        cursor = spec.position

        async def lane() -> None:
            nonlocal cursor
            while cursor < len(wave.site_ids) and not self._over(wave):
                if self.limit is not None and self.started >= self.limit:
                    return
                site_id = wave.site_ids[cursor]
                cursor += 1
                self.started += 1
                result = await self.run_site(wave.name, site_id)
                spec.tally[result] = spec.tally.get(result, 0) + 1
                if result in FAILED:
                    spec.failures += 1
                    if len(spec.failed_sites) < FAILED_SITES_KEPT:
                        spec.failed_sites.append(site_id)

        lanes = min(spec.concurrency, len(wave.site_ids) - cursor)
        await asyncio.gather(*(lane() for _ in range(max(lanes, 0))))
        spec.position = cursor


def waves_for(fleet_file, mode: str, only: str | None = None, max_failures: int | None = None) -> list[Wave]:
    """The roll-out's waves from a fleet file; ``only`` keeps one wave (``--wave``)."""
    waves = []
    for name, sites in fleet_file.waves():
        if only is not None and name != only:
            continue
        allowed = fleet_file.allowed_failures(len(sites), max_failures) if mode == "apply" else None
        waves.append(Wave(name, [s.site_id for s in sites], allowed))
    return waves
