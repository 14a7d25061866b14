"""Which files a catalog is, and the key of their bytes (the catalog cache's, cache.py; the plan
memo's request, engine/memo.py).

Apart from the loader, so that a plan the plan memo answers finds its key without importing the
YAML parser or the catalog model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path as FsPath

from reconciler import __version__, limits
from reconciler.errors import CatalogInvalid, Problem
from reconciler.files import read_bytes

FORMAT = "reconcile-catalog-cache/1"
_CODE = ("model", "yamlio")  # the packages whose code decides what a catalog file means


def catalog_files(target: str | FsPath) -> list[FsPath]:
    path = FsPath(target)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and not p.is_dir())
        if not files:
            raise CatalogInvalid([Problem(str(path), 0, 0, "", "the directory holds no .yaml files")])
        if len(files) > limits.MAX_CATALOG_FILES:
            raise CatalogInvalid(
                [
                    Problem(
                        str(path),
                        0,
                        0,
                        "",
                        f"the directory holds {len(files):,} .yaml files; at most "
                        f"{limits.MAX_CATALOG_FILES:,} are read as one catalog",
                    )
                ]
            )
        return files
    if not path.exists() and not path.is_symlink():
        raise CatalogInvalid([Problem(str(path), 0, 0, "", "no such file or directory")])
    return [path]


def cache_key(files: list[FsPath]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\0{__version__}\0{_code_fingerprint()}\0".encode())
    for file in files:
        data = read_bytes(file)  # a regular file within the input limit (never a FIFO to wait on)
        digest.update(f"{file}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


_code_digest: str | None = None


def _code_fingerprint() -> str:
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256()
        root = FsPath(__file__).resolve().parents[1]
        for package in _CODE:
            for source in sorted((root / package).glob("*.py")):
                digest.update(source.name.encode() + b"\0" + source.read_bytes())
        _code_digest = digest.hexdigest()
    return _code_digest
