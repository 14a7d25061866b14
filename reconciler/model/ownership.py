"""Who owns which field: the catalog, the live side (the Wix dashboard), or the availability layer.

A restaurant's menu has several owners. The POS (through the catalog) owns names and prices; a
manager may own the photos on the Wix dashboard; the kitchen 86s dishes. ``ownership:`` says which
fields each owner has, once at the top of the catalog and, where one entity differs, on that entity::

    ownership:
      live: [availability, image]       # the dashboard owns stock and photos: plans never touch them
    dishes:
      - id: margherita
        ownership: {catalog: [image]}   # ... but this dish's photo comes from the catalog
        protect: true                   # and no plan may ever remove it

Owners:

* ``catalog`` (the default of every field but availability): the YAML's value is written and a
  live edit of it is drift, reverted by the next apply;
* ``live``: never written by an update, never shown as drift, never in a plan; a create still sets
  it from the catalog (or leaves the Wix default when the catalog gives no value);
* ``layer`` (availability only, its default): the YAML's ``in_stock`` plus the availability layer
  (86s, POS sold-outs, adopted dashboard edits; docs/availability.md).

An entity's ``ownership`` overrides the catalog's for the fields it names and only for that
entity (a menu's does not reach its sections). ``protect: true`` makes an entity one that no plan
may remove: such a plan refuses (exit 10), naming it, whatever ``--only``/``--exclude`` say.
"""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import Field, field_validator, model_validator

from reconciler.model.fields import Model

Owner = Literal["catalog", "live", "layer"]
OwnedField = Literal[
    "name",
    "description",
    "price",
    "tax_rate",
    "image",
    "labels",
    "allergens",
    "calories",
    "availability",
    "special_requests",
    "visible",
    "fulfillment",
    "platforms",
    "hours",
]
OWNED_FIELDS: tuple[str, ...] = typing.get_args(OwnedField)
AVAILABILITY: OwnedField = "availability"


def _known(values: object) -> object:
    """Every unknown field name at once, with the names that are known (before pydantic's own check)."""
    if isinstance(values, list):
        unknown = [v for v in values if isinstance(v, str) and v not in OWNED_FIELDS]
        if unknown:
            names = ", ".join(f'"{u}"' for u in unknown)
            raise ValueError(f"unknown field(s) {names}; fields that can be owned: {', '.join(OWNED_FIELDS)}")
    return values


class Ownership(Model):
    """Which fields the catalog owns, which the live side owns, and (availability) the layer."""

    catalog: list[OwnedField] = Field(default_factory=list, description="Fields the catalog's YAML owns.")
    live: list[OwnedField] = Field(
        default_factory=list, description="Fields the live side owns: never written, never drift, never planned."
    )
    layer: list[Literal["availability"]] = Field(
        default_factory=list, description="availability: the YAML plus the availability layer (the default)."
    )

    _names = field_validator("catalog", "live", mode="before")(_known)

    @field_validator("catalog", "live")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a field twice")
        return value

    @model_validator(mode="after")
    def _one_owner(self) -> Ownership:
        seen: dict[str, str] = {}
        for owner in ("catalog", "live", "layer"):
            for name in getattr(self, owner):
                if name in seen:
                    raise ValueError(f'"{name}" is given to both {seen[name]} and {owner}; a field has one owner')
                seen[name] = owner
        return self

    def owner_of(self, name: str) -> Owner | None:
        """The owner this declaration gives ``name``, or None when it does not name it."""
        for owner in ("catalog", "live", "layer"):
            if name in getattr(self, owner):
                return owner
        return None


class Owned(Model):
    """Mixed into menus, sections, dishes, variations and option groups."""

    ownership: Ownership | None = Field(
        default=None, description="This entity's owners of the fields it names (overrides the catalog's)."
    )
    protect: bool = Field(default=False, description="No plan may remove it: such a plan refuses (exit 10).")


def owner(name: str, catalog: Ownership | None, entity: Ownership | None) -> Owner:
    """Who owns field ``name`` of an entity: its own declaration, else the catalog's, else the default."""
    for declared in (entity, catalog):
        found = declared.owner_of(name) if declared is not None else None
        if found is not None:
            return found
    return "layer" if name == AVAILABILITY else "catalog"


def live_fields(catalog: Ownership | None, entity: Ownership | None) -> frozenset[str]:
    """The fields of an entity that the live side owns."""
    return frozenset(f for f in OWNED_FIELDS if owner(f, catalog, entity) == "live")
