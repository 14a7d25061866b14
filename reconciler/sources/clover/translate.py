"""Clover inventory → our catalog (the mapping table is in docs/import.md).

Clover has no menus: one menu whose sections are the categories (``sortOrder``, then name, then
id; items in the order of the category's ``items``). Variant items of one item group fold into one
dish with a size selection; modifier groups become shared option groups (Clover has no per-item
overrides), with modifiers in ``modifierIds`` order.
"""

from __future__ import annotations

from decimal import Decimal

from reconciler.sources.base import ImportOptions, ImportResult
from reconciler.sources.build import CatalogBuilder, MenuDraft, Origin, SectionDraft, Variant
from reconciler.sources.clover.parse import Inventory, Item
from reconciler.sources.currency import choose_currency
from reconciler.sources.errors import SourceInvalid, SourceProblem
from reconciler.sources.money import from_minor_units


def _order(rank: int | None, name: str, ident: str) -> tuple:
    return (rank is None, rank or 0, name.casefold(), ident)


def translate(inventory: Inventory, options: ImportOptions) -> ImportResult:
    found = {inventory.currency: "merchant"} if inventory.currency else {}
    currency, conflicts = choose_currency(found, options.currency)
    if conflicts or currency is None:
        problems = [SourceProblem("merchant", where, "currency", message) for where, message in conflicts]
        raise SourceInvalid(
            "clover",
            problems
            or [SourceProblem("merchant", "", "currency", "the export does not say the currency; pass --currency")],
        )
    return _Translation(inventory, options, currency).run()


class _Translation:
    def __init__(self, inventory: Inventory, options: ImportOptions, currency: str):
        self.inv = inventory
        self.currency = currency
        self.b = CatalogBuilder("clover", "clover", currency)
        self.menu = MenuDraft(self.b.ids.reserve("menu", "menu"), options.menu_name)
        self.b.menus.append(self.menu)
        self.sections: dict[str, SectionDraft] = {}
        self.placed: dict[str, list[tuple[tuple, str]]] = {}  # category id ("": none) -> [(order, dish id)]
        self.groups: dict[str, str | None] = {}  # modifier group id -> option group id (None: skipped)
        self.listed_in: dict[str, list[str]] = {}  # item id -> categories whose items[] list it
        self._position_cache: dict[str, dict[str, int]] = {}  # category id -> item id -> index in its items[]
        for category in sorted(inventory.categories.values(), key=lambda c: c.id):
            for item_id in category.item_ids:
                self.listed_in.setdefault(item_id, []).append(category.id)

    def run(self) -> ImportResult:
        self._expect()
        for category in sorted(self.inv.categories.values(), key=lambda c: _order(c.sort_order, c.name, c.id)):
            if category.deleted:
                continue
            origin = Origin("category", category.id, category.name)
            section = SectionDraft(
                self.b.ids.make("section", "category", category.id), self.b.name(category.name, origin, "Section")
            )
            self.sections[category.id] = section
            self.menu.sections.append(section)
            self.b.made(origin, section.id)
        self._dangling()
        singles, families = self._families()
        for item in singles:
            self._single(item)
        for group_id in sorted(families):
            self._family(group_id, families[group_id])
        for category_id, entries in sorted(self.placed.items(), key=lambda kv: kv[0] == ""):
            section = self.sections[category_id] if category_id else self.b.uncategorized(self.menu)
            for _, dish_id in sorted(entries):
                section.add(dish_id)
        catalog, notes, placed = self.b.build_accounted()
        return ImportResult(catalog, notes, placed)

    def _dangling(self) -> None:
        """References to objects the export does not hold are dropped, each with a note, never silently."""
        for category in sorted(self.inv.categories.values(), key=lambda c: c.id):
            for item_id in category.item_ids if not category.deleted else ():
                if item_id not in self.inv.items:
                    origin = Origin("category", category.id, category.name)
                    self.b.note(origin, "approximated", f"lists item {item_id}, which is not in the export; ignored")
        for item in sorted(self.inv.items.values(), key=lambda i: i.id):
            for category_id in item.category_ids if not item.deleted else ():
                if category_id not in self.inv.categories:
                    self.b.note(
                        Origin("item", item.id, item.name),
                        "approximated",
                        f"category {category_id} is not in the export; the item is not listed there",
                    )

    def _expect(self) -> None:
        """Everything a diner could see, so that none of it is lost without a note."""
        for category in self.inv.categories.values():
            if not category.deleted:
                self.b.expect(Origin("category", category.id, category.name), "not imported")
        for item in self.inv.items.values():
            if not item.deleted:
                self.b.expect(Origin("item", item.id, item.name), "not imported")
        for group in self.inv.groups.values():
            self.b.expect(Origin("modifier group", group.id, group.name), "no imported item offers it")
            for m in group.modifiers:
                self.b.expect(Origin("modifier", m.id, m.name), f"not imported with its modifier group {group.id}")

    def _families(self) -> tuple[list[Item], dict[str, list[Item]]]:
        singles, families = [], {}
        for item in sorted(self.inv.items.values(), key=lambda i: i.id):
            if item.deleted:
                continue
            if item.group_id:
                families.setdefault(item.group_id, []).append(item)
            else:
                singles.append(item)
        return singles, families

    def _priced(self, item: Item) -> Decimal | None:
        origin = Origin("item", item.id, item.name)
        if item.price_type == "VARIABLE":
            self.b.note(origin, "skipped", "variable (open) price entered at sale time; Wix needs a fixed price")
            return None
        if item.price_type == "PER_UNIT":
            unit = f" per {item.unit_name}" if item.unit_name else " per unit"
            self.b.note(origin, "skipped", f"priced{unit}; Wix needs a fixed price")
            return None
        if item.price is None:
            self.b.note(origin, "skipped", "has no price")
            return None
        return self.b.price(from_minor_units(item.price, self.currency), origin)

    def _single(self, item: Item) -> None:
        origin = Origin("item", item.id, item.name)
        on_request = item.price_type == "VARIABLE"  # entered at sale time: "price on request"
        price = None if on_request else self._priced(item)
        if price is None and not on_request:
            return
        if on_request:
            self.b.note(origin, "approximated", "variable price (entered at sale time): imported as price on request")
        dish_id = self.b.made(origin, self.b.ids.make("item", "item", item.id))
        self.b.add_dish(
            dish_id,
            name=self.b.name(item.name, origin, "Item"),
            description=self.b.text(item.description, origin),
            price=price,
            price_on_request=True if on_request else None,
            external_id=item.id[:100],
            image=self.b.image(item.image, origin),
            visible=False if item.hidden else None,
            in_stock=None if item.available else False,
            options=self._option_groups([item]) or None,
        )
        self._place([item], dish_id)

    def _family(self, group_id: str, members: list[Item]) -> None:
        """Variant items of one item group → one dish with a size selection."""
        group_name = self.inv.item_groups.get(group_id) or members[0].name
        origin = Origin("item group", group_id, group_name)
        members = sorted(members, key=lambda i: _order(None, _variant_name(i, group_name), i.id))
        priced = [(m, p) for m in members if (p := self._priced(m)) is not None]
        if not priced:
            self.b.note(origin, "skipped", "no variant with a fixed price to offer")
            return
        dish_id = self.b.ids.make("item", "item group", group_id)
        option_ids: list[str] = []
        if len(members) == 1:
            price, in_stock = priced[0][1], priced[0][0].available
            self.b.made(Origin("item", members[0].id, members[0].name), dish_id)
        else:  # several variants, or one left of several: a size selection keeps each one's label
            variants = [
                Variant(
                    self.b.made(Origin("item", m.id, m.name), self.b.ids.make("item", "item", m.id)),
                    self.b.name(_variant_name(m, group_name), Origin("item", m.id, m.name), "Regular"),
                    p,
                    in_stock=m.available,
                    visible=not m.hidden,
                )
                for m, p in priced
            ]
            size_id = self.b.ids.make("group", "size", group_id, suffix=":size")
            price = self.b.sized_dish(dish_id, variants, size_id, "Size")
            in_stock = any(m.available for m, _ in priced)
            option_ids.append(size_id)
        used = [m for m, _ in priced]
        first = used[0]
        for extra in self._option_groups(used):
            if extra not in option_ids:
                option_ids.append(extra)
        self.b.add_dish(
            dish_id,
            name=self.b.name(group_name, origin, "Item"),
            description=self.b.text(first.description, origin),
            price=price,
            image=self.b.image(first.image, origin),
            visible=False if all(m.hidden for m in used) else None,
            in_stock=None if in_stock else False,
            options=option_ids or None,
        )
        self._place(used, dish_id)

    def _place(self, items: list[Item], dish_id: str) -> None:
        """List the dish in every category of its items, at the items' position there."""
        ranks: dict[str, tuple] = {}
        for item in items:
            for category_id in dict.fromkeys(item.category_ids + self.listed_in.get(item.id, [])):
                section = self.sections.get(category_id)
                if section is None:
                    continue
                position = self._positions(category_id).get(item.id)
                rank = _order(position, item.name, dish_id)
                ranks[category_id] = min(ranks.get(category_id, rank), rank)
        if not ranks:
            ranks[""] = _order(None, items[0].name, dish_id)
        for category_id, rank in ranks.items():
            self.placed.setdefault(category_id, []).append((rank, dish_id))

    def _positions(self, category_id: str) -> dict[str, int]:
        """Each item's place in a category's ``items`` (first one wins); one pass per category, not per item."""
        found = self._position_cache.get(category_id)
        if found is None:
            found = {}
            for index, item_id in enumerate(self.inv.categories[category_id].item_ids):
                found.setdefault(item_id, index)
            self._position_cache[category_id] = found
        return found

    def _option_groups(self, items: list[Item]) -> list[str]:
        ids = dict.fromkeys(g for item in items for g in item.modifier_group_ids)
        known = [self.inv.groups[g] for g in ids if g in self.inv.groups]
        for missing in (g for g in ids if g not in self.inv.groups):
            self.b.note(
                Origin("item", items[0].id, items[0].name),
                "approximated",
                f"modifier group {missing} is not in the export; ignored",
            )
        out = []
        for group in sorted(known, key=lambda g: _order(g.sort_order, g.name, g.id)):
            built = self._option_group(group.id)
            if built is not None:
                out.append(built)
        return out

    def _option_group(self, group_id: str) -> str | None:
        if group_id in self.groups:
            return self.groups[group_id]
        group = self.inv.groups[group_id]
        origin = Origin("modifier group", group.id, group.name)
        position = {mid: k for k, mid in enumerate(group.order)}
        choices = []
        for m in sorted(group.modifiers, key=lambda m: _order(position.get(m.id), m.name, m.id)):
            m_origin = Origin("modifier", m.id, m.name)
            variation_id = self.b.add_variation(
                self.b.made(m_origin, self.b.ids.make("item", "modifier", m.id)),
                name=self.b.name(m.name, m_origin, "Option"),
                in_stock=None if m.available else False,
            )
            choices.append((variation_id, from_minor_units(m.price, self.currency)))  # negative: takes money off
        low = max(group.min or 0, 0)
        high = group.max if group.max else None  # absent or 0: no limit
        built = self.b.option_group(
            self.b.ids.make("group", "group", group.id),
            self.b.name(group.name, origin, "Options"),
            choices,
            low,
            high,
            [],
            origin,
        )
        self.groups[group_id] = self.b.made(origin, built.id) if built else None
        return self.groups[group_id]


def _variant_name(item: Item, group_name: str) -> str:
    """A variant's own name: its option names ("Large, Oat"), else its name without the group's."""
    if item.option_names:
        return ", ".join(item.option_names)
    if group_name and item.name.startswith(group_name + " ") and len(item.name) > len(group_name) + 1:
        return item.name[len(group_name) + 1 :]
    return item.name
