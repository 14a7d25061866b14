"""The APIs one emulator serves, listed explicitly (no import-time registration).

To add an API (e.g. Menus (New) in ``reconciler/emulator/menus/``), give it a module with an
``api() -> routing.Api`` and add it here; it then shares the server, the store (its own ``api``
value in the entities table), the auth check and every knob.
"""

from __future__ import annotations

from reconciler.emulator import locations, v3
from reconciler.emulator.routing import Api


def default_apis() -> list[Api]:
    return [locations.api(), v3.api()]
