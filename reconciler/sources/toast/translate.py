"""Toast menus document → our catalog (the mapping table is in docs/import.md).

Toast menus become menus, menu groups sections (nested groups flattened after their parent), menu
items dishes, modifier groups option groups shared by GUID, and modifier options variations. The
document's own order is the POS order (Toast has no ordinals for display), so it is kept.
"""

from __future__ import annotations

from decimal import Decimal

from reconciler.model.catalog import DAYS, OpeningWindow
from reconciler.sources.base import ImportOptions, ImportResult
from reconciler.sources.build import CatalogBuilder, MenuDraft, Origin, SectionDraft, Variant
from reconciler.sources.errors import SourceInvalid, SourceProblem
from reconciler.sources.money import from_major_units
from reconciler.sources.toast.parse import Menu, MenuGroup, MenuItem, ModifierOption, Restaurant

ONLINE = {"TOAST_ONLINE_ORDERING", "ORDERING_PARTNERS", "GRUBHUB"}
_DAY = dict(zip(("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"), DAYS, strict=True))


def online(visibility: list[str] | None) -> bool:
    """Visible to online ordering? An absent field means everywhere; an empty list nowhere."""
    return visibility is None or bool(ONLINE & set(visibility))


def translate(restaurant: Restaurant, options: ImportOptions) -> ImportResult:
    if options.currency is None:
        raise SourceInvalid(
            "toast",
            [
                SourceProblem(
                    "Restaurant", restaurant.guid, "", "Toast menus carry no currency; pass --currency (e.g. USD)"
                )
            ],
        )
    return _Translation(restaurant, options.currency).run()


class _Translation:
    def __init__(self, restaurant: Restaurant, currency: str):
        self.doc = restaurant
        self.currency = currency
        self.b = CatalogBuilder("toast", "toast", currency)
        self.prices: dict[str, tuple[Decimal, str]] = {}  # dish id -> (price, menu name) of first listing
        self.groups: dict[str, str | None] = {}  # modifier group guid -> option group id (None: skipped)

    def run(self) -> ImportResult:
        self._expect()
        for menu in self.doc.menus:
            self._menu(menu)
        catalog, notes, placed = self.b.build_accounted()
        return ImportResult(catalog, notes, placed)

    def _expect(self) -> None:
        """Everything a diner could see, so that none of it is lost without a note."""

        def walk(group: MenuGroup) -> None:
            self.b.expect(Origin("MenuGroup", group.guid, group.name or ""), "not imported")
            for item in group.items:
                self.b.expect(Origin("MenuItem", item.guid, item.name or ""), "not imported")
            for sub in group.groups:
                walk(sub)

        for menu in self.doc.menus:
            self.b.expect(Origin("Menu", menu.guid, menu.name or ""), "not imported")
            for group in menu.groups:
                walk(group)
        for mgroup in self.doc.groups.values():
            self.b.expect(Origin("ModifierGroup", mgroup.guid, mgroup.name or ""), "no imported item offers it")
        for option in self.doc.options.values():
            self.b.expect(Origin("ModifierOption", option.guid, option.name or ""), "no imported group offers it")

    def _menu(self, menu: Menu) -> None:
        origin = Origin("Menu", menu.guid, menu.name or "")
        hours, never = self._hours(menu, origin)
        draft = MenuDraft(
            self.b.ids.make("menu", "menu", menu.guid),
            self.b.name(menu.name, origin, "Menu"),
            visible=online(menu.visibility) and not never,
            description=self.b.text(menu.description, origin),
            image=self.b.image(menu.image, origin),
            hours=hours,
        )
        self.b.menus.append(draft)
        self.b.made(origin, draft.id)
        for group in menu.groups:
            self._section(draft, menu, group, None)

    def _section(self, draft: MenuDraft, menu: Menu, group: MenuGroup, parent: str | None) -> None:
        origin = Origin("MenuGroup", group.guid, group.name or "")
        if parent is not None:
            self.b.note(origin, "approximated", f'nested in menu group "{parent}"; listed as a section after it')
        section = SectionDraft(
            self.b.ids.make("section", f"in {menu.guid}", group.guid),
            self.b.name(group.name, origin, "Section"),
            visible=online(group.visibility),
            description=self.b.text(group.description, origin),
            image=self.b.image(group.image, origin),
        )
        draft.sections.append(section)
        self.b.made(origin, section.id)
        for item in group.items:
            dish_id = self._dish(item, menu)
            if dish_id is not None:
                section.add(self.b.made(Origin("MenuItem", item.guid, item.name or ""), dish_id))
        for sub in group.groups:
            self._section(draft, menu, sub, section.name)

    # -- items ---------------------------------------------------------------------------------

    def _money(self, value: float | int, origin: Origin, signed: bool = False) -> Decimal:
        """A price; ``signed``: a choice's, which may take money off."""
        amount, exact = from_major_units(value, self.currency)
        if not exact:
            self.b.note(origin, "approximated", f"price {value!r} rounded to {amount} {self.currency}")
        return amount if signed else self.b.price(amount, origin)

    def _dish(self, item: MenuItem, menu: Menu) -> str | None:
        origin = Origin("MenuItem", item.guid, item.name or "")
        dish_id = self.b.ids.make("item", "item", item.guid)
        if self.b.has_dish(dish_id):
            self._same_price(item, dish_id, menu, origin)
            return dish_id
        strategy = item.pricing_strategy or "BASE_PRICE"
        option_ids: list[str] = []
        size_ref = None
        price: Decimal | None = None
        if strategy == "OPEN_PRICE":
            self.b.note(origin, "approximated", "open price (entered at sale time): imported as price on request")
        elif strategy == "SIZE_PRICE":
            size_ref, variants = self._sizes(item, origin)
            if not variants:
                self.b.note(origin, "skipped", "priced by size, but the size options carry no prices")
                return None
            group_id = self.b.ids.make("group", "size", item.guid, suffix=":size")
            size_group = self.doc.groups[size_ref]
            price = self.b.sized_dish(dish_id, variants, group_id, size_group.name or "Size")
            option_ids.append(self.b.made(Origin("ModifierGroup", size_group.guid, size_group.name or ""), group_id))
        elif item.price is None:
            self.b.note(origin, "skipped", f"no price ({strategy}); Wix needs a fixed price")
            return None
        else:
            price = self._money(item.price, origin)
            if strategy == "TIME_SPECIFIC_PRICE":
                self.b.note(origin, "approximated", "time-specific prices not imported; the base price is used")
        if item.has_portions:
            self.b.note(origin, "approximated", "portions (e.g. half-and-half) and their modifiers not imported")
        for ref in item.group_refs:
            if ref == size_ref:
                continue
            group_id = self._option_group(ref)
            if group_id is not None and group_id not in option_ids:
                option_ids.append(group_id)
        if price is not None:
            self.prices[dish_id] = (price, menu.name or "")
        self.b.add_dish(
            dish_id,
            name=self.b.name(item.name, origin, "Item"),
            description=self.b.text(item.description, origin),
            price=price,
            price_on_request=True if strategy == "OPEN_PRICE" else None,
            external_id=item.guid[:100],
            image=self.b.image(item.image, origin),
            visible=None if online(item.visibility) else False,
            options=option_ids or None,
            calories=self.b.calories(item.calories, origin),
        )
        return dish_id

    def _same_price(self, item: MenuItem, dish_id: str, menu: Menu, origin: Origin) -> None:
        if item.price is None or dish_id not in self.prices:
            return
        amount, _ = from_major_units(item.price, self.currency)
        first, first_menu = self.prices[dish_id]
        if amount != first:
            self.b.note(
                origin,
                "approximated",
                f'costs {amount} on menu "{menu.name}" but {first} on menu '
                f'"{first_menu}"; a dish has one price, {first} is used',
            )

    def _sizes(self, item: MenuItem, origin: Origin) -> tuple[str | None, list[Variant]]:
        for ref in item.group_refs:
            group = self.doc.groups[ref]
            if group.guid != item.size_guid:
                continue
            variants = []
            for option_ref in group.option_refs:
                option = self.doc.options[option_ref]
                if option.price is None:
                    return ref, []
                option_origin = Origin("ModifierOption", option.guid, option.name or "")
                variants.append(
                    Variant(
                        self._variation(option, group.guid),
                        self.b.name(option.name, option_origin, "Size"),
                        self._money(option.price, option_origin),
                        visible=online(option.visibility),
                    )
                )
            return ref, variants
        return None, []

    # -- modifier groups -----------------------------------------------------------------------------

    def _variation(self, option: ModifierOption, group_guid: str, nested: list[str] | None = None) -> str:
        """One variation per option GUID (the option's underlying item), shared by the groups
        offering it; a group that renames the option gets its own."""
        name = self.b.name(option.name, Origin("ModifierOption", option.guid, option.name or ""), "Option")
        shared = self.b.ids.make("item", "option", option.guid)
        known = self.b.variation_field(shared, "name")
        variation_id = shared if known in (None, name) else self.b.ids.make("item", "option", group_guid, option.guid)
        self.b.made(Origin("ModifierOption", option.guid, option.name or ""), variation_id)
        return self.b.add_variation(
            variation_id, name=name, visible=None if online(option.visibility) else False, options=nested or None
        )

    def _option_group(self, ref: str) -> str | None:
        group = self.doc.groups[ref]
        if group.guid in self.groups:
            return self.groups[group.guid]
        origin = Origin("ModifierGroup", group.guid, group.name or "")
        self.groups[group.guid] = None
        if not online(group.visibility):
            self.b.note(origin, "skipped", "not visible to online ordering")
            return None
        if group.pricing_strategy not in (None, "NONE"):
            self.b.note(origin, "approximated", f"priced by {group.pricing_strategy}; each option's own price is used")
        choices, defaults, seen = [], [], set()
        for option_ref in group.option_refs:
            option = self.doc.options[option_ref]
            option_origin = Origin("ModifierOption", option.guid, option.name or "")
            nested = [n for n in dict.fromkeys(self._option_group(r) for r in option.group_refs) if n is not None]
            variation_id = self._variation(option, group.guid, nested)
            if variation_id in seen:
                self.b.note(option_origin, "skipped", f'offered twice in "{group.name}"; listed once')
                continue
            seen.add(variation_id)
            price = self._money(option.price, option_origin, signed=True) if option.price is not None else Decimal(0)
            choices.append((variation_id, price))
            if option.is_default:
                defaults.append(variation_id)
        low = max(group.min or 0, 0)
        if group.required_mode == "REQUIRED":
            low = max(low, 1)
        high = group.max if group.max is not None and group.max >= 0 else None
        group_id = self.b.ids.make("group", "group", group.guid)
        built = self.b.option_group(
            group_id, self.b.name(group.name, origin, "Options"), choices, low, high, defaults, origin
        )
        self.groups[group.guid] = self.b.made(origin, built.id) if built else None
        return self.groups[group.guid]

    # -- availability ----------------------------------------------------------------------------

    def _hours(self, menu: Menu, origin: Origin) -> tuple[list[OpeningWindow], bool]:
        """Weekly windows from the menu's schedule (restaurant local time), and whether it is never
        available (not always available, yet no schedule)."""
        if menu.always_available:
            return [], False
        windows = []
        for entry in menu.schedule:
            for day in entry.get("days") or []:
                if day not in _DAY:
                    self.b.note(origin, "approximated", f"unknown schedule day {day!r} ignored")
                    continue
                for span in entry.get("timeRanges") or []:
                    window = self._window(_DAY[day], span, origin)
                    if window is not None:
                        windows.append(window)
        if not windows:
            self.b.note(origin, "approximated", "not always available and no schedule; imported as hidden")
            return [], True
        unique = sorted(set(windows), key=lambda w: (DAYS.index(w.day), w.open, w.close))
        return unique, False

    def _window(self, day: str, span: object, origin: Origin) -> OpeningWindow | None:
        start = _hhmm(span.get("start")) if isinstance(span, dict) else None
        end = _hhmm(span.get("end")) if isinstance(span, dict) else None
        if start is None or end is None:
            self.b.note(origin, "approximated", f"schedule time range {span!r} not understood; ignored")
            return None
        if end == "00:00":
            end = "24:00"
        if end <= start:
            return OpeningWindow(day=day, open=start, close_day=DAYS[(DAYS.index(day) + 1) % 7], close=end)
        return OpeningWindow(day=day, open=start, close=end)


def _hhmm(value: object) -> str | None:
    """ "07:00" or "07:00:00" → "07:00"; anything else → None."""
    if not isinstance(value, str):
        return None
    parts = value.split(":")
    if len(parts) not in (2, 3) or not all(p.isascii() and p.isdigit() and len(p) == 2 for p in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"
