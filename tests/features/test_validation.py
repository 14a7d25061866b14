"""The menu features are validated where a user writes them: file, line and a plain reason."""

from __future__ import annotations

import pytest

from reconciler.errors import CatalogInvalid
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.load import load_catalog

HEAD = (
    "version: 1\ncurrency: USD\nmenus:\n  - id: m\n    name: M\n"
    "    sections:\n      - id: s\n        name: S\n        dishes: [d]\n"
)


def problems(tmp_path, body: str) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(path)
    return [p.render() if hasattr(p, "render") else str(p) for p in caught.value.problems]


def loads(tmp_path, body: str):
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return load_catalog(path)


def test_a_dish_priced_on_request_with_a_price_is_refused_at_its_line(tmp_path):
    found = problems(tmp_path, 'dishes:\n  - id: d\n    name: Fish\n    price: "3.00"\n    price_on_request: true\n')
    assert len(found) == 1 and "c.yaml:11" in found[0] and "leave `price` out" in found[0]


def test_price_on_request_round_trips_without_a_price(tmp_path):
    catalog = loads(tmp_path, "dishes:\n  - id: d\n    name: Fish\n    price_on_request: true\n")
    text = dump_catalog(catalog)
    assert "price_on_request: true" in text and "price:" not in text


def test_a_discount_larger_than_the_dish_is_refused_at_the_choice(tmp_path):
    body = (
        'dishes:\n  - id: d\n    name: Soup\n    price: "1.00"\n    options: [g]\n'
        'variations:\n  - id: v\n    name: Small\n'
        'option_groups:\n  - id: g\n    name: G\n    type: extras\n    choices:\n      - {item: v, price: "-2.00"}\n'
    )
    (found,) = problems(tmp_path, body)
    assert "c.yaml:23" in found and "takes 2.00 off d, which costs only 1.00" in found


def test_quantities_only_in_extras(tmp_path):
    body = (
        'dishes:\n  - id: d\n    name: Soup\n    price: "1.00"\n    options: [g]\n'
        'variations:\n  - id: v\n    name: Small\n'
        "option_groups:\n  - id: g\n    name: G\n    type: selection\n"
        "    choices:\n      - {item: v, max_quantity: 3}\n"
    )
    (found,) = problems(tmp_path, body)
    assert "only extras let a diner add a choice more than once" in found


def test_nested_options_may_not_loop(tmp_path):
    body = (
        'dishes:\n  - id: d\n    name: Soup\n    price: "1.00"\n    options: [g]\n'
        "variations:\n  - id: v\n    name: Bread\n    options: [h]\n  - id: w\n    name: Butter\n    options: [g]\n"
        "option_groups:\n  - id: g\n    name: G\n    type: extras\n    choices:\n      - {item: v}\n"
        "  - id: h\n    name: H\n    type: extras\n    choices:\n      - {item: w}\n"
    )
    found = problems(tmp_path, body)
    assert any("the options of v offer v again" in p for p in found)


def test_tax_included_needs_a_rate_and_a_prompt_needs_requests(tmp_path):
    body = (
        'dishes:\n  - id: d\n    name: Soup\n    price: "1.00"\n    tax_included: true\n'
        "    special_requests: false\n    special_request_prompt: How hot?\n"
    )
    found = problems(tmp_path, body)
    assert any("no tax_rate to include" in p and "does not accept" in p for p in found)


def test_every_feature_survives_the_canonical_form(tmp_path):
    for name in (
        "discount-choices",
        "choice-quantities",
        "nested-options",
        "special-instructions",
        "price-on-request",
        "tax-inclusive",
        "external-references",
    ):
        catalog = load_catalog(f"catalogs/feature-{name}.yaml")
        again = tmp_path / f"{name}.yaml"
        again.write_text(dump_catalog(catalog), encoding="utf-8")
        assert load_catalog(again) == catalog
