"""The catalog as the last sync left it, kept in memory while its files' bytes are unchanged.

Every sync of serve starts from the catalog file, a stock webhook's too (it needs nothing else of
the POS: a layer entry and one minimal live update). Parsing the YAML of 10,000 dishes takes over a
second, and even the cache of validated catalogs (yamlio/cache.py) validates its JSON again, about
half a second: a stock webhook's whole budget. serve is one long-lived process, so it keeps the last
catalog of each file with the cache key of its bytes (which also covers the code that reads them):
any byte changed is a new key and a real load; a local image whose bytes changed, too. Catalogs are
never changed in place (every stage makes a new one, with ``model_copy``), so one object serves
successive syncs. ``RECONCILE_CATALOG_CACHE=off`` turns this off with the cache.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reconciler.errors import ReconcileError
from reconciler.model.catalog import Catalog
from reconciler.yamlio import images
from reconciler.yamlio.cache import load_catalog_cached
from reconciler.yamlio.key import cache_key, catalog_files

_held: dict[str, tuple[str, Catalog]] = {}  # catalog path -> (cache key of its bytes, the catalog)
_lock = threading.Lock()


def previous(path: Path, state_dir: Path) -> Catalog | None:
    """The catalog as the last sync left it, or None (no file yet, or one that no longer loads)."""
    if not path.exists():
        return None
    key = None
    if os.environ.get("RECONCILE_CATALOG_CACHE", "").strip().lower() not in ("off", "0", "no"):
        try:
            key = cache_key(catalog_files(path))
        except (OSError, ReconcileError):
            key = None  # the loader says what is wrong, below
    with _lock:
        held = _held.get(str(path))
    if key is not None and held is not None and held[0] == key and images.still_current(held[1]):
        return held[1]
    try:
        catalog = load_catalog_cached(path, state_dir)
    except ReconcileError:
        return None
    if key is not None:
        with _lock:
            _held[str(path)] = (key, catalog)
    return catalog


def remember(path: Path, catalog: Catalog) -> None:
    """serve just wrote ``catalog`` to ``path`` (its import proved the text reads back as it): hold it
    with the key of those bytes, so the next sync does not parse what it wrote (over a second at 10,000)."""
    if os.environ.get("RECONCILE_CATALOG_CACHE", "").strip().lower() in ("off", "0", "no"):
        return
    try:
        key = cache_key(catalog_files(path))
    except (OSError, ReconcileError):
        return
    with _lock:
        _held[str(path)] = (key, catalog)
