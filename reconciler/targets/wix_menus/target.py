"""The Wix Menus (New) target: the current Wix Restaurants API, without drafts.

It implements the contract of :mod:`reconciler.targets.base`. Its guarantee is "compensated": built
unattached, switched over in one concurrent step, and rolled back from the before-state if anything
fails (docs/menus-new-atomicity.md).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from reconciler.engine.calltemplates import CallTemplate
from reconciler.engine.capabilities import Capabilities, Entities, TargetInfo
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence
from reconciler.engine.menuview import CatalogView
from reconciler.engine.plan import Built
from reconciler.http import Session
from reconciler.model.catalog import Catalog
from reconciler.model.images import ImageFile
from reconciler.state.mapping import Entry
from reconciler.targets import media
from reconciler.targets.base import Progress
from reconciler.targets.wix_menus import planner, present, project, read
from reconciler.targets.wix_menus.capabilities import API, CAPABILITIES, ENTITIES
from reconciler.targets.wix_menus.execute import MenusExecutor
from reconciler.targets.wix_menus.raw import RawSite
from reconciler.targets.wix_menus.reader import API as READ_API
from reconciler.targets.wix_menus.reader import MenusReader, Resolved


class WixMenusTarget(MenusReader):
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
        super().__init__(session, location, label, resolved)
        self.images: dict[str, ImageFile] = {}
        self._projected: tuple[Catalog, tuple[Essence, list[str], list[str]]] | None = None

    async def describe(self) -> TargetInfo:
        resolved = await self.resolve()
        return TargetInfo(
            name=self.label,
            api=READ_API,
            guarantee=self.guarantee,
            location_id=resolved.location_id,
            location_name=resolved.location_name,
            catalog_id=None,
            scope=await self.scope(),
            capabilities=self.capabilities,
        )

    async def fetch_entities(self, ids: Collection[tuple[str, str]]) -> RawSite | None:
        """Items, modifiers, groups, variants and labels by Wix id; None for anything else (read.py)."""
        resolved = await self.resolve()
        return await read.fetch_entities(
            self.api, set(ids), frozenset({resolved.location_id}) if resolved.several else None
        )

    def interpret(self, raw: RawSite, entries: list[Entry], desired: Essence) -> read.LiveSite:
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
        self,
        concurrency: int,
        attempts: int,
        takeover_draft: bool,
        interrupted_run: bool,
        progress: Progress | None,
        against: RawSite | None = None,
    ) -> MenusExecutor:
        return MenusExecutor(self.api, concurrency=concurrency, attempts=attempts, progress=progress)
