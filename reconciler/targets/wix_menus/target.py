"""The Wix Menus (New) target: the current Wix Restaurants API, without drafts.

The engine calls the same hooks as for Catalogs v3 (see reconciler/targets/wix_v3/target.py); this
target's guarantee is "compensated": built unattached, switched over in one concurrent step, and
rolled back from the before-state if anything fails (docs/menus-new-atomicity.md).
"""

from __future__ import annotations

from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence
from reconciler.engine.plan import Built
from reconciler.http import Session
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import Entry
from reconciler.targets.locations import choose_location
from reconciler.targets.wix_menus import planner, project, read
from reconciler.targets.wix_menus.client import MenusApi
from reconciler.targets.wix_menus.execute import MenusExecutor
from reconciler.targets.wix_v3.client import CatalogsV3


class WixMenusTarget:
    name = "wix-menus"
    guarantee = "compensated (no drafts: built unattached, one cut-over step, rolled back on failure)"
    remove_verb = "delete"

    def __init__(self, session: Session, location: str | None = None, label: str | None = None) -> None:
        self.session = session
        self.api = MenusApi(session)
        self.locations_api = CatalogsV3(session)  # only for the Locations list
        self.location = location
        self.label = label or self.name
        self._resolved: tuple[str, str, bool] | None = None
        self._problems: list[str] = []
        self._garbage: dict[str, str] = {}

    async def resolve(self) -> tuple[str, str, bool]:
        """(location id, location name, whether the site has several locations)."""
        if self._resolved:
            return self._resolved
        locations = [loc for loc in await self.locations_api.list_locations() if not loc.get("archived")]
        chosen = choose_location(locations, self.location)
        self._resolved = (chosen["id"], chosen.get("name") or chosen["id"], len(locations) > 1)
        return self._resolved

    async def scope(self) -> str:
        location_id, _, _ = await self.resolve()
        return f"{self.label}:{location_id}"

    async def describe(self) -> dict:
        location_id, location_name, _ = await self.resolve()
        return {
            "name": self.label,
            "api": "wix-menus-new",
            "guarantee": self.guarantee,
            "location_id": location_id,
            "location_name": location_name,
            "catalog_id": location_id,
            "scope": await self.scope(),
            "remove_verb": self.remove_verb,
        }

    # -- read -------------------------------------------------------------------------------------
    async def fetch(self) -> read.RawSite:
        await self.resolve()
        return await read.fetch(self.api)

    def existing_wix_ids(self, raw: read.RawSite) -> set[str]:
        return raw.ids()

    def interpret(self, raw: read.RawSite, entries: list[Entry], desired: Essence) -> read.LiveSite:
        location_id, _, several = self._resolved or (None, None, False)
        live = read.interpret(raw, entries, desired, location_id, several)
        # Entities mapped to us, still there, but no longer reachable: left by an interrupted run.
        reachable = set(live.wix_ids.values())
        wanted = {(read.SERVICE_OF[k], i) for k, i in desired}
        self._garbage = {
            e.wix_id: e.kind
            for e in entries
            if e.wix_id in live.known and e.wix_id not in reachable and (e.kind, e.local_id) not in wanted
        }
        return live

    def unsupported(self, catalog: Catalog) -> list[str]:
        _, _, refused = project.project(catalog)
        return refused

    def project(self, catalog: Catalog) -> tuple[Essence, list[str]]:
        essence, notes, _ = project.project(catalog)
        return essence, notes

    # -- plan and execute -------------------------------------------------------------------------
    async def build(
        self, changes: list[Change], desired: Essence, live: read.LiveSite, live_updates: bool = True
    ) -> Built:
        location_id, _, _ = await self.resolve()
        return planner.build(changes, desired, live, location_id, self._garbage)

    async def executor(
        self, concurrency: int, attempts: int, takeover_draft: bool, interrupted_run: bool, progress
    ) -> MenusExecutor:
        return MenusExecutor(self.api, concurrency=concurrency, progress=progress)
