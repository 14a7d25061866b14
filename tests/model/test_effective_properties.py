"""The effective catalog of a location, property-tested: what an overlay may and may not do.

* an empty overlay (and no only_at/except_at) is the identity: the location gets the base catalog;
* overlays never leak: what one location's entry says never changes another location's catalog;
* removing an override returns the base value, and changes nothing else;
* the result is always a valid single-location catalog that survives the YAML round trip.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconciler.model import rules
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective, present_dishes
from reconciler.model.locations import Location
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.load import load_catalog
from tests.location_strategies import chains, overrides
from tests.strategies import catalogs

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _valid(catalog: Catalog) -> bool:
    return not rules.check(catalog)


@SETTINGS
@given(base=catalogs(), name=st.sampled_from(["Downtown", "Airport"]), with_id=st.booleans())
def test_an_empty_overlay_is_the_identity(base, name, with_id):
    location = Location(name=name, id="wix-1" if with_id else None)
    chain = base.model_copy(update={"locations": [location, Location(name="Elsewhere")]})
    assert _valid(chain)
    assert effective(chain, name) == base.model_copy(update={"location": location.wix})


@SETTINGS
@given(data=st.data(), chain=chains())
def test_overlays_never_leak_across_locations(data, chain):
    assume(_valid(chain) and len(chain.locations) > 1)
    mine = data.draw(st.sampled_from(chain.locations))
    others = [loc.model_copy(update=data.draw(overrides(chain))) if loc is not mine else loc for loc in chain.locations]
    changed = chain.model_copy(update={"locations": others})
    assume(_valid(changed))
    assert effective(changed, mine) == effective(chain, mine)


@SETTINGS
@given(data=st.data(), chain=chains())
def test_removing_an_override_returns_the_base_value(data, chain):
    assume(_valid(chain))
    location = data.draw(st.sampled_from(chain.locations))
    assume(location.dishes)
    override = data.draw(st.sampled_from(location.dishes))
    assume(override.id in present_dishes(chain, location))
    without = location.model_copy(update={"dishes": [o for o in location.dishes if o is not override]})
    smaller = chain.model_copy(update={"locations": [without if x is location else x for x in chain.locations]})
    before, after = effective(chain, location.key), effective(smaller, location.key)
    base = next(d for d in chain.dishes if d.id == override.id)
    dish = next(d for d in after.dishes if d.id == override.id)
    assert (dish.price, dish.in_stock, dish.visible) == (base.price, base.in_stock, base.visible)
    # Nothing else moved: the other dishes, the menus, the options are as they were.
    assert [d for d in after.dishes if d.id != override.id] == [d for d in before.dishes if d.id != override.id]
    assert (after.menus, after.variations, after.option_groups) == (
        before.menus,
        before.variations,
        before.option_groups,
    )


@SETTINGS
@given(data=st.data(), chain=chains())
def test_the_effective_catalog_always_validates_and_round_trips(tmp_path, data, chain):
    assume(_valid(chain))
    location = data.draw(st.sampled_from(chain.locations))
    result = effective(chain, location)
    assert result.locations == [] and result.location == location.wix
    assert rules.check(result) == []
    assert all(x.only_at is None and x.except_at is None for x in [*result.menus, *result.dishes])
    file = tmp_path / "effective.yaml"
    file.write_text(dump_catalog(result), encoding="utf-8")
    assert load_catalog(file) == result


@SETTINGS
@given(chain=chains())
def test_a_multi_location_catalog_round_trips_through_yaml(tmp_path, chain):
    assume(_valid(chain))
    file = tmp_path / "chain.yaml"
    file.write_text(dump_catalog(chain), encoding="utf-8")
    assert load_catalog(file) == chain


@SETTINGS
@given(data=st.data(), chain=chains())
def test_an_override_gives_its_value_and_presence_decides_what_is_there(data, chain):
    assume(_valid(chain))
    location = data.draw(st.sampled_from(chain.locations))
    result = effective(chain, location)
    dishes = {d.id: d for d in result.dishes}
    for override in location.dishes:
        if override.id not in dishes:
            continue
        for field in ("price", "in_stock", "visible"):
            if getattr(override, field) is not None:
                assert getattr(dishes[override.id], field) == getattr(override, field)
    for dish in chain.dishes:
        if dish.only_at is not None and not any(location.named(ref) for ref in dish.only_at):
            assert dish.id not in dishes
        if dish.except_at is not None and any(location.named(ref) for ref in dish.except_at):
            assert dish.id not in dishes
    listed = {d for m in result.menus for s in m.sections for d in s.dishes}
    assert set(dishes) == listed
