"""load(dump(c)) == c, and fmt is idempotent, for generated catalogs."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings

from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.fmt import canonical_text
from reconciler.yamlio.load import load_catalog
from tests.strategies import catalogs, examples

SETTINGS = settings(max_examples=examples(60))


@SETTINGS
@given(catalog=catalogs())
def test_load_of_dump_is_the_same_catalog(catalog):
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "c.yaml"
        file.write_text(dump_catalog(catalog), encoding="utf-8")
        assert load_catalog(file) == catalog


@SETTINGS
@given(catalog=catalogs())
def test_fmt_is_idempotent_and_matches_dump(catalog):
    text = dump_catalog(catalog, schema_url="../schemas/catalog.schema.json")
    once, why = canonical_text(text, "c.yaml")
    assert why == ""
    assert once == text
    twice, _ = canonical_text(once, "c.yaml")
    assert twice == once


def test_dump_is_byte_identical_for_equal_models(tmp_path):
    catalog = load_catalog("catalogs/pizzeria.yaml")
    again = load_catalog("catalogs/pizzeria.yaml")
    assert dump_catalog(catalog).encode() == dump_catalog(again).encode()


def test_money_keeps_currency_minor_digits(tmp_path):
    file = tmp_path / "c.yaml"
    file.write_text(
        'currency: JPY\nmenus: [{id: m, name: M, sections: [{id: s, name: S, dishes: [d]}]}]\n'
        'dishes: [{id: d, name: Ramen, price: "900"}]\n'
    )
    assert 'price: "900"' in dump_catalog(load_catalog(file))
    file.write_text(file.read_text().replace("JPY", "USD"))
    assert 'price: "900.00"' in dump_catalog(load_catalog(file))
