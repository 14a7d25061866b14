"""The Wix Catalogs v3 target: find the catalog, read it, plan for it, and execute plans on it.

It implements the contract of :mod:`reconciler.targets.base`; everything v3-specific stays in this
package. The sandbox is this same target talking to the in-process emulator.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from reconciler.engine.calltemplates import CallTemplate
from reconciler.engine.capabilities import Capabilities, Entities, TargetInfo
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, essence
from reconciler.engine.menuview import CatalogView
from reconciler.engine.plan import Built
from reconciler.engine.vocabulary import Kind
from reconciler.http import Session
from reconciler.model.catalog import Catalog, allergen_label
from reconciler.model.images import ImageFile
from reconciler.state.mapping import Entry
from reconciler.targets import media
from reconciler.targets.base import Progress
from reconciler.targets.notes import left_out
from reconciler.targets.priced import without_price_on_request
from reconciler.targets.wix_v3 import planner, present, read
from reconciler.targets.wix_v3 import project as projection
from reconciler.targets.wix_v3.capabilities import API, CALORIES, CAPABILITIES, ENTITIES
from reconciler.targets.wix_v3.execute import Executor
from reconciler.targets.wix_v3.raw import RawLive
from reconciler.targets.wix_v3.reader import API as READ_API
from reconciler.targets.wix_v3.reader import Resolved, V3Reader


def in_v3_terms(neutral: Essence) -> tuple[Essence, list[str]]:
    """(essence in Catalogs v3 terms, the dishes whose calories it cannot hold). Catalogs v3 items
    have labels but no allergen or nutrition field: a dish's allergens are shown as labels after
    its own ("contains milk"), which the reader reads back as labels, so both sides agree."""
    out: Essence = {}
    lost: list[str] = []
    for (kind, local_id), record in neutral.items():
        if kind == Kind.DISH:
            record = dict(record)
            if record.pop("calories") is not None:
                lost.append(local_id)
            record["labels"] = [*record["labels"], *(allergen_label(a) for a in record.pop("allergens"))]
        out[(kind, local_id)] = record
    return out, lost


class WixV3Target(V3Reader):
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    entities: ClassVar[Entities] = ENTITIES
    known_calls: ClassVar[tuple[CallTemplate, ...]] = (*API, *media.CALLS)
    shares_locations: ClassVar[bool] = False  # a catalog per location: nothing to share
    guarantee: ClassVar[str] = "atomic publish (one draft catalog)"

    def __init__(
        self,
        session: Session,
        location: str | None = None,
        label: str | None = None,
        resolved: Resolved | None = None,
    ) -> None:
        super().__init__(session, location, label, resolved)
        self.images: dict[str, ImageFile] = {}

    async def describe(self) -> TargetInfo:
        resolved = await self.resolve()
        return TargetInfo(
            name=self.label,
            api=READ_API,
            guarantee=self.guarantee,
            location_id=resolved.location_id,
            location_name=resolved.location_name,
            catalog_id=resolved.catalog_id,
            scope=await self.scope(),
            capabilities=self.capabilities,
        )

    async def fetch_entities(self, ids: Collection[tuple[str, str]]) -> RawLive | None:
        """Dishes and variations by Wix id (Get Item each); None for anything else (read.py)."""
        resolved = await self.resolve()
        return await read.fetch_entities(self.api, resolved.catalog_id, set(ids))

    def interpret(self, raw: RawLive, entries: list[Entry], desired: Essence) -> read.LiveCatalog:
        if raw.only is not None:
            return read.interpret_only(raw.items, entries, desired)
        return read.interpret(raw.menus, raw.sections, raw.items, entries, desired)

    def present(self, essence: Essence) -> CatalogView:
        """The essence as a diner sees it (``reconcile show``, the HTML plan)."""
        return present.present(essence)

    def unsupported(self, catalog: Catalog) -> list[str]:
        return []

    def project(self, catalog: Catalog) -> tuple[Essence, list[str]]:
        """The neutral essence, but a dish's allergens become labels, and its calories and the menu
        features v3 has no place for are left out (project.py), each named in a note."""
        self.images = media.files_of(catalog)  # what the image uploads of the next build need
        priced, on_request = without_price_on_request(catalog)
        desired, lost = in_v3_terms(essence(priced))
        notes = [left_out("Catalogs v3", CALORIES, lost)] if lost else []
        desired, more = projection.without_features(desired, on_request)
        return media.one_value_per_file(desired), sorted(notes + more)

    # -- plan and execute -------------------------------------------------------------------------
    async def build(
        self, changes: list[Change], desired: Essence, live: read.LiveCatalog, live_updates: bool = True
    ) -> Built:
        resolved = await self.resolve()
        changes, adopted = await media.adopt(self.api.session, changes, desired, live.essence, live.media)
        built = planner.build(changes, desired, live, resolved.catalog_id, live_updates=live_updates)
        return media.with_images(built, desired, live.essence, live.media, self.images, adopted)

    async def executor(
        self,
        concurrency: int,
        attempts: int,
        takeover_draft: bool,
        interrupted_run: bool,
        progress: Progress | None,
        against: RawLive | None = None,
    ) -> Executor:
        resolved = await self.resolve()
        return Executor(
            self.api,
            resolved.catalog_id,
            concurrency=concurrency,
            attempts=attempts,
            takeover_draft=takeover_draft,
            interrupted_run=interrupted_run,
            progress=progress,
            against=against,
        )
