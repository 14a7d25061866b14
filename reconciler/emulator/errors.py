"""Wix's standard error envelope, and the exception every emulator handler raises to produce it.

Every API the emulator serves answers errors in one shape::

    {"message": "...", "details": {"applicationError": {"code", "description", "data"}}}
    {"message": "...", "details": {"validationError": {"fieldViolations": [{field, description, violatedRule}]}}}

Handlers raise :class:`WixError`; the core (``core.py``) turns it into a response. Bulk handlers
catch application errors per element and report them in ``entityMetadata.error`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The `violatedRule` values used below are Wix's validation rule names (RuleType).
REQUIRED_FIELD = "REQUIRED_FIELD"
MIN_SIZE = "MIN_SIZE"
MAX_SIZE = "MAX_SIZE"
MIN_LENGTH = "MIN_LENGTH"
MAX_LENGTH = "MAX_LENGTH"
MAX = "MAX"
MIN = "MIN"
FORMAT = "FORMAT"
DECIMAL_MAX_SCALE = "DECIMAL_MAX_SCALE"
INVALID_ENUM_VALUE = "INVALID_ENUM_VALUE"
ONE_OF_ALIGNMENT = "ONE_OF_ALIGNMENT"
OTHER = "OTHER"


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str
    violated_rule: str

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "description": self.description, "violatedRule": self.violated_rule}


@dataclass
class WixError(Exception):
    """An error response. Build one with :func:`application_error` or :func:`validation_error`."""

    status: int
    message: str
    code: str | None = None  # application errors only
    description: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    violations: list[FieldViolation] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def is_validation(self) -> bool:
        return bool(self.violations)

    def envelope(self) -> dict[str, Any]:
        if self.violations:
            details: dict[str, Any] = {"validationError": {"fieldViolations": [v.to_json() for v in self.violations]}}
        elif self.code:
            details = {
                "applicationError": {
                    "code": self.code,
                    "description": self.description or self.message,
                    "data": self.data,
                }
            }
        else:
            details = {}
        return {"message": self.message, "details": details}

    def application_json(self) -> dict[str, Any]:
        """The ``ApplicationError`` object used inside bulk results."""
        return {"code": self.code or "UNKNOWN", "description": self.description or self.message, "data": self.data}


def application_error(status: int, code: str, description: str, data: dict[str, Any] | None = None) -> WixError:
    return WixError(status=status, message=description, code=code, description=description, data=data or {})


def validation_error(violations: list[FieldViolation]) -> WixError:
    first = violations[0]
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    return WixError(status=400, message=f"{first.field}: {first.description}{more}", violations=violations)


def violation(path: str, description: str, rule: str) -> WixError:
    """One schema violation, as a ready-to-raise 400."""
    return validation_error([FieldViolation(path, description, rule)])


# --- the status/code pairs of reference §9.1, named so handlers read like the table -------------


def not_found(code: str, what: str, ident: str | None) -> WixError:
    return application_error(404, code, f"{what} {ident!r} not found", {"id": ident} if ident else {})


def archived(code: str, what: str, ident: str) -> WixError:
    return application_error(428, code, f"{what} {ident!r} is archived and cannot be changed", {"id": ident})


def business_rule(code: str, description: str, data: dict[str, Any] | None = None) -> WixError:
    return application_error(400, code, description, data)


def unauthenticated() -> WixError:
    return application_error(401, "UNAUTHENTICATED", "missing or invalid Authorization header")
