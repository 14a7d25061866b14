"""A cache of validated catalogs, keyed by the exact bytes they were read from.

Parsing and validating YAML is most of a no-op `reconcile plan` of a big catalog (10,000 dishes:
about a second, the YAML library's own time being the floor), and most runs read a catalog that has
not changed since the last one. So plan and apply keep the validated catalog as JSON in the state
directory (``<state>/cache/``) and, when the files are byte-for-byte the same, read that instead.

Why it is safe:
- The key is a SHA-256 over every file's path and bytes (a directory catalog: the sorted list of its
  files), reconcile's version and the source of the code that reads and validates catalogs; any byte
  change of any of them is a different key.
- Only a catalog that validated is cached, so errors always come from the real loader, with their
  file, line and field. A cache entry that cannot be read or no longer validates is ignored (and
  removed); the catalog is then loaded as if there were no cache.
- The cached form is JSON validated again by the model on every hit (never pickle): a damaged or
  edited cache file cannot run code, only miss.

``RECONCILE_CATALOG_CACHE=off`` turns it off.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from pydantic import ValidationError

from reconciler.files import FileProblem
from reconciler.model.catalog import Catalog
from reconciler.yamlio import images
from reconciler.yamlio.key import cache_key, catalog_files
from reconciler.yamlio.load import load_catalog

KEEP = 8  # entries kept per state directory: a few catalogs, a few branches


def load_catalog_cached(target: str | Path, state_dir: Path | None, keep: int = KEEP) -> Catalog:
    """The catalog at ``target``, validated; from the cache in ``state_dir`` when its bytes are unchanged.
    ``keep``: entries the cache keeps (a fleet of more distinct catalogs than :data:`KEEP` asks for
    them all, or every command would evict each catalog before its next use)."""
    if state_dir is None or os.environ.get("RECONCILE_CATALOG_CACHE", "").strip().lower() in ("off", "0", "no"):
        return load_catalog(target)
    files = catalog_files(target)  # raises the loader's own error for a missing path
    try:
        key = cache_key(files)
    except (OSError, FileProblem):
        return load_catalog(target)  # not a readable regular file within limits: the loader says so
    entry = state_dir / "cache" / f"catalog-{key}.json"
    cached = _read(entry)
    if cached is not None and not images.still_current(cached):
        cached = None  # a local image's bytes changed: the key covers only the YAML files
    if cached is not None:
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used: kept by the pruning
        return cached
    catalog = load_catalog(target)
    _write(entry, catalog, keep)
    return catalog


def _read(entry: Path) -> Catalog | None:
    try:
        text = entry.read_bytes()
    except OSError:
        return None
    try:
        return Catalog.model_validate_json(text)
    except (ValidationError, ValueError):
        entry.unlink(missing_ok=True)  # damaged or from another model: load for real
        return None


def _write(entry: Path, catalog: Catalog, keep: int = KEEP) -> None:
    """Best effort: a cache that cannot be written costs time on the next run, never the command."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(catalog.model_dump_json(), encoding="utf-8")
        os.replace(partial, entry)
        _prune(entry.parent, keep)
    except OSError:
        return


def _prune(directory: Path, keep: int = KEEP) -> None:
    entries = sorted(directory.glob("catalog-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [*entries[keep:], *directory.glob("catalog-*.tmp")]:
        old.unlink(missing_ok=True)
