"""The neutral, restaurant-domain catalog: what a restaurant wants its online menu to be.

This is the desired state people commit to Git. It models the restaurant domain (menus, sections,
dishes, sizes, option groups) rather than one API's wire format; each target translates it
(:mod:`reconciler.targets`). Every menu, section, dish, variation and option group has a stable
``id`` chosen by the author or the POS import; references use these ids, so renaming a dish is an
update of the same dish, never a delete and a create.

Shape::

    Catalog
    ├── menus[]            Menu ─ sections[] ─ Section ─ dishes[] (dish ids, ordered)
    ├── dishes[]           Item (kind dish)      ─ options[] (option group ids)
    ├── variations[]       Item (kind variation) ─ used as choices (e.g. sizes)
    └── option_groups[]    selection | extras | deselection ─ choices[] ─ Choice(item id, price)

Omitted fields mean the Wix default (visible, every fulfilment type and platform, always
available, in stock, special requests accepted, no tax rate). Cross-reference rules live in
:mod:`reconciler.model.rules`; this module checks only the shape of each object.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from reconciler.model.money import Money, Percent

FORMAT_VERSION = 1

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:#@+\-]*$"),
    Field(description="Stable identifier chosen by the author or the POS import (letters, digits, _ . : # @ + -)."),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=False)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=r"^https?://\S+$")]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Fulfillment = Literal["delivery", "pickup_or_dine_in"]
Platform = Literal["site", "mobile_site", "wix_app", "call_center", "chat_bot"]

ALL_FULFILLMENT: tuple[Fulfillment, ...] = ("delivery", "pickup_or_dine_in")
ALL_PLATFORMS: tuple[Platform, ...] = ("site", "mobile_site", "wix_app", "call_center", "chat_bot")
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_HHMM = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")
_ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$")


class Model(BaseModel):
    """Base for every catalog object: strict types, unknown keys refused, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Window(Model):
    """A weekly opening window, e.g. Monday 07:00 to 11:00 (or Friday 18:00 to Saturday 01:00)."""

    day: Day
    open: str = Field(description='Opening time "HH:MM", 00:00 to 23:59.')
    close: str = Field(description='Closing time "HH:MM"; "24:00" means the end of the day.')
    close_day: Day | None = Field(default=None, description="Day the window closes; defaults to `day`.")

    @field_validator("open", "close")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f'"{value}" is not a time of day written "HH:MM" (00:00 to 24:00)')
        return value

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.open == "24:00":
            raise ValueError('a window cannot open at "24:00"')
        if (self.close_day or self.day) == self.day and self.close <= self.open:
            raise ValueError(
                f"closes at {self.close}, not after it opens at {self.open} on the same day; "
                "set close_day for a window that ends after midnight"
            )
        return self


class SpecialHours(Model):
    """An exception to the weekly hours: a holiday closure or a special opening."""

    start: str = Field(description="UTC start, ISO 8601, e.g. 2026-12-25T00:00:00Z.")
    end: str = Field(description="UTC end, ISO 8601.")
    available: bool = Field(default=True, description="false closes, true opens, during the period.")
    name: Name | None = Field(default=None, description='Event name shown in the dashboard, e.g. "Christmas".')

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: str) -> str:
        if not _ISO_UTC.match(value):
            raise ValueError(f'"{value}" is not a UTC timestamp such as 2026-12-25T00:00:00Z')
        return value

    @model_validator(mode="after")
    def _order(self) -> SpecialHours:
        if self.end <= self.start:
            raise ValueError("special hours end before they start")
        return self


class Visible(Model):
    """Who sees an entity, where and when. Shared by menus, sections, dishes and variations."""

    visible: bool = Field(default=True, description="false hides it regardless of everything else.")
    fulfillment: list[Fulfillment] = Field(
        default_factory=lambda: list(ALL_FULFILLMENT), description="Order types it is offered for."
    )
    platforms: list[Platform] = Field(default_factory=lambda: list(ALL_PLATFORMS), description="Where it is shown.")
    hours: list[Window] = Field(default_factory=list, description="Weekly windows; empty means always.")
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
    def _hours_limit(cls, value: list[Window]) -> list[Window]:
        if len(value) > 100:
            raise ValueError(f"has {len(value)} windows; Wix allows at most 100")
        return value


class Item(Visible):
    """Fields shared by dishes and variations (in Wix both are catalog items)."""

    id: Id
    name: Name
    description: Text | None = None
    price: Money = Field(default=Decimal("0"), description='Base price as a string, e.g. "12.50".')
    tax_rate: Percent = Field(default=Decimal("0"), description='Tax percentage, e.g. "7.25".')
    labels: list[Annotated[str, StringConstraints(min_length=1, max_length=50)]] = Field(
        default_factory=list, description="Free-form labels such as vegetarian, spicy, gluten-free."
    )
    image: Url | None = Field(default=None, description="Image URL.")
    in_stock: bool = True
    special_requests: bool = Field(default=True, description="Whether diners may add a special request.")
    options: list[Id] = Field(default_factory=list, description="Ids of option groups, in display order.")

    @field_validator("labels", "options")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for entry in value:
            if entry in seen:
                raise ValueError(f'lists "{entry}" twice')
            seen.add(entry)
        return value


class Dish(Item):
    """Something a diner orders. Appears in one or more sections."""

    price: Money = Field(description='Base price as a string, e.g. "12.50".')


class Variation(Item):
    """A variant used as an option choice, typically a size ("Large"). Never listed in sections."""


class Choice(Model):
    """One choice in an option group: a variation or dish, with the price it adds."""

    item: Id = Field(description="Id of a variation or dish.")
    price: Money = Field(default=Decimal("0"), description='Price added by this choice; "0" means included.')


class _Group(Model):
    id: Id
    name: Name
    choices: list[Choice] = Field(min_length=1)

    @field_validator("choices")
    @classmethod
    def _unique_choices(cls, value: list[Choice]) -> list[Choice]:
        seen: set[str] = set()
        for choice in value:
            if choice.item in seen:
                raise ValueError(f'offers "{choice.item}" twice')
            seen.add(choice.item)
        return value


class Selection(_Group):
    """The diner picks exactly one choice (e.g. a size)."""

    type: Literal["selection"]
    default: Id | None = Field(default=None, description="The choice picked unless the diner changes it.")

    @model_validator(mode="after")
    def _default_is_a_choice(self) -> Selection:
        if self.default is not None and self.default not in {c.item for c in self.choices}:
            raise ValueError(f'default "{self.default}" is not one of the choices')
        return self


class Extras(_Group):
    """The diner adds zero or more choices (e.g. toppings), between min and max."""

    type: Literal["extras"]
    defaults: list[Id] = Field(default_factory=list, description="Choices picked unless the diner changes them.")
    min: int = Field(default=0, ge=0, le=2147483647)
    max: int | None = Field(default=None, ge=0, le=2147483647, description="Defaults to the number of choices.")

    @model_validator(mode="after")
    def _limits(self) -> Extras:
        offered = {c.item for c in self.choices}
        missing = [d for d in self.defaults if d not in offered]
        if missing:
            raise ValueError(f"defaults {missing} are not among the choices")
        if len(set(self.defaults)) != len(self.defaults):
            raise ValueError("defaults list a choice twice")
        top = len(self.choices) if self.max is None else self.max
        if self.min > len(self.choices):
            raise ValueError(f"min {self.min} is more than the {len(self.choices)} choices offered")
        if self.min > top:
            raise ValueError(f"min {self.min} is greater than max {top}")
        if self.max is not None and self.max > len(self.choices):
            raise ValueError(f"max {self.max} is more than the {len(self.choices)} choices offered")
        return self

    @property
    def effective_max(self) -> int:
        return len(self.choices) if self.max is None else self.max


class Deselection(_Group):
    """The diner removes zero or more choices (e.g. ingredients: "no onions")."""

    type: Literal["deselection"]


OptionGroup = Annotated[Union[Selection, Extras, Deselection], Field(discriminator="type")]


class Section(Visible):
    """A part of a menu ("Pizzas"), listing dishes by id in display order."""

    id: Id
    name: Name
    description: Text | None = None
    image: Url | None = None
    dishes: list[Id] = Field(default_factory=list, description="Dish ids in display order.")

    @field_validator("dishes")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for entry in value:
            if entry in seen:
                raise ValueError(f'lists dish "{entry}" twice')
            seen.add(entry)
        return value


class Menu(Visible):
    """A menu ("Dinner"), made of sections in display order."""

    id: Id
    name: Name
    description: Text | None = None
    image: Url | None = None
    sections: list[Section] = Field(default_factory=list)


class Catalog(Model):
    """A restaurant's whole desired online menu for one Wix business location."""

    version: Literal[1] = Field(default=FORMAT_VERSION, description="Catalog format version.")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(
        description="ISO 4217 code; must match the Wix site's currency."
    )
    location: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Wix business location (name or id); optional on a single-location site."
    )
    menus: list[Menu] = Field(default_factory=list)
    dishes: list[Dish] = Field(default_factory=list)
    variations: list[Variation] = Field(default_factory=list)
    option_groups: list[OptionGroup] = Field(default_factory=list)


class CatalogPart(Model):
    """One file of a catalog split across a directory; every key is optional, lists are merged."""

    version: Literal[1] | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    location: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    menus: list[Menu] = Field(default_factory=list)
    dishes: list[Dish] = Field(default_factory=list)
    variations: list[Variation] = Field(default_factory=list)
    option_groups: list[OptionGroup] = Field(default_factory=list)
