"""The Wix Restaurants "Menus (New)" API (reference ``wix-menus-new.md``): its seven services.

Menus, sections, items, item variants, item labels, item modifiers and item modifier groups, at
their canonical paths and under the shared ``/restaurants/menus/v1`` alias (§1.1). Served by the same
emulator as Catalogs v3 (one server, one store with ``api = 'menus-v1'``, one auth check, the same
knobs); a site needs the ``menus`` app (``seed --app menus``), else 404 ``APP_NOT_INSTALLED``.
Operation names are ``<service>.<SDK function>``, e.g. ``items.bulkCreateItems``.

Modules (one concept each): ``services`` (the seven services as data), ``routes`` (endpoints and
aliases), ``crud`` (the shared handlers), ``bulk`` (per-element bulk outcomes), ``entities``
(create / update / delete / touch), ``shapes`` (wire shape, defaults, PATCH and masks), ``validate``
(schema checks), ``rules`` (revision, pricing one-of, modifier-group rules, references), ``graph``
(derived business locations), ``filters`` and ``paging`` (Query filters, sort, cursors),
``duplicate``, ``menus`` (extended fields, site URL), ``search``, ``touch``, ``demo``, ``repo``.
"""

from __future__ import annotations

from reconciler.emulator.menus.routes import routes
from reconciler.emulator.menus.services import API
from reconciler.emulator.menus.touch import SERVICES, touch
from reconciler.emulator.routing import Api

APP = "menus"


def api() -> Api:
    return Api(name=API, routes=routes(), app=APP, touch_services=SERVICES, touch=touch)
