"""The building blocks every catalog model shares: the strict base class, ids, and list checks.

Kept apart from :mod:`reconciler.model.catalog` so that the per-location models
(:mod:`reconciler.model.locations`) and the catalog can both use them without importing each other.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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


# Texts a diner reads: names one line of visible text, descriptions without control characters.
# Searched by a compiled pattern, not a loop over characters: every name and description of a
# catalog passes here on each load, cached or not (10,000 dishes: ~25,000 texts).
_CONTROL_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # tab and line feed allowed


def _control(value: str, pattern: re.Pattern[str] = _CONTROL_IN_NAME) -> str | None:
    """The first control character in ``value`` (C0, DEL, C1, line/paragraph separators) that ``pattern`` forbids."""
    found = pattern.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def check_name(value: str) -> str:
    if value.strip() and not _CONTROL_IN_NAME.search(value):
        return value  # the usual name, told by two calls in C (a catalog of 10,000 dishes has ~20,000 names)
    return _checked_name(value)


def _checked_name(value: str) -> str:
    """:func:`check_name` without its shortcut: every check, and the words for what is wrong."""
    if not value.strip():
        raise ValueError("cannot be blank")
    found = _control(value)
    if found:
        raise ValueError(f"holds a control character ({found}); names are one line of visible text")
    return value


def _text(value: str) -> str:
    if not _CONTROL_IN_TEXT.search(value):
        return value
    return _checked_text(value)


def _checked_text(value: str) -> str:
    found = _control(value, _CONTROL_IN_TEXT)
    if found:
        raise ValueError(f"holds a control character ({found}); only line breaks and tabs are allowed in text")
    return value


Name = Annotated[
    str, StringConstraints(min_length=1, max_length=500, strip_whitespace=False), AfterValidator(check_name)
]
Text = Annotated[str, StringConstraints(max_length=5000), AfterValidator(_text)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(check_name)]
