"""The catalog cache's housekeeping (reconciler/yamlio/cache.py): which entries it keeps, what it
clears away, and how it is turned off."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.errors import CatalogInvalid
from reconciler.yamlio.cache import load_catalog_cached
from reconciler.yamlio.key import cache_key, catalog_files
from reconciler.yamlio.load import load_catalog

REPO = Path(__file__).resolve().parents[2]
PIZZERIA = REPO / "catalogs" / "pizzeria.yaml"


def test_the_most_recently_used_entries_are_kept_whatever_their_names(tmp_path: Path):
    cache = tmp_path / "cache"
    cache.mkdir()
    # names sort one way, use the other: the oldest entry has the name that sorts last
    for name, used in (("catalog-ffff.json", 1_000), ("catalog-0000.json", 2_000)):
        (cache / name).write_text("{}", encoding="utf-8")
        os.utime(cache / name, (used, used))
    load_catalog_cached(PIZZERIA, tmp_path, keep=2)
    new = f"catalog-{cache_key(catalog_files(PIZZERIA))}.json"
    assert sorted(p.name for p in cache.iterdir()) == sorted([new, "catalog-0000.json"])


def test_a_temporary_file_left_by_an_interrupted_write_is_cleared_away(tmp_path: Path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "catalog-abc.4242.tmp").write_text("{", encoding="utf-8")
    load_catalog_cached(PIZZERIA, tmp_path)
    assert [p.suffix for p in cache.iterdir()] == [".json"]


@pytest.mark.parametrize("value", ["off", "OFF", " no ", "0"])
def test_each_way_of_turning_it_off_reads_the_files_and_writes_no_entry(tmp_path: Path, monkeypatch, value):
    monkeypatch.setenv("RECONCILE_CATALOG_CACHE", value)
    assert load_catalog_cached(PIZZERIA, tmp_path) == load_catalog(PIZZERIA)
    assert not (tmp_path / "cache").exists()


def test_a_file_that_cannot_be_read_is_reported_by_the_loader_naming_it(tmp_path: Path):
    dangling = tmp_path / "menu.yaml"
    dangling.symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(CatalogInvalid) as cached:
        load_catalog_cached(dangling, tmp_path / "state")
    with pytest.raises(CatalogInvalid) as loaded:
        load_catalog(dangling)
    assert cached.value.render() == loaded.value.render()
    assert str(dangling) in cached.value.render()
