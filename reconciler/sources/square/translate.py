"""Square catalog records → our catalog (the mapping table is in docs/import.md).

One menu (Square has none) whose sections are the categories; items become dishes, variations a
size selection, modifier lists option groups (shared, or forked per item when the item overrides
min/max or defaults). ``--location`` applies presence, per-location prices and sold-out flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reconciler.sources.base import ImportOptions, ImportResult, StockSignal
from reconciler.sources.build import CatalogBuilder, MenuDraft, Origin, SectionDraft, Variant, choose_currency
from reconciler.sources.errors import SourceInvalid, SourceProblem
from reconciler.sources.money import from_minor_units
from reconciler.sources.square.records import (
    Item,
    ListInfo,
    Modifier,
    ModifierList,
    Money,
    Override,
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


def _order(ordinal: int | None, name: str, ident: str) -> tuple:
    """POS ordinal first (unset last), then name, then id: the one ordering rule of an import."""
    return (ordinal is None, ordinal or 0, name.casefold(), ident)


@dataclass(frozen=True)
class _Priced:
    money: Money | None
    pricing_type: str | None
    sold_out: bool
    sold_out_until: str | None = None


def _at_location(money: Money | None, pricing: str | None, overrides: list[Override], location: str | None) -> _Priced:
    """The price and stock at ``location``. A sold-out state with an expiry is not the catalog's: it is a
    stock signal (the availability layer ends it on time), so the YAML keeps the object in stock."""
    for override in overrides:
        if location is not None and override.location == location:
            timed = override.sold_out and bool(override.sold_out_until)
            return _Priced(
                override.price or money,
                override.pricing_type or pricing,
                override.sold_out and not timed,
                override.sold_out_until if timed else None,
            )
    return _Priced(money, pricing, False)


def translate(catalog: SquareCatalog, options: ImportOptions) -> ImportResult:
    return _Translation(catalog, options).run()


class _Translation:
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
        for cat in sorted(self.cat.categories.values(), key=lambda c: _order(c.ordinal, c.name, c.id)):
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
        priced = self._variants(item)
        if not priced:
            reason = "no variation with a fixed price to offer" if item.variations else "has no variations"
            self.b.note(origin, "skipped", reason)
            return
        dish_id = self.b.made(origin, self.b.ids.make("item", "item", item.id))
        option_ids: list[str] = []
        if len(priced) == 1 and len(item.variations) == 1:
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
        for info in sorted(item.lists, key=lambda i: _order(i.ordinal, self._list_name(i.list_id), i.list_id)):
            group_id = self._modifier_group(item, info, origin)
            if group_id is not None and group_id not in option_ids:
                option_ids.append(group_id)
        self.b.add_dish(
            dish_id,
            name=self.b.name(item.name, origin, "Item"),
            description=self.b.text(item.description, origin),
            price=price,
            tax_rate=self._tax_rate(item, origin),
            image=self.b.image(self._image(item.image_ids, item.id, origin), origin),
            visible=False if item.hidden else None,
            in_stock=None if in_stock else False,
            options=option_ids or None,
            allergens=self.b.allergens(item.ingredients, origin),
            calories=self.b.calories(item.calories, origin),
        )
        self._place(item, dish_id, origin)

    def _variants(self, item: Item) -> list[Variant]:
        out = []
        for v in sorted(item.variations.values(), key=lambda v: _order(v.ordinal, v.name or "", v.id)):
            origin = Origin("ITEM_VARIATION", v.id, v.name or "")
            self._variation_origin[self.b.ids.make("item", "variation", v.id)] = origin
            if self._absent(v.presence, origin):
                continue
            at = _at_location(v.price, v.pricing_type, v.overrides, self.location)
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
                self.placed.setdefault(category_id, []).append((_order(ordinal, item.name, dish_id), dish_id))
                placed = True
            elif category_id not in self.cat.categories:
                self.b.note(origin, "approximated", f"category {category_id} is not in the catalog; ignored")
        if not placed:
            self.placed.setdefault("", []).append((_order(None, item.name, dish_id), dish_id))

    def _image(self, image_ids: list[str], object_id: str, origin: Origin) -> str | None:
        for image_id in image_ids[:1]:
            if image_id in self.cat.images:
                return self.cat.images[image_id]
            self.b.note(origin, "skipped", f"image {image_id} is not in the catalog (export IMAGE objects too)")
        return self.cat.seed_images.get(object_id)

    def _tax_rate(self, item: Item, origin: Origin) -> Decimal | None:
        if not item.taxable:
            return None
        rates = []
        for tax_id in item.tax_ids:
            tax = self.cat.taxes.get(tax_id)
            if tax is None:
                self.b.note(origin, "approximated", f"tax {tax_id} is not in the catalog; ignored")
                continue
            if not tax.enabled or tax.percentage is None:
                continue
            if tax.inclusive:
                self.b.note(
                    Origin("TAX", tax.id, tax.name),
                    "approximated",
                    "included in prices; the catalog's tax_rate is added on top, so it is left out",
                )
                continue
            rates.append(tax.percentage)
        if not rates:
            return None
        if len(rates) > 1:
            self.b.note(origin, "approximated", f"{len(rates)} taxes added up into one rate")
        total = sum(rates, Decimal(0))
        exponent = total.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -3:
            rounded = total.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
            self.b.note(origin, "approximated", f"tax rate {total} rounded to {rounded} (at most 3 decimals)")
            return rounded
        return total

    # -- modifier lists ---------------------------------------------------------------------

    def _list_name(self, list_id: str) -> str:
        lst = self.cat.lists.get(list_id)
        return lst.name if lst else ""

    def _modifier_group(self, item: Item, info: ListInfo, item_origin: Origin) -> str | None:
        lst = self.cat.lists.get(info.list_id)
        if lst is None:
            self.b.note(item_origin, "approximated", f"modifier list {info.list_id} is not in the catalog; ignored")
            return None
        if not info.enabled:
            return None  # attached but switched off for this item: the POS's own choice
        origin = Origin("MODIFIER_LIST", lst.id, lst.name)
        if lst.text:
            self.b.note(origin, "skipped", "text modifier (free text typed by the buyer) has no choices to offer")
            return None
        if info.hidden == "YES" or (info.hidden != "NO" and lst.hidden):
            self.b.note(origin, "skipped", "hidden from customers")
            return None
        if self._absent(lst.presence, origin):
            return None
        shared = _limits(lst, None)
        low, high = _limits(lst, info)
        if high == 0:
            self.b.note(item_origin, "skipped", f'allows no choice from modifier list "{lst.name}" (max 0)')
            return None
        choices, list_defaults, item_defaults = self._choices(lst, info)
        if (low, high, item_defaults) == (*shared, list_defaults):
            group_id = self.b.ids.make("group", "list", lst.id)
        else:
            group_id = self.b.ids.make("group", "fork", lst.id, item.id)
        name = self.b.name(lst.name, origin, "Options")
        group = self.b.option_group(group_id, name, choices, low, high, item_defaults, origin)
        return self.b.made(origin, group.id) if group is not None else None

    def _timed(self, pos_id: str, at: _Priced) -> None:
        if at.sold_out_until:
            self.stock.append(StockSignal((pos_id,), False, self.location, at.sold_out_until, "sold out"))

    def _choices(self, lst: ModifierList, info: ListInfo) -> tuple[list[tuple[str, Decimal]], list[str], list[str]]:
        choices, list_defaults, item_defaults = [], [], []
        for m in sorted(lst.modifiers.values(), key=lambda m: _order(m.ordinal, m.name, m.id)):
            variation_id = self._modifier_variation(m)
            if variation_id is None:
                continue
            at = _at_location(m.price, None, m.overrides, self.location)
            self._timed(m.id, at)
            origin = Origin("MODIFIER", m.id, m.name)
            amount = from_minor_units(at.money.amount, self.currency) if at.money else Decimal(0)
            choices.append((variation_id, self.b.price(amount, origin)))
            if m.on_by_default:
                list_defaults.append(variation_id)
            if info.on_by_default.get(m.id, m.on_by_default):
                item_defaults.append(variation_id)
        return choices, list_defaults, item_defaults

    def _modifier_variation(self, m: Modifier) -> str | None:
        origin = Origin("MODIFIER", m.id, m.name)
        if self._absent(m.presence, origin):
            return None
        if m.children:
            self.b.note(
                origin,
                "approximated",
                f"nested modifier lists ({', '.join(m.children)}) not imported; the catalog nests one level",
            )
        at = _at_location(m.price, None, m.overrides, self.location)
        return self.b.add_variation(
            self.b.made(origin, self.b.ids.make("item", "modifier", m.id)),
            name=self.b.name(m.name, origin, "Option"),
            in_stock=False if at.sold_out else None,
            visible=False if m.hidden else None,
        )


def _limits(lst: ModifierList, info: ListInfo | None) -> tuple[int, int | None]:
    """(min, max or None for unlimited): item override ≥ 0, else list value, else legacy rule.

    On the list, max 0 means unlimited; on the item, 0 means none may be picked. The legacy
    ``selection_type`` SINGLE means exactly one, MULTIPLE (or nothing) any number.
    """
    legacy = (1, 1) if lst.selection_type == "SINGLE" else (0, _UNLIMITED)
    list_min = lst.min if lst.min is not None and lst.min >= 0 else None
    list_max = None if lst.max is None or lst.max < 0 else (_UNLIMITED if lst.max == 0 else lst.max)
    item_min = info.min if info is not None and info.min is not None and info.min >= 0 else None
    item_max = info.max if info is not None and info.max is not None and info.max >= 0 else None
    low = next(v for v in (item_min, list_min, legacy[0]) if v is not None)
    high = next(v for v in (item_max, list_max, legacy[1]) if v is not None)
    return low, (None if high == _UNLIMITED else high)
