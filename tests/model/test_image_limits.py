"""Local dish images at the size limit, and the cache's check of several of them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from reconciler.model.images import MAX_IMAGE_BYTES
from reconciler.yamlio.cache import load_catalog_cached
from reconciler.yamlio.load import load_catalog
from tests.model.test_images import JPEG, _catalog


def test_an_image_of_exactly_the_limit_is_taken_whole(tmp_path: Path):
    with open(tmp_path / "big.jpg", "wb") as handle:  # sparse: only its size matters
        handle.write(JPEG)
        handle.truncate(MAX_IMAGE_BYTES)
    image = load_catalog(_catalog(tmp_path, "big.jpg")).dishes[0].image_file
    assert image is not None and image.size == MAX_IMAGE_BYTES
    assert image.sha256 == hashlib.sha256((tmp_path / "big.jpg").read_bytes()).hexdigest()


def test_the_cache_notices_a_changed_image_after_a_dish_without_a_local_one(tmp_path: Path):
    (tmp_path / "b.jpg").write_bytes(JPEG)
    path = _catalog(tmp_path, "https://example.com/a.jpg", "b.jpg")
    state = tmp_path / "state"
    load_catalog_cached(path, state)
    (tmp_path / "b.jpg").write_bytes(JPEG + b"changed")
    images = [d.image_file for d in load_catalog_cached(path, state).dishes]
    assert [i.sha256 if i else None for i in images] == [None, hashlib.sha256(JPEG + b"changed").hexdigest()]
