"""A price with more decimals than the catalog's currency has is refused wherever a price can appear.

Base prices, variations, option choices, and each location's overrides of them (dishes, variations,
choices), whether the catalog is validated on its own, planned (on both targets: the check is the
catalog's, before any target is asked) or named by a fleet file: every one is reported at once,
with file:line:column and the field, and nothing is written.
"""

from __future__ import annotations

import pytest

from reconciler.model.catalog import Catalog
from reconciler.model.money import amounts
from tests.hostile.bounded import check, invoke, snapshot

CATALOG = """\
version: 1
currency: {currency}
menus:
  - id: main
    name: Main
    sections:
      - id: pizzas
        name: Pizzas
        dishes: [margherita]
dishes:
  - id: margherita
    name: Margherita
    price: "{dish}"
    options: [size]
variations:
  - id: large
    name: Large
    price: "{variation}"
option_groups:
  - id: size
    name: Size
    type: selection
    choices:
      - {{item: large, price: "{choice}"}}
locations:
  - name: Downtown
    dishes:
      - {{id: margherita, price: "{dish_at}"}}
    variations:
      - {{id: large, price: "{variation_at}"}}
    choices:
      - {{group: size, item: large, price: "{choice_at}"}}
  - name: Uptown
"""
FINE = {"dish": "12.00", "variation": "1.00", "choice": "2.00", "dish_at": "13.00", "variation_at": "1.50"}
FINE["choice_at"] = "2.50"
# field -> the path the message names
WHERE = {
    "dish": "dishes[0].price",
    "variation": "variations[0].price",
    "choice": "option_groups[0].choices[0].price",
    "dish_at": "locations[0].dishes[0].price",
    "variation_at": "locations[0].variations[0].price",
    "choice_at": "locations[0].choices[0].price",
}


def _position(field: str) -> str:
    """line:column of the ``price`` key that holds ``field``'s value in CATALOG."""
    lines = CATALOG.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "{" + field + "}" in text)
    return f"{line}:{lines[line - 1].rindex('price') + 1 - lines[line - 1].count('{{')}"


def _write(tmp_path, currency: str = "USD", **prices: str):
    file = tmp_path / "catalog.yaml"
    file.write_text(CATALOG.format(currency=currency, **{**FINE, **prices}))
    return file


def test_the_valid_catalog_is_valid(tmp_path):
    check(invoke(["validate", str(_write(tmp_path))]), codes=[0])


@pytest.mark.parametrize("field", sorted(WHERE))
def test_one_price_too_precise_is_refused_at_its_line(tmp_path, field):
    file = _write(tmp_path, **{field: "1.005"})
    result = check(invoke(["validate", str(file)]))
    position, path = _position(field), WHERE[field]
    assert f'catalog.yaml:{position}: {path}: "1.005" has more decimals than USD has (2 decimal places)' in (
        result.output
    ), result.output


def test_every_price_too_precise_is_reported_at_once(tmp_path):
    file = _write(tmp_path, currency="JPY", **{**dict.fromkeys(FINE, "100"), "choice_at": "2.5", "dish": "12.5"})
    result = check(invoke(["validate", str(file)]))
    assert result.output.count("more decimals than JPY has (no decimals)") == 2, result.output
    file = _write(tmp_path, **dict.fromkeys(FINE, "0.001"))
    result = check(invoke(["validate", str(file)]))
    for field, path in WHERE.items():
        assert f"catalog.yaml:{_position(field)}: {path}: " in result.output, result.output


@pytest.mark.parametrize("target", ["sandbox", "wix-menus"])
def test_plan_refuses_an_override_too_precise_before_reading_any_target(tmp_path, monkeypatch, target):
    file = _write(tmp_path, dish_at="13.005")
    monkeypatch.chdir(tmp_path)
    before = snapshot([file])
    result = check(invoke(["plan", str(file), "--target", target, "--location", "Downtown"]))
    assert "locations[0].dishes[0].price" in result.output and "more decimals than USD" in result.output
    assert snapshot([file]) == before
    assert not (tmp_path / ".reconcile").exists()


def test_fleet_validate_refuses_a_site_catalog_with_an_override_too_precise(tmp_path):
    _write(tmp_path, choice_at="2.505")
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        "version: 1\nname: chain\ndefaults: {target: sandbox}\nsites:\n  - site_id: a1\n    catalog: catalog.yaml\n"
    )
    result = check(invoke(["fleet", "validate", str(fleet)]))
    assert (
        f'catalog.yaml:{_position("choice_at")}: locations[0].choices[0].price: "2.505" has more decimals than USD'
        in result.output
    )


def test_every_money_field_of_the_model_is_walked():
    """The check finds price fields by type: a model field holding money is never left out."""
    catalog = Catalog.model_validate(
        {
            "version": 1,
            "currency": "USD",
            "menus": [{"id": "m", "name": "M", "sections": [{"id": "s", "name": "S", "dishes": ["d"]}]}],
            "dishes": [{"id": "d", "name": "D", "price": "1.00", "options": ["g"]}],
            "variations": [{"id": "v", "name": "V", "price": "2.00"}],
            "option_groups": [{"id": "g", "name": "G", "type": "extras", "choices": [{"item": "v", "price": "3.00"}]}],
            "locations": [
                {
                    "name": "L",
                    "dishes": [{"id": "d", "price": "4.00"}],
                    "variations": [{"id": "v", "price": "5.00"}],
                    "choices": [{"group": "g", "item": "v", "price": "6.00"}],
                }
            ],
        }
    )
    found = {path: str(amount) for path, amount in amounts(catalog)}
    assert found == {
        ("dishes", 0, "price"): "1.00",
        ("variations", 0, "price"): "2.00",
        ("option_groups", 0, "choices", 0, "price"): "3.00",
        ("locations", 0, "dishes", 0, "price"): "4.00",
        ("locations", 0, "variations", 0, "price"): "5.00",
        ("locations", 0, "choices", 0, "price"): "6.00",
    }
