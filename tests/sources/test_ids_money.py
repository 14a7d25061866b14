"""Id sanitising and money conversion: exact, deterministic, collision-free."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.model.money import currencies, minor_digits, money_text
from reconciler.sources.ids import MAX_LENGTH, IdMaker, sanitize
from reconciler.sources.money import from_major_units, from_minor_units

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:#@+\-]*$")
CURRENCIES = sorted(currencies())


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("#Bacon Cheeseburger", "bacon-cheeseburger"),
        ("#bakedGoods", "baked-goods"),
        ("#Two-Item-Breakfast", "two-item-breakfast"),
        ("JHXGR67LAV6YHS4OPESIOSEX", "JHXGR67LAV6YHS4OPESIOSEX"),
        ("6e1fd27e-0b2a-4c5e-9d0e-3f3b0c2a1d11", "6e1fd27e-0b2a-4c5e-9d0e-3f3b0c2a1d11"),
        ("a b/c", "a-b-c"),
    ],
)
def test_sanitize(raw, text):
    assert sanitize(raw) == text


def test_collisions_get_a_stable_hash_suffix():
    ids = IdMaker("sq")
    first = ids.make("item", "item", "#Regular")
    second = ids.make("item", "item", "#regular")
    assert first == "sq-regular" and second.startswith("sq-regular-") and second != first
    again = IdMaker("sq")
    again.make("item", "item", "#Regular")
    assert again.make("item", "item", "#regular") == second
    assert ids.make("item", "item", "#Regular") == first  # the same key, the same id
    assert ids.make("group", "list", "#regular") == "sq-regular"  # another namespace


@given(st.lists(st.text(min_size=1, max_size=200), min_size=1, max_size=30))
def test_every_id_is_valid_and_distinct(raws):
    ids = IdMaker("toast")
    made = {raw: ids.make("item", "item", raw) for raw in raws}
    assert all(ID.match(i) and len(i) <= MAX_LENGTH for i in made.values())
    assert len(set(made.values())) == len(made)


@given(st.sampled_from(CURRENCIES), st.integers(min_value=-(10**15), max_value=10**15))
def test_minor_units_are_exact_for_every_currency(currency, amount):
    value = from_minor_units(amount, currency)
    assert value * (10 ** minor_digits(currency)) == amount
    assert Decimal(money_text(value, currency)) == value


@given(st.sampled_from(CURRENCIES), st.integers(min_value=0, max_value=10**13))
def test_major_unit_floats_round_trip_exactly(currency, minor):
    digits = minor_digits(currency)
    as_float = minor / 10**digits  # what a JSON encoder of a Toast price would send
    value, exact = from_major_units(as_float, currency)
    assert exact
    assert value == Decimal(minor).scaleb(-digits)


def test_major_units_round_half_up_and_refuse_junk():
    assert from_major_units(1.005, "USD") == (Decimal("1.01"), False)
    assert from_major_units(2.5, "JPY") == (Decimal("3"), False)
    assert from_major_units(10, "KWD") == (Decimal("10.000"), True)
    with pytest.raises(TypeError):
        from_major_units(True, "USD")
    with pytest.raises(TypeError):
        from_minor_units(1.5, "USD")
