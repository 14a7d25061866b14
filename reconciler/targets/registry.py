"""The targets a catalog can be planned and applied against, registered explicitly.

sandbox     the embedded emulator (state under .reconcile/), no credentials needed
wix-v3      Wix Restaurants Catalogs v3, at WIX_API_BASE_URL with credentials from the environment
wix-menus   Wix Restaurants Menus (New), likewise
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from reconciler.credentials import WixCredentials
from reconciler.engine.sharing import is_shared
from reconciler.errors import ConfigError
from reconciler.http import RetryPolicy, Session
from reconciler.targets import readers
from reconciler.targets.base import Target
from reconciler.targets.locations import list_locations
from reconciler.targets.wix_menus.site import SharedMenusTarget
from reconciler.targets.wix_menus.target import WixMenusTarget
from reconciler.targets.wix_v3.target import WixV3Target

if TYPE_CHECKING:
    from reconciler.emulator import Emulator

WIX = {cls.name: cls for cls in (WixV3Target, WixMenusTarget)}  # by API: "v3" and "menus" below
TARGETS = readers.TARGETS  # the same names as WIX (tests/e2e/test_plan_answer_imports.py)
SANDBOX_URL = "http://sandbox.reconcile.invalid"
AnyTarget = Target[Any, Any]
SiteOpener = Callable[[str], AbstractAsyncContextManager[AnyTarget]]  # a Wix location's id or name → its target


@contextlib.asynccontextmanager
async def open_target(
    name: str,
    location: str | None,
    state_dir: Path,
    currency: str = "USD",
    timeout: float = 30.0,
    policy: RetryPolicy | None = None,
    credentials: WixCredentials | None = None,
) -> AsyncIterator[AnyTarget]:
    """Yield a ready target; the HTTP client is closed afterwards. Wix targets use ``credentials``,
    by default those of the environment (:func:`wix_from_env`)."""
    if name == "sandbox":
        async with _sandbox(location, state_dir, currency, timeout, policy) as target:
            yield target
        return
    if name in WIX:
        async with readers.wix_session(credentials, timeout, policy) as session:
            yield make(name, session, location)
        return
    raise ConfigError(f'unknown target "{name}"; choose one of: {", ".join(TARGETS)}')


def make(name: str, session: Session, location: str | None, label: str | None = None) -> AnyTarget:
    """The target ``name`` at ``location``; a shared reference (engine/sharing.py) opens the locations
    it names as one site where the target shares entities across locations (Menus (New))."""
    cls = WIX[name]
    if location is not None and is_shared(location) and cls.shares_locations:
        return SharedMenusTarget(session, location, label)
    return cls(session, location, label=label) if label else cls(session, location)


@contextlib.asynccontextmanager
async def emulator_target(
    emulator: Emulator,
    location: str | None,
    label: str = "sandbox",
    timeout: float = 30.0,
    policy: RetryPolicy | None = None,
    api: str = "v3",
) -> AsyncIterator[AnyTarget]:
    """A target talking to an in-process emulator (the sandbox, and fast tests); ``api``: v3 or menus."""
    async with _emulator_session(emulator, timeout, policy) as session:
        yield make("wix-v3" if api == "v3" else "wix-menus", session, location, label)


@contextlib.asynccontextmanager
async def _emulator_session(emulator: Emulator, timeout: float, policy: RetryPolicy | None) -> AsyncIterator[Session]:
    from reconciler.emulator import SANDBOX_TOKEN

    async with httpx.AsyncClient(transport=emulator.transport(), base_url=SANDBOX_URL, timeout=timeout) as client:
        yield Session(client, {"Authorization": SANDBOX_TOKEN}, [SANDBOX_TOKEN], policy)


@contextlib.asynccontextmanager
async def _sandbox(
    location: str | None, state_dir: Path, currency: str, timeout: float, policy: RetryPolicy | None
) -> AsyncIterator[AnyTarget]:
    from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed

    store = open_store(str(state_dir / "sandbox.sqlite"))
    emulator = Emulator(store, token=SANDBOX_TOKEN, currency=currency)
    async with _emulator_session(emulator, timeout, policy) as session:
        if not await list_locations(session):
            # First use: a one-location site, selling in the catalog's currency.
            seed(store, locations=1, names=["Sandbox Restaurant"], currency=currency)
    async with emulator_target(emulator, location, "sandbox", timeout, policy) as target:
        yield target


@contextlib.asynccontextmanager
async def open_site(
    name: str,
    state_dir: Path,
    currency: str = "USD",
    names: list[str] | None = None,
    timeout: float = 30.0,
    policy: RetryPolicy | None = None,
    credentials: WixCredentials | None = None,
) -> AsyncIterator[SiteOpener]:
    """Yield an opener of one target per location of a site, all sharing one HTTP client.

    On the sandbox, ``names`` are the locations a catalog of several locations names: the ones the
    emulated site lacks are created, so a chain's catalog works there without setup. Wix targets
    use ``credentials``, by default those of the environment.
    """
    if name == "sandbox":
        from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed

        store = open_store(str(state_dir / "sandbox.sqlite"))
        emulator = Emulator(store, token=SANDBOX_TOKEN, currency=currency)
        async with _emulator_session(emulator, timeout, policy) as session:
            known = await list_locations(session)
            wanted = [
                n for n in dict.fromkeys(names or []) if not any(n in (k.get("name"), k.get("id")) for k in known)
            ]
            if wanted or not known:
                seed(store, locations=len(wanted) or 1, names=wanted or ["Sandbox Restaurant"], currency=currency)

            @contextlib.asynccontextmanager
            async def sandbox(location: str) -> AsyncIterator[AnyTarget]:
                yield WIX["wix-v3"](session, location, label="sandbox")

            yield sandbox
        return
    if name in WIX:
        async with readers.wix_session(credentials, timeout, policy) as session:

            @contextlib.asynccontextmanager
            async def wix(location: str) -> AsyncIterator[AnyTarget]:
                yield make(name, session, location)

            yield wix
        return
    raise ConfigError(f'unknown target "{name}"; choose one of: {", ".join(TARGETS)}')
