"""Route tables: each emulated API declares its endpoints; the router finds the one a request hits.

An API is a plain :class:`Api` value (a name and a list of :class:`Route`). Nothing registers itself
on import: ``apis.py`` lists the APIs the emulator serves, explicitly. A route names the SDK function
it emulates (``operation``, e.g. ``bulkCreateDishes``), which is what counters and fault rules use.

An API may also name the restaurant app a site needs for it (``app``: 404 ``APP_NOT_INSTALLED``
otherwise, checked by the core) and offer a ``touch`` hook for the "touch" fault.

Handlers receive a :class:`Call` (path params, typed query, JSON body, the open store transaction
and the site settings) and return a JSON-able dict or a :class:`Reply`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reconciler.emulator.store import Tx
from reconciler.emulator.wire import Params


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Site:
    """Per-site settings every handler may need."""

    currency: str = "USD"
    now: Callable[[], datetime] = utc_now
    id: str | None = None  # the seeded site's id; None: the emulator's default site


@dataclass
class Call:
    tx: Tx
    path: dict[str, str]
    params: Params
    body: dict[str, Any]
    site: Site
    raw: bytes = b""  # the request body as sent, for routes that take bytes (``Route.site_of``)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names; only for those routes


@dataclass
class Reply:
    """A response. ``raw`` is pre-rendered JSON text (lists of stored bodies skip a parse/dump)."""

    payload: dict[str, Any] | None = None
    raw: str | None = None
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)


Handler = Callable[[Call], "dict[str, Any] | Reply"]


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # e.g. "/restaurants/v3/catalogs/{catalogId}/menus/{menuId}"
    operation: str  # the SDK function name, e.g. "getMenu"
    handler: Handler
    writes: bool  # runs in a write transaction
    # A URL that carries its own authorisation (a Media Manager upload URL): the site it is for, from
    # the path parameters, instead of the Authorization header. Its body is bytes, not JSON.
    site_of: Callable[[dict[str, str]], str | None] | None = None


# touch(tx, service, entity id, fields to set, now): simulate a concurrent edit of one entity
# (fault kind "touch"); raises a WixError when the entity does not exist.
Toucher = Callable[[Tx, str, str, "dict[str, Any]", datetime], None]


@dataclass(frozen=True)
class Api:
    name: str
    routes: tuple[Route, ...]
    # The restaurant app a site must have for these routes (see ``seed.installed_apps``); None: any site.
    app: str | None = None
    # The "touch" fault: the services this API can touch, and how.
    touch_services: tuple[str, ...] = ()
    touch: Toucher | None = None


_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _compile(template: str) -> re.Pattern[str]:
    pattern = ""
    last = 0
    for match in _PARAM.finditer(template):
        pattern += re.escape(template[last : match.start()]) + f"(?P<{match.group(1)}>[^/]+)"
        last = match.end()
    pattern += re.escape(template[last:])
    return re.compile(f"^{pattern}$")


@dataclass(frozen=True)
class Match:
    route: Route
    api: Api
    path_params: dict[str, str]


class Router:
    """Static paths by exact lookup; templated ones bucketed by method and number of segments (a
    parameter never spans a ``/``), so a request tries a handful of patterns, not every route."""

    def __init__(self, apis: list[Api]):
        self.apis = list(apis)
        self._static: dict[tuple[str, str], tuple[Route, Api]] = {}
        self._dynamic: dict[tuple[str, int], list[tuple[re.Pattern[str], Route, Api]]] = {}
        for api in self.apis:
            for route in api.routes:
                if "{" in route.template:
                    bucket = self._dynamic.setdefault((route.method, route.template.count("/")), [])
                    bucket.append((_compile(route.template), route, api))
                else:
                    self._static[(route.method, route.template)] = (route, api)

    def match(self, method: str, path: str) -> Match | None:
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        hit = self._static.get((method, path))
        if hit:
            return Match(hit[0], hit[1], {})
        for pattern, route, api in self._dynamic.get((method, path.count("/")), ()):
            found = pattern.match(path)
            if found:
                return Match(route, api, found.groupdict())
        return None

    def operations(self) -> list[str]:
        return sorted({route.operation for api in self.apis for route in api.routes})
