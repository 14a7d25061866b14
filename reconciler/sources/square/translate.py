"""Square catalog records → our catalog (the mapping table is in docs/import.md).

One menu (Square has none) whose sections are the categories; items become dishes, variations a
size selection, modifier lists option groups (shared, or forked per item when the item overrides
min/max or defaults). ``--location`` applies presence, per-location prices and sold-out flags.
"""

from __future__ import annotations

from reconciler.sources.base import ImportOptions, ImportResult, StockSignal
from reconciler.sources.build import CatalogBuilder, MenuDraft, Origin, SectionDraft, Variant
from reconciler.sources.currency import choose_currency
from reconciler.sources.errors import SourceInvalid, SourceProblem
from reconciler.sources.money import from_minor_units
from reconciler.sources.square.options import Options, at_location, order_key
from reconciler.sources.square.records import (
    Item,
    Presence,
    SquareCatalog,
)

MENU_PRODUCT_TYPES = {"REGULAR", "FOOD_AND_BEV"}
_OTHER_REASONS = {
    "DISCOUNT": "discounts are not part of the menu",
    "PRICING_RULE": "pricing rules (happy hours, bundles) are not part of the menu",
    "PRODUCT_SET": "product sets only serve pricing rules",
    "SUBSCRIPTION_PLAN": "subscription plans are not menu items",
    "SUBSCRIPTION_PRODUCT": "subscription products are not menu items",
}
_UNLIMITED = -1


def translate(catalog: SquareCatalog, options: ImportOptions) -> ImportResult:
    return _Translation(catalog, options).run()


class _Translation(Options):
    def __init__(self, catalog: SquareCatalog, options: ImportOptions):
        self.cat = catalog
        self.options = options
        self.location = options.location
        self.currency = self._currency()
        self.b = CatalogBuilder("square", "sq", self.currency)
        self.menu = MenuDraft(self.b.ids.reserve("menu", "menu"), options.menu_name)
        self.stock: list[StockSignal] = []  # sold out with an expiry: the availability layer's, not the YAML's
        self.b.menus.append(self.menu)
        self.sections: dict[str, SectionDraft] = {}
        self.placed: dict[str, list[tuple[tuple, str]]] = {}  # category id ("": none) -> [(order, dish id)]
        self._variation_origin: dict[str, Origin] = {}  # variation id -> its ITEM_VARIATION
        self._nesting: list[str] = []  # the modifier lists being read, outermost first (nested lists)

    def _currency(self) -> str:
        # Every price the file carries counts, wherever it is (an item left out still says it).
        currency, conflicts = choose_currency(self.cat.currencies, self.options.currency)
        if conflicts:
            raise SourceInvalid(
                "square",
                [SourceProblem("object", where, "price_money.currency", message) for where, message in conflicts],
            )
        if currency is None:
            counts = f"{len(self.cat.items)} item(s), {sum(len(i.variations) for i in self.cat.items.values())}"
            raise SourceInvalid(
                "square",
                [
                    SourceProblem(
                        "catalog",
                        "",
                        "",
                        f"no price in the file says which currency it is in ({counts} variation(s) read, "
                        "none with price_money); pass --currency",
                    )
                ],
            )
        return currency

    def run(self) -> ImportResult:
        for kind, ident, name in sorted(self.cat.others):
            self.b.note(Origin(kind, ident, name), "skipped", _OTHER_REASONS[kind])
        for kind, ident, name, parent in sorted(self.cat.orphans):
            self.b.note(Origin(kind, ident, name), "skipped", f"its {parent} is not in the file")
        self._expect()
        self._sections()
        for item in sorted(self.cat.items.values(), key=lambda i: i.id):
            self._item(item)
        for category_id, entries in sorted(self.placed.items(), key=lambda kv: kv[0] == ""):
            section = self.sections[category_id] if category_id else self.b.uncategorized(self.menu)
            for _, dish_id in sorted(entries):
                section.add(dish_id)
        catalog, notes, placed = self.b.build_accounted()
        return ImportResult(catalog, notes, placed, sorted(self.stock, key=lambda s: s.pos_ids))

    def _expect(self) -> None:
        """Everything a diner could see, so that none of it is lost without a note."""
        for cat in self.cat.categories.values():
            self.b.expect(Origin("CATEGORY", cat.id, cat.name), "no imported item is in this category")
        for item in self.cat.items.values():
            self.b.expect(Origin("ITEM", item.id, item.name), "not imported")
            for v in item.variations.values():
                self.b.expect(Origin("ITEM_VARIATION", v.id, v.name or ""), f"not imported with its item {item.id}")
        for lst in self.cat.lists.values():
            self.b.expect(Origin("MODIFIER_LIST", lst.id, lst.name), "no imported item offers this modifier list")
            for m in lst.modifiers.values():
                self.b.expect(Origin("MODIFIER", m.id, m.name), f"not imported with its modifier list {lst.id}")

    def _absent(self, presence: Presence, origin: Origin) -> bool:
        """Not sold where we import for (reported); without --location, only "nowhere" counts."""
        if presence.nowhere:
            self.b.note(origin, "skipped", "present at no location")
            return True
        if self.location is not None and not presence.at(self.location):
            if not self.options.across_locations:  # else the merged catalog says where it is (only_at/except_at)
                self.b.note(origin, "skipped", f"not present at location {self.location}")
            return True
        return False

    # -- categories -------------------------------------------------------------------------------

    def _sections(self) -> None:
        for cat in sorted(self.cat.categories.values(), key=lambda c: order_key(c.ordinal, c.name, c.id)):
            origin = Origin("CATEGORY", cat.id, cat.name)
            if cat.kind == "KITCHEN_CATEGORY":
                self.b.note(origin, "skipped", "kitchen categories route tickets; they are not menu sections")
                continue
            if self._absent(cat.presence, origin):
                continue
            if cat.parent and cat.parent in self.cat.categories:
                parent = self.cat.categories[cat.parent].name
                self.b.note(origin, "approximated", f'subcategory of "{parent}" imported as a section of its own')
            section = SectionDraft(
                self.b.ids.make("section", "category", cat.id),
                self.b.name(cat.name, origin, "Section"),
                visible=cat.online,
                image=self.b.image(self._image(cat.image_ids, cat.id, origin), origin),
            )
            self.sections[cat.id] = section
            self.menu.sections.append(section)
            self.b.made(origin, section.id)

    # -- items -------------------------------------------------------------------------------------

    def _item(self, item: Item) -> None:
        origin = Origin("ITEM", item.id, item.name)
        if item.archived:
            self.b.note(origin, "skipped", "archived")
            return
        if item.product_type not in MENU_PRODUCT_TYPES:
            self.b.note(origin, "skipped", f"product type {item.product_type} is not a menu item")
            return
        if self._absent(item.presence, origin):
            return
        on_request = self._all_variable(item)
        priced = [] if on_request else self._variants(item)
        if not priced and not on_request:
            reason = "no variation with a fixed price to offer" if item.variations else "has no variations"
            self.b.note(origin, "skipped", reason)
            return
        dish_id = self.b.made(origin, self.b.ids.make("item", "item", item.id))
        option_ids: list[str] = []
        if on_request:  # every variation's price is entered at sale time: "price on request"
            price, in_stock = None, True
            self.b.note(origin, "approximated", "variable price (entered at sale time): imported as price on request")
            for v in item.variations.values():
                self.b.made(Origin("ITEM_VARIATION", v.id, v.name or ""), dish_id)
        elif len(priced) == 1 and len(item.variations) == 1:
            price, in_stock = priced[0].price, priced[0].in_stock
            self.b.made(self._variation_origin[priced[0].id], dish_id)  # the variation is the dish's price
        else:
            # Several sizes, or one left of several: a size selection keeps each one's label.
            if len(item.option_ids) > 1:
                names = " × ".join(self.cat.option_names.get(o) or o for o in item.option_ids)
                self.b.note(
                    origin,
                    "approximated",
                    f"variations combine item options ({names}); offered as one flat list of combinations",
                )
            group_id = self.b.ids.make("group", "size", item.id, suffix=":size")
            group_name = "Size"
            if len(item.option_ids) == 1 and self.cat.option_names.get(item.option_ids[0]):
                group_name = self.cat.option_names[item.option_ids[0]]
            price = self.b.sized_dish(dish_id, priced, group_id, group_name)
            in_stock = any(v.in_stock for v in priced)
            option_ids.append(group_id)
        for info in sorted(item.lists, key=lambda i: order_key(i.ordinal, self._list_name(i.list_id), i.list_id)):
            group_id = self._modifier_group(item.id, info, origin)
            if group_id is not None and group_id not in option_ids:
                option_ids.append(group_id)
        rate, included = self._tax_rate(item, origin)
        self.b.add_dish(
            dish_id,
            name=self.b.name(item.name, origin, "Item"),
            description=self.b.text(item.description, origin),
            price=price,
            price_on_request=True if on_request else None,
            tax_rate=rate,
            tax_included=True if included else None,
            special_request_prompt=self._prompt(item, dish_id),
            external_id=item.id[:100],
            image=self.b.image(self._image(item.image_ids, item.id, origin), origin),
            visible=False if item.hidden else None,
            in_stock=None if in_stock else False,
            options=option_ids or None,
            allergens=self.b.allergens(item.ingredients, origin),
            calories=self.b.calories(item.calories, origin),
        )
        self._place(item, dish_id, origin)

    def _all_variable(self, item: Item) -> bool:
        """Every variation sold here is priced at sale time (none per unit, none fixed)."""
        sold = [v for v in item.variations.values() if not self._absent_quietly(v.presence)]
        return bool(sold) and all(
            at_location(v.price, v.pricing_type, v.overrides, self.location).pricing_type == "VARIABLE_PRICING"
            and not v.measurement_unit
            for v in sold
        )

    def _absent_quietly(self, presence: Presence) -> bool:
        return presence.nowhere or (self.location is not None and not presence.at(self.location))

    def _variants(self, item: Item) -> list[Variant]:
        out = []
        for v in sorted(item.variations.values(), key=lambda v: order_key(v.ordinal, v.name or "", v.id)):
            origin = Origin("ITEM_VARIATION", v.id, v.name or "")
            self._variation_origin[self.b.ids.make("item", "variation", v.id)] = origin
            if self._absent(v.presence, origin):
                continue
            at = at_location(v.price, v.pricing_type, v.overrides, self.location)
            self._timed(v.id, at)
            if at.pricing_type == "VARIABLE_PRICING" or at.money is None:
                self.b.note(origin, "skipped", "variable pricing (price entered at sale time); Wix needs a fixed price")
                continue
            if v.measurement_unit:
                self.b.note(origin, "skipped", "priced per unit of measure; Wix needs a fixed price")
                continue
            price = self.b.price(from_minor_units(at.money.amount, self.currency), origin)
            out.append(
                Variant(
                    self.b.made(origin, self.b.ids.make("item", "variation", v.id)),
                    self.b.name(v.name, origin, "Regular"),
                    price,
                    in_stock=not at.sold_out,
                )
            )
        return out

    def _place(self, item: Item, dish_id: str, origin: Origin) -> None:
        placed = False
        for category_id, ordinal in item.categories:
            if category_id in self.sections:
                self.placed.setdefault(category_id, []).append((order_key(ordinal, item.name, dish_id), dish_id))
                placed = True
            elif category_id not in self.cat.categories:
                self.b.note(origin, "approximated", f"category {category_id} is not in the catalog; ignored")
        if not placed:
            self.placed.setdefault("", []).append((order_key(None, item.name, dish_id), dish_id))

    def _image(self, image_ids: list[str], object_id: str, origin: Origin) -> str | None:
        for image_id in image_ids[:1]:
            if image_id in self.cat.images:
                return self.cat.images[image_id]
            self.b.note(origin, "skipped", f"image {image_id} is not in the catalog (export IMAGE objects too)")
        return self.cat.seed_images.get(object_id)
