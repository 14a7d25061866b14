"""Where a Catalogs v3 target is, and reading its live side: the half of the target a plan the
plan memo answers needs (engine/memo.py, reconciler/cli/plan_answer.py).

:class:`WixV3Target` (target.py) is this reader with everything that plans and applies: a memo's
answer opens the reader alone, and so loads none of the projection, planner or catalog model.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar, Literal

from reconciler.canonical import JsonObject
from reconciler.engine.snapshots import Kept
from reconciler.errors import ConfigError
from reconciler.http import Session
from reconciler.targets.locations import choose_location, list_locations, zone_of
from reconciler.targets.wix_v3 import raw
from reconciler.targets.wix_v3.client import CatalogsV3
from reconciler.targets.wix_v3.raw import RawLive

API = "wix-catalogs-v3"  # the target's API, as plans name it (TargetInfo.api)


@dataclass(frozen=True)
class Resolved:
    location_id: str
    location_name: str
    catalog_id: str
    time_zone: str  # IANA name, e.g. "Europe/Paris": times of an 86 are the location's


class V3Reader:
    name: ClassVar[str] = "wix-v3"
    # Whether refresh() can read what changed since a kept snapshot: never here (see refresh), so a
    # memo's answer reads the three lists and keeps nothing (cli/plan_answer.py).
    keeps_snapshot: ClassVar[Literal[False]] = False

    def __init__(
        self,
        session: Session,
        location: str | None = None,
        label: str | None = None,
        resolved: Resolved | None = None,
    ) -> None:
        self.api = CatalogsV3(session)
        self.session = session
        self.location = location
        self.label = label or self.name
        self._resolved: Resolved | None = resolved  # what an earlier resolve() of this location found

    # -- where ------------------------------------------------------------------------------------
    async def resolve(self) -> Resolved:
        if self._resolved:
            return self._resolved
        # Both lists at once: one round trip instead of two before anything else can start.
        locations, all_catalogs = await asyncio.gather(list_locations(self.session), self.api.list_catalogs())
        location = choose_location(locations, self.location)
        catalogs = [c for c in all_catalogs if c.get("locationId") == location["id"] and not c.get("archived")]
        if not catalogs:
            raise ConfigError(
                f'location "{location.get("name")}" has no restaurant catalog; is the Wix Restaurants '
                "Menus app (Catalogs v3) installed on this site?"
            )
        self._resolved = Resolved(
            location["id"], location.get("name") or location["id"], catalogs[0]["id"], zone_of(location)
        )
        return self._resolved

    async def scope(self) -> str:
        resolved = await self.resolve()
        return f"{self.label}:{resolved.catalog_id}"

    async def time_zone(self) -> str:
        return (await self.resolve()).time_zone

    async def identity(self) -> tuple[str | None, ...]:
        """What a plan's header says of the target (TargetInfo's fields, as ``describe`` fills them)
        and the location's time zone: part of the plan memo's key."""
        resolved = await self.resolve()
        scope = await self.scope()
        return (
            self.label,
            API,
            resolved.location_id,
            resolved.location_name,
            resolved.catalog_id,
            scope,
            resolved.time_zone,
        )

    # -- read -------------------------------------------------------------------------------------
    async def answers(self) -> raw.Answers:
        """The whole live side, undecoded."""
        resolved = await self.resolve()
        return await raw.answers(self.api, resolved.catalog_id)

    async def fetch(self) -> RawLive:
        return await (await self.answers()).raw()

    async def refresh(self, kept: JsonObject | Kept | None) -> tuple[RawLive, JsonObject | Kept | None]:
        """Always a full read, and nothing kept: Catalogs v3 cannot say what changed. Its lists take
        only ``fieldMask`` and ``archived`` (no filter, no paging), and its entities carry no public
        ``updatedDate``, and its revision is internal (../shared/reference/wix-catalogs-v3.md)."""
        return await self.fetch(), None

    def keep(self, raw: RawLive, seconds: float) -> JsonObject | None:
        """None: refresh() reads fully whatever it is given (verify after apply reads the whole catalog)."""
        return None
