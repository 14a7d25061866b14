"""The APIs one emulator serves, listed explicitly (no import-time registration).

To add an API, give it a module with an ``api() -> routing.Api`` and add it here; it then shares the
server, the store (its own ``api`` value in the entities table), the auth check and every knob.
Catalogs v3 and Menus (New) each need their restaurant app on the site (``seed.installed_apps``).
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.emulator import locations, media, menus, orders, v3
from reconciler.emulator.routing import Api
from reconciler.emulator.seed import V3_APP


def default_apis() -> list[Api]:
    return [locations.api(), replace(v3.api(), app=V3_APP), menus.api(), orders.api(), media.api()]
