"""The cache of validated catalogs (reconciler/yamlio/cache.py): a hit is exactly the catalog the
loader would give, any byte change misses, and the cache can never make a command fail or lie."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.errors import CatalogInvalid
from reconciler.yamlio.cache import load_catalog_cached
from reconciler.yamlio.key import cache_key, catalog_files
from reconciler.yamlio.load import load_catalog

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (REPO / "catalogs").iterdir() if p.suffix == ".yaml" or p.is_dir())


def entries(state: Path) -> list[Path]:
    return sorted((state / "cache").glob("catalog-*.json")) if (state / "cache").exists() else []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_a_hit_is_the_catalog_the_loader_gives(example: Path, tmp_path: Path):
    fresh = load_catalog(example)
    first = load_catalog_cached(example, tmp_path)  # a miss: loads and writes the entry
    assert len(entries(tmp_path)) == 1
    second = load_catalog_cached(example, tmp_path)  # a hit
    assert first == fresh and second == fresh
    assert second.model_dump(mode="json") == fresh.model_dump(mode="json")


def test_the_entry_is_what_a_hit_reads(tmp_path: Path):
    """The key names the bytes: an entry planted under the key of the file is what a hit returns,
    and after one byte of the file changes, the real file is read again."""
    catalog = tmp_path / "menu.yaml"
    catalog.write_bytes((REPO / "catalogs" / "pizzeria.yaml").read_bytes())
    state = tmp_path / "state"
    loaded = load_catalog_cached(catalog, state)
    planted = loaded.model_copy(update={"dishes": [loaded.dishes[0].model_copy(update={"name": "Planted"})]})
    (entry,) = entries(state)
    assert entry.name == f"catalog-{cache_key(catalog_files(catalog))}.json"
    entry.write_text(planted.model_dump_json(), encoding="utf-8")
    assert load_catalog_cached(catalog, state).dishes[0].name == "Planted"

    catalog.write_text(catalog.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # one byte more
    assert load_catalog_cached(catalog, state) == load_catalog(catalog)
    assert len(entries(state)) == 2


def test_a_price_edit_is_never_served_from_the_cache(tmp_path: Path):
    catalog = tmp_path / "menu.yaml"
    text = (REPO / "catalogs" / "pizzeria.yaml").read_text(encoding="utf-8")
    catalog.write_text(text, encoding="utf-8")
    before = load_catalog_cached(catalog, tmp_path)
    price = str(before.dishes[0].price)
    edited = text.replace(f'"{price}"', f'"1{price}"', 1)  # a valid price: USD has 2 decimals
    assert edited != text
    catalog.write_text(edited, encoding="utf-8")
    after = load_catalog_cached(catalog, tmp_path)
    assert after == load_catalog(catalog) and after != before


def test_a_damaged_entry_is_ignored_and_removed(tmp_path: Path):
    catalog = REPO / "catalogs" / "pizzeria.yaml"
    load_catalog_cached(catalog, tmp_path)
    (entry,) = entries(tmp_path)
    for damage in (b"", b"{not json", b'{"currency": "nope"}', entry.read_bytes()[:-40]):
        entry.write_bytes(damage)
        assert load_catalog_cached(catalog, tmp_path) == load_catalog(catalog)
        assert entry.exists()  # removed, then written again by the real load


def test_an_invalid_catalog_is_never_cached_and_errors_come_from_the_loader(tmp_path: Path):
    broken = REPO / "tests" / "fixtures" / "broken" / "semantic.yaml"
    with pytest.raises(CatalogInvalid) as direct:
        load_catalog(broken)
    with pytest.raises(CatalogInvalid) as cached:
        load_catalog_cached(broken, tmp_path)
    assert cached.value.problems == direct.value.problems
    assert entries(tmp_path) == []


def test_off_by_environment_and_an_unwritable_cache_cost_nothing_but_time(tmp_path: Path, monkeypatch):
    catalog = REPO / "catalogs" / "pizzeria.yaml"
    monkeypatch.setenv("RECONCILE_CATALOG_CACHE", "off")
    assert load_catalog_cached(catalog, tmp_path) == load_catalog(catalog)
    assert not (tmp_path / "cache").exists()
    monkeypatch.delenv("RECONCILE_CATALOG_CACHE")
    (tmp_path / "cache").write_text("a file where the directory would be", encoding="utf-8")
    assert load_catalog_cached(catalog, tmp_path) == load_catalog(catalog)


def test_old_entries_are_pruned(tmp_path: Path):
    catalog = tmp_path / "menu.yaml"
    text = (REPO / "catalogs" / "pizzeria.yaml").read_text(encoding="utf-8")
    for n in range(12):
        catalog.write_text(text + "\n" * n, encoding="utf-8")
        load_catalog_cached(catalog, tmp_path)
        for i, entry in enumerate(sorted(entries(tmp_path), key=lambda p: p.stat().st_mtime_ns)):
            os.utime(entry, ns=(i * 10**9, i * 10**9))  # a strict order, whatever the clock's resolution
    assert len(entries(tmp_path)) == 8
    catalog.write_text(text + "\n" * 11, encoding="utf-8")
    assert (tmp_path / "cache" / f"catalog-{cache_key(catalog_files(catalog))}.json").exists()


def test_plan_twice_prints_the_same_plan_and_a_changed_file_is_planned_fresh(tmp_path: Path):
    catalog = tmp_path / "menu.yaml"
    text = (REPO / "catalogs" / "pizzeria.yaml").read_text(encoding="utf-8")
    catalog.write_text(text, encoding="utf-8")
    state = ["--state-dir", str(tmp_path / "state")]
    runner = CliRunner()
    first = runner.invoke(cli, ["plan", str(catalog), "--format", "json", *state])
    second = runner.invoke(cli, ["plan", str(catalog), "--format", "json", *state])
    assert first.exit_code == 0, first.output
    assert first.output == second.output and entries(tmp_path / "state")
    price = str(load_catalog(catalog).dishes[0].price)
    catalog.write_text(text.replace(f'"{price}"', f'"1{price}"', 1), encoding="utf-8")
    third = runner.invoke(cli, ["plan", str(catalog), "--format", "json", *state])
    assert third.exit_code == 0 and f"1{price}" in third.output
