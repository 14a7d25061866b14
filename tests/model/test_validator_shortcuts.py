"""The validators' shortcuts for the usual value give exactly what their full checks give.

A price, a tax rate, a name and a description are each recognised by one regular expression when
written the usual way ("12.50", "7.25", "Margherita"), and then not checked further
(reconciler/model/money.py, reconciler/model/fields.py: a catalog of 10,000 dishes holds some
30,000 amounts and 25,000 texts). Whenever a shortcut answers, its answer must be the full checks'
(the same Decimal, sign and exponent included, or the same text); anything else takes the full
checks, which alone say what is wrong. The precision rule's walk of the catalog's amounts skips
models that can hold no money: it must still find every amount there is.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from reconciler import limits
from reconciler.model import fields, money
from reconciler.model.catalog import Catalog
from reconciler.yamlio.load import load_catalog
from tests.location_strategies import chains
from tests.strategies import catalogs, examples

ROOT = Path(__file__).resolve().parents[2]
REAL = sorted(ROOT.glob("catalogs/*.yaml"))  # examples/ holds a fleet file, not a catalog

DIGITS = st.text(alphabet="0123456789", min_size=0, max_size=limits.PRICE_MAX_INTEGER_DIGITS + 3)
FRACTION = st.text(alphabet="0123456789", min_size=0, max_size=limits.PRICE_MAX_FRACTION_DIGITS + 2)
# Amounts near every edge the checks have: signs, leading zeros, digit counts one past each limit,
# blanks around, other digits and separators, rates about 100; and text of no form at all.
AMOUNTS = st.one_of(
    st.builds(
        lambda sign, zeros, whole, dot, fraction, pad: f"{pad}{sign}{zeros}{whole}{dot}{fraction}{pad}",
        st.sampled_from(["", "-", "+"]),
        st.sampled_from(["", "0", "000"]),
        DIGITS,
        st.sampled_from([".", "", ",", ".."]),
        FRACTION,
        st.sampled_from(["", "", " ", "\n", "\t"]),
    ),
    st.sampled_from(["100", "100.0", "100.000", "100.0001", "100.5", "101", "250", "99.999", "99.9999", "0", "-0"]),
    st.sampled_from(["-0.00", "00", ".5", "-1", "007.5"]),
    st.sampled_from(["1e3", "NaN", "Infinity", "１２", "٣", "1_000", "0x10", "12.50\n", " 7"]),
    st.text(max_size=8),
)
VALUES = st.one_of(AMOUNTS, st.integers(), st.floats(), st.booleans(), st.none(), st.decimals(allow_nan=False))


def outcome(check, value):
    """What a check makes of ``value``: the value (a Decimal by its exact form) or its error's words."""
    try:
        found = check(value)
    except ValueError as error:
        return "error", str(error)
    return "value", (type(found), str(found) if isinstance(found, Decimal) else found)


@settings(max_examples=examples(2000))
@given(VALUES)
def test_an_amount_reads_as_the_full_checks_read_it(value):
    for what in ("a price", "a tax rate"):
        assert outcome(lambda v: money.parse_decimal(v, what), value) == outcome(
            lambda v: money._checked_decimal(v, what), value
        )


@settings(max_examples=examples(2000))
@given(VALUES)
def test_a_tax_rate_reads_as_the_full_checks_read_it(value):
    assert outcome(money._percent, value) == outcome(money._checked_percent, value)


def test_the_shortcuts_answer_for_the_usual_amounts():
    # They must take the usual forms, or they would cost a match for nothing.
    for text in ("12.50", "0", "0.00", "-0.50", "999999999999999.999999"):
        assert money._PLAIN.fullmatch(text), text
    for text in ("7.25", "0", "10", "99.999"):
        assert money._PLAIN_RATE.fullmatch(text), text


TEXTS = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2000\u2028\u2029\u3000x\x00\x7f\x9f", max_size=6),
)


@settings(max_examples=examples(2000))
@given(TEXTS)
def test_a_name_and_a_text_are_checked_as_the_full_checks_check_them(value):
    assert outcome(fields.check_name, value) == outcome(fields._checked_name, value)
    assert outcome(fields._text, value) == outcome(fields._checked_text, value)


def every_amount(model: BaseModel, path: tuple = ()):
    """Every Decimal the model holds, walking every field of every model, tax rates aside (not money)."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        for index, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
            at = (*path, name) if index is None else (*path, name, index)
            if isinstance(item, Decimal) and name != "tax_rate":
                yield at, item
            elif isinstance(item, BaseModel):
                yield from every_amount(item, at)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_every_amount_of_the_real_catalogs_is_walked(path):
    catalog = load_catalog(path)
    walked = list(money.amounts(catalog))
    assert walked == list(every_amount(catalog))


@settings(max_examples=examples(50), deadline=None)
@given(catalogs(max_dishes=5))
def test_every_amount_of_a_catalog_is_walked(catalog: Catalog):
    assert list(money.amounts(catalog)) == list(every_amount(catalog))


@settings(max_examples=examples(30), deadline=None)
@given(chains(max_dishes=4))
def test_every_amount_of_a_chain_is_walked(catalog: Catalog):
    assert list(money.amounts(catalog)) == list(every_amount(catalog))
