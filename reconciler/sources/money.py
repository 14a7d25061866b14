"""Exact money conversion from POS wire formats to ``Decimal``.

Square and Clover send integers in the currency's smallest unit (cents, yen, fils); the number of
minor digits comes from ISO 4217 (:func:`reconciler.model.money.minor_digits`: JPY 0, USD 2,
KWD 3). Toast sends floats in major units; those are read through their shortest decimal text
(``repr``), which is exactly what the POS stored, then rounded to the currency's minor digits.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from reconciler.model.money import minor_digits


def from_minor_units(amount: int, currency: str) -> Decimal:
    """``375, "USD"`` → ``Decimal("3.75")``; ``375, "JPY"`` → ``Decimal("375")``. Exact."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"an amount in minor units must be an integer, not {type(amount).__name__}")
    return Decimal(amount).scaleb(-minor_digits(currency))


def from_major_units(value: float | int | str, currency: str) -> tuple[Decimal, bool]:
    """A major-unit number (Toast's ``10.5``) as an exact Decimal with the currency's digits.

    Returns ``(amount, exact)``; ``exact`` is False when the POS value had more digits than the
    currency allows and had to be rounded (half up, as a till does).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"a price must be a number, not {type(value).__name__}")
    text = repr(value) if isinstance(value, float) else str(value)
    exact = Decimal(text)
    if not exact.is_finite():
        raise ValueError(f"{text} is not a finite price")
    step = Decimal(1).scaleb(-minor_digits(currency))
    rounded = exact.quantize(step, rounding=ROUND_HALF_UP)
    return rounded, rounded == exact
