"""Where a Menus (New) target is, and reading its live side: the half of the target a plan the plan
memo answers needs (engine/memo.py, reconciler/cli/plan_answer.py).

:class:`WixMenusTarget` (target.py) is this reader with everything that plans and applies: a memo's
answer opens the reader alone, and so loads none of the projection, planner or catalog model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from reconciler.canonical import JsonObject
from reconciler.engine.snapshots import Kept
from reconciler.http import Session
from reconciler.targets.locations import choose_location, list_locations, zone_of
from reconciler.targets.wix_menus import raw, snapshot
from reconciler.targets.wix_menus.client import MenusApi
from reconciler.targets.wix_menus.raw import RawSite

API = "wix-menus-new"  # the target's API, as plans name it (TargetInfo.api)


@dataclass(frozen=True)
class Resolved:
    location_id: str
    location_name: str
    several: bool  # the site has several locations: menus of the others are not ours
    time_zone: str  # IANA name, e.g. "Europe/Paris": times of an 86 are the location's


class MenusReader:
    name: ClassVar[str] = "wix-menus"
    # Whether refresh() can read what changed since a kept snapshot: yes (snapshot.py), so a memo's
    # answer reads through the snapshot and keeps what it found (cli/plan_answer.py).
    keeps_snapshot: ClassVar[Literal[True]] = True

    def __init__(
        self,
        session: Session,
        location: str | None = None,
        label: str | None = None,
        resolved: Resolved | None = None,
    ) -> None:
        self.session = session
        self.api = MenusApi(session)
        self.location = location
        self.label = label or self.name
        self._resolved: Resolved | None = resolved  # what an earlier resolve() of this location found

    async def resolve(self) -> Resolved:
        if self._resolved:
            return self._resolved
        locations = [loc for loc in await list_locations(self.session) if not loc.get("archived")]
        chosen = choose_location(locations, self.location)
        self._resolved = Resolved(chosen["id"], chosen.get("name") or chosen["id"], len(locations) > 1, zone_of(chosen))
        return self._resolved

    async def scope(self) -> str:
        resolved = await self.resolve()
        return f"{self.label}:{resolved.location_id}"

    async def time_zone(self) -> str:
        return (await self.resolve()).time_zone

    async def identity(self) -> tuple[str | None, ...]:
        """What a plan's header says of the target (TargetInfo's fields, as ``describe`` fills them)
        and the location's time zone: part of the plan memo's key."""
        resolved = await self.resolve()
        scope = await self.scope()
        return (self.label, API, resolved.location_id, resolved.location_name, None, scope, resolved.time_zone)

    # -- read -------------------------------------------------------------------------------------
    async def _locations(self) -> frozenset[str] | None:
        resolved = await self.resolve()
        return frozenset({resolved.location_id}) if resolved.several else None

    async def fetch(self) -> RawSite:
        return await raw.fetch(self.api, await self._locations())

    async def refresh(self, kept: JsonObject | Kept | None) -> tuple[RawSite, JsonObject | Kept | None]:
        """What ``fetch()`` returns, read as what changed since ``kept`` (snapshot.py)."""
        return await snapshot.refresh(self.api, await self._locations(), kept)

    async def answers(self, kept: Kept | None) -> snapshot.Answers:
        """The site read as what changed since ``kept``, its kept lists not decoded where they hold."""
        return await snapshot.answers(self.api, await self._locations(), kept)

    def keep(self, raw: RawSite, seconds: float) -> JsonObject | None:
        """The snapshot of a whole read (snapshot.py), dated by the last answer's Date less the margin."""
        return snapshot.keep(raw, self.api.session.server_date, seconds)
