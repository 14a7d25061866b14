"""One catalog for several POS locations: merge one-location imports into a base and small overlays.

Every source imports each of its locations as it always has (a one-location catalog each); this
module, shared by every POS, merges them so that :func:`reconciler.model.effective.effective` of
each location gives back exactly that location's import:

* entities are merged by id (the sources give the same entity the same id at every location:
  Square ids are the merchant's, Toast ids come from ``multiLocationId``, Clover aligns by name);
* where an entity exists: everywhere, or ``only_at``/``except_at`` (the shorter list), written only
  where a menu's or section's own presence does not already say it;
* per-location values (a dish's or variation's price, ``in_stock``, ``visible``; a choice's price;
  a menu's or section's visibility): the **base is the most common value** (ties: the earliest
  location's), so overlays hold only what differs;
* order: one order of which each location's lists (menus, sections, dishes, choices) are
  subsequences, found by a topological merge; where locations disagree, a note says who loses;
* anything else that differs between locations (a name, a description, a group's rules) cannot be
  an override: the earliest location's is kept, with a note naming the others.

``keep`` carries what a person wrote in an earlier import of the same catalog (a location's Wix
``name``/``id``, matched by ``pos_location``), so a re-import never undoes it.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise
from typing import Any, TypeVar

from reconciler.model.catalog import Catalog, Dish, Menu, OptionGroup, Section
from reconciler.model.locations import ChoiceOverride, Location, Override, VisibleOverride
from reconciler.sources.base import ImportNote, ImportResult, PosLocation
from reconciler.sources.errors import SourceInvalid, SourceProblem

T = TypeVar("T")
_PLACED = ("only_at", "except_at")
_VALUES = ("price", "in_stock", "visible")


def merge_locations(
    source: str, imported: list[tuple[PosLocation, ImportResult]], keep: dict[str, Location] | None = None
) -> ImportResult:
    """One catalog whose effective catalog at each location is that location's import."""
    if len(imported) == 1:
        return imported[0][1]
    catalogs = [result.catalog for _, result in imported]
    currencies = sorted({c.currency for c in catalogs})
    if len(currencies) > 1:
        raise SourceInvalid(
            source, [SourceProblem("location", "", "currency", f"the locations sell in {', '.join(currencies)}")]
        )
    merger = _Merger(source, [pos for pos, _ in imported], catalogs, keep or {})
    catalog = merger.run()
    notes = sorted({note for _, result in imported for note in result.notes} | set(merger.notes))
    return ImportResult(catalog, notes)


class _Merger:
    def __init__(self, source: str, places: list[PosLocation], catalogs: list[Catalog], keep: dict[str, Location]):
        self.source = source
        self.places = places
        self.catalogs = catalogs
        self.keys = _keys(places, keep)
        self.keep = keep
        self.notes: list[ImportNote] = []
        self.bases: dict[str, dict[str, bool]] = {}  # "dishes"/"variations" -> id -> base in_stock
        self.n = len(catalogs)
        self.over: list[dict[str, list[Any]]] = [
            {"menus": [], "sections": [], "dishes": [], "variations": [], "choices": []} for _ in catalogs
        ]

    def run(self) -> Catalog:
        menus = self._menus()
        dishes = self._items([c.dishes for c in self.catalogs], "dishes", placed=True)
        variations = self._items([c.variations for c in self.catalogs], "variations", placed=False)
        groups = self._groups()
        dishes = self._dish_presence(menus, dishes)
        locations = [self._location(i) for i in range(self.n)]
        return Catalog(
            currency=self.catalogs[0].currency,
            menus=menus,
            dishes=dishes,
            variations=variations,
            option_groups=groups,
            locations=locations,
        )

    # -- where each entity is ----------------------------------------------------------------------
    def _presence(self, at: set[int], within: set[int]) -> dict[str, list[str] | None]:
        """``only_at``/``except_at`` for an entity at ``at``, inside a parent at ``within``."""
        if at == within:
            return dict.fromkeys(_PLACED)
        inside = [self.keys[i] for i in sorted(at)]
        outside = [self.keys[i] for i in sorted(within - at)]
        if len(outside) < len(inside):
            return {"only_at": None, "except_at": outside}
        return {"only_at": inside, "except_at": None}

    def _menus(self) -> list[Menu]:
        everywhere = set(range(self.n))
        merged: list[Menu] = []
        for menu_id, versions in self._union((c.menus for c in self.catalogs), "", "menus"):
            at = set(versions)
            first = versions[min(at)]
            self._values("menus", menu_id, {i: m.visible for i, m in versions.items()})
            sections = []
            sections_at = (versions[i].sections if i in versions else [] for i in range(self.n))
            for section_id, parts in self._union(sections_at, menu_id, "the menu's sections"):
                base = parts[min(parts)]
                self._values("sections", section_id, {i: s.visible for i, s in parts.items()})
                dishes = self._order({i: parts[i].dishes for i in sorted(parts)}, section_id, "the section's dishes")
                sections.append(
                    base.model_copy(
                        update={
                            **self._presence(set(parts), at),
                            "dishes": dishes,
                            "visible": _common({i: s.visible for i, s in parts.items()}),
                        }
                    )
                )
                self._differs(base, parts, "section", ("name", "description", "image"))
            merged.append(
                first.model_copy(
                    update={
                        **self._presence(at, everywhere),
                        "sections": sections,
                        "visible": _common({i: m.visible for i, m in versions.items()}),
                    }
                )
            )
            self._differs(first, versions, "menu", ("name", "description", "image"))
        return merged

    def _dish_presence(self, menus: list[Menu], dishes: list[Dish]) -> list[Dish]:
        """Where each dish is, written only where its sections do not already say it."""
        out = []
        for dish in dishes:
            at = {i for i, c in enumerate(self.catalogs) if any(d.id == dish.id for d in c.dishes)}
            implied = {
                i
                for i in range(self.n)
                if any(
                    _at(menu, self.keys[i]) and _at(section, self.keys[i]) and dish.id in section.dishes
                    for menu in menus
                    for section in menu.sections
                )
            }
            out.append(dish.model_copy(update=self._presence(at, implied)) if at != implied else dish)
        return out

    # -- values ------------------------------------------------------------------------------------
    def _items(self, lists: list[list[T]], kind: str, placed: bool) -> list[T]:
        merged = []
        for item_id, versions in self._union(lists, "", kind):
            first: Any = versions[min(versions)]
            update: dict[str, Any] = {}
            for field in _VALUES:
                values = {i: getattr(v, field) for i, v in versions.items()}
                update[field] = _common(values)
                for i, value in values.items():
                    if value != update[field]:
                        self._override(i, kind, item_id, field, value)
            merged.append(first.model_copy(update=update))
            self.bases.setdefault(kind, {})[item_id] = update["in_stock"]
            self._differs(first, versions, "dish" if placed else "variation", ("name", "description", "options"))
        return merged

    def _groups(self) -> list[OptionGroup]:
        merged: list[OptionGroup] = []
        for group_id, versions in self._union((c.option_groups for c in self.catalogs), "", "option groups"):
            first = versions[min(versions)]
            choices = []
            by_place = {i: [c.item for c in g.choices] for i, g in versions.items()}
            for item in self._order(by_place, group_id, "the group's choices"):
                prices = {i: c.price for i, g in versions.items() for c in g.choices if c.item == item}
                base = _common(prices)
                for i, price in prices.items():
                    if price != base:
                        self.over[i]["choices"].append(ChoiceOverride(group=group_id, item=item, price=price))
                missing = sorted(set(versions) - set(prices))
                if missing:
                    kind = "dishes" if item in self.bases.get("dishes", {}) else "variations"
                    if self.bases.get(kind, {}).get(item, False):  # in stock by default: not there
                        for i in missing:
                            self._override(i, kind, item, "in_stock", False)
                    self._note(
                        group_id,
                        f'choice "{item}" is not offered at {self._names(missing)}: shown there as out of stock',
                    )
                template = next(c for g in versions.values() for c in g.choices if c.item == item)
                choices.append(template.model_copy(update={"price": base}))
            merged.append(first.model_copy(update={"choices": choices}))
            self._differs(first, versions, "option group", ("name", "type", "min", "max", "default", "defaults"))
        return merged

    def _values(self, kind: str, ident: str, values: dict[int, bool]) -> None:
        base = _common(values)
        for i, value in values.items():
            if value != base:
                self.over[i][kind].append(VisibleOverride(id=ident, visible=value))

    def _override(self, i: int, kind: str, ident: str, field: str, value: Any) -> None:
        entries = self.over[i][kind]
        for k, entry in enumerate(entries):
            if entry.id == ident:
                entries[k] = entry.model_copy(update={field: value})
                return
        entries.append(Override(id=ident, **{field: value}))

    def _location(self, i: int) -> Location:
        place, kept = self.places[i], self.keep.get(self.places[i].id)
        return Location(
            id=kept.id if kept else None,
            name=self.keys[i] if kept is None or kept.name is None else kept.name,
            pos_location=place.id,
            **{kind: sorted(entries, key=_entry_key) for kind, entries in self.over[i].items()},
        )

    # -- order -------------------------------------------------------------------------------------
    def _union(self, lists: Iterable[list[T]], owner: str, what: str) -> list[tuple[str, dict[int, T]]]:
        """Entities by id in one order that keeps each location's (:func:`_ordered_union`), with each version."""
        found: dict[str, dict[int, T]] = {}
        orders: dict[int, list[str]] = {}
        for i, entries in enumerate(lists):
            orders[i] = [entry.id for entry in entries]  # type: ignore[attr-defined]
            for entry in entries:
                found.setdefault(entry.id, {})[i] = entry  # type: ignore[attr-defined]
        return [(ident, found[ident]) for ident in self._order(orders, owner, what)]

    def _order(self, lists: dict[int, list[str]], owner: str, what: str) -> list[str]:
        order = _ordered_union(lists.values())
        lost = _orders_lost(order, lists)
        if lost:
            self._note(
                owner,
                f"{what} are in another order at {self._names(lost)}; one catalog has one order, "
                "so they show there in the catalog's",
            )
        return order

    # -- notes -------------------------------------------------------------------------------------
    def _differs(self, first: Any, versions: dict[int, Any], noun: str, fields: Iterable[str]) -> None:
        for field in fields:
            others = [i for i, v in versions.items() if getattr(v, field, None) != getattr(first, field, None)]
            if others:
                self._note(
                    getattr(first, "id", ""),
                    f"{noun} {field} differs at {self._names(others)}; the catalog keeps "
                    f"{self.keys[min(versions)]}'s (only price, stock and visibility vary by location)",
                )

    def _note(self, ident: str, reason: str) -> None:
        self.notes.append(ImportNote(ident, "approximated", reason, "location"))

    def _names(self, indexes: Iterable[int]) -> str:
        return ", ".join(self.keys[i] for i in indexes)


def _keys(places: list[PosLocation], keep: dict[str, Location]) -> list[str]:
    """Each location's key in the catalog: its kept name, else its POS name; unique."""
    keys: list[str] = []
    for place in places:
        kept = keep.get(place.id)
        key = kept.key if kept is not None else (place.name or place.id)
        if key in keys:
            key = f"{key} ({place.id})"
        keys.append(key)
    return keys


def _ordered_union(lists: Iterable[list[str]]) -> list[str]:
    """Every id of every list, in an order of which each list is a subsequence where the lists agree.

    A topological order of "comes before in some list" (inserting one list at a time cannot find
    one: an id placed freely by one list may have to move for a later one); of the ids free to come
    next, the one seen first goes first. Where lists disagree, the id seen first breaks the cycle.
    """
    seen: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    waiting: Counter[str] = Counter()
    for entries in lists:
        for entry in entries:
            seen.setdefault(entry, len(seen))
            after.setdefault(entry, set())
        for before, entry in pairwise(entries):
            if entry not in after[before]:
                after[before].add(entry)
                waiting[entry] += 1
    ready = [(rank, entry) for entry, rank in seen.items() if not waiting[entry]]
    heapq.heapify(ready)
    out: list[str] = []
    placed: set[str] = set()
    while len(out) < len(seen):
        if not ready:  # the lists disagree: break the cycle at the id seen first
            ready = [min((rank, entry) for entry, rank in seen.items() if entry not in placed)]
        _, entry = heapq.heappop(ready)
        placed.add(entry)
        out.append(entry)
        for follower in sorted(after[entry]):
            waiting[follower] -= 1
            if not waiting[follower] and follower not in placed:
                heapq.heappush(ready, (seen[follower], follower))
    return out


def _orders_lost(order: list[str], lists: dict[int, list[str]]) -> list[int]:
    """The locations whose list is not a subsequence of ``order`` (the lists disagreed)."""
    rank = {entry: k for k, entry in enumerate(order)}
    return [i for i, entries in lists.items() if [rank[e] for e in entries] != sorted(rank[e] for e in entries)]


def _common(values: dict[int, T]) -> T:
    """The most common value; a tie goes to the earliest location's."""
    counts = Counter(values.values())
    best = max(counts.values())
    return next(values[i] for i in sorted(values) if counts[values[i]] == best)


def _at(entity: Menu | Section, key: str) -> bool:
    if entity.only_at is not None:
        return key in entity.only_at
    if entity.except_at is not None:
        return key not in entity.except_at
    return True


def _entry_key(entry: Any) -> tuple[str, str]:
    return (getattr(entry, "group", ""), getattr(entry, "id", "") or getattr(entry, "item", ""))


def align_by_name(catalogs: list[Catalog]) -> list[Catalog]:
    """Give the entities of later locations the ids earlier locations use for the same name.

    For a POS that gives every location its own ids (Clover: one merchant per location), this is
    how "the same dish at two locations" is found. Only names that are unique in the catalog are
    matched, and never onto an id the catalog already uses for something else.
    """
    seen: dict[tuple[str, ...], str] = {}
    out = []
    for catalog in catalogs:
        named = _named(catalog)
        used = {ident for idents in named.values() for ident in idents}
        rename: dict[str, str] = {}
        for key, idents in named.items():
            if len(idents) != 1:
                continue
            target = seen.setdefault(key, idents[0])
            if target != idents[0] and target not in used:
                rename[idents[0]] = target
        out.append(_renamed(catalog, rename) if rename else catalog)
    return out


def _named(catalog: Catalog) -> dict[tuple[str, ...], list[str]]:
    found: dict[tuple[str, ...], list[str]] = {}

    def add(key: tuple[str, ...], ident: str) -> None:
        found.setdefault(key, []).append(ident)

    for menu in catalog.menus:
        add(("menu", menu.name), menu.id)
        for section in menu.sections:
            add(("section", menu.name, section.name), section.id)
    for dish in catalog.dishes:
        add(("dish", dish.name), dish.id)
    for variation in catalog.variations:
        add(("variation", variation.name), variation.id)
    for group in catalog.option_groups:
        add(("group", group.name), group.id)
    return found


def _renamed(catalog: Catalog, rename: dict[str, str]) -> Catalog:
    def r(ident: str) -> str:
        return rename.get(ident, ident)

    data = catalog.model_dump()
    for menu in data["menus"]:
        menu["id"] = r(menu["id"])
        for section in menu["sections"]:
            section["id"] = r(section["id"])
            section["dishes"] = [r(d) for d in section["dishes"]]
    for item in [*data["dishes"], *data["variations"]]:
        item["id"] = r(item["id"])
        item["options"] = [r(g) for g in item["options"]]
    for group in data["option_groups"]:
        group["id"] = r(group["id"])
        for choice in group["choices"]:
            choice["item"] = r(choice["item"])
        if group.get("default") is not None:
            group["default"] = r(group["default"])
        if "defaults" in group:
            group["defaults"] = [r(d) for d in group["defaults"]]
    return Catalog.model_validate(data)
