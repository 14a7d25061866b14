"""The cheap paths of the essence and of the Catalogs v3 reading and projection agree with the
general ones they stand in for, so plans stay byte-identical whichever path a record takes."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.engine import essence as E
from reconciler.engine.vocabulary import Kind
from reconciler.model.catalog import ALL_FULFILLMENT, ALL_PLATFORMS
from reconciler.targets.wix_v3 import convert
from reconciler.targets.wix_v3 import project as projection
from reconciler.targets.wix_v3.capabilities import QUANTITIES
from tests.strategies import catalogs, examples

WIX_FULFILLMENT = ["DELIVERY", "PICKUP_OR_DINE_IN"]
WIX_PLATFORMS = ["SITE", "MOBILE_SITE", "WIX_APP", "CALL_CENTER", "CHAT_BOT"]
PERIOD = {"openDay": "FRI", "openTime": "17:00", "closeDay": "FRI", "closeTime": "23:00"}

criteria = st.fixed_dictionaries(
    {},
    optional={
        "visible": st.sampled_from([True, False, None]),
        "fulfillmentTypes": st.one_of(
            st.none(), st.just(WIX_FULFILLMENT), st.lists(st.sampled_from([*WIX_FULFILLMENT, "OTHER"]), max_size=3)
        ),
        "platforms": st.one_of(
            st.none(), st.just(WIX_PLATFORMS), st.lists(st.sampled_from([*WIX_PLATFORMS, "OTHER"]), max_size=6)
        ),
        "availability": st.sampled_from(
            [None, {}, {"periods": [], "specialHourPeriods": []}, {"periods": [PERIOD], "specialHourPeriods": []}]
        ),
    },
)


@settings(max_examples=examples(300))
@given(found=criteria)
def test_reading_visibility_agrees_with_the_general_reading(found):
    assert convert.visibility_from_wix(found) == convert.visibility_in_general(found)


def test_the_common_visibility_takes_the_fast_path_and_reads_as_everywhere_always():
    read = convert.visibility_from_wix(
        {"visible": False, "fulfillmentTypes": list(WIX_FULFILLMENT), "platforms": list(WIX_PLATFORMS)}
    )
    assert read == convert.visibility_in_general(
        {"visible": False, "fulfillmentTypes": WIX_FULFILLMENT, "platforms": WIX_PLATFORMS}
    )
    assert read["fulfillment"] == list(ALL_FULFILLMENT) and read["platforms"] == list(ALL_PLATFORMS)
    again = convert.visibility_from_wix({"fulfillmentTypes": WIX_FULFILLMENT, "platforms": WIX_PLATFORMS})
    again["fulfillment"].append("changed")  # each reading owns its lists
    assert convert.visibility_from_wix({})["fulfillment"] == list(ALL_FULFILLMENT)


@settings(max_examples=examples(300))
@given(values=st.lists(st.sampled_from(ALL_PLATFORMS), max_size=7))
def test_ordering_a_set_agrees_with_sorting_it(values):
    order = {value: index for index, value in enumerate(ALL_PLATFORMS)}
    ordered = E.visibility(True, ALL_FULFILLMENT, values, [], [])["platforms"]
    assert ordered == sorted(set(values), key=order.__getitem__)


@settings(max_examples=examples(300))
@given(
    value=st.one_of(
        st.decimals(min_value=Decimal("-100"), max_value=Decimal("100"), places=3),
        st.decimals(min_value=Decimal("-100"), max_value=Decimal("100"), places=3).map(str),
        st.integers(-100, 100),
        st.sampled_from(["0", "0.00", "-0", "12.50", "12.5", "1E+1", "0E-3"]),
    )
)
def test_percent_is_the_same_text_with_or_without_its_cache(value):
    assert E.percent(value) == E._percent_of(value)
    assert E.percent(value) == E.percent(value)  # a second, cached answer is the first


def test_percent_of_equal_rates_written_differently_reads_the_same():
    assert E.percent(Decimal("12.50")) == E.percent("12.5") == E.percent(Decimal("12.500")) == "12.5"
    assert E.percent(None) == E.percent("") == E.percent("0.000") == "0"


@settings(max_examples=examples(60))
@given(catalog=catalogs())
def test_each_record_holds_its_own_copy_of_each_option_group(catalog):
    groups = {g.id: g for g in catalog.option_groups}
    found = E.essence(catalog)
    seen: set[int] = set()
    for (kind, local), record in found.items():
        if kind not in (Kind.DISH, Kind.VARIATION):
            continue
        item = next(i for i in [*catalog.dishes, *catalog.variations] if i.id == local)
        assert record["options"] == [E.option(groups[g]) for g in item.options]
        for option in record["options"]:
            mine = [id(option), id(option["choices"]), *(id(c) for c in option["choices"])]
            mine += [id(v) for v in option.values() if isinstance(v, list)]
            assert seen.isdisjoint(mine)
            seen.update(mine)


def _dish(options: list[dict]) -> dict:
    return {"name": "Pizza", "tax_rate": "0", "options": options}


def _options(quantity: int | None) -> list[dict]:
    choice = {"item": "size-12", "price": "2"}
    if quantity is not None:
        choice["max_quantity"] = quantity
    return [
        {"name": "Size", "type": "selection", "default": None, "choices": [{"item": "size-10", "price": "0"}, choice]}
    ]


def test_stripping_a_dish_without_quantities_agrees_with_the_general_stripping():
    lost: dict[str, list[str]] = {}
    out, notes = projection.without_features({(Kind.DISH, "pizza"): _dish(_options(None))}, [])
    assert out[(Kind.DISH, "pizza")]["options"] == projection.without_quantities(_options(None), "pizza", lost)
    assert notes == [] and lost == {}


def test_stripping_a_dish_with_quantities_takes_them_out_and_says_so():
    out, notes = projection.without_features({(Kind.DISH, "pizza"): _dish(_options(3))}, [])
    assert out[(Kind.DISH, "pizza")]["options"] == _options(None)
    lost: dict[str, list[str]] = {}
    assert projection.without_quantities(_options(3), "pizza", lost) == _options(None)
    assert lost == {QUANTITIES: ["pizza"]} and len(notes) == 1
