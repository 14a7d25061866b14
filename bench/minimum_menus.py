"""The fewest Wix Menus (New) calls a change needs, and their dependency levels, from two catalogs.

What entities a catalog is on Menus (New) is the target's projection (``targets/wix_menus/project.py``:
a dish is an Item, its sizes Variants, its other option groups ModifierGroups of Modifiers, its
labels Label entities, a menu's hours and online ordering its Menu Ordering Settings); the
projection is a fact about the API, not a choice of the planner. Everything else here is independent
of reconcile's diff and planner: the records of the two projections are compared, and counted.

Calls (``targets/wix_menus/client.py``, from the reference): bulk create and update of up to 100
per call for every service but labels (one call per label); bulk delete of up to 100 (menus, sections,
items) or 200 (the rest), menus one call each; one Upsert Menu Ordering Settings per menu whose hours
or online ordering change (a new menu's, when they are not the defaults); holiday closures one call each.

Levels. A create names the entities it holds (a menu its sections, a section its items, an item
its variants, modifier groups and labels, a group its modifiers), which must exist: each create is
one level after the newest of those. The target's guarantee (no draft: diners see the old menu or
the new one, docs/menus-new-atomicity.md) puts every in-place update in one cut-over step after the
last create, new menus are created hidden and shown there, as the Catalogs v3 bound counts the
draft and the publish; deletes follow it (one level, however many kinds). No revision read or
retry is counted: the bound assumes nobody else writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import Catalog
from reconciler.targets.wix_menus import client, ordering, project

SERVICE = {
    Kind.MENU: "menu",
    Kind.SECTION: "section",
    Kind.DISH: "item",
    Kind.VARIANT: "variant",
    Kind.OPTION_GROUP: "group",
    Kind.MODIFIER: "modifier",
    Kind.LABEL: "label",
}
ORDERING = ("online_ordering", "hours")
Key = tuple[str, str]


def _names(kind: str, record: dict) -> set[Key]:
    """The entities a record holds, which its create needs to exist."""
    if kind == Kind.MENU:
        return {(Kind.SECTION, s) for s in record.get("sections", [])}
    if kind == Kind.SECTION:
        return {(Kind.DISH, d) for d in record.get("dishes", [])}
    if kind == Kind.DISH:
        return (
            {(Kind.VARIANT, v["variant"]) for v in record.get("variants") or []}
            | {(Kind.OPTION_GROUP, g) for g in record.get("groups", [])}
            | {(Kind.LABEL, label) for label in record.get("labels", [])}
        )
    if kind == Kind.OPTION_GROUP:
        return {(Kind.MODIFIER, m["modifier"]) for m in record.get("modifiers", [])}
    return set()


@dataclass
class MenusMinimum:
    per_level: dict[int, dict[str, int]] = field(default_factory=dict)  # level -> call -> entities (or calls)
    singles: set[str] = field(default_factory=set)  # calls that take one entity each
    limits: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    live: str | None = None  # no single live update: Menus (New) writes are all live

    def _calls_at(self, level: int) -> dict[str, int]:
        return {
            call: n if call in self.singles else math.ceil(n / self.limits[call])
            for call, n in self.per_level.get(level, {}).items()
            if n
        }

    def calls(self, ordered: bool = False) -> dict[str, int]:
        """The fewest calls by endpoint: a call's entities of every level in shared bulk calls (the
        levels say how soon each can run, not how they must be batched)."""
        entities: dict[str, int] = {}
        for per_call in self.per_level.values():
            for call, n in per_call.items():
                entities[call] = entities.get(call, 0) + n
        return {
            call: n if call in self.singles else math.ceil(n / self.limits[call])
            for call, n in sorted(entities.items())
            if n
        }

    def total(self, ordered: bool = False) -> int:
        return sum(self.calls(ordered).values())

    def levels(self) -> list[int]:
        return [sum(self._calls_at(level).values()) for level in sorted(self.per_level) if self._calls_at(level)]

    def round_trips(self, concurrency: int) -> int:
        return sum(math.ceil(k / max(1, concurrency)) for k in self.levels())

    def reasons(self) -> list[str]:
        return []


def menus_minimum(before: Catalog | None, after: Catalog) -> MenusMinimum:
    old = project.project(before)[0] if before is not None else {}
    new = project.project(after)[0]
    created = {k for k in new if k not in old}
    updated = {k for k in new if k in old and new[k] != old[k]}
    removed = {k for k in old if k not in new}
    level: dict[Key, int] = {}

    def create_level(key: Key) -> int:
        if key not in created:
            return 0
        if key not in level:
            level[key] = 1 + max((create_level(n) for n in _names(key[0], new[key])), default=0)
        return level[key]

    out = MenusMinimum(changed=len(created) + len(updated) + len(removed))

    def add(at: int, call: str, limit: int, single: bool = False) -> None:
        out.per_level.setdefault(at, {}).setdefault(call, 0)
        out.per_level[at][call] += 1
        out.limits[call] = limit
        if single:
            out.singles.add(call)

    for key in created:
        kind = key[0]
        if kind == Kind.CLOSURE:
            continue  # placed with the cut-over below
        service = SERVICE[kind]
        add(create_level(key), f"create {service}", client.SERVICES[service].create_limit, service == "label")
    cut_over = 1 + max((create_level(k) for k in created), default=0)
    for key in sorted(updated | created):
        kind, record = key[0], new[key]
        if kind == Kind.CLOSURE:
            add(cut_over, f"{'create' if key in created else 'update'} closure", 1, True)
            continue
        if kind == Kind.MENU:
            wanted = {f: record[f] for f in ORDERING}
            was = ordering.settings_record(None) if key in created else {f: old[key][f] for f in ORDERING}
            if wanted != was:
                add(cut_over, "upsert menu ordering settings", 1, True)
            core = {k: v for k, v in record.items() if k not in ORDERING}
            if key in created and not record.get("visible"):
                continue  # created hidden, stays hidden
            if key not in created and core == {k: v for k, v in old[key].items() if k not in ORDERING}:
                continue  # only its ordering settings changed
        elif key in created:
            continue
        service = SERVICE[kind]
        add(cut_over, f"update {service}", client.SERVICES[service].create_limit, service == "label")
    for key in removed:
        kind = key[0]
        service = "closure" if kind == Kind.CLOSURE else SERVICE[kind]
        limit = 1 if service == "closure" else client.SERVICES[service].delete_limit
        add(cut_over + 1, f"delete {service}", limit, service in ("menu", "closure"))
    return out
