"""Dish images: a URL or a local file next to the catalog (model/images.py, yamlio/images.py).

A local file is refused with file:line:column when it is missing, not a regular file, too large
or not an image; a good one is recorded with its SHA-256, which is what the essence compares.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from reconciler.engine.essence import essence
from reconciler.engine.vocabulary import Kind
from reconciler.errors import CatalogInvalid
from reconciler.model.catalog import Dish
from reconciler.model.images import MAX_IMAGE_BYTES, content_key, essence_value, source_of
from reconciler.yamlio.cache import load_catalog_cached
from reconciler.yamlio.dump import dump_catalog
from reconciler.yamlio.load import load_catalog

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _catalog(folder: Path, *images: str) -> Path:
    lines = ["currency: USD", "menus:", "  - id: m", "    name: M", "    sections:", "      - id: s", "        name: S"]
    lines.append("        dishes: [" + ", ".join(f"d{i}" for i in range(len(images))) + "]")
    lines.append("dishes:")
    for i, image in enumerate(images):
        lines += [f"  - id: d{i}", f"    name: Dish {i}", '    price: "1.00"', f'    image: "{image}"']
    path = folder / "catalog.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(path)
    return [p.render() for p in caught.value.problems]


@pytest.mark.parametrize(
    "value", ["https://example.com/a.jpg", "http://127.0.0.1:8000/x.png", "photos/burger.jpg", "../shared/a b.png"]
)
def test_an_image_is_a_url_or_a_relative_path(value):
    assert Dish(id="a", name="A", price="1", image=value).image == value


@pytest.mark.parametrize(
    "value, reason",
    [
        ("/srv/photos/a.jpg", "relative to the catalog file"),
        ("~/a.jpg", "relative to the catalog file"),
        ("photos\\a.jpg", "relative to the catalog file"),
        ("ftp://example.com/a.jpg", "an http(s) URL or a path"),
        ("file:///etc/passwd", "an http(s) URL or a path"),
        ("https://", "not a valid http(s) URL"),
        ("photos/", "not a file path"),
        (" photos/a.jpg", "not a file path"),
        ("a sha256:00", "may not contain"),
    ],
)
def test_a_bad_image_value_says_why(value, reason):
    with pytest.raises(ValidationError, match=re.escape(reason)):
        Dish(id="a", name="A", price="1", image=value)


def test_a_local_image_is_recorded_with_its_hash_and_type(tmp_path: Path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "burger.jpg").write_bytes(JPEG)
    catalog = load_catalog(_catalog(tmp_path, "photos/burger.jpg", "https://example.com/a.png"))
    local, remote = catalog.dishes
    assert local.image_file is not None and remote.image_file is None
    assert local.image_file.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert local.image_file.mime == "image/jpeg" and local.image_file.size == len(JPEG)
    assert Path(local.image_file.path) == tmp_path / "photos" / "burger.jpg"
    records = essence(catalog)
    assert records[(Kind.DISH, "d0")]["image"] == f"photos/burger.jpg sha256:{hashlib.sha256(JPEG).hexdigest()}"
    assert records[(Kind.DISH, "d1")]["image"] == "https://example.com/a.png"


def test_the_yaml_keeps_the_path_as_written(tmp_path: Path):
    (tmp_path / "a.png").write_bytes(PNG)
    text = dump_catalog(load_catalog(_catalog(tmp_path, "a.png")))
    assert "image: a.png\n" in text and "sha256" not in text and "image_file" not in text


def test_every_bad_file_is_reported_at_its_line(tmp_path: Path):
    (tmp_path / "notes.jpg").write_text("not an image")
    (tmp_path / "folder.jpg").mkdir()
    (tmp_path / "empty.png").write_bytes(b"")
    with open(tmp_path / "huge.jpg", "wb") as handle:  # sparse: only its size matters
        handle.write(JPEG)
        handle.truncate(MAX_IMAGE_BYTES + 1)
    os.mkfifo(tmp_path / "pipe.jpg")  # would block a careless reader
    path = _catalog(tmp_path, "missing.jpg", "notes.jpg", "folder.jpg", "empty.png", "huge.jpg", "pipe.jpg")
    problems = _problems(path)
    assert len(problems) == 6
    expected = [
        (13, "missing.jpg: no such file"),
        (17, "notes.jpg: is not a JPEG, PNG, GIF or WebP image"),
        (21, "folder.jpg: is a directory"),
        (25, "empty.png: is empty"),
        (29, "huge.jpg: is 25.0 MiB; Wix takes images of at most 25 MiB"),
        (33, "pipe.jpg: is not a regular file"),
    ]
    for problem, (line, text) in zip(problems, expected, strict=True):
        assert problem.startswith(f"{path}:{line}:") and text in problem, problem


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(tmp_path: Path):
    (tmp_path / "secret.jpg").write_bytes(JPEG)
    (tmp_path / "secret.jpg").chmod(0)
    assert "secret.jpg: cannot be read" in _problems(_catalog(tmp_path, "secret.jpg"))[0]


def test_the_loader_computes_image_file_and_refuses_it_written(tmp_path: Path):
    path = _catalog(tmp_path, "https://example.com/a.jpg")
    path.write_text(path.read_text() + "    image_file: {path: x, sha256: y, size: 1, mime: image/jpeg}\n")
    assert any("image_file: is computed by reconcile" in p for p in _problems(path))


def test_a_directory_catalog_resolves_images_next_to_its_files(tmp_path: Path):
    folder = tmp_path / "menu"
    folder.mkdir()
    (folder / "pizza.png").write_bytes(PNG)
    _catalog(folder, "pizza.png")
    assert load_catalog(folder).dishes[0].image_file is not None


def test_the_cache_notices_a_changed_image(tmp_path: Path):
    (tmp_path / "a.jpg").write_bytes(JPEG)
    path = _catalog(tmp_path, "a.jpg")
    state = tmp_path / "state"
    first = load_catalog_cached(path, state)
    (tmp_path / "a.jpg").write_bytes(JPEG + b"changed")
    second = load_catalog_cached(path, state)
    assert first.dishes[0].image_file and second.dishes[0].image_file
    assert second.dishes[0].image_file.sha256 == hashlib.sha256(JPEG + b"changed").hexdigest()
    (tmp_path / "a.jpg").unlink()
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog_cached(path, state)
    assert "a.jpg: no such file" in caught.value.problems[0].render()


def test_content_keys_name_bytes_for_files_and_text_for_urls():
    digest = hashlib.sha256(JPEG).hexdigest()
    value = f"photos/a b.jpg sha256:{digest}"
    assert content_key(value) == f"sha256:{digest}" and source_of(value) == "photos/a b.jpg"
    url = "https://example.com/a.jpg"
    assert content_key(url) == "sha256:" + hashlib.sha256(url.encode()).hexdigest() and source_of(url) == url
    assert essence_value(url, None) == url and essence_value(None, None) is None
