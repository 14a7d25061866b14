"""Typed records of the Square catalog objects that the translation reads.

:mod:`.parse` builds them from CatalogObjects (any wire form); :mod:`.translate` maps them. Field
names follow Square's, without the ``_data`` envelopes; money stays in minor units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str


@dataclass(frozen=True, slots=True)
class Presence:
    """Square's location scoping: all locations but some, or only some."""

    everywhere: bool = True
    present: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()

    def at(self, location: str) -> bool:
        if location in self.absent:
            return False
        return self.everywhere or location in self.present

    @property
    def nowhere(self) -> bool:
        return not self.everywhere and not self.present


@dataclass(frozen=True, slots=True)
class Override:
    """A ``location_overrides`` entry of a variation or modifier."""

    location: str
    price: Money | None
    pricing_type: str | None
    sold_out: bool
    sold_out_until: str | None = None  # ``sold_out_valid_until``: the sold-out state ends by itself then


@dataclass(slots=True)
class Variation:
    id: str
    item_id: str
    name: str | None
    ordinal: int | None
    pricing_type: str
    price: Money | None
    overrides: list[Override]
    presence: Presence
    measurement_unit: str | None
    version: int


@dataclass(frozen=True, slots=True)
class ListInfo:
    """An item's link to a modifier list, with its per-item overrides."""

    list_id: str
    min: int | None
    max: int | None
    enabled: bool
    ordinal: int | None
    on_by_default: dict[str, bool]
    hidden: str | None  # YES / NO / NOT_SET


@dataclass(slots=True)
class Item:
    id: str
    name: str
    description: str | None
    categories: list[tuple[str, int | None]]
    variations: dict[str, Variation]
    lists: list[ListInfo]
    tax_ids: list[str]
    image_ids: list[str]
    product_type: str
    archived: bool
    taxable: bool
    hidden: bool
    presence: Presence
    option_ids: list[str]
    version: int
    calories: int | None = None  # food_and_beverage_details.calorie_count (kcal)
    ingredients: list[str] = field(default_factory=list)  # standard names (the EU's 14) or custom names


@dataclass(slots=True)
class Category:
    id: str
    name: str
    ordinal: int | None
    parent: str | None
    kind: str
    online: bool
    presence: Presence
    image_ids: list[str]


@dataclass(slots=True)
class Modifier:
    id: str
    list_id: str | None
    name: str
    ordinal: int | None
    price: Money | None
    on_by_default: bool
    overrides: list[Override]
    hidden: bool
    children: list[str]
    presence: Presence
    version: int


@dataclass(slots=True)
class ModifierList:
    id: str
    name: str
    ordinal: int | None
    selection_type: str | None
    min: int | None
    max: int | None
    text: bool
    hidden: bool
    presence: Presence
    modifiers: dict[str, Modifier] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tax:
    id: str
    name: str
    percentage: Decimal | None
    inclusive: bool
    enabled: bool


@dataclass(slots=True)
class SquareCatalog:
    items: dict[str, Item] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    lists: dict[str, ModifierList] = field(default_factory=dict)
    taxes: dict[str, Tax] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)  # IMAGE id -> url
    option_names: dict[str, str] = field(default_factory=dict)  # ITEM_OPTION id -> name
    seed_images: dict[str, str] = field(default_factory=dict)  # object id -> url (seed data form)
    others: list[tuple[str, str, str]] = field(default_factory=list)  # (type, id, name) not imported
    orphans: list[tuple[str, str, str, str]] = field(default_factory=list)  # (type, id, name, missing parent)
    currencies: dict[str, str] = field(default_factory=dict)  # every currency a price carries -> first object id
