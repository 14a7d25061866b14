"""The catalog cache's key (yamlio/key.py): every file's path and bytes, split unambiguously."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler import limits
from reconciler.errors import CatalogInvalid
from reconciler.yamlio.key import cache_key, catalog_files


def test_the_same_bytes_under_another_name_are_another_key(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("version: 1\n")
    (tmp_path / "b.yaml").write_text("version: 1\n")
    assert cache_key([tmp_path / "a.yaml"]) != cache_key([tmp_path / "b.yaml"])
    assert cache_key([tmp_path / "a.yaml"]) == cache_key([tmp_path / "a.yaml"])


def test_bytes_moved_from_one_file_to_the_next_are_another_key(tmp_path: Path):
    first, second = tmp_path / "1.yaml", tmp_path / "2.yaml"
    first.write_text("ab")
    second.write_text("c")
    before = cache_key([first, second])
    first.write_text("a")
    second.write_text("bc")
    assert cache_key([first, second]) != before


def test_a_directory_is_its_yaml_files_in_order_at_any_depth(tmp_path: Path):
    (tmp_path / "b").mkdir()
    for name in ("b/z.yml", "a.yaml", "notes.txt", "b/c.yaml"):
        (tmp_path / name).write_text("version: 1\n")
    (tmp_path / "d.yaml").mkdir()  # a folder with a YAML name is not a file
    assert catalog_files(tmp_path) == [tmp_path / n for n in ("a.yaml", "b/c.yaml", "b/z.yml")]


def test_a_directory_without_yaml_files_or_with_too_many_is_refused(tmp_path: Path):
    with pytest.raises(CatalogInvalid) as empty:
        catalog_files(tmp_path)
    assert empty.value.render() == f"{tmp_path}: the directory holds no .yaml files"
    for n in range(limits.MAX_CATALOG_FILES + 1):
        (tmp_path / f"{n}.yaml").write_text("")
    with pytest.raises(CatalogInvalid) as many:
        catalog_files(tmp_path)
    count, most = limits.MAX_CATALOG_FILES + 1, limits.MAX_CATALOG_FILES
    assert (
        many.value.render()
        == f"{tmp_path}: the directory holds {count:,} .yaml files; at most {most:,} are read as one catalog"
    )
