"""What a target declares about itself, and what a plan records about the target it was made for.

A target's :class:`Capabilities` are declared once, on the target class
(:mod:`reconciler.targets.base` tells the whole contract). The engine, the renderers and ``serve``
read them and keep no lists of their own: the kinds and their order, the title of each group in a
plan, the verb a removal is shown with, whether applies run in a draft, what the API cannot hold.
``describe()`` wraps them in a :class:`TargetInfo`, which the plan carries, so a saved plan renders
and applies without asking the target again.
"""

from __future__ import annotations

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
        return next((i for i, spec in enumerate(self.kinds) if spec.kind == kind), len(self.kinds))

    def spec(self, kind: Kind) -> KindSpec:
        for spec in self.kinds:
            if spec.kind == kind:
                return spec
        raise KeyError(f"this target does not manage {kind!r}")

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
