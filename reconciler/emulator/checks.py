"""Schema-check primitives shared by every emulated API: collect field violations, raise one 400.

A :class:`Checker` walks an input message and records every violation (wrong JSON type, size,
format, decimal scale, enum, required field, both branches of a oneof); ``raise_if_any`` raises
them together as Wix's ``validationError``. API-specific checkers (``v3/validate.py``) subclass it.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.errors import (
    DECIMAL_MAX_SCALE,
    FORMAT,
    INVALID_ENUM_VALUE,
    MAX,
    MAX_SIZE,
    MIN_SIZE,
    ONE_OF_ALIGNMENT,
    REQUIRED_FIELD,
    FieldViolation,
    validation_error,
)

INT32_MAX = 2_147_483_647
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")


class Checker:
    """Collects violations; ``raise_if_any`` turns them into one 400."""

    def __init__(self) -> None:
        self.violations: list[FieldViolation] = []

    def add(self, path: str, description: str, rule: str) -> None:
        self.violations.append(FieldViolation(path, description, rule))

    def raise_if_any(self) -> None:
        if self.violations:
            raise validation_error(self.violations)

    # --- primitive shapes -------------------------------------------------------------------
    def obj(self, value: Any, path: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(path, "expected an object", FORMAT)
            return None
        return value

    def string(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(path, "expected a string", FORMAT)
            return None
        return value

    def boolean(self, value: Any, path: str) -> None:
        if value is not None and not isinstance(value, bool):
            self.add(path, "expected true or false", FORMAT)

    def array(self, value: Any, path: str) -> list[Any] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(path, "expected an array", FORMAT)
            return None
        return value

    def strings(self, value: Any, path: str) -> list[str] | None:
        items = self.array(value, path)
        if items is None:
            return None
        for index, item in enumerate(items):
            if not isinstance(item, str):
                self.add(f"{path}[{index}]", "expected a string", FORMAT)
        return items

    def int32(self, value: Any, path: str) -> None:
        if value is None:
            return
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value):
            value = int(value)  # proto3 JSON also accepts integers as strings
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "expected an integer", FORMAT)
        elif value > INT32_MAX:
            self.add(path, f"must be at most {INT32_MAX}", MAX)

    def decimal(self, value: Any, path: str, max_scale: int | None = None) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not _DECIMAL.match(value):
            self.add(path, "expected a decimal number as a string, e.g. \"3.99\"", FORMAT)
            return
        if max_scale is not None and "." in value and len(value.split(".", 1)[1]) > max_scale:
            self.add(path, f"at most {max_scale} digits after the decimal point", DECIMAL_MAX_SCALE)

    def required(self, container: dict[str, Any], key: str, path: str) -> bool:
        value = container.get(key)
        if value is None or value == "":
            self.add(path, "is required", REQUIRED_FIELD)
            return False
        return True

    def enum_list(self, value: Any, path: str, allowed: tuple[str, ...], minimum: int, maximum: int) -> None:
        items = self.array(value, path)
        if items is None:
            return
        if len(items) < minimum:
            self.add(path, f"must have at least {minimum} element(s)", MIN_SIZE)
        if len(items) > maximum:
            self.add(path, f"must have at most {maximum} element(s)", MAX_SIZE)
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item not in allowed:
                self.add(f"{path}[{index}]", f"must be one of {', '.join(allowed)}", INVALID_ENUM_VALUE)
            elif item in seen:
                self.add(f"{path}[{index}]", f"duplicate value {item}", FORMAT)
            else:
                seen.add(item)

    def one_of(self, message: dict[str, Any], keys: tuple[str, ...], path: str) -> None:
        present = [key for key in keys if message.get(key) is not None]
        if len(present) > 1:
            self.add(path, f"only one of {', '.join(keys)} may be set (got {', '.join(present)})", ONE_OF_ALIGNMENT)

    def wrapped_strings(self, value: Any, path: str) -> None:
        """``{"values": [string, ...]}``: labels, sectionIds, itemIds."""
        wrapper = self.obj(value, path)
        if wrapper is not None:
            self.strings(wrapper.get("values"), f"{path}.values")
