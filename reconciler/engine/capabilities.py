"""What a target declares about itself, and what a plan records about the target it was made for.

A target's :class:`Capabilities` are declared once, on the target class
(:mod:`reconciler.targets.base` tells the whole contract). The engine, the renderers and ``serve``
read them and keep no lists of their own: the kinds and their order, the title of each group in a
plan, the verb a removal is shown with, whether applies run in a draft, what the API cannot hold.
``describe()`` wraps them in a :class:`TargetInfo`, which the plan carries, so a saved plan renders
and applies without asking the target again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reconciler.engine.vocabulary import Kind, Namespace, Removal


@dataclass(frozen=True)
class KindSpec:
    """One kind of entity a target manages."""

    kind: Kind
    title: str  # how a plan heads its group: "Dishes", "Option groups"
    namespace: Namespace  # its ids in the mapping and in "$ref" keys: dishes and variations share "item"
    removal: Removal  # how the API takes a removed one away, and the verb the plan shows


@dataclass(frozen=True)
class Capabilities:
    kinds: tuple[KindSpec, ...]  # in dependency order, parents first: the position is the kind's rank
    drafts: bool  # an apply builds one draft and publishes it in one step (else: see the target's guarantee)
    removal: Removal  # the verb of the summary line ("Plan: … 2 to archive")
    cannot_hold: tuple[str, ...] = ()  # what the catalog can say and the API has no place for (reported in plans)

    def rank(self, kind: Kind) -> int:
        """The one ordering rule's first key; kinds the target does not declare sort last."""
        found = self._by_kind.get(kind)
        return found[0] if found is not None else len(self.kinds)

    def spec(self, kind: Kind) -> KindSpec:
        found = self._by_kind.get(kind)
        if found is None:
            raise KeyError(f"this target does not manage {kind!r}")
        return found[1]

    @functools.cached_property
    def _by_kind(self) -> dict[Kind, tuple[int, KindSpec]]:
        """Each kind's rank and spec, the first declaration winning: asked for every record of a plan
        (140,000 times at 10,000 dishes on Menus (New)), so a lookup rather than a scan of the kinds."""
        found: dict[Kind, tuple[int, KindSpec]] = {}
        for index, spec in enumerate(self.kinds):
            found.setdefault(spec.kind, (index, spec))
        return found

    def namespace(self, kind: Kind) -> Namespace:
        return self.spec(kind).namespace


@dataclass(frozen=True)
class Entities:
    """Which catalog lists ("dishes", "variations", …) the id of a record of each kind names, in the
    order to look: a record's ``ownership:`` and ``protect:`` are read from that entity. A kind not
    listed (a label, a closure) comes from no one entity and keeps the catalog-wide defaults. A
    target declares it once (``Target.entities``); plans made from it do not record it."""

    sources: tuple[tuple[Kind, tuple[str, ...]], ...] = ()

    def of(self, kind: Kind) -> tuple[str, ...]:
        return next((tables for k, tables in self.sources if k == kind), ())

    def tables(self) -> frozenset[str]:
        return frozenset(table for _, tables in self.sources for table in tables)


@dataclass(frozen=True)
class TargetInfo:
    """Where a plan applies (``describe()``): recorded in the plan, shown in its header; never a secret."""

    name: str  # "sandbox", "wix-v3", "wix-menus"
    api: str  # "wix-catalogs-v3", "wix-menus-new"
    guarantee: str  # what an apply promises about a failure, in a phrase
    location_id: str
    location_name: str
    catalog_id: str | None  # Catalogs v3 has a catalog per location; Menus (New) has none
    scope: str  # where the id mapping and the lock live: "<name>:<catalog or location id>"
    capabilities: Capabilities
