"""Menus (New) for several locations at once, sharing entities (``menus_new: {share: true}``).

The same target as :class:`~reconciler.targets.wix_menus.target.WixMenusTarget`, for the locations a
shared reference names (:mod:`reconciler.engine.sharing`): it projects the whole catalog with
share.py (one entity while the values agree, a location's own where they differ), reads the menus of
all those locations at once, adopts by name within a location (a menu among its location's menus,
a location's own dish preferably among the items attached there), and plans one build, one
cut-over and one clean-up for all of them. Its id mapping and lock live in one scope for the site.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reconciler.canonical import JsonObject
from reconciler.engine.capabilities import TargetInfo
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, Key
from reconciler.engine.plan import Built
from reconciler.engine.sharing import parse_ref, shared_ref
from reconciler.engine.snapshots import Kept
from reconciler.engine.vocabulary import Action, Kind
from reconciler.http import Session
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import Entry
from reconciler.targets import media
from reconciler.targets.locations import choose_location, list_locations, zone_of
from reconciler.targets.naming import section_parent
from reconciler.targets.wix_menus import planner, raw, read, share
from reconciler.targets.wix_menus.reader import Resolved
from reconciler.targets.wix_menus.target import WixMenusTarget


@dataclass(frozen=True)
class Place:
    key: str  # the location's key in the catalog
    location_id: str
    time_zone: str


class SharedMenusTarget(WixMenusTarget):
    guarantee = "compensated, one cut-over for every location (entities shared across locations)"

    def __init__(self, session: Session, ref: str, label: str | None = None) -> None:
        super().__init__(session, None, label)
        self.wanted = parse_ref(ref)  # (key, Wix location id or name), in catalog order
        self._places: list[Place] | None = None
        self._site: str | None = None
        self._where: dict[Key, tuple[str, ...]] = {}
        self._notes: dict[Key, str] = {}
        self._live_where: dict[Key, tuple[str, ...]] = {}

    async def places(self) -> list[Place]:
        if self._places is None:
            locations = [loc for loc in await list_locations(self.session) if not loc.get("archived")]
            chosen = [(key, choose_location(locations, ref)) for key, ref in self.wanted]
            self._places = [Place(key, str(loc["id"]), zone_of(loc)) for key, loc in chosen]
            self._site = min(str(loc["id"]) for loc in locations)
        return self._places

    async def resolve(self) -> Resolved:
        """The first location stands for the site where one is asked for (its time zone)."""
        places = await self.places()
        return Resolved(places[0].location_id, self._name(places), True, places[0].time_zone)

    async def fetch(self) -> raw.RawSite:
        """What counts as moved is what the shared locations reach (see ``raw.RawSite``)."""
        return await raw.fetch(self.api, frozenset(p.location_id for p in await self.places()))

    async def refresh(self, kept: JsonObject | Kept | None) -> tuple[raw.RawSite, JsonObject | Kept | None]:
        """Always a full read: a shared site's plan keeps no live snapshot (``engine/sharing.py``)."""
        return await self.fetch(), None

    def keep(self, raw: raw.RawSite, seconds: float) -> JsonObject | None:
        return None  # refresh() reads fully (above)

    async def scope(self) -> str:
        await self.places()
        return f"{self.label}:shared:{self._site}"

    async def describe(self) -> TargetInfo:
        places = await self.places()
        return TargetInfo(
            name=self.label,
            api="wix-menus-new",
            guarantee=self.guarantee,
            location_id=shared_ref([(p.key, p.location_id) for p in places]),
            location_name=self._name(places),
            catalog_id=None,
            scope=await self.scope(),
            capabilities=self.capabilities,
        )

    @staticmethod
    def _name(places: list[Place]) -> str:
        return "shared: " + ", ".join(p.key for p in places)

    # -- the desired side -------------------------------------------------------------------------
    def _keys(self) -> list[str]:
        return [key for key, _ in self.wanted]

    def unsupported(self, catalog: Catalog) -> list[str]:
        return share.site_essence(catalog, self._keys()).refused

    def project(self, catalog: Catalog) -> tuple[Essence, list[str]]:
        site = share.site_essence(catalog, self._keys())
        self._where, self._notes = site.where, site.notes
        self.images = media.files_of(catalog)  # what the image uploads of the next build need
        return media.one_value_per_file(site.essence), site.approximations

    # -- the live side ----------------------------------------------------------------------------
    def interpret(self, raw: raw.RawSite, entries: list[Entry], desired: Essence) -> read.LiveSite:
        places = self._places or []
        keys = {p.location_id: p.key for p in places}
        live = read.interpret(raw, entries, desired, None, True, read.Sites(keys, _parent))
        self._live_where = {
            key: tuple(keys[at] for at in _located(live.known.get(wix_id) or {}) if at in keys)
            for key, wix_id in live.wix_ids.items()
        }
        return live

    def where(self, key: Key) -> tuple[str, ...]:
        """The locations that have ``key``, desired or live (a subset plan refuses what others share)."""
        both = self._where.get(key, ()) + self._live_where.get(key, ())
        return tuple(dict.fromkeys(k for k in self._keys() if k in both))

    # -- plan -------------------------------------------------------------------------------------
    async def build(
        self, changes: list[Change], desired: Essence, live: read.LiveSite, live_updates: bool = True
    ) -> Built:
        places = await self.places()
        at = {p.key: p.location_id for p in places}
        menus = {i: at[share.split_id(i)[0] or ""] for k, i in desired if k == Kind.MENU}
        changes, adopted = await media.adopt(self.api.session, changes, desired, live.essence, live.media)
        built = media.with_images(
            planner.build(changes, desired, live, None, menus), desired, live.essence, live.media, self.images, adopted
        )
        return replace(built, changes=tuple(replace(c, notes=c.notes + self._why(c, desired)) for c in built.changes))

    def _why(self, change: Change, desired: Essence) -> tuple[str, ...]:
        location, base = share.split_id(change.id)
        if change.kind in share.OWN or change.kind == Kind.LABEL:
            return ()
        if location is not None and change.action == Action.CREATE:
            return (self._notes.get(change.key, f"split at {location}"),)
        if location is not None and change.action == Action.REMOVE and (change.kind, base) in desired:
            return (f"merged back: the values at {location} equal the shared ones again",)
        shared = self._where.get(change.key, ())
        if location is None and len(shared) > 1 and change.action != Action.REMOVE:
            return (f"shared by {len(shared)} locations ({', '.join(shared)}): written once",)
        return ()


def _located(entity: JsonObject) -> list[str]:
    if entity.get("businessLocationId"):
        return [str(entity["businessLocationId"])]
    return [str(at) for at in entity.get("businessLocationIds") or []]


def _parent(kind: Kind, local_id: str, fields: JsonObject) -> str | None:
    """Adoption's parent in a shared plan: a section's menu, a menu's or own entity's location."""
    if kind == Kind.SECTION:
        return section_parent(kind, local_id, fields)
    return share.split_id(local_id)[0]
