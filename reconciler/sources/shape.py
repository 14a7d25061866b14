"""Checking the shape of decoded POS JSON, collecting every problem before raising once.

Parsers call :class:`ShapeChecker` for each field they rely on; a wrong type or a missing required
field becomes a :class:`SourceProblem` naming the object (POS type and id) and the field, and the
parser goes on so one import reports everything that is wrong. :meth:`ShapeChecker.raise_if_any`
raises :class:`SourceInvalid` at the end.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import httpx

from reconciler.errors import PermanentApiError
from reconciler.http import request_json
from reconciler.sources.errors import SourceInvalid, SourceProblem

_INTEGER_TEXT = re.compile(r"^-?[0-9]{1,30}$")  # ASCII digits: int() would read "١٢" too
# Far beyond any price in minor units (10^15 major units at 3 decimals) or any count; larger
# values are refused before Decimal arithmetic runs out of precision on them.
INTEGER_LIMIT = 10**18
NUMBER_LIMIT = 10**15


@dataclass(frozen=True)
class Where:
    """The object being checked: its POS type and id."""

    type: str
    id: str


class ShapeChecker:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[SourceProblem] = []

    def problem(self, where: Where, field: str, message: str) -> None:
        self.problems.append(SourceProblem(where.type, where.id, field, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SourceInvalid(self.source, self.problems)

    def _missing(self, where: Where, field: str, required: bool, kind: str) -> None:
        if required:
            self.problem(where, field, f"missing required field (expected {kind})")

    def mapping(self, parent: dict, key: str, where: Where, field: str, required: bool = False) -> dict | None:
        value = parent.get(key)
        if value is None:
            self._missing(where, field, required, "an object")
            return None
        if not isinstance(value, dict):
            self.problem(where, field, f"expected an object, found {_kind(value)}")
            return None
        return value

    def sequence(self, parent: dict, key: str, where: Where, field: str, required: bool = False) -> list:
        value = parent.get(key)
        if value is None:
            self._missing(where, field, required, "a list")
            return []
        if not isinstance(value, list):
            self.problem(where, field, f"expected a list, found {_kind(value)}")
            return []
        return value

    def text(self, parent: dict, key: str, where: Where, field: str, required: bool = False) -> str | None:
        value = parent.get(key)
        if value is None:
            self._missing(where, field, required, "text")
            return None
        if not isinstance(value, str):
            self.problem(where, field, f"expected text, found {_kind(value)}")
            return None
        return value

    def integer(self, parent: dict, key: str, where: Where, field: str, required: bool = False) -> int | None:
        """An integer; digit strings are accepted too (SDKs serialise int64 money as text)."""
        value = parent.get(key)
        if value is None:
            self._missing(where, field, required, "an integer")
            return None
        if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, field, f"expected an integer, found {_kind(value)}")
            return None
        if abs(value) > INTEGER_LIMIT:
            self.problem(where, field, f"{_kind(value)} is out of range (at most {INTEGER_LIMIT:.0e} either way)")
            return None
        return value

    def number(self, parent: dict, key: str, where: Where, field: str, required: bool = False):
        value = parent.get(key)
        if value is None:
            self._missing(where, field, required, "a number")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, field, f"expected a number, found {_kind(value)}")
            return None
        if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
            self.problem(where, field, f"{_kind(value)} is out of range (a finite number up to {NUMBER_LIMIT:.0e})")
            return None
        return value

    def flag(self, parent: dict, key: str, where: Where, field: str, default: bool) -> bool:
        value = parent.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(where, field, f"expected true or false, found {_kind(value)}")
            return default
        return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int) and abs(value) > 10**30:
        return f"a number of {len(str(abs(value)))} digits"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def request_object(client: httpx.Client, method: str, path: str, *, operation: str, **kwargs: Any) -> dict[str, Any]:
    """:func:`request_json` for endpoints that answer with a JSON object; anything else is permanent."""
    answer = request_json(client, method, path, operation=operation, **kwargs)
    if not isinstance(answer, dict):
        raise PermanentApiError(
            message="the POS API answered with something that is not a JSON object", operation=operation
        )
    return answer
