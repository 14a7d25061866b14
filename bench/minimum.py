"""The fewest Wix Catalogs v3 calls a change needs, worked out from two catalogs alone.

Independent of reconcile's diff and planner on purpose: this module reads the two catalogs with the
catalog model only, compares its own canonical form of each entity, and counts. The benchmark then
compares what reconcile actually sent (the emulator's counters) with these numbers.

Two minimums are given:

``minimum`` (the formula of issue #9)
    for each bulk kind, ceil(changed entities of that kind / 20), plus createDraftCatalog and
    publishDraftCatalog; or 1 when exactly one existing entity changes (a live PATCH); 0 for none.

``ordered`` (the same, under the API's ordering rules)
    Wix creates a section inside an existing menu and a dish inside an existing section
    (reference U14), variations by name only, and does not document that a create appends the
    new entity to its parent's order list (U13). So a new menu's ``sectionIds`` can be set only
    after its sections exist, a new section's ``itemIds`` only after its new dishes exist, and a
    new variation with more than a name needs an update: those order-list and field updates are
    added to the bulk update kinds.

:func:`levels` places the ``ordered`` calls at the earliest dependency level each can run at,
which gives the round-trip lower bound of an apply at a given concurrency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from reconciler.model.catalog import Catalog, Extras, Selection

BULK = 20

CREATE_KIND = {
    "menu": "bulkCreateMenus",
    "section": "bulkCreateSections",
    "dish": "bulkCreateDishes",
    "variation": "bulkCreateVariations",
}
UPDATE_KIND = {
    "menu": "bulkUpdateMenus",
    "section": "bulkUpdateSections",
    "dish": "bulkUpdateItems",
    "variation": "bulkUpdateItems",
}
LIVE_UPDATE = {"menu": "updateMenu", "section": "updateSection", "dish": "updateItem", "variation": "updateItem"}
ARCHIVE = "bulkArchiveMenus"


# -- canonical form -------------------------------------------------------------------------------
def _num(value: Decimal | str | None) -> str:
    return format(Decimal(value or 0).normalize(), "f")


def _visibility(entity) -> dict:
    return {
        "visible": entity.visible,
        "fulfillment": sorted(set(entity.fulfillment)),
        "platforms": sorted(set(entity.platforms)),
        "hours": sorted((w.day, w.open, w.close_day or w.day, w.close) for w in entity.hours),
        "special": sorted((s.start, s.end, s.available, s.name or "") for s in entity.special_hours),
    }


def _group(group) -> dict:
    out = {"name": group.name, "type": group.type, "choices": [(c.item, _num(c.price)) for c in group.choices]}
    if isinstance(group, Selection):
        out["default"] = group.default
    elif isinstance(group, Extras):
        out.update(
            defaults=sorted(group.defaults), min=group.min, max=len(group.choices) if group.max is None else group.max
        )
    return out


def _item(item, groups: dict) -> dict:
    return {
        "name": item.name,
        "description": item.description or None,
        "price": _num(item.price),
        "tax": _num(item.tax_rate),
        "labels": list(item.labels),
        "image": item.image or None,
        "in_stock": item.in_stock,
        "requests": item.special_requests,
        **_visibility(item),
        "options": [_group(groups[g]) for g in item.options],
    }


@dataclass
class Entities:
    """Every entity of a catalog that ends up on Wix, in canonical form, keyed by (kind, id)."""

    records: dict[tuple[str, str], dict] = field(default_factory=dict)
    refs: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)  # what a record names

    @classmethod
    def of(cls, catalog: Catalog | None) -> Entities:
        out = cls()
        if catalog is None:
            return out
        groups = {g.id: g for g in catalog.option_groups}
        kinds = {d.id: "dish" for d in catalog.dishes} | {v.id: "variation" for v in catalog.variations}
        for menu in catalog.menus:
            out.records[("menu", menu.id)] = {
                "name": menu.name,
                "description": menu.description or None,
                "image": menu.image or None,
                **_visibility(menu),
                "sections": [s.id for s in menu.sections],
            }
            out.refs[("menu", menu.id)] = {("section", s.id) for s in menu.sections}
            for section in menu.sections:
                out.records[("section", section.id)] = {
                    "menu": menu.id,
                    "name": section.name,
                    "description": section.description or None,
                    "image": section.image or None,
                    **_visibility(section),
                    "dishes": list(section.dishes),
                }
                out.refs[("section", section.id)] = {("dish", d) for d in section.dishes}
        # Variations reach Wix only when an option group in use offers them (others stay local).
        by_id = {i.id: i for i in [*catalog.dishes, *catalog.variations]}
        reached, queue = set(), [d.id for d in catalog.dishes]
        while queue:
            ident = queue.pop()
            if ident in reached or ident not in by_id:
                continue
            reached.add(ident)
            queue += [c.item for g in by_id[ident].options if g in groups for c in groups[g].choices]
        for ident in sorted(reached):
            item, kind = by_id[ident], kinds[ident]
            out.records[(kind, ident)] = _item(item, groups)
            out.refs[(kind, ident)] = {
                (kinds[c.item], c.item) for g in item.options for c in groups[g].choices if c.item in kinds
            }
        return out


# -- the difference and its minimum --------------------------------------------------------------
@dataclass
class Minimum:
    created: dict[str, set[str]]
    updated: dict[str, set[str]]
    removed: dict[str, set[str]]
    bulk: dict[str, int]  # call name -> entities, formula of issue #9
    ordered_bulk: dict[str, int]  # call name -> entities, with the API's ordering rules
    live: str | None  # the single live update that suffices, if any
    level_of: dict[tuple[str, str], int]  # (call name, entity) -> earliest dependency level

    @property
    def changed(self) -> int:
        return sum(len(v) for part in (self.created, self.updated, self.removed) for v in part.values())

    def calls(self, ordered: bool = False) -> dict[str, int]:
        """Calls by endpoint: createDraftCatalog, bulk calls of 20, publishDraftCatalog."""
        if self.live:
            return {self.live: 1}
        counts = self.ordered_bulk if ordered else self.bulk
        if not any(counts.values()):
            return {}
        out = {"createDraftCatalog": 1, "publishDraftCatalog": 1}
        out.update({name: math.ceil(n / BULK) for name, n in counts.items() if n})
        return dict(sorted(out.items()))

    def total(self, ordered: bool = False) -> int:
        return sum(self.calls(ordered).values())

    def levels(self) -> list[int]:
        """Calls at each dependency level of the ordered minimum, each call as early as it can run
        (draft first, publish last; entities of one kind at one level share bulk calls)."""
        if self.live:
            return [1]
        if not self.level_of:
            return []
        per: dict[int, dict[str, int]] = {}
        for (call, _), level in self.level_of.items():
            per.setdefault(level, {}).setdefault(call, 0)
            per[level][call] += 1
        top = max(per)
        return (
            [1]
            + [
                sum(math.ceil(n / BULK) for n in per.get(level, {}).values())
                for level in range(1, top + 1)
                if per.get(level)
            ]
            + [1]
        )

    def round_trips(self, concurrency: int) -> int:
        """Sequential round trips: a level of k calls at concurrency c takes ceil(k/c)."""
        return sum(math.ceil(k / max(1, concurrency)) for k in self.levels())

    def reasons(self) -> list[str]:
        """Why the ordered minimum exceeds the formula, in words."""
        out = []
        extra = {k: self.ordered_bulk.get(k, 0) - self.bulk.get(k, 0) for k in self.ordered_bulk}
        if extra.get("bulkUpdateMenus"):
            out.append(
                f"{extra['bulkUpdateMenus']} new menus list sections that do not exist yet when the menu is "
                "created: their order (sectionIds) is set by an update"
            )
        if extra.get("bulkUpdateSections"):
            out.append(
                f"{extra['bulkUpdateSections']} new sections list new dishes, which Wix creates inside an "
                "existing section: the section's order (itemIds) is set by an update"
            )
        if extra.get("bulkUpdateItems"):
            out.append(
                f"{extra['bulkUpdateItems']} new items need fields that their create call cannot carry "
                "(variations are created by name only; options that offer new dishes)"
            )
        return out


def minimum(before: Catalog | None, after: Catalog) -> Minimum:
    old, new = Entities.of(before), Entities.of(after)
    kinds = ("menu", "section", "dish", "variation")
    created = {k: {i for (kk, i) in new.records if kk == k and (kk, i) not in old.records} for k in kinds}
    removed = {k: {i for (kk, i) in old.records if kk == k and (kk, i) not in new.records} for k in kinds}
    updated = {
        k: {i for (kk, i), r in new.records.items() if kk == k and (kk, i) in old.records and old.records[(kk, i)] != r}
        for k in kinds
    }

    # A section moved to another menu cannot follow (a section belongs to one menu for good): it is
    # created anew in its new menu, and the old one is hidden.
    moved = {
        i for i in updated["section"] if old.records[("section", i)]["menu"] != new.records[("section", i)]["menu"]
    }

    entities: dict[str, set[tuple[str, str]]] = {
        name: set() for name in [*CREATE_KIND.values(), ARCHIVE, *set(UPDATE_KIND.values())]
    }
    for kind in kinds:
        entities[CREATE_KIND[kind]] |= {(kind, i) for i in created[kind]}
        entities[UPDATE_KIND[kind]] |= {(kind, i) for i in updated[kind] - moved}
    entities["bulkCreateSections"] |= {("section", i) for i in moved}
    entities["bulkUpdateSections"] |= {("section", f"old:{i}") for i in moved}
    entities[ARCHIVE] |= {("menu", i) for i in removed["menu"]}
    # No deletes in Catalogs v3: a removed dish is hidden (an item update); a removed section is hidden
    # unless its menu is archived anyway; a removed variation is merely no longer offered.
    entities["bulkUpdateItems"] |= {("dish", i) for i in removed["dish"]}
    entities["bulkUpdateSections"] |= {
        ("section", i) for i in removed["section"] if old.records[("section", i)]["menu"] not in removed["menu"]
    }
    bulk = {name: len(v) for name, v in entities.items()}

    # The API's ordering rules add updates to some of what is created.
    ordered = {name: set(v) for name, v in entities.items()}
    new_keys = {(k, i) for k in kinds for i in created[k]} | {("section", i) for i in moved}
    for i in created["menu"]:
        if new.records[("menu", i)]["sections"]:
            ordered["bulkUpdateMenus"].add(("menu", i))
    for i in created["section"] | moved:
        if any(("dish", d) in new_keys for d in new.records[("section", i)]["dishes"]):
            ordered["bulkUpdateSections"].add(("section", i))
    fresh = _item_defaults()
    for i in created["variation"]:
        record = new.records[("variation", i)]
        if {**record, "name": ""} != fresh:
            ordered["bulkUpdateItems"].add(("variation", i))
    for i in created["dish"]:
        if any(("dish", ref[1]) in new_keys for ref in new.refs[("dish", i)] if ref[0] == "dish"):
            ordered["bulkUpdateItems"].add(("dish", i))
    ordered_bulk = {name: len(v) for name, v in ordered.items()}

    live = None
    changed_existing = [(k, i) for k in kinds for i in updated[k]]
    if len(changed_existing) == 1 and not any(created.values()) and not any(removed.values()) and not moved:
        live = LIVE_UPDATE[changed_existing[0][0]]

    level_of = _levels(ordered, new, old, new_keys) if any(ordered_bulk.values()) and not live else {}
    return Minimum(
        created,
        updated,
        removed,
        {k: v for k, v in sorted(bulk.items()) if v},
        {k: v for k, v in sorted(ordered_bulk.items()) if v},
        live,
        level_of,
    )


def _item_defaults() -> dict:
    from reconciler.model.catalog import Variation

    return {**_item(Variation(id="x", name="x"), {}), "name": ""}


def _levels(ordered: dict[str, set], new: Entities, old: Entities, new_keys: set) -> dict[tuple[str, str], int]:
    """Earliest level of each call's entity: the draft is level 0; a create waits for its parent and
    the new entities its payload names; an update waits for every new entity it names."""
    created_at: dict[tuple[str, str], int] = {}
    homes: dict[str, list[str]] = {}  # dish id -> the sections that list it
    for (kind, ident), record in new.records.items():
        if kind == "section":
            for dish in record["dishes"]:
                homes.setdefault(dish, []).append(ident)

    def create_level(key: tuple[str, str]) -> int:
        if key not in new_keys:
            return 0
        if key in created_at:
            return created_at[key]
        kind, ident = key
        if kind == "menu" or kind == "variation":
            level = 1
        elif kind == "section":
            level = 1 + create_level(("menu", new.records[key]["menu"]))
        else:  # a dish: inside the earliest section that lists it, with the new variations it offers
            home = min((create_level(("section", s)) for s in homes.get(ident, ())), default=0)
            offered = [create_level(ref) for ref in new.refs[key] if ref[0] == "variation"]
            level = 1 + max([home, *offered])
        created_at[key] = level
        return level

    out: dict[tuple[str, str], int] = {}
    for call, keys in ordered.items():
        for key in keys:
            if call.startswith("bulkCreate"):
                out[(call, f"{key[0]}:{key[1]}")] = create_level(key)
            elif call == ARCHIVE:
                out[(call, f"{key[0]}:{key[1]}")] = 1
            else:
                names = new.refs.get(key, set()) if not key[1].startswith("old:") else set()
                waits = [create_level(key)] + [create_level(ref) for ref in names]
                out[(call, f"{key[0]}:{key[1]}")] = 1 + max(waits)
    return out
