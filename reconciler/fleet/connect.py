"""How a fleet process reaches its sites: connection pools shared by all of them, each site's own credentials.

A process (the local engine's roll-out, or a Temporal worker) runs steps of many sites. Each step
used to open a client of its own: a new connection pool, new connections to the same API, and
the site's location looked up again, for every step of every site. Now:

* **pools shared across sites** (:class:`SitePool`): a step borrows a connection pool the
  process already has, with its keep-alive connections, and gives it back for the next step of
  any site. Connections carry no credentials: a site's step opens a light client of its own on
  the pool (:class:`SiteTransport`), and its :class:`~reconciler.http.Session`
  puts *that site's* headers (``Authorization``, ``wix-site-id``) on each request it sends. Cookies,
  too, stay in the step's own client. So a request never carries another site's token, whichever
  connection it travels on;
* **the site's budgets** are spent by :class:`SiteTransport` before each request, retries included;
* **the resolved location** (the target's ``resolve()``: location id, name, time zone; the
  catalog id on Catalogs v3) is kept per site for the run (``SiteContext.resolved``, keyed by the
  roll-out), so fetch, plan, apply and verify look it up once instead of four times. A new
  roll-out looks it up again (a location can be renamed between runs).

The sandbox target has no HTTP (its emulator runs in-process); it is opened as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx

from reconciler.credentials import DEFAULT_BASE_URL, wix_from_env
from reconciler.errors import ConfigError
from reconciler.fleet.budget import Budget
from reconciler.fleet.model import Site
from reconciler.http import Session
from reconciler.targets.registry import WIX, AnyTarget, open_target
from reconciler.tls import tls_context

if TYPE_CHECKING:
    from reconciler.fleet.site import SiteContext

TIMEOUT = 30.0  # seconds per request (connect, read, write, waiting for a pooled connection)
CONNECTIONS = 8  # per pool: one site's reads go out at once


class SitePool:
    """The process's connection pools, lent to one step at a time and shared across sites.

    A step leases a pool (up to :data:`CONNECTIONS` connections, as one site's reads need), and
    gives it back when done; the next step, of whichever site, takes it with its connections still
    open. So there are about as many pools as steps run at once, and a step neither builds a pool
    nor opens connections again. Not one pool for everything: httpx's pool scans every connection
    and waiting request each time one is assigned, and with hundreds of them that scan cost more
    than the connections it saved. Pools belong to an event loop (their connections do)."""

    def __init__(self) -> None:
        self._free: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[httpx.AsyncHTTPTransport]] = (
            weakref.WeakKeyDictionary()
        )
        self.opened = 0  # pools built so far

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[httpx.AsyncHTTPTransport]:
        free = self._free.setdefault(asyncio.get_running_loop(), [])
        if free:
            pool = free.pop()
        else:
            pool = httpx.AsyncHTTPTransport(verify=tls_context(), limits=httpx.Limits(max_connections=CONNECTIONS))
            self.opened += 1
        try:
            yield pool
        finally:
            free.append(pool)

    async def aclose(self) -> None:
        for pool in self._free.pop(asyncio.get_running_loop(), []):
            await pool.aclose()


class SiteTransport(httpx.AsyncBaseTransport):
    """One site's way into the shared pool: spends one request of the site's budgets, then sends.
    Closing it (when its step's client closes) leaves the pool open for the next step."""

    def __init__(self, shared: httpx.AsyncBaseTransport, budget: Budget | None, site_id: str) -> None:
        self.shared = shared
        self.budget = budget
        self.site_id = site_id

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.budget is not None:
            await self.budget.take(self.site_id)
        return await self.shared.handle_async_request(request)

    async def aclose(self) -> None:
        return None  # the pool goes back to the process's SitePool, which closes it


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


@contextlib.asynccontextmanager
async def open_site(
    ctx: SiteContext, site: Site, location: str | None, rollout_id: str | None = None
) -> AsyncIterator[AnyTarget]:
    """The site's target, with its own credentials, its requests spending its budgets, over the
    process's pool; its location resolved once per roll-out (``rollout_id``; None: not kept)."""
    fleet = ctx.fleet.file
    catalog = ctx.fleet.catalog(site)
    location = location or catalog.location
    name = fleet.target_of(site)
    if name == "sandbox":
        # Each sandbox site is an emulated Wix site of its own, in the state directory.
        async with open_target(
            "sandbox", location, ctx.state_dir / "sites" / _safe(site.site_id), catalog.currency
        ) as t:
            yield t
        return
    credentials = fleet.credentials_of(site)
    variable = credentials.api_key_env or credentials.access_token_env or ""
    secret = os.environ.get(variable)
    if not secret:
        raise ConfigError(f"{variable} is not set: it holds the Wix credentials of site {site.label}")
    env = {"WIX_API_BASE_URL": fleet.base_url_of(site) or os.environ.get("WIX_API_BASE_URL") or DEFAULT_BASE_URL}
    if credentials.api_key_env:
        env.update(WIX_API_KEY=secret, WIX_SITE_ID=site.site_id)
    else:
        env.update(WIX_ACCESS_TOKEN=secret)
    wix = wix_from_env(env)
    key = (rollout_id, site.site_id, location, name, wix.base_url) if rollout_id else None
    async with (
        ctx.pool.lease() as pool,
        httpx.AsyncClient(
            base_url=wix.base_url, timeout=TIMEOUT, transport=SiteTransport(pool, ctx.budget, site.site_id)
        ) as client,
    ):
        session = Session(client, wix.headers, list(wix.secrets))
        # The registry's target (the fleet file checked the name), given the location it resolved
        # earlier in this roll-out, if any.
        target = WIX[name](session, location, resolved=ctx.resolved.get(key) if key else None)
        if key is not None:
            ctx.remember(key, await target.resolve())
        yield target
