"""Money and percentages: exact Decimals, written as strings, never floats.

YAML reads ``price: 12.50`` as a binary float, so the catalog format accepts money only as quoted
strings (``price: "12.50"``). These helpers parse and print them and know how many minor digits
each currency has, so the canonical form writes ``"12.50"`` rather than ``"12.5"``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

# ISO 4217 minor units that differ from the common 2. Anything not listed has 2.
_MINOR_DIGITS = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}

_DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")


def minor_digits(currency: str) -> int:
    return _MINOR_DIGITS.get(currency.upper(), 2)


def parse_decimal(value: object, what: str) -> Decimal:
    """Parse a decimal written as a string. Floats are refused because they are not exact."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (bool, float)):
        raise ValueError(f'{what} must be a quoted string such as "12.50"; unquoted numbers are read as inexact floats')
    if isinstance(value, int):
        raise ValueError(f'{what} must be a quoted string such as "{value}.00"')
    if not isinstance(value, str) or not _DECIMAL_TEXT.match(value.strip()):
        raise ValueError(f'{what} must be a decimal number written as a string, such as "12.50"')
    try:
        return Decimal(value.strip())
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid text
        raise ValueError(f"{what} is not a valid decimal") from exc


def decimal_text(value: Decimal) -> str:
    """Plain positional text for a Decimal (no exponent), keeping its scale."""
    return format(value, "f")


def money_text(value: Decimal, currency: str | None = None) -> str:
    """Canonical money text: at least the currency's minor digits, more only if given."""
    digits = minor_digits(currency) if currency else 2
    exponent = value.as_tuple().exponent
    scale = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if scale < digits:
        value = value.quantize(Decimal(1).scaleb(-digits))
    return decimal_text(value)


def _money(value: object) -> Decimal:
    amount = parse_decimal(value, "a price")
    if amount < 0:
        raise ValueError("a price cannot be negative")
    return amount


def _signed_money(value: object) -> Decimal:
    return parse_decimal(value, "a price")


def _percent(value: object) -> Decimal:
    rate = parse_decimal(value, "a tax rate")
    if rate < 0:
        raise ValueError("a tax rate cannot be negative")
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        raise ValueError("a tax rate has at most 3 decimal places (Wix limit)")
    return rate


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(decimal_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?$", "examples": ["12.50"]}),
]
"""A non-negative amount in the catalog's currency, written as a string."""

SignedMoney = Annotated[
    Decimal,
    BeforeValidator(_signed_money),
    PlainSerializer(decimal_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["2.50", "-0.50"]}),
]
"""An amount that may be negative (a choice that takes money off: "no cheese −0.50"), as a string."""

Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    PlainSerializer(decimal_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d{1,3})?$", "examples": ["7.25"]}),
]
"""A non-negative percentage with at most 3 decimals, written as a string."""
