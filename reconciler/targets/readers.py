"""The Wix targets' readers: where a target is and what is live there, without what plans for it.

A plan the plan memo answers (reconciler/cli/plan_answer.py) opens one of these instead of the whole
target (registry.py): each target is its reader plus its planning and applying side, so a memo's
answer imports neither, nor the catalog model they are built on.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx

from reconciler.credentials import WixCredentials, wix_from_env
from reconciler.http import RetryPolicy, Session
from reconciler.tls import tls_context

if TYPE_CHECKING:
    from reconciler.targets.wix_menus.reader import MenusReader
    from reconciler.targets.wix_v3.reader import V3Reader

    AnyReader = V3Reader | MenusReader

# Each Wix target's reader (module, class), by the target's name (registry.WIX: the same names,
# whole targets). Imported when that target is used: a plan of one never loads the other's reader
# (31 ms of a memo's answer on Catalogs v3 was the Menus (New) reader and its capability tables).
READERS = {
    "wix-v3": ("reconciler.targets.wix_v3.reader", "V3Reader"),
    "wix-menus": ("reconciler.targets.wix_menus.reader", "MenusReader"),
}
TARGETS = ("sandbox", *READERS)


@contextlib.asynccontextmanager
async def wix_session(
    credentials: WixCredentials | None = None, timeout: float = 30.0, policy: RetryPolicy | None = None
) -> AsyncIterator[Session]:
    """A session to the Wix API with ``credentials``, by default those of the environment; closed afterwards."""
    credentials = credentials or wix_from_env()
    async with httpx.AsyncClient(
        base_url=credentials.base_url, timeout=timeout, limits=httpx.Limits(max_connections=16), verify=tls_context()
    ) as client:
        yield Session(client, credentials.headers, list(credentials.secrets), policy)


def reader_class(name: str) -> type[AnyReader]:
    """The reader class of the Wix target ``name``, imported now."""
    module, cls = READERS[name]
    found: type[AnyReader] = getattr(importlib.import_module(module), cls)
    return found


def reader(name: str, session: Session, location: str | None) -> AnyReader:
    """The reader of the Wix target ``name`` at ``location`` (a location's id or name, or None: the only one)."""
    return reader_class(name)(session, location)
