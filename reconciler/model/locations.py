"""Many locations from one catalog: the ``locations:`` list, its overrides, and ``only_at``/``except_at``.

A chain keeps one base menu and says, per location, only what differs there::

    locations:
      - name: Downtown                      # a Wix business location, by name ...
      - id: 8a1c…                           # ... or by id
        name: Airport
        pos_location: L2                    # the POS location it is imported from (import keeps your edits)
        dishes:
          - {id: margherita, price: "13.00"}        # price, in_stock, visible: that location's value
          - {id: calzone, in_stock: false}
        variations:
          - {id: size-12, in_stock: false}
        choices:
          - {group: pizza-size, item: size-12, price: "2.50"}
        menus:
          - {id: drinks, visible: false}
    dishes:
      - id: airport-special
        only_at: [Airport]                  # presence: where a menu, section or dish exists at all

Two forms, one job each. **Values** (price, stock, visibility) are overridden in the location's
entry, so "what is different at the airport" is one place to read, and deleting an override returns
the base value. **Presence** (which menus, sections and dishes a location has) is written on the
entity as ``only_at`` or ``except_at``, because that is where a reviewer reads the entity, a new
location gets every ``except_at`` entity without editing anything, and it is how POS systems
record it (Square's ``present_at_location_ids`` / ``absent_at_location_ids``). Names a location
by its entry's ``name`` or ``id``. The effective catalog of one location (base + its overlay) is
computed by :func:`reconciler.model.effective.effective`; the cross-reference rules are in
:mod:`reconciler.model.location_rules`.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from reconciler.model.fields import Id, LocationRef, Model, no_repeats
from reconciler.model.money import Money


class Presence(Model):
    """Where an entity exists: everywhere (the default), only at some locations, or all but some."""

    only_at: list[LocationRef] | None = Field(
        default=None, description="Only these locations have it (names or ids from `locations:`)."
    )
    except_at: list[LocationRef] | None = Field(
        default=None, description="Every location but these has it (names or ids from `locations:`)."
    )

    @field_validator("only_at", "except_at")
    @classmethod
    def _named(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("cannot be empty; leave it out to mean every location")
        return None if value is None else no_repeats(value, "names the location")

    @model_validator(mode="after")
    def _one_form(self) -> Presence:
        if self.only_at is not None and self.except_at is not None:
            raise ValueError("has both only_at and except_at; use one of them")
        return self

    def present_at(self, location: Location) -> bool:
        if self.only_at is not None:
            return any(location.named(ref) for ref in self.only_at)
        if self.except_at is not None:
            return not any(location.named(ref) for ref in self.except_at)
        return True


class Override(Model):
    """A dish's or variation's values at one location; what is left out is the base value."""

    id: Id = Field(description="Id of the dish (under dishes:) or variation (under variations:).")
    price: Money | None = Field(default=None, description='The price at this location, e.g. "13.00".')
    in_stock: bool | None = Field(default=None, description="Whether it can be ordered at this location.")
    visible: bool | None = Field(default=None, description="Whether diners of this location see it.")

    @model_validator(mode="after")
    def _says_something(self) -> Override:
        if self.price is None and self.in_stock is None and self.visible is None:
            raise ValueError("overrides nothing; give price, in_stock or visible (or remove the entry)")
        return self


class VisibleOverride(Model):
    """A menu's or section's visibility at one location."""

    id: Id = Field(description="Id of the menu (under menus:) or section (under sections:).")
    visible: bool = Field(description="Whether diners of this location see it.")


class ChoiceOverride(Model):
    """The price an option choice adds at one location."""

    group: Id = Field(description="Id of the option group.")
    item: Id = Field(description="The choice: the id of the variation or dish it offers.")
    price: Money = Field(description='The price this choice adds at this location, e.g. "2.50".')


class Location(Model):
    """One Wix business location of the chain, and what differs there from the base catalog."""

    id: LocationRef | None = Field(
        default=None, description="The Wix business location id; when given, it is matched instead of the name."
    )
    name: LocationRef | None = Field(default=None, description="The Wix business location name, matched exactly.")
    pos_location: LocationRef | None = Field(
        default=None,
        description="The POS location this entry is imported from (Square location id, Toast restaurant GUID, "
        "Clover merchant id); a re-import keeps the name and id written here.",
    )
    menus: list[VisibleOverride] = Field(default_factory=list)
    sections: list[VisibleOverride] = Field(default_factory=list)
    dishes: list[Override] = Field(default_factory=list)
    variations: list[Override] = Field(default_factory=list)
    choices: list[ChoiceOverride] = Field(default_factory=list)

    @model_validator(mode="after")
    def _identified(self) -> Location:
        if self.id is None and self.name is None:
            raise ValueError("names no Wix business location; give name: (or id:)")
        return self

    @property
    def key(self) -> str:
        """How the catalog, plans and ``--location`` refer to it: its name, else its id."""
        return self.name if self.name is not None else str(self.id)

    @property
    def wix(self) -> str:
        """What the Wix location is matched by: the id when given, else the name."""
        return self.id if self.id is not None else str(self.name)

    def named(self, ref: str) -> bool:
        """Whether ``ref`` (from ``only_at``, ``except_at`` or ``--location``) names this location."""
        return ref in (self.name, self.id)

    @property
    def overlay_empty(self) -> bool:
        return not (self.menus or self.sections or self.dishes or self.variations or self.choices)


class MenusNewSettings(Model):
    """How a catalog of several locations is laid out on Wix Menus (New) (docs/locations-menus-new.md)."""

    share: bool = Field(
        default=False,
        description="One Wix entity per dish, option group, modifier and variant while its values agree at "
        "every location (split per location where an override differs), planned and cut over for all the "
        "locations at once. Default: every location holds its own entities.",
    )
