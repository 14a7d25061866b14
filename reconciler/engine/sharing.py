"""A shared site plan: several locations planned as one, entities shared across them (``menus_new.share``).

A catalog with ``menus_new: {share: true}``, planned on a target that ``shares_locations`` (Menus
(New)), is not one sync per location but one sync of the site: the target is opened for a
*shared reference* (:func:`shared_ref`: every location of the catalog, in order), projects the
whole catalog with entities shared while their values agree, and plans one build, one cut-over and
one clean-up (docs/locations-menus-new.md). The site plan then holds one plan, keyed
``shared: A, B, …``; apply, verify, journal and rollback take it like any plan of one target.

Planning some of the locations only (``--location Airport``) plans them inside the site: a targeted
plan (:mod:`reconciler.engine.targeting`) of the changes whose entities only the chosen locations
have. A change to an entity another location also has is refused, naming it and those locations,
so one location's plan never changes what the others show.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from reconciler.engine.apply import ApplyOptions, apply_plan
from reconciler.engine.availability import Layer, at_location
from reconciler.engine.essence import Key
from reconciler.engine.live_update import NO_LIMITS, LiveUpdate
from reconciler.engine.plan import Plan
from reconciler.engine.planfile import seal_site
from reconciler.engine.planning import make_plan
from reconciler.engine.siteplan import SHARED_KEY, LocationPlan, SitePlan
from reconciler.engine.targeting import Selection
from reconciler.engine.thresholds import Thresholds
from reconciler.engine.vocabulary import Action
from reconciler.errors import ConfigError
from reconciler.model.catalog import Catalog
from reconciler.model.locations import Location, Override
from reconciler.state.mapping import MappingStore

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from reconciler.targets.base import Target

SHARED = "shared:"  # how a shared reference starts: never a Wix location id or name of ours


def shares(catalog: Catalog) -> bool:
    return bool(catalog.locations) and catalog.menus_new.share


def shared_ref(places: Iterable[tuple[str, str]]) -> str:
    """(catalog key, Wix location id or name) of every location, in catalog order, as one reference."""
    return SHARED + json.dumps([list(p) for p in places], ensure_ascii=False, separators=(",", ":"))


def is_shared(ref: str) -> bool:
    return ref.startswith(SHARED)


def parse_ref(ref: str) -> list[tuple[str, str]]:
    try:
        places = json.loads(ref.removeprefix(SHARED))
        out = [(str(key), str(wix)) for key, wix in places]
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"not a shared location reference: {ref[:80]!r}") from exc
    if not out:
        raise ConfigError("a shared location reference names no location")
    return out


def site_key(locations: Iterable[Location]) -> str:
    return SHARED_KEY + ", ".join(loc.key for loc in locations)


class Sharing(Protocol):
    def where(self, key: Key) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Within(Selection):
    """A targeted plan of some locations of a shared site: the changes only they are touched by."""

    chosen: tuple[str, ...] = ()
    target: Any = None  # a Sharing target: which locations have an entity (read as the plan is made)
    shared: list[tuple[Key, tuple[str, ...]]] = field(default_factory=list, compare=False, hash=False)
    kept: list[Key] = field(default_factory=list, compare=False, hash=False)

    def keeps(self, key: Key) -> bool:
        at = cast(Sharing, self.target).where(key)
        if all(k in self.chosen for k in at):
            self.kept.append(key)
            return True
        if any(k in self.chosen for k in at):
            self.shared.append((key, tuple(k for k in at if k not in self.chosen)))
        return False

    def describe(self) -> str:
        """The note of the targeted plan of exactly the kept changes: a saved plan of some locations is
        made again that way when it is applied (engine/review.py), and must read the same."""
        return Selection(frozenset((str(kind), ident) for kind, ident in self.kept)).describe()

    def refuse(self) -> None:
        if not self.shared:
            return
        lines = [f"  - {kind} {ident} is shared with {', '.join(others)}" for (kind, ident), others in self.shared]
        raise ConfigError(
            f"the plan of {', '.join(self.chosen)} alone would change {len(lines)} entit"
            f"{'y' if len(lines) == 1 else 'ies'} that other locations share (menus_new.share), which one "
            "location's plan never does:\n" + "\n".join(lines) + "\nPlan them together (--location all), or "
            "override the value at these locations first (that gives them their own copy)."
        )


def refuse_canary(plan: Plan, canary: str) -> None:
    """A canary of a shared site would change what every location sees: refuse, naming the shared changes."""
    shared = [c for c in plan.changes if c.action != Action.CREATE and "/" not in c.id]
    named = "; ".join(f"{c.kind} {c.id}" for c in shared[:10])
    more = f" and {len(shared) - 10} more" if len(shared) > 10 else ""
    what = f" It changes {len(shared)} shared entities: {named}{more}." if shared else ""
    raise ConfigError(
        f'--canary "{canary}": with menus_new.share the locations are applied in one cut-over, so a canary '
        f"cannot go first without changing shared entities under the other locations' feet.{what} Roll out "
        f'with `apply --location "{canary}"` first (it refuses to change a shared entity), then `--location all`.'
    )


async def plan_shared(
    catalog: Catalog,
    locations: list[Location],
    opener: Callable[[str], AbstractAsyncContextManager[Target[Any, Any]]],
    store: MappingStore,
    thresholds: Thresholds,
    live_updates: bool = True,
    layer: Layer | None = None,
) -> SitePlan | None:
    """The one plan of ``locations`` of a shared site; None when the target keeps locations apart."""
    async with opener(shared_ref((loc.key, loc.wix) for loc in catalog.locations)) as target:
        if not target.shares_locations:
            return None
        chosen = tuple(loc.key for loc in locations)
        everyone = {loc.key for loc in catalog.locations} <= set(chosen)
        selection = None if everyone else Within(chosen=chosen, target=target)
        if layer is not None:
            catalog = with_layer(catalog, dict(parse_ref((await target.describe()).location_id)), layer)
        planned = await make_plan(catalog, target, store, thresholds, live_updates, None, selection)
        if selection is not None:
            selection.refuse()
    return seal_site(SitePlan((LocationPlan(site_key(locations), planned.plan, planned.live.essence),)))


def with_layer(catalog: Catalog, location_ids: dict[str, str], layer: Layer) -> Catalog:
    """The availability layer's entries in force at each location as that location's stock overrides.

    A shared plan projects every location at once, so the layer cannot be applied to the catalog as
    a whole (an 86 at one location is that location's value, which may split an entity there)."""
    located = []
    for location in catalog.locations:
        in_force = at_location(layer.entries, location_ids.get(location.key, location.key), layer.now)
        if not in_force:
            located.append(location)
            continue
        lists = {"dishes": list(location.dishes), "variations": list(location.variations)}
        for entity, entry in sorted(in_force.items()):
            items = lists["dishes" if entry.kind == "dish" else "variations"]
            old = next((o for o in items if o.id == entity), None)
            new = Override(
                id=entity,
                price=old.price if old else None,
                in_stock=entry.available,
                visible=old.visible if old else None,
            )
            items[:] = [o for o in items if o.id != entity] + [new]
        located.append(location.model_copy(update=lists))
    return catalog.model_copy(update={"locations": located})


async def update_shared_stock(
    catalog: Catalog,
    opener: Callable[[str], AbstractAsyncContextManager[Target[Any, Any]]],
    store: MappingStore,
    state_dir: Path,
    before: Layer,
    after: Layer,
) -> LiveUpdate | None:
    """An 86 (or its end) on a shared site: only what the layer's change changes, in one cut-over.

    At one location an 86 may split an entity (its own copy out of stock, its sections re-pointed)
    and its end merges it back, so it is not one stock update per entity as on a site whose
    locations keep their own entities: it is the targeted plan of exactly the records the layer's
    change makes different (the rest of the catalog's pending changes are left for `apply`).
    None when the target keeps locations apart (:func:`reconciler.engine.live_update.update_stock`).
    """
    async with opener(shared_ref((loc.key, loc.wix) for loc in catalog.locations)) as target:
        if not target.shares_locations:
            return None
        ids = dict(parse_ref((await target.describe()).location_id))
        old, _ = target.project(with_layer(catalog, ids, before))
        new, _ = target.project(with_layer(catalog, ids, after))
        moved = {key for key in set(old) | set(new) if old.get(key) != new.get(key)}
        if not moved:
            return LiveUpdate()
        only = Selection(only=frozenset((str(kind), ident) for kind, ident in moved))
        planned = await make_plan(with_layer(catalog, ids, after), target, store, NO_LIMITS, True, None, only)
        done = LiveUpdate(changes=list(planned.plan.changes))
        if not planned.plan.empty:
            result = await apply_plan(planned.plan, target, store, state_dir, ApplyOptions(force=True))
            done.calls = dict(result.calls)
        return done


async def refuse_unsharing(
    places: Iterable[tuple[str, str]],
    opener: Callable[[str], AbstractAsyncContextManager[Target[Any, Any]]],
    store: MappingStore,
) -> None:
    """An isolated plan of a site whose entities are shared would adopt a shared entity as one
    location's own and change it under the others' feet: refuse while the site's scope holds ids.
    ``places``: (key, Wix location id or name) of the catalog's locations."""
    async with opener(shared_ref(places)) as target:
        if not target.shares_locations:
            return
        try:
            scope = await target.scope()
        except ConfigError:
            return  # a location the site lacks: planning each location names it
        if store.entries(scope):
            raise ConfigError(
                "the site's entities are shared across its locations (an earlier apply with menus_new.share), "
                "and this catalog plans every location on its own, which would change shared entities under the "
                f"other locations' feet. Set `menus_new: {{share: true}}` again. (The shared ids are in {scope}.)"
            )
