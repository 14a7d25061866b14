"""Money and percentages: exact Decimals, written as strings, never floats.

YAML reads ``price: 12.50`` as a binary float, so the catalog format accepts money only as quoted
strings (``price: "12.50"``). These helpers parse and print them and know how many minor digits
each currency has, so the canonical form writes ``"12.50"`` rather than ``"12.5"``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from decimal import Context, Decimal, InvalidOperation
from typing import Annotated, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, PlainSerializer, WithJsonSchema

from reconciler import limits

_DECIMAL_TEXT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")  # ASCII digits only: "１２" is not a price
# How almost every amount is written ("12.50", "-0.50", "7.25"): text the checks of parse_decimal and
# _percent accept as it is, recognised by one match (a 10,000-dish catalog holds some 30,000
# amounts); any other text takes those checks, which alone say what is wrong with it.
_PLAIN = re.compile(
    rf"-?0*[0-9]{{1,{limits.PRICE_MAX_INTEGER_DIGITS}}}(?:\.[0-9]{{1,{limits.PRICE_MAX_FRACTION_DIGITS}}})?"
)
_PLAIN_RATE = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,3})?")  # 0 to 99.999, three decimals at most


@functools.cache
def currencies() -> dict[str, int]:
    """Every currency a restaurant can sell in, by ISO 4217 code, with its minor digits.

    From the ISO 4217 list (the ``iso-4217`` package ships the maintenance agency's current
    table): active currencies only; funds (USN, CLF, ...), precious metals (XAU) and the test
    and "no currency" codes (XTS, XXX) are not prices a menu shows.
    """
    from iso_4217 import Currency  # type: ignore[import-untyped]  # the package ships no types

    return {c.name: c.subunit_exp for c in Currency if c.entities and not c.is_fund and c.subunit_exp is not None}


def is_currency(code: str) -> bool:
    return code in currencies()


def minor_digits(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (JPY 0, USD 2, KWD 3); 2 for an unknown code."""
    return currencies().get(currency.upper(), 2)


def parse_decimal(value: object, what: str) -> Decimal:
    """Parse a decimal written as a string. Floats are refused because they are not exact."""
    if type(value) is str and _PLAIN.fullmatch(value):
        return Decimal(value)
    return _checked_decimal(value, what)


def _checked_decimal(value: object, what: str) -> Decimal:
    """:func:`parse_decimal` without its shortcut: every check, and the words for what is wrong."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (bool, float)):
        raise ValueError(f'{what} must be a quoted string such as "12.50"; unquoted numbers are read as inexact floats')
    if isinstance(value, int):
        raise ValueError(f'{what} must be a quoted string such as "{value}.00"')
    if not isinstance(value, str) or not _DECIMAL_TEXT.match(value.strip()):
        raise ValueError(f'{what} must be a decimal number written as a string, such as "12.50"')
    whole, _, fraction = value.strip().lstrip("-").partition(".")
    if len(whole.lstrip("0")) > limits.PRICE_MAX_INTEGER_DIGITS:
        raise ValueError(f"{what} has more than {limits.PRICE_MAX_INTEGER_DIGITS} digits before the decimal point")
    if len(fraction) > limits.PRICE_MAX_FRACTION_DIGITS:
        raise ValueError(f"{what} has more than {limits.PRICE_MAX_FRACTION_DIGITS} digits after the decimal point")
    try:
        return Decimal(value.strip())
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid text
        raise ValueError(f"{what} is not a valid decimal") from exc


def decimal_text(value: Decimal) -> str:
    """Plain positional text for a Decimal (no exponent), keeping its scale."""
    return format(value, "f")


def money_text(value: Decimal, currency: str | None = None) -> str:
    """Canonical money text: exactly the currency's minor digits (more only if the value needs them)."""
    digits = minor_digits(currency) if currency else 2
    exponent = value.as_tuple().exponent
    scale = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if scale != digits:
        step = Decimal(1).scaleb(-digits)
        rounded = value.quantize(step, context=_WIDE)
        if scale < digits or rounded == value:
            value = rounded
    return decimal_text(value)


# Wide enough for any amount the limits admit, so quantize never runs out of precision.
_WIDE = Context(prec=limits.PRICE_MAX_INTEGER_DIGITS + limits.PRICE_MAX_FRACTION_DIGITS + 10)


def excess_digits(value: Decimal, currency: str) -> int:
    """How many more decimals ``value`` needs than ``currency`` has (0 when it fits)."""
    normal = value.normalize(context=_WIDE)
    exponent = normal.as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return max(0, needed - minor_digits(currency))


def _money(value: object) -> Decimal:
    amount = parse_decimal(value, "a price")
    if amount < 0:
        raise ValueError("a price cannot be negative")
    return amount


def _signed_money(value: object) -> Decimal:
    return parse_decimal(value, "a price")


def _percent(value: object) -> Decimal:
    if type(value) is str and _PLAIN_RATE.fullmatch(value):
        return Decimal(value)
    return _checked_percent(value)


def _checked_percent(value: object) -> Decimal:
    rate = parse_decimal(value, "a tax rate")
    if rate < 0:
        raise ValueError("a tax rate cannot be negative")
    if rate > 100:
        raise ValueError("a tax rate is a percentage from 0 to 100")
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        raise ValueError("a tax rate has at most 3 decimal places (Wix limit)")
    return rate


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(decimal_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$", "examples": ["12.50"]}),
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
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,3})?$", "examples": ["7.25"]}),
]
"""A non-negative percentage with at most 3 decimals, written as a string."""


def _currency(value: object) -> str:
    if isinstance(value, str) and is_currency(value):
        return value
    shown = repr(value) if not isinstance(value, str) or len(value) <= 20 else repr(value[:20] + "…")
    hint = ""
    if isinstance(value, str) and is_currency(value.strip().upper()):
        hint = f"; write it as {value.strip().upper()}"
    raise ValueError(f"{shown} is not an ISO 4217 currency code such as USD{hint}")


Currency = Annotated[
    str,
    BeforeValidator(_currency),
    WithJsonSchema({"type": "string", "description": "ISO 4217 code, e.g. USD.", "enum": sorted(currencies())}),
]
"""An active ISO 4217 currency code such as ``USD``, ``EUR`` or ``JPY``."""


def amounts(model: BaseModel, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Decimal]]:
    """Every amount of money ``model`` holds, with its path, however deep (lists of models included)."""
    money, nested = _money_layout(type(model))
    for name in money:
        value = getattr(model, name)
        if isinstance(value, Decimal):
            yield (*path, name), value
    for name in nested:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from amounts(value, (*path, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from amounts(item, (*path, name, index))


_MONEY_VALIDATORS = (_money, _signed_money)


def _is_money(annotation: object, metadata: list[object]) -> bool:
    if any(isinstance(m, BeforeValidator) and m.func in _MONEY_VALIDATORS for m in metadata):
        return True
    if get_origin(annotation) is Annotated:
        return _is_money(None, list(annotation.__metadata__))  # type: ignore[attr-defined]
    return any(_is_money(arg, []) for arg in get_args(annotation))


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _holds_money(cls: type[BaseModel], seen: frozenset[type[BaseModel]] = frozenset()) -> bool:
    """Whether a ``cls`` may hold money, in a field of its own or in a model it holds, however deep."""
    if cls in seen:
        return False  # a model that holds itself: its money, if any, is found on the way in
    money, nested = _layout(cls)
    return bool(money) or any(
        _holds_money(m, seen | {cls}) for n in nested for m in _models_in(cls.model_fields[n].annotation)
    )


@functools.cache
def _layout(cls: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    money = tuple(n for n, f in cls.model_fields.items() if _is_money(f.annotation, list(f.metadata)))
    nested = tuple(n for n, f in cls.model_fields.items() if n not in money and _models_in(f.annotation))
    return money, nested


@functools.cache
def _money_layout(cls: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the fields of ``cls`` that hold money, the fields that may hold models that may hold money), found
    once per class. Fields of models that can hold no money (opening hours, an image file) are not walked:
    a 10,000-dish catalog holds some 20,000 of them, each one a call of :func:`amounts` for nothing."""
    money, nested = _layout(cls)
    walked = tuple(n for n in nested if any(_holds_money(m) for m in _models_in(cls.model_fields[n].annotation)))
    return money, walked
