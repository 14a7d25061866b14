"""Each menu feature's example in catalogs/ on both targets: it applies and re-plans empty, with
the target's "cannot hold" line in the plan where it has no place for the feature, or it is
refused with the reason where showing it would mislead a diner."""

from __future__ import annotations

import pytest

from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness

V3 = "not supported by Catalogs v3, left out: "
MENUS = "not supported by Menus (New), left out: "
# example -> per target: the start of the plan note it must carry (None: none)
EXPECTED = {
    "feature-discount-choices": {"v3": None, "menus": MENUS + "discounts on choices"},
    "feature-choice-quantities": {"v3": V3 + "quantities per choice", "menus": MENUS + "quantities per choice"},
    "feature-nested-options": {"v3": None, "menus": MENUS + "options on variations"},
    "feature-special-instructions": {
        "v3": V3 + "special-request prompts",
        "menus": MENUS + "special-request prompts",
    },
    "feature-price-on-request": {"v3": V3 + "dishes priced on request", "menus": MENUS + "dishes priced on request"},
    "feature-tax-inclusive": {"v3": V3 + "tax-inclusive prices", "menus": MENUS + "tax rates"},
    "feature-external-references": {
        "v3": V3 + "external POS references",
        "menus": MENUS + "external POS references",
    },
    "feature-images": {"v3": None, "menus": None},
}
CASES = [(name, api) for name in EXPECTED for api in ("v3", "menus")]


@pytest.mark.parametrize(("name", "api"), CASES, ids=[f"{n}:{a}" for n, a in CASES])
def test_each_feature_applies_and_replans_empty_or_says_what_the_target_cannot_hold(tmp_path, name, api):
    catalog = load_catalog(f"catalogs/{name}.yaml")
    expected = EXPECTED[name][api]
    h = Harness(tmp_path, api=api)
    plan = h.plan(catalog)
    if expected is None:
        assert not [n for n in plan.notes if n.startswith((V3, MENUS))]
    else:
        assert any(n.startswith(expected) for n in plan.notes), plan.notes
    assert h.apply(plan).differences == []
    again = h.plan(catalog)
    assert again.empty
    assert again.notes == plan.notes  # the same approximation on both sides: no perpetual change


def test_a_negative_choice_is_held_exactly_on_catalogs_v3(tmp_path):
    h = Harness(tmp_path, api="v3")
    h.apply(load_catalog("catalogs/feature-discount-choices.yaml"))
    (burger,) = [r for (kind, local), r in h.live().items() if local == "cheeseburger"]
    assert burger["options"][0]["choices"] == [{"item": "no-cheese", "price": "-0.50"}]


def test_a_negative_size_is_a_lower_variant_price_on_menus_new(tmp_path):
    h = Harness(tmp_path, api="menus")
    h.apply(load_catalog("catalogs/feature-discount-choices.yaml"))
    (pasta,) = [r for (kind, local), r in h.live().items() if local == "pasta"]
    assert pasta["variants"] == [{"variant": "full", "price": "14.00"}, {"variant": "half", "price": "9.00"}]


@pytest.mark.parametrize("api", ["v3", "menus"])
def test_a_dish_priced_on_request_is_left_out_and_the_rest_of_the_menu_syncs(tmp_path, api):
    h = Harness(tmp_path, api=api)
    h.apply(load_catalog("catalogs/feature-price-on-request.yaml"))
    live = h.live()
    assert not [k for k in live if k[1] == "lobster"]
    assert [k for k in live if k[1] == "mussels"]


@pytest.mark.parametrize("api", ["v3", "menus"])
def test_the_images_example_points_every_dish_at_a_media_manager_file(tmp_path, api):
    h = Harness(tmp_path, api=api)
    h.apply(load_catalog("catalogs/feature-images.yaml"))
    if api == "v3":
        urls = [i.get("imageUrl") for i in h.raw_live()["items"]]
    else:
        urls = [(i.get("image") or {}).get("url") for i in h.raw_site()["item"]]
    assert len(urls) == 2 and all(u and u.startswith("https://static.wixstatic.com/media/") for u in urls)
    assert len(set(urls)) == 2  # two images, two files
