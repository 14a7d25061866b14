"""The half of the Square translation that reads what an item offers: modifier lists, their
(nested) modifiers, its free-text modifier and its taxes. Mixed into the translation of
:mod:`.translate`, whose builder (``self.b``), catalog (``self.cat``) and location it uses.

* a modifier list becomes an option group, shared, or forked per item when the item overrides its
  limits or defaults; a modifier becomes a variation, and a negative price stays negative (a
  choice that takes money off);
* a modifier's ``child_modifier_list_ids`` become the variation's own option groups (nested
  options), unless they would loop back to a list they came from;
* a ``TEXT`` modifier list (free text typed by the buyer) becomes the dish's special-request
  prompt;
* inclusive taxes become ``tax_rate`` with ``tax_included``; additive ones are summed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reconciler.sources.base import StockSignal
from reconciler.sources.build import CatalogBuilder, Origin
from reconciler.sources.money import from_minor_units
from reconciler.sources.square.records import Item, ListInfo, Modifier, ModifierList, Money, Override, SquareCatalog

_UNLIMITED = -1


def order_key(ordinal: int | None, name: str, ident: str) -> tuple:
    """POS ordinal first (unset last), then name, then id: the one ordering rule of an import."""
    return (ordinal is None, ordinal or 0, name.casefold(), ident)


@dataclass(frozen=True)
class Priced:
    money: Money | None
    pricing_type: str | None
    sold_out: bool
    sold_out_until: str | None = None


def at_location(money: Money | None, pricing: str | None, overrides: list[Override], location: str | None) -> Priced:
    """The price and stock at ``location``. A sold-out state with an expiry is not the catalog's: it is a
    stock signal (the availability layer ends it on time), so the YAML keeps the object in stock."""
    for override in overrides:
        if location is not None and override.location == location:
            timed = override.sold_out and bool(override.sold_out_until)
            return Priced(
                override.price or money,
                override.pricing_type or pricing,
                override.sold_out and not timed,
                override.sold_out_until if timed else None,
            )
    return Priced(money, pricing, False)


class Options:
    b: CatalogBuilder
    cat: SquareCatalog
    location: str | None
    currency: str
    _nesting: list[str]
    stock: list[StockSignal]

    def _absent(self, presence, origin: Origin) -> bool:  # pragma: no cover - the translation's
        raise NotImplementedError

    # -- taxes -------------------------------------------------------------------------------------

    def _tax_rate(self, item: Item, origin: Origin) -> tuple[Decimal | None, bool]:
        """(the rate, whether prices include it). Inclusive and additive taxes do not mix."""
        if not item.taxable:
            return None, False
        additive, inclusive = [], []
        for tax_id in item.tax_ids:
            tax = self.cat.taxes.get(tax_id)
            if tax is None:
                self.b.note(origin, "approximated", f"tax {tax_id} is not in the catalog; ignored")
            elif tax.enabled and tax.percentage is not None:
                (inclusive if tax.inclusive else additive).append(tax.percentage)
        if additive and inclusive:
            self.b.note(origin, "approximated", "inclusive and additive taxes together; only the additive ones kept")
        rates, included = (additive, False) if additive or not inclusive else (inclusive, True)
        if not rates:
            return None, False
        if len(rates) > 1:
            self.b.note(origin, "approximated", f"{len(rates)} taxes added up into one rate")
        total = sum(rates, Decimal(0))
        exponent = total.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -3:
            rounded = total.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
            self.b.note(origin, "approximated", f"tax rate {total} rounded to {rounded} (at most 3 decimals)")
            return rounded, included
        return total, included

    # -- free text ---------------------------------------------------------------------------------

    def _prompt(self, item: Item, dish_id: str) -> str | None:
        """The dish's special-request prompt: the name of its (first) enabled TEXT modifier list."""
        prompts = []
        for info in item.lists:
            lst = self.cat.lists.get(info.list_id)
            if lst is None or not lst.text or not info.enabled:
                continue
            origin = Origin("MODIFIER_LIST", lst.id, lst.name)
            if info.hidden == "YES" or (info.hidden != "NO" and lst.hidden):
                self.b.note(origin, "skipped", "hidden from customers")
            elif prompts:
                self.b.note(origin, "approximated", f'a second free-text modifier; the dish asks "{prompts[0]}"')
                self.b.made(origin, dish_id)
            else:
                prompts.append(self.b.name(lst.name, origin, "Special instructions")[:200])
                self.b.made(origin, dish_id)
        return prompts[0] if prompts else None

    # -- modifier lists ----------------------------------------------------------------------------

    def _list_name(self, list_id: str) -> str:
        lst = self.cat.lists.get(list_id)
        return lst.name if lst else ""

    def _modifier_group(self, item_id: str, info: ListInfo, item_origin: Origin) -> str | None:
        lst = self.cat.lists.get(info.list_id)
        if lst is None:
            self.b.note(item_origin, "approximated", f"modifier list {info.list_id} is not in the catalog; ignored")
            return None
        if not info.enabled or lst.text:
            return None  # switched off for this item (the POS's own choice), or free text (_prompt)
        origin = Origin("MODIFIER_LIST", lst.id, lst.name)
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
        self._nesting.append(lst.id)
        choices, list_defaults, item_defaults = self._choices(lst, info)
        self._nesting.pop()
        if (low, high, item_defaults) == (*shared, list_defaults):
            group_id = self.b.ids.make("group", "list", lst.id)
        else:
            group_id = self.b.ids.make("group", "fork", lst.id, item_id)
        name = self.b.name(lst.name, origin, "Options")
        group = self.b.option_group(group_id, name, choices, low, high, item_defaults, origin)
        return self.b.made(origin, group.id) if group is not None else None

    def _timed(self, pos_id: str, at: Priced) -> None:
        if at.sold_out_until:
            self.stock.append(StockSignal((pos_id,), False, self.location, at.sold_out_until, "sold out"))

    def _choices(self, lst: ModifierList, info: ListInfo) -> tuple[list[tuple[str, Decimal]], list[str], list[str]]:
        choices, list_defaults, item_defaults = [], [], []
        for m in sorted(lst.modifiers.values(), key=lambda m: order_key(m.ordinal, m.name, m.id)):
            variation_id = self._modifier_variation(m)
            if variation_id is None:
                continue
            at = at_location(m.price, None, m.overrides, self.location)
            self._timed(m.id, at)
            amount = from_minor_units(at.money.amount, self.currency) if at.money else Decimal(0)
            choices.append((variation_id, amount))  # negative: the choice takes money off
            if m.on_by_default:
                list_defaults.append(variation_id)
            if info.on_by_default.get(m.id, m.on_by_default):
                item_defaults.append(variation_id)
        return choices, list_defaults, item_defaults

    def _modifier_variation(self, m: Modifier) -> str | None:
        origin = Origin("MODIFIER", m.id, m.name)
        if self._absent(m.presence, origin):
            return None
        variation_id = self.b.ids.make("item", "modifier", m.id)
        nested: list[str] = []
        for child in m.children:
            if child in self._nesting:
                self.b.note(origin, "approximated", f"nested modifier list {child} loops back to itself; not nested")
                continue
            group = self._modifier_group(variation_id, _plain_info(child), origin)
            if group is not None and group not in nested:
                nested.append(group)
        at = at_location(m.price, None, m.overrides, self.location)
        return self.b.add_variation(
            self.b.made(origin, variation_id),
            name=self.b.name(m.name, origin, "Option"),
            in_stock=False if at.sold_out else None,
            visible=False if m.hidden else None,
            options=nested or None,
        )


def _plain_info(list_id: str) -> ListInfo:
    """A nested list's link: no per-item overrides (Square has none for child lists)."""
    return ListInfo(list_id, None, None, True, None, {}, None)


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
