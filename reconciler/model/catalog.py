"""The neutral, restaurant-domain catalog: what a restaurant wants its online menu to be.

This is the desired state people commit to Git. It models the restaurant domain (menus, sections,
dishes, sizes, option groups) rather than one API's wire format; each target translates it
(:mod:`reconciler.targets`). Every menu, section, dish, variation and option group has a stable
``id`` chosen by the author or the POS import; references use these ids, so renaming a dish is an
update of the same dish, never a delete and a create.

Shape::

    Catalog
    ├── menus[]            Menu ─ sections[] ─ Section ─ dishes[] (dish ids, ordered)
    ├── dishes[]           Dish       ─ options[] (option group ids)
    ├── variations[]       Variation  ─ used as choices (e.g. sizes)
    ├── option_groups[]    selection | extras | deselection ─ choices[] ─ Choice(item id, price)
    ├── locations[]        Location ─ overrides of prices, stock, visibility (model/locations.py)
    └── ownership          who owns which field: catalog, live side, availability layer (model/ownership.py)

Menus, sections and dishes may say where they exist (``only_at`` / ``except_at``) when the catalog
lists several locations; :func:`reconciler.model.effective.effective` gives one location's catalog.

Omitted fields mean the Wix default (visible, every fulfilment type and platform, always
available, in stock, special requests accepted, no tax rate). Cross-reference rules live in
:mod:`reconciler.model.rules`; this module checks only the shape of each object.
"""

from __future__ import annotations

import re
import typing
from decimal import Decimal
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from reconciler.model.features import Features, OnRequest
from reconciler.model.fields import Id, Label, Model, Name, Text, check_name, no_repeats
from reconciler.model.images import ImageFile, ImageRef
from reconciler.model.locations import Location, MenusNewSettings, Presence
from reconciler.model.money import Currency, Money, Percent, SignedMoney
from reconciler.model.ownership import Owned, Ownership

FORMAT_VERSION: Final = 1


Url = Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=r"^https?://\S+$")]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Fulfillment = Literal["delivery", "pickup_or_dine_in"]
Platform = Literal["site", "mobile_site", "wix_app", "call_center", "chat_bot"]

ALL_FULFILLMENT: tuple[Fulfillment, ...] = ("delivery", "pickup_or_dine_in")
ALL_PLATFORMS: tuple[Platform, ...] = ("site", "mobile_site", "wix_app", "call_center", "chat_bot")
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The 14 allergens EU Regulation 1169/2011 names, as Square's standard ingredients list them.
Allergen = Literal[
    "celery",
    "crustaceans",
    "eggs",
    "fish",
    "gluten",
    "lupin",
    "milk",
    "molluscs",
    "mustard",
    "peanuts",
    "sesame",
    "soy",
    "sulphites",
    "tree_nuts",
]
ALLERGENS: tuple[Allergen, ...] = typing.get_args(Allergen)
MAX_CALORIES = 100_000


def allergen_label(allergen: str) -> str:
    """How a dish's allergen is shown where a Wix API has no allergen field: as a label."""
    return "contains " + allergen.replace("_", " ")


ALLERGEN_LABELS = {allergen_label(a): a for a in ALLERGENS}

_HHMM = re.compile(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
_ISO_UTC = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?Z$")


class OpeningWindow(Model):
    """A weekly opening window, e.g. Monday 07:00 to 11:00 (or Friday 18:00 to Saturday 01:00)."""

    day: Day
    open: str = Field(description='Opening time "HH:MM", 00:00 to 23:59.')
    close_day: Day | None = Field(default=None, description="Day the window closes; defaults to `day`.")
    close: str = Field(description='Closing time "HH:MM"; "24:00" means the end of the day.')

    @field_validator("open")
    @classmethod
    def _open(cls, value: str) -> str:
        if not _HHMM.fullmatch(value) or value == "24:00":
            raise ValueError(f'"{value}" is not a time of day written "HH:MM" (00:00 to 23:59)')
        return value

    @field_validator("close")
    @classmethod
    def _close(cls, value: str, info: ValidationInfo) -> str:
        if not _HHMM.fullmatch(value):
            raise ValueError(f'"{value}" is not a time of day written "HH:MM" (00:00 to 24:00)')
        opening, day = info.data.get("open"), info.data.get("day")
        same_day = info.data.get("close_day") in (None, day)
        if opening and day and same_day and value <= opening:
            raise ValueError(
                f"closes at {value}, not after it opens at {opening} on the same day; "
                "set close_day for a window that ends after midnight"
            )
        return value


class SpecialHours(Model):
    """An exception to the weekly hours: a holiday closure or a special opening."""

    start: str = Field(description="UTC start, ISO 8601, e.g. 2026-12-25T00:00:00Z.")
    end: str = Field(description="UTC end, ISO 8601.")
    available: bool = Field(default=True, description="false closes, true opens, during the period.")
    name: Name | None = Field(default=None, description='Event name shown in the dashboard, e.g. "Christmas".')

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: str) -> str:
        if not _ISO_UTC.fullmatch(value):
            raise ValueError(f'"{value}" is not a UTC timestamp such as 2026-12-25T00:00:00Z')
        return value

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start and value <= start:
            raise ValueError(f"ends at {value}, not after it starts at {start}")
        return value


class Visible(Model):
    """Who sees an entity, where and when. Shared by menus, sections, dishes and variations."""

    visible: bool = Field(default=True, description="false hides it regardless of everything else.")
    fulfillment: list[Fulfillment] = Field(
        default_factory=lambda: list(ALL_FULFILLMENT), description="Order types it is offered for."
    )
    platforms: list[Platform] = Field(default_factory=lambda: list(ALL_PLATFORMS), description="Where it is shown.")
    hours: list[OpeningWindow] = Field(default_factory=list, description="Weekly windows; empty means always.")
    special_hours: list[SpecialHours] = Field(default_factory=list)

    @field_validator("fulfillment", "platforms")
    @classmethod
    def _non_empty_unique(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("cannot be empty; set `visible: false` to hide it instead")
        if len(set(value)) != len(value):
            raise ValueError("lists a value twice")
        return value

    @field_validator("hours")
    @classmethod
    def _hours_limit(cls, value: list[OpeningWindow]) -> list[OpeningWindow]:
        if len(value) > 100:
            raise ValueError(f"has {len(value)} windows; Wix allows at most 100")
        return value


class Orderable(Visible, Features, Owned):
    """What dishes and variations share: what a diner can order (both are "items" to Wix)."""

    id: Id
    name: Name
    description: Text | None = None
    price: Money = Field(default=Decimal("0"), description='Base price as a string, e.g. "12.50".')
    tax_rate: Percent = Field(default=Decimal("0"), description='Tax percentage, e.g. "7.25".')
    labels: list[Label] = Field(
        default_factory=list, description="Free-form labels such as vegetarian, spicy, gluten-free."
    )
    image: ImageRef | None = Field(
        default=None, description="An http(s) URL, or a JPEG, PNG, GIF or WebP file relative to the catalog file."
    )
    image_file: SkipJsonSchema[ImageFile | None] = None  # the loader's check of a local image (never in YAML)
    in_stock: bool = True
    special_requests: bool = Field(default=True, description="Whether diners may add a special request.")
    options: list[Id] = Field(default_factory=list, description="Ids of option groups, in display order.")

    @field_validator("labels", "options")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return no_repeats(value, "lists")


class Dish(Orderable, Presence, OnRequest):
    """Something a diner orders. Appears in one or more sections."""

    price: Money = Field(description='Base price as a string, e.g. "12.50".')
    allergens: list[Allergen] = Field(
        default_factory=list, description="The EU's 14 allergens the dish contains, e.g. [gluten, milk]."
    )
    calories: int | None = Field(default=None, ge=0, le=MAX_CALORIES, description="Energy per serving, in kcal.")

    @field_validator("allergens")
    @classmethod
    def _allergens(cls, value: list[str]) -> list[str]:
        no_repeats(value, "lists")
        return sorted(value, key=ALLERGENS.index)  # a set: one order, so reordering is no change

    @field_validator("calories", mode="before")
    @classmethod
    def _whole_kcal(cls, value: object) -> object:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{value!r} is not a whole number of kcal such as 450")
        return value

    @field_validator("labels")
    @classmethod
    def _not_an_allergen_label(cls, value: list[str]) -> list[str]:
        for label in value:
            if label.lower() in ALLERGEN_LABELS:
                raise ValueError(
                    f'"{label}" is how reconcile shows the allergen {ALLERGEN_LABELS[label.lower()]}; '
                    f"write `allergens: [{ALLERGEN_LABELS[label.lower()]}]` instead"
                )
        return value


class Variation(Orderable):
    """A variant used as an option choice, typically a size ("Large"). Never listed in sections."""


class Choice(Model):
    """One choice in an option group: a variation or dish, with the price it adds."""

    item: Id = Field(description="Id of a variation or dish.")
    price: SignedMoney = Field(
        default=Decimal("0"), description='Price added by this choice; "0" means included, "-0.50" takes 0.50 off.'
    )
    max_quantity: int | None = Field(
        default=None, ge=2, le=99, description="How many of this choice a diner may add (extras only); omitted: one."
    )


class _Group(Owned):
    id: Id
    name: Name
    choices: list[Choice] = Field(min_length=1)

    @field_validator("choices")
    @classmethod
    def _unique_choices(cls, value: list[Choice]) -> list[Choice]:
        no_repeats([c.item for c in value], "offers")
        return value


def _one_of_each(value: list[Choice]) -> list[Choice]:
    counted = [c.item for c in value if c.max_quantity is not None]
    if counted:
        raise ValueError(f"max_quantity on {', '.join(counted)}: only extras let a diner add a choice more than once")
    return value


class Selection(_Group):
    """The diner picks exactly one choice (e.g. a size)."""

    type: Literal["selection"]
    _once = field_validator("choices")(_one_of_each)
    default: Id | None = Field(default=None, description="The choice picked unless the diner changes it.")

    @field_validator("default")
    @classmethod
    def _default_is_a_choice(cls, value: str | None, info: ValidationInfo) -> str | None:
        offered = _offered(info)
        if value is not None and offered is not None and value not in offered:
            raise ValueError(f'"{value}" is not one of the choices')
        return value


class Extras(_Group):
    """The diner adds zero or more choices (e.g. toppings), between min and max."""

    type: Literal["extras"]
    defaults: list[Id] = Field(default_factory=list, description="Choices picked unless the diner changes them.")
    min: int = Field(default=0, ge=0, le=2147483647)
    max: int | None = Field(default=None, ge=0, le=2147483647, description="Defaults to the number of choices.")

    @field_validator("defaults")
    @classmethod
    def _defaults_are_choices(cls, value: list[str], info: ValidationInfo) -> list[str]:
        offered = _offered(info)
        missing = [d for d in value if offered is not None and d not in offered]
        if missing:
            raise ValueError(f"{', '.join(missing)} not among the choices")
        if len(set(value)) != len(value):
            raise ValueError("lists a choice twice")
        return value

    @field_validator("min")
    @classmethod
    def _min(cls, value: int, info: ValidationInfo) -> int:
        offered = _offered(info)
        if offered is not None and value > len(offered):
            raise ValueError(f"{value} is more than the {len(offered)} choices offered")
        return value

    @field_validator("max")
    @classmethod
    def _max(cls, value: int | None, info: ValidationInfo) -> int | None:
        offered, low = _offered(info), info.data.get("min")
        if value is not None and offered is not None and value > len(offered):
            raise ValueError(f"{value} is more than the {len(offered)} choices offered")
        if value is not None and low is not None and value < low:
            raise ValueError(f"{value} is less than min {low}")
        return value

    @property
    def effective_max(self) -> int:
        return len(self.choices) if self.max is None else self.max


def _offered(info: ValidationInfo) -> set[str] | None:
    """Ids offered by the group being validated, or None when the choices were invalid."""
    choices = info.data.get("choices")
    return None if choices is None else {c.item for c in choices}


class Deselection(_Group):
    """The diner removes zero or more choices (e.g. ingredients: "no onions")."""

    type: Literal["deselection"]
    _once = field_validator("choices")(_one_of_each)


OptionGroup = Annotated[Selection | Extras | Deselection, Field(discriminator="type")]


class Section(Visible, Presence, Owned):
    """A part of a menu ("Pizzas"), listing dishes by id in display order."""

    id: Id
    name: Name
    description: Text | None = None
    image: Url | None = None
    dishes: list[Id] = Field(default_factory=list, description="Dish ids in display order.")

    @field_validator("dishes")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return no_repeats(value, "lists dish")


class Menu(Visible, Presence, Owned):
    """A menu ("Dinner"), made of sections in display order."""

    id: Id
    name: Name
    description: Text | None = None
    image: Url | None = None
    sections: list[Section] = Field(default_factory=list)


class Catalog(Model):
    """A restaurant's whole desired online menu: one Wix business location, or several (``locations``)."""

    version: Literal[1] = Field(default=FORMAT_VERSION, description="Catalog format version.")
    currency: Currency = Field(description="ISO 4217 code; must match the Wix site's currency.")
    location: Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_name)] | None = (
        Field(default=None, description="Wix business location (name or id); optional on a single-location site.")
    )
    ownership: Ownership | None = Field(
        default=None, description="Which fields the catalog owns and which the live side owns (docs/ownership.md)."
    )
    menus: list[Menu] = Field(default_factory=list)
    dishes: list[Dish] = Field(default_factory=list)
    variations: list[Variation] = Field(default_factory=list)
    option_groups: list[OptionGroup] = Field(default_factory=list)
    locations: list[Location] = Field(
        default_factory=list,
        description="The chain's Wix business locations and what differs at each (docs/catalog-format.md).",
    )
    menus_new: MenusNewSettings = Field(
        default_factory=MenusNewSettings, description="Settings for Wix Menus (New) only (sharing across locations)."
    )


class CatalogPart(Model):
    """One file of a catalog split across a directory; every key is optional, lists are merged."""

    model_config = ConfigDict(defer_build=True)  # built when `fmt` first validates a part, not on every import

    version: Literal[1] | None = None
    currency: Currency | None = None
    location: Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_name)] | None = None
    ownership: Ownership | None = None
    menus: list[Menu] = Field(default_factory=list)
    dishes: list[Dish] = Field(default_factory=list)
    variations: list[Variation] = Field(default_factory=list)
    option_groups: list[OptionGroup] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    menus_new: MenusNewSettings | None = None
