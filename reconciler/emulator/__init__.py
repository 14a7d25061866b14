"""A local emulator of the Wix Restaurants Catalogs v3 API (plus the Locations list), for the CLI's
"sandbox" target, end-to-end tests and benchmarks. See docs/emulator.md.

Modules (one concept each): ``core`` (the Emulator), ``routing`` / ``apis`` (route tables),
``store`` (SQLite state), ``wire`` (query and body parsing), ``errors`` (Wix error envelope),
``knobs`` / ``faults`` (latency, fault injection, counters), ``admin`` (``/_emulator/`` API),
``asgi`` and ``transport`` (the two ways to reach it), ``seed``, ``sites`` (many sites in one
emulator), ``synthetic`` (generated menus), ``locations``, ``v3/`` (the Catalogs v3 endpoints and
rules) and ``menus/`` (Menus (New)).
"""

from reconciler.emulator.core import SANDBOX_TOKEN, Emulator
from reconciler.emulator.seed import SeededLocation, SeededSite, reset, seed, seed_sites
from reconciler.emulator.store import Store, default_state_path, open_store

__all__ = [
    "SANDBOX_TOKEN",
    "Emulator",
    "SeededLocation",
    "SeededSite",
    "Store",
    "default_state_path",
    "open_store",
    "reset",
    "seed",
    "seed_sites",
]
