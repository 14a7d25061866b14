"""Every field limit of §7.15 (plus the list and id rules of §2), at the limit and one past it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.menus.helpers import KIND, MINIMAL, Wix, new_guid, ok, violated

pytestmark = pytest.mark.e2e

NAME_MAX = {
    "menus": 500,
    "sections": 500,
    "items": 200,
    "variants": 200,
    "modifiers": 200,
    "modifierGroups": 100,
    "labels": 50,
}


@pytest.mark.parametrize("service", list(NAME_MAX))
def test_name_lengths(wix: Wix, service: str) -> None:
    limit = NAME_MAX[service]
    assert len(wix.create(service, name="n" * limit)["name"]) == limit
    violated(
        wix.create_raw(service, {**MINIMAL[service], "name": "n" * (limit + 1)}), f"{KIND[service]}.name", "MAX_LENGTH"
    )
    violated(wix.create_raw(service, {**MINIMAL[service], "name": ""}), f"{KIND[service]}.name", "MIN_LENGTH")


@pytest.mark.parametrize("service", ["menus", "sections", "items"])
def test_description_length(wix: Wix, service: str) -> None:
    wix.create(service, description="d" * 1500)
    violated(
        wix.create_raw(service, {**MINIMAL[service], "description": "d" * 1501}),
        f"{KIND[service]}.description",
        "MAX_LENGTH",
    )


def _ids(wix: Wix, service: str, count: int) -> list[str]:
    return [entity["id"] for entity in wix.many(service, count)]


def _refs(ids: list[str]) -> list[dict[str, str]]:
    return [{"id": ident} for ident in ids]


CASES: list[tuple[str, str, str, int, Any]] = [
    # (service, field, referenced service, maximum, how the ids are written)
    ("menus", "sectionIds", "sections", 100, list),
    ("sections", "itemIds", "items", 300, list),
    ("items", "labels", "labels", 10, _refs),
    ("items", "modifierGroups", "modifierGroups", 25, _refs),
    ("modifierGroups", "modifiers", "modifiers", 500, _refs),
]


@pytest.mark.parametrize(("service", "field", "target", "maximum", "shape"), CASES)
def test_reference_array_sizes(wix: Wix, service: str, field: str, target: str, maximum: int, shape: Any) -> None:
    if target == "labels":  # no bulk create for labels
        ids = [wix.create("labels", name=f"L{i}")["id"] for i in range(maximum)]
    else:
        ids = _ids(wix, target, maximum)
    assert len(wix.create(service, **{field: shape(ids)})[field]) == maximum
    violated(
        wix.create_raw(service, {**MINIMAL[service], field: shape([*ids, new_guid()])}),
        f"{KIND[service]}.{field}",
        "MAX_SIZE",
    )


def test_price_variants_size(wix: Wix) -> None:
    ids = _ids(wix, "variants", 500)
    variants = [{"variantId": ident, "priceInfo": {"price": "1"}} for ident in ids]
    assert (
        len(wix.create("items", priceInfo=None, priceVariants={"variants": variants})["priceVariants"]["variants"])
        == 500
    )
    response = wix.create_raw("items", {"name": "x", "priceVariants": {"variants": [*variants, variants[0]]}})
    violated(response, "item.priceVariants.variants", "MAX_SIZE")


@pytest.mark.parametrize(("service", "maximum"), [("items", 15), ("sections", 100)])
def test_additional_images(wix: Wix, service: str, maximum: int) -> None:
    image = {"url": "https://static.example/x.jpg"}
    wix.create(service, additionalImages=[image] * maximum)
    violated(
        wix.create_raw(service, {**MINIMAL[service], "additionalImages": [image] * (maximum + 1)}),
        f"{KIND[service]}.additionalImages",
        "MAX_SIZE",
    )


def test_url_query_param_and_seo_keywords(wix: Wix) -> None:
    wix.create("menus", urlQueryParam="u" * 500)
    violated(wix.create_raw("menus", {"name": "m", "urlQueryParam": "u" * 501}), "menu.urlQueryParam", "MAX_LENGTH")
    keywords = [{"term": f"k{i}", "isMain": i == 0} for i in range(6)]
    violated(
        wix.create_raw("menus", {"name": "m", "seoData": {"settings": {"keywords": keywords}}}),
        "menu.seoData.settings.keywords",
        "MAX_SIZE",
    )
    seo = {"tags": [], "settings": {"preventAutoRedirect": False, "keywords": keywords[:5]}}
    assert wix.create("menus", seoData=seo)["seoData"] == seo


def test_reference_ids_are_guids_and_unique(wix: Wix) -> None:
    violated(wix.create_raw("sections", {"name": "s", "itemIds": ["nope"]}), "section.itemIds[0]", "FORMAT")
    [item] = _ids(wix, "items", 1)
    violated(wix.create_raw("sections", {"name": "s", "itemIds": [item, item]}), "section.itemIds[1]", "FORMAT")
    violated(
        wix.create_raw("items", {"name": "i", "priceInfo": {"price": "1"}, "modifierGroups": [{}]}),
        "item.modifierGroups[0].id",
        "REQUIRED_FIELD",
    )


def test_list_ids_limit(wix: Wix) -> None:
    ids = [new_guid() for _ in range(501)]
    violated(wix.client.get(wix.url("variants"), params=[("variantIds", i) for i in ids]), "variantIds", "MAX_SIZE")
    violated(wix.client.get(wix.url("items"), params=[("itemIds", i) for i in ids]), "itemIds", "MAX_SIZE")
    assert ok(wix.client.get(wix.url("variants"), params=[("variantIds", i) for i in ids[:500]]))["variants"] == []


def test_wrong_json_types(wix: Wix) -> None:
    response = wix.create_raw(
        "items",
        {"name": 5, "visible": "yes", "labels": "x", "priceInfo": {"price": "1"}, "orderSettings": {"inStock": 1}},
    )
    for field in ("item.name", "item.visible", "item.labels", "item.orderSettings.inStock"):
        violated(response, field, "FORMAT")
    violated(wix.client.post(wix.url("items"), json={"item": []}), "item", "FORMAT")
