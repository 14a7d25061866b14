"""Every POS's image URL becomes the dish's ``image:`` (Wix then imports it into its Media Manager),
and the YAML written for it loads as a catalog whose image is that URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.yamlio.load import load_catalog
from tests.sources.helpers import Imported, sq, sq_simple

FIXTURES = Path("tests/fixtures/pos")


@pytest.mark.parametrize(
    "pos, fixture, options, wanted",
    [
        ("toast", "toast-menus.json", {"currency": "USD"}, "https://images.example.com/cheeseburger.jpg"),
        ("clover", "clover-inventory.json", {"currency": "USD"}, "https://images.example.com/b.jpg"),
    ],
)
def test_a_pos_image_url_is_kept(pos, fixture, options, wanted, tmp_path):
    out = Imported(pos, json.loads((FIXTURES / fixture).read_text()), **options)
    assert wanted in {d.image for d in out.catalog.dishes}
    (tmp_path / "catalog.yaml").write_text(out.text)
    assert wanted in {d.image for d in load_catalog(tmp_path / "catalog.yaml").dishes}


def test_a_square_image_object_url_is_kept_and_a_url_without_a_host_is_noted():
    raw = sq(
        {"type": "IMAGE", "id": "IMG1", "image_data": {"url": "https://items-images.squarecdn.com/a.jpeg"}},
        {"type": "IMAGE", "id": "IMG2", "image_data": {"url": "https:///no-host.jpg"}},
        sq_simple("I1", "A", 100, image_ids=["IMG1"]),
        sq_simple("I2", "B", 100, image_ids=["IMG2"]),
    )
    out = Imported("square", raw)
    assert out.dish("sq-I1").image == "https://items-images.squarecdn.com/a.jpeg"
    assert out.dish("sq-I2").image is None and any("no-host" in n for n in out.notes_for("I2"))
