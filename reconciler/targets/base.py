"""The contract of a target: the hooks the engine calls, and what a target declares about itself.

A target is one Wix API at one business location: Catalogs v3 (``wix_v3``, also the sandbox) or
Menus (New) (``wix_menus``). The engine never looks past this contract: it calls the hooks below
and reads the declarations, and a new target is a new package that implements them plus one
line in :mod:`reconciler.targets.registry`. Targets never import each other; what every Wix
target shares lives in neutral modules (:mod:`reconciler.targets.locations`,
:mod:`reconciler.targets.naming`, :mod:`reconciler.targets.calls`, and the ``$ref`` placeholders of
:mod:`reconciler.engine.plan`).

Declarations (class attributes)

    name          MUST  the registry name ("wix-v3"); ``label`` (MAY differ: "sandbox") names it in plans
    capabilities  MUST  a :class:`Capabilities`: the kinds it manages in dependency order, each with
                        its group title, id namespace and removal verb; whether applies run in a
                        draft; the verb of the summary line; what the catalog can say that the API
                        cannot hold
    shares_locations  MUST  whether it can plan several locations as one site, sharing entities across
                        them (``menus_new.share``; :mod:`reconciler.engine.sharing`): the opener then
                        gives it a shared reference instead of one location
    entities      MUST  an :class:`Entities`: which catalog list (dishes, variations, …) the record of
                        each kind comes from, so ``ownership:`` and ``protect:`` apply on this target
                        (docs/ownership.md); kinds of no one entity (labels) are left out
    known_calls   MUST  every call its plans may hold (:class:`~reconciler.engine.review.CallTemplate`:
                        SDK name, method, path template); ``apply --plan`` refuses a saved plan
                        with any other call before anything is sent

Hooks, in the order one sync calls them (every hook MUST exist; "MAY" says what it is free to do)

    resolve()                 find the location (and catalog) once and remember it; MUST raise
                              ``ConfigError`` with the choices when it cannot. A Wix target
                              MUST also take ``resolved=``, the value an earlier ``resolve()``
                              of the same site and location returned, and then use it without
                              looking it up again (a fleet resolves each site once per roll-out)
    scope()                   MUST return the same "<label>:<id>" for the same live catalog: the id
                              mapping and the per-catalog lock are keyed by it
    describe()                MUST return a :class:`TargetInfo` (no secret, no base URL): the plan
                              records it and renders its header from it
    time_zone()               MUST return the location's IANA time zone ("UTC" when the API has
                              none): the times of the availability layer (an 86 "until 22:00",
                              "until close") are the location's
    unsupported(catalog)      MUST list why a catalog cannot be planned at all (limits that would
                              change what a diner may order); empty when it can
    project(catalog)          MUST return the desired essence in this target's kinds, and notes on
                              what it had to leave out (each names a feature of ``cannot_hold``);
                              MUST be pure and apply the same approximation the reader applies, so
                              nothing shows up as a perpetual change
    fetch()                   MUST read the whole live side once and return it raw (a :class:`RawLive`):
                              ``fingerprint()`` and ``hashes()`` tie a saved plan to what it saw;
                              MUST NOT write
    fetch_entities(ids)       MUST read only the named live entities ((id namespace, Wix id) pairs from the
                              id mapping), with their revisions, in as few calls as the API allows, and
                              return them raw like ``fetch()``; ``interpret()`` of that MUST give the live
                              view of just those entities, each record exactly as the whole read gives
                              it (the ``wix_ids`` of the entities they refer to included, so a plan's
                              placeholders resolve). MUST return None when it cannot be sure (an entity
                              is gone or archived, a namespace it cannot read one by one): the caller
                              then reads everything. MUST NOT write. The minimal live update of stock
                              (:mod:`reconciler.engine.live_update`) reads through it
    refresh(kept)             MUST return what ``fetch()`` would return now, and the live snapshot to keep
                              for the next call (JSON; None: keep none; ``kept`` itself: it still
                              holds, keep it as it is). It MAY read only what changed since
                              ``kept`` (what an earlier call returned as its snapshot, from the
                              state directory, its lists decoded only when asked for:
                              :class:`reconciler.engine.snapshots.Kept`), where
                              the API can tell what changed; whenever it cannot be sure (no ``kept``,
                              one of another shape, an answer it cannot place) it MUST read fully;
                              MUST NOT write. A target whose API cannot tell reads fully and keeps
                              nothing. Only ``reconcile plan`` calls it: ``apply`` always calls
                              ``fetch()`` (the stale-plan rule)
    keep(raw, seconds)        MUST return the snapshot ``refresh()`` would keep after this whole read of
                              ``fetch()`` (``seconds``: how long that read took), or None when it
                              cannot be sure of one (a target that keeps none, a slow read). Apply
                              keeps one of the read it makes under the lock, so that verify, after
                              the writes, reads only what changed since (``refresh(kept)``): the
                              run's writes and anyone else's, plus the target's cheap whole-catalog
                              checks (counts, the few lists it always reads whole)
    interpret(raw, entries, desired)
                              MUST return a :class:`LiveView`: the live essence keyed by *our* ids
                              (through the mapping ``entries``, adopting by name where it can, else
                              ``wix:<id>``), the records edited outside reconcile (drift), the currency
                              when the API has one; MUST be pure
    build(changes, desired, live, live_updates)
                              MUST return the calls (:class:`~reconciler.engine.plan.Built`), in steps
                              where each call needs only earlier steps, with "$ref"/"$rev" placeholders
                              for what the run creates; MAY annotate changes with notes; MAY use one
                              live call for a single-entity change when ``live_updates``
    executor(...)             MUST return an :class:`Executor` for one apply
    present(essence)          MUST return the essence (desired or live, in this target's kinds) as a
                              diner sees it: a :class:`~reconciler.engine.menuview.CatalogView`;
                              MUST be pure. ``reconcile show`` and the HTML plan render only this

An :class:`Executor`'s ``run(plan, stage)`` MUST execute exactly the plan's calls, call ``stage``
with the ids it created before the change becomes visible (and MAY call it with ``partial=True``
earlier, so a killed run's creations stay known), and keep the target's guarantee: on any failure it
raises (``ApplyFailed`` when the live side is as it was, ``ApplyOutcomeUnknown`` when that cannot be
proven) after undoing what it can. After a failed run, ``leftover`` MUST say whether it left
something the next run has to clear (a v3 draft it could not discard): the engine journals that and
creates the next executor with ``interrupted_run=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, TypeVar

from reconciler.canonical import JsonObject
from reconciler.engine.calltemplates import CallTemplate
from reconciler.engine.capabilities import Capabilities, Entities, KindSpec, TargetInfo
from reconciler.engine.diff import Change
from reconciler.engine.essence import Essence, Key
from reconciler.engine.menuview import CatalogView
from reconciler.engine.plan import Built, Plan
from reconciler.engine.snapshots import Kept
from reconciler.engine.vocabulary import Phase
from reconciler.model.catalog import Catalog
from reconciler.state.mapping import Entry, Intent

__all__ = [
    "Capabilities",
    "Entities",
    "ExecutionResult",
    "Executor",
    "KindSpec",
    "LiveView",
    "Progress",
    "RawLive",
    "Stage",
    "Target",
    "TargetInfo",
]

# (phase, what runs now, calls done, calls in all). The phase is what a caller may act on (serve
# cancels a draft target's apply only while it builds); the text is for people.
Progress = Callable[[Phase, str, int, int], None]


class Stage(Protocol):
    """Records the mapping rows of the ids a run created (``partial``: the run is still creating)."""

    def __call__(self, created: dict[str, str], partial: bool = False) -> None: ...

    def intend(self, intents: list[Intent]) -> None:
        """Records creates about to be sent (targets whose creates are live at once MUST call it
        before sending one), so that a run killed while waiting for the answer leaves nothing
        the next run cannot find."""
        ...


@dataclass
class ExecutionResult:
    """What an executor reports after a successful run."""

    created: dict[str, str] = field(default_factory=dict)  # "<namespace>:<local id>" -> new Wix id
    calls: dict[str, int] = field(default_factory=dict)  # API calls made, by operation (retries included)
    attempts: int = 1  # > 1: earlier attempts were thrown away after ambiguous failures
    warnings: list[str] = field(default_factory=list)  # done, but something is left for the next run
    cutover_seconds: float | None = None  # targets without drafts: how long diners could see a mix


class RawLive(Protocol):
    """The live side as read, before interpretation."""

    def fingerprint(self) -> str:
        """One hash of everything read: a saved plan is stale when it moved."""
        ...

    def hashes(self) -> dict[str, str]:
        """A hash per live entity, by Wix id: what a stale-plan message compares."""
        ...

    def existing_ids(self) -> set[str]:
        """Wix ids that exist live now: settling an interrupted apply's mapping rows asks these."""
        ...

    def find_intended(self, intents: list[Intent], taken: set[str]) -> dict[int, str]:
        """Which entities the creates a dead run recorded (``Stage.intend``) made, among those not in
        ``taken``: intent index -> Wix id. Targets whose creates are never live before a publish
        return nothing."""
        ...


class LiveView(Protocol):
    """The live side in our terms: what the diff compares and the planner plans against."""

    essence: Essence
    drifted: frozenset[Key]  # records that differ from what reconcile last wrote
    currency: str | None  # the site's currency, where the API has one


class Executor(Protocol):
    leftover: bool

    async def run(self, plan: Plan, stage: Stage) -> ExecutionResult: ...


RawT = TypeVar("RawT", bound=RawLive)
LiveT = TypeVar("LiveT", bound=LiveView)


class Target(Protocol[RawT, LiveT]):
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    entities: ClassVar[Entities]
    known_calls: ClassVar[tuple[CallTemplate, ...]]
    shares_locations: ClassVar[bool]
    label: str

    async def resolve(self) -> object: ...

    async def scope(self) -> str: ...

    async def describe(self) -> TargetInfo: ...

    async def time_zone(self) -> str: ...

    def unsupported(self, catalog: Catalog) -> list[str]: ...

    def project(self, catalog: Catalog) -> tuple[Essence, list[str]]: ...

    async def fetch(self) -> RawT: ...

    async def fetch_entities(self, ids: Collection[tuple[str, str]]) -> RawT | None: ...
    async def refresh(self, kept: JsonObject | Kept | None) -> tuple[RawT, JsonObject | Kept | None]: ...

    def keep(self, raw: RawT, seconds: float) -> JsonObject | None: ...

    def interpret(self, raw: RawT, entries: list[Entry], desired: Essence) -> LiveT: ...

    async def build(self, changes: list[Change], desired: Essence, live: LiveT, live_updates: bool = True) -> Built: ...

    async def executor(
        self,
        concurrency: int,
        attempts: int,
        takeover_draft: bool,
        interrupted_run: bool,
        progress: Progress | None,
        against: RawT | None = None,
    ) -> Executor:
        """``against``: the live side as read under the lock and found to be the plan's (a target
        may use it to check cheaply that nothing moved since; it never replaces that check)."""
        ...

    def present(self, essence: Essence) -> CatalogView: ...
