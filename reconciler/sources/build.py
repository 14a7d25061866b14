"""The POS-neutral half of every translation: drafts of menus, dishes and groups → a Catalog.

Each source reads its own wire format and calls :class:`CatalogBuilder`; the rules all POSes
share live here, once:

* an item with several variants becomes one dish priced at the lowest variant, with a size
  ``selection`` whose choices add the difference (:meth:`CatalogBuilder.sized_dish`);
* a modifier group with min/max becomes ``selection`` when exactly one must be picked, else
  ``extras`` with its limits clamped to what the model allows (:meth:`CatalogBuilder.option_group`);
* names, descriptions, images and prices are cut to what the model accepts, with a note each time;
* allergens are the EU's 14 (others are noted and left out), calories whole kcal;
* a dish that no section lists goes to the "Uncategorized" section;
* the top-level lists are sorted by id so that a re-import changes only the lines that changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from pydantic import ValidationError

from reconciler import limits
from reconciler.model.catalog import (
    ALLERGENS,
    MAX_CALORIES,
    Catalog,
    Dish,
    Extras,
    OpeningWindow,
    Selection,
    Variation,
)
from reconciler.sources.base import ImportNote, NoteKind
from reconciler.sources.currency import choose_currency as choose_currency  # the sources import it from here
from reconciler.sources.drafts_out import _menu, _present
from reconciler.sources.errors import ImportOutputInvalid, SourceInvalid, SourceProblem
from reconciler.sources.ids import IdMaker

NAME_MAX = 500
TEXT_MAX = 5000
_URL = re.compile(r"^https?://[^\s/?#]+\S*$")  # the model's rule (model/images.py): a host, no spaces
_PRICE_LIMIT = Decimal(10) ** limits.PRICE_MAX_INTEGER_DIGITS
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
UNCATEGORIZED = "Uncategorized"


@dataclass
class SectionDraft:
    id: str
    name: str
    visible: bool = True
    description: str | None = None
    image: str | None = None
    dishes: list[str] = field(default_factory=list)
    _listed: set[str] = field(default_factory=set, repr=False, compare=False)  # one big category stays linear

    def add(self, dish_id: str) -> None:
        if dish_id not in self._listed:
            self._listed.add(dish_id)
            self.dishes.append(dish_id)


@dataclass
class MenuDraft:
    id: str
    name: str
    visible: bool = True
    description: str | None = None
    image: str | None = None
    hours: list[OpeningWindow] = field(default_factory=list)
    sections: list[SectionDraft] = field(default_factory=list)


@dataclass(frozen=True)
class Variant:
    """One size of a dish: becomes a variation offered by the dish's size group."""

    id: str
    name: str
    price: Decimal
    in_stock: bool = True
    visible: bool = True


@dataclass(frozen=True, slots=True)
class Origin:
    """The POS object a draft comes from, for notes."""

    type: str
    id: str
    name: str = ""


class CatalogBuilder:
    """Collects the drafts of one import and builds the catalog, accounting for every POS object.

    Nothing a diner would see is dropped silently: a translation calls :meth:`expect` for every such POS
    object it read (items, their sizes, categories, modifier groups, modifiers), says with
    :meth:`made` which catalog entity each became, or notes why it was skipped. :meth:`build` notes
    whatever is left unaccounted, and reports where each POS object went (``placed``).
    """

    def __init__(self, source: str, prefix: str, currency: str):
        self.source = source
        self.currency = currency
        self.ids = IdMaker(prefix)
        self.notes: list[ImportNote] = []
        self.menus: list[MenuDraft] = []
        self._dishes: dict[str, dict] = {}
        self._variations: dict[str, dict] = {}
        self._groups: dict[str, Selection | Extras] = {}
        self._uncategorized_id = self.ids.reserve("section", "uncategorized")
        self._expected: dict[tuple[str, str], tuple[Origin, str]] = {}  # (type, id) -> (origin, reason if lost)
        self._made: dict[tuple[str, str], set[str]] = {}  # (type, id) -> catalog ids made from it

    # -- accounting ---------------------------------------------------------------------------

    def expect(self, origin: Origin, reason_if_lost: str) -> None:
        """A POS object a diner would see: it must end up in the catalog or in a note."""
        self._expected.setdefault((origin.type, origin.id), (origin, reason_if_lost))

    def made(self, origin: Origin, catalog_id: str) -> str:
        """Record that ``catalog_id`` was made from ``origin`` (one POS object may make several)."""
        self._made.setdefault((origin.type, origin.id), set()).add(catalog_id)
        return catalog_id

    def _limit_discounts(self) -> None:
        """A choice may take off at most what the cheapest dish (or variation) offering it costs."""
        for owner in [*self._dishes.values(), *self._variations.values()]:
            base = Decimal(owner.get("price", 0))
            for group_id in owner.get("options") or []:
                group = self._groups.get(group_id)
                if group is None or all(c.price >= -base for c in group.choices):
                    continue
                choices = [c if c.price >= -base else c.model_copy(update={"price": -base}) for c in group.choices]
                self._groups[group_id] = group.model_copy(update={"choices": choices})
                origin = Origin("option group", group_id, group.name)
                self.note(
                    origin, "approximated", f"a choice takes more off than {owner['id']} costs; limited to {base}"
                )

    def _account(self, catalog: Catalog) -> dict[str, tuple[str, ...]]:
        present = {d.id for d in catalog.dishes} | {v.id for v in catalog.variations}
        present |= {g.id for g in catalog.option_groups} | {m.id for m in catalog.menus}
        present |= {s.id for m in catalog.menus for s in m.sections}
        skipped = {(n.object_type, n.object_id) for n in self.notes if n.kind == "skipped"}
        placed: dict[str, tuple[str, ...]] = {}
        for key in sorted(self._expected):
            origin, reason = self._expected[key]
            ids = tuple(sorted(self._made.get(key, set()) & present))
            if ids:
                placed.setdefault(origin.id, ())
                placed[origin.id] = tuple(sorted({*placed[origin.id], *ids}))
            elif key not in skipped:
                self.note(origin, "skipped", reason)
        return placed

    # -- notes and field clean-up ------------------------------------------------------------

    def note(self, origin: Origin, kind: NoteKind, reason: str) -> None:
        self.notes.append(ImportNote(origin.id, kind, reason, origin.type, origin.name))

    def name(self, raw: object, origin: Origin, fallback: str) -> str:
        text = self._visible(raw, origin, "name")
        if not text:
            self.note(origin, "approximated", f'has no name; named "{fallback}"')
            return fallback
        if len(text) > NAME_MAX:
            self.note(origin, "approximated", f"name cut to {NAME_MAX} characters")
            return text[:NAME_MAX].rstrip()
        return text

    def text(self, raw: object, origin: Origin) -> str | None:
        text = self._visible(raw, origin, "description", keep="\n\t")
        if not text:
            return None
        if len(text) > TEXT_MAX:
            self.note(origin, "approximated", f"description cut to {TEXT_MAX} characters")
            return text[:TEXT_MAX].rstrip()
        return text

    def _visible(self, raw: object, origin: Origin, what: str, keep: str = "") -> str:
        """``raw`` stripped, its control characters replaced by spaces (with a note): the catalog refuses them."""
        text = raw.strip() if isinstance(raw, str) else ""
        cleaned = _CONTROL.sub(lambda m: m.group() if m.group() in keep else " ", text)
        if cleaned != text:
            self.note(origin, "approximated", f"control characters in the {what} replaced by spaces")
            text = cleaned.strip()
        return text

    def image(self, url: object, origin: Origin) -> str | None:
        if url is None or url == "":
            return None
        if isinstance(url, str) and _URL.match(url) and len(url) <= 2048:
            return url
        self.note(origin, "skipped", f"image {url!r} is not an absolute http(s) URL")
        return None

    def allergens(self, names: list[str], origin: Origin) -> list[str] | None:
        """The POS's allergen names (Square's ``TREE_NUTS``…) as the catalog's; others are noted."""
        found = {name: name.strip().lower().replace(" ", "_").replace("-", "_") for name in names}
        for name in (n for n, ours in found.items() if ours not in ALLERGENS):
            self.note(origin, "skipped", f"{name!r} is not one of the 14 allergens the catalog records")
        return sorted({a for a in found.values() if a in ALLERGENS}, key=ALLERGENS.index) or None

    def calories(self, value: object, origin: Origin) -> int | None:
        """Calories as a whole number of kcal; a fraction is rounded, a value out of range noted."""
        if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return None
        whole = int(Decimal(str(value)).to_integral_value(ROUND_HALF_UP))
        if not 0 <= whole <= MAX_CALORIES:
            self.note(origin, "skipped", f"calories {value} are not between 0 and {MAX_CALORIES}")
            return None
        if whole != value:
            self.note(origin, "approximated", f"calories {value} rounded to {whole}")
        return whole

    def price(self, amount: Decimal, origin: Origin) -> Decimal:
        if not amount.is_finite() or abs(amount) >= _PRICE_LIMIT:
            raise SourceInvalid(
                self.source,
                [
                    SourceProblem(
                        origin.type, origin.id, "price", f"{amount} is beyond any price (at most {_PRICE_LIMIT - 1})"
                    )
                ],
            )
        if amount < 0:
            self.note(
                origin, "approximated", f"negative price {amount} imported as 0 (only a choice can take money off)"
            )
            return Decimal(0)
        return amount

    # -- objects ----------------------------------------------------------------------------------

    def add_dish(self, dish_id: str, **fields) -> str:
        self._dishes.setdefault(dish_id, {"id": dish_id, **_present(fields)})
        return dish_id

    def has_dish(self, dish_id: str) -> bool:
        return dish_id in self._dishes

    def variation_field(self, variation_id: str, key: str):
        return self._variations.get(variation_id, {}).get(key)

    def add_variation(self, variation_id: str, **fields) -> str:
        self._variations.setdefault(variation_id, {"id": variation_id, **_present(fields)})
        return variation_id

    def add_group(self, group: Selection | Extras) -> str:
        known = self._groups.setdefault(group.id, group)
        if known != group:  # two POS objects produced one group id with different content
            raise ImportOutputInvalid(self.source, f"option group {group.id!r} was built twice, differently")
        return group.id

    def uncategorized(self, menu: MenuDraft) -> SectionDraft:
        for section in menu.sections:
            if section.id == self._uncategorized_id:
                return section
        section = SectionDraft(self._uncategorized_id, UNCATEGORIZED)
        menu.sections.append(section)
        return section

    # -- shared mapping rules ----------------------------------------------------------------

    def sized_dish(self, dish_id: str, variants: list[Variant], group_id: str, group_name: str) -> Decimal:
        """Offer ``variants`` (already in display order) as a size selection on the dish.

        The dish price is the lowest variant price, every choice adds its difference (so none is
        negative), and the default is the first variant at the lowest price. Returns the price.
        """
        base = min(v.price for v in variants)
        default = next(v.id for v in variants if v.price == base)
        for v in variants:
            self.add_variation(v.id, name=v.name, in_stock=v.in_stock, visible=v.visible)
        self.add_group(
            Selection(
                id=group_id,
                name=group_name,
                type="selection",
                default=default,
                choices=[{"item": v.id, "price": v.price - base} for v in variants],
            )
        )
        return base

    def option_group(
        self,
        group_id: str,
        name: str,
        choices: list[tuple[str, Decimal]],
        low: int,
        high: int | None,
        defaults: list[str],
        origin: Origin,
    ) -> Selection | Extras | None:
        """A modifier group with limits ``low``..``high`` (``None``: unlimited) as an option group.

        Exactly one to pick → ``selection``; anything else → ``extras``. Limits the model cannot
        hold (more than the choices offered, max below min) are clamped with a note.
        """
        if not choices:
            self.note(origin, "skipped", "modifier group has no choices left to offer")
            return None
        count = len(choices)
        if low > count:
            self.note(origin, "approximated", f"requires {low} choices but offers {count}; min set to {count}")
            low = count
        if high is not None and high < low:
            self.note(origin, "approximated", f"max {high} is below min {low}; max set to {low}")
            high = low
        offered = [c for c, _ in choices]
        defaults = [d for d in dict.fromkeys(defaults) if d in offered]
        if low == 1 and high == 1:
            if len(defaults) > 1:
                self.note(origin, "approximated", f"{len(defaults)} choices are on by default; only the first kept")
            group = Selection(
                id=group_id,
                name=name,
                type="selection",
                default=defaults[0] if defaults else None,
                choices=[{"item": c, "price": p} for c, p in choices],
            )
        else:
            if high is not None and len(defaults) > high:
                self.note(
                    origin,
                    "approximated",
                    f"{len(defaults)} choices on by default but max is {high}; only the first {high} kept",
                )
                defaults = defaults[:high]
            group = Extras(
                id=group_id,
                name=name,
                type="extras",
                defaults=defaults,
                min=low,
                max=None if high is None or high >= count else high,
                choices=[{"item": c, "price": p} for c, p in choices],
            )
        self.add_group(group)
        return group

    # -- the result -------------------------------------------------------------------------

    def build(self) -> tuple[Catalog, list[ImportNote]]:
        catalog, notes, _ = self.build_accounted()
        return catalog, notes

    def build_accounted(self) -> tuple[Catalog, list[ImportNote], dict[str, tuple[str, ...]]]:
        """The catalog, every note (those for unaccounted POS objects included), and where each
        expected POS object went: POS id -> the catalog ids made from it."""
        listed = {d for m in self.menus for s in m.sections for d in s.dishes}
        unlisted = sorted(set(self._dishes) - listed)
        if unlisted:
            if not self.menus:
                self.menus.append(MenuDraft(self.ids.reserve("menu", "menu"), "Menu"))
            section = self.uncategorized(self.menus[0])
            for dish_id in unlisted:
                section.add(dish_id)
        self._limit_discounts()
        try:
            catalog = Catalog(
                currency=self.currency,
                menus=[_menu(m) for m in self.menus],
                # Each draft is dropped as its model is made: the drafts and the models of a
                # 100,000-dish import are never all in memory at once.
                dishes=[Dish(**self._dishes.pop(k)) for k in sorted(self._dishes)],
                variations=[Variation(**self._variations.pop(k)) for k in sorted(self._variations)],
                option_groups=[self._groups[k] for k in sorted(self._groups)],
            )
        except ValidationError as exc:
            raise ImportOutputInvalid(self.source, str(exc)) from None
        placed = self._account(catalog)
        return catalog, sorted(set(self.notes)), placed
