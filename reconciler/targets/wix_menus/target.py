"""The Wix Menus (New) target: the current Wix Restaurants API, without drafts.

It implements the contract of :mod:`reconciler.targets.base`. Its guarantee is "compensated": built
unattached, switched over in one concurrent step, and rolled back from the before-state if anything
fails (docs/menus-new-atomicity.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar

from reconciler.canonical import JsonObject
from reconciler.engine.capabilities import Capabilities, Entities, TargetInfo
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence
from reconciler.engine.menuview import CatalogView
from reconciler.engine.plan import Built
from reconciler.engine.review import CallTemplate
from reconciler.http import Session
from reconciler.model.catalog import Catalog
from reconciler.model.images import ImageFile
from reconciler.state.mapping import Entry
from reconciler.targets import media
from reconciler.targets.base import Progress
from reconciler.targets.locations import choose_location, list_locations, zone_of
from reconciler.targets.wix_menus import planner, present, project, read, snapshot
from reconciler.targets.wix_menus.capabilities import API, CAPABILITIES, ENTITIES
from reconciler.targets.wix_menus.client import MenusApi
from reconciler.targets.wix_menus.execute import MenusExecutor


@dataclass(frozen=True)
class Resolved:
    location_id: str
    location_name: str
    several: bool  # the site has several locations: menus of the others are not ours
    time_zone: str  # IANA name, e.g. "Europe/Paris": times of an 86 are the location's


class WixMenusTarget:
    name: ClassVar[str] = "wix-menus"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    entities: ClassVar[Entities] = ENTITIES
    known_calls: ClassVar[tuple[CallTemplate, ...]] = (*API, *media.CALLS)
    shares_locations: ClassVar[bool] = True  # menus_new.share: site.py
    guarantee: ClassVar[str] = "compensated (no drafts: built unattached, one cut-over step, rolled back on failure)"

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
        self.images: dict[str, ImageFile] = {}
        self._projected: tuple[Catalog, tuple[Essence, list[str], list[str]]] | None = None

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

    async def describe(self) -> TargetInfo:
        resolved = await self.resolve()
        return TargetInfo(
            name=self.label,
            api="wix-menus-new",
            guarantee=self.guarantee,
            location_id=resolved.location_id,
            location_name=resolved.location_name,
            catalog_id=None,
            scope=await self.scope(),
            capabilities=self.capabilities,
        )

    # -- read -------------------------------------------------------------------------------------
    async def fetch(self) -> read.RawSite:
        resolved = await self.resolve()
        return await read.fetch(self.api, frozenset({resolved.location_id}) if resolved.several else None)

    async def fetch_entities(self, ids: Collection[tuple[str, str]]) -> read.RawSite | None:
        """Items, modifiers, groups, variants and labels by Wix id; None for anything else (read.py)."""
        resolved = await self.resolve()
        return await read.fetch_entities(
            self.api, set(ids), frozenset({resolved.location_id}) if resolved.several else None
        )

    async def refresh(self, kept: JsonObject | None) -> tuple[read.RawSite, JsonObject | None]:
        """What ``fetch()`` returns, read as what changed since ``kept`` (snapshot.py)."""
        resolved = await self.resolve()
        return await snapshot.refresh(self.api, frozenset({resolved.location_id}) if resolved.several else None, kept)

    def keep(self, raw: read.RawSite, seconds: float) -> JsonObject | None:
        """The snapshot of a whole read (snapshot.py), dated by the last answer's Date less the margin."""
        return snapshot.keep(raw, self.api.session.server_date, seconds)

    def interpret(self, raw: read.RawSite, entries: list[Entry], desired: Essence) -> read.LiveSite:
        resolved = self._resolved
        if resolved is None:
            return read.interpret(raw, entries, desired, None, False)
        return read.interpret(raw, entries, desired, resolved.location_id, resolved.several)

    def present(self, essence: Essence) -> CatalogView:
        """The essence as a diner sees it (``reconcile show``, the HTML plan)."""
        return present.present(essence)

    def unsupported(self, catalog: Catalog) -> list[str]:
        projected = project.project(catalog)
        # A plan asks project() of the same catalog next: it gets this projection, once (the
        # essence is a fresh dict for each caller, never one shared by two).
        self._projected = (catalog, projected)
        return projected[2]

    def project(self, catalog: Catalog) -> tuple[Essence, list[str]]:
        self.images = media.files_of(catalog)  # what the image uploads of the next build need
        kept, self._projected = self._projected, None
        essence, notes, _ = kept[1] if kept is not None and kept[0] is catalog else project.project(catalog)
        return media.one_value_per_file(essence), notes

    # -- plan and execute -------------------------------------------------------------------------
    async def build(
        self, changes: list[Change], desired: Essence, live: read.LiveSite, live_updates: bool = True
    ) -> Built:
        resolved = await self.resolve()
        changes, adopted = await media.adopt(self.api.session, changes, desired, live.essence, live.media)
        built = planner.build(changes, desired, live, resolved.location_id)
        return media.with_images(built, desired, live.essence, live.media, self.images, adopted)

    async def executor(
        self, concurrency: int, attempts: int, takeover_draft: bool, interrupted_run: bool, progress: Progress | None
    ) -> MenusExecutor:
        return MenusExecutor(self.api, concurrency=concurrency, attempts=attempts, progress=progress)
