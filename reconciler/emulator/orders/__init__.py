"""Wix Restaurants Online Orders, the two services reconcile syncs menus through
(docs/wix-online-orders.md): Menu Ordering Settings (per menu: online ordering on or off, and
when the menu can be ordered) and Availability Exceptions (periods that block some or all
fulfilment methods of an operation, such as a holiday closure).

Served at Wix's REST paths (``/menu-ordering-settings/v1/...``,
``/restaurants-availability-exceptions/v1/...``) and at the site-domain paths the SDK emits for a
host that is not a Wix API host (``/_api/...``). The rows sit with the Menus (New) rows (the
menus are what the settings belong to), so the site needs the ``menus`` app (O8). Modules:
``common`` (rows, operations, cursors), ``schedule`` (availability rules and time slots),
``settings``, ``exceptions``.
"""

from __future__ import annotations

from reconciler.emulator.orders import exceptions, settings
from reconciler.emulator.routing import Api, Handler, Route

API = "online-orders"
APP = "menus"
SETTINGS_BASE = "/menu-ordering-settings"
EXCEPTIONS_BASE = "/restaurants-availability-exceptions"

# (base, SDK service, SDK function, method, path after the base, handler, writes); the fixed
# availability-status path comes before the Get path that would otherwise take it
ENDPOINTS: tuple[tuple[str, str, str, str, str, Handler, bool], ...] = (
    (SETTINGS_BASE, "menuOrderingSettings", "listMenusAvailabilityStatus", "GET",
     "/v1/menu-ordering-settings/menus-availability-status", settings.handle_availability_status, False),
    (SETTINGS_BASE, "menuOrderingSettings", "getMenuOrderingSettings", "GET",
     "/v1/menu-ordering-settings/{menuOrderingSettingsId}", settings.handle_get, False),
    (SETTINGS_BASE, "menuOrderingSettings", "upsertMenuOrderingSettingsByMenuId", "POST",
     "/v1/menu-ordering-settings/upsert/menu-id/{menuId}", settings.handle_upsert, True),
    (SETTINGS_BASE, "menuOrderingSettings", "updateMenuOrderingSettings", "PATCH",
     "/v1/menu-ordering-settings/{id}", settings.handle_update, True),
    (SETTINGS_BASE, "menuOrderingSettings", "queryMenuOrderingSettings", "POST",
     "/v1/menu-ordering-settings/query", settings.handle_query, False),
    (SETTINGS_BASE, "menuOrderingSettings", "bulkUpdateMenuOrderingSettings", "POST",
     "/v1/bulk/menu-ordering-settings/update", settings.handle_bulk_update, True),
    (EXCEPTIONS_BASE, "availabilityExceptions", "createAvailabilityException", "POST",
     "/v1/availability-exceptions", exceptions.handle_create, True),
    (EXCEPTIONS_BASE, "availabilityExceptions", "getAvailabilityException", "GET",
     "/v1/availability-exceptions/{availabilityExceptionId}", exceptions.handle_get, False),
    (EXCEPTIONS_BASE, "availabilityExceptions", "updateAvailabilityException", "PATCH",
     "/v1/availability-exceptions/{id}", exceptions.handle_update, True),
    (EXCEPTIONS_BASE, "availabilityExceptions", "deleteAvailabilityException", "DELETE",
     "/v1/availability-exceptions/{availabilityExceptionId}", exceptions.handle_delete, True),
    (EXCEPTIONS_BASE, "availabilityExceptions", "queryAvailabilityExceptions", "POST",
     "/v1/availability-exceptions/query", exceptions.handle_query, False),
    (EXCEPTIONS_BASE, "availabilityExceptions", "bulkCreateAvailabilityExceptions", "POST",
     "/v1/bulk/availability-exceptions/create", exceptions.handle_bulk_create, True),
    (EXCEPTIONS_BASE, "availabilityExceptions", "bulkUpdateAvailabilityExceptions", "POST",
     "/v1/bulk/availability-exceptions/update", exceptions.handle_bulk_update, True),
)  # fmt: skip


def api() -> Api:
    routes = tuple(
        Route(method, prefix + base + path, f"{service}.{function}", handler, writes)
        for base, service, function, method, path, handler, writes in ENDPOINTS
        for prefix in ("", "/_api")
    )
    return Api(name=API, routes=routes, app=APP)
