"""The building blocks every catalog model shares: the strict base class, ids, and list checks.

Kept apart from :mod:`reconciler.model.catalog` so that the per-location models
(:mod:`reconciler.model.locations`) and the catalog can both use them without importing each other.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:#@+\-]*$"),
    Field(description="Stable identifier chosen by the author or the POS import (letters, digits, _ . : # @ + -)."),
]
# A Wix business location's name or id, as `location:`, `locations[].name|id` and `only_at:` write it.
LocationRef = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Model(BaseModel):
    """Base for every catalog object: strict types, unknown keys refused, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def no_repeats(values: list[str], verb: str) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f'{verb} "{value}" twice')
        seen.add(value)
    return values
