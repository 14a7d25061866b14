"""A Menus (New) read through the snapshot is the site as it was when the Queries answered, even
when a create and a delete land around the Query and the Count (snapshot.py).

The writes are made by another client of the same emulator at the moment a request of the read
reaches it (a concurrent dashboard edit, made deterministic): before the Query, between the Query
and the Count. The oracle is a full read made afterwards, when the site is quiet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from reconciler.http import Session
from reconciler.targets.wix_menus import raw, snapshot
from reconciler.targets.wix_menus.client import MenusApi

ITEMS = "/restaurants/menus-item/v1/items"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Interleaved(httpx.AsyncBaseTransport):
    """The emulator's transport, running ``before[suffix]`` (once) when the first request whose
    path ends with ``suffix`` arrives, before the emulator answers it."""

    def __init__(self, emulator: Emulator, before: dict[str, Callable[[], None]]) -> None:
        self.inner = emulator.transport()
        self.before = dict(before)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for ending in [s for s in self.before if request.url.path.endswith(s)]:
            self.before.pop(ending)()
        response: httpx.Response = await self.inner.handle_async_request(request)
        return response


def _writer(emulator: Emulator) -> httpx.Client:
    auth = {"Authorization": SANDBOX_TOKEN}
    return httpx.Client(transport=emulator.transport(), base_url="http://emulator.invalid", headers=auth)


def _create(emulator: Emulator, name: str) -> Callable[[], None]:
    def go() -> None:
        with _writer(emulator) as client:
            body = {"item": {"name": name, "priceInfo": {"price": "6"}}}
            client.post(ITEMS, json=body).raise_for_status()

    return go


def _delete(emulator: Emulator, wix_id: str) -> Callable[[], None]:
    def go() -> None:
        with _writer(emulator) as client:
            client.delete(f"{ITEMS}/{wix_id}").raise_for_status()

    return go


def _steps(writes: list[Callable[[], None]]) -> Callable[[], None]:
    def go() -> None:
        for write in writes:
            write()

    return go


async def _read(emulator: Emulator, kept: object, before: dict[str, Callable[[], None]]):  # type: ignore[no-untyped-def]
    transport = Interleaved(emulator, before)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.invalid") as client:
        api = MenusApi(Session(client, {"Authorization": SANDBOX_TOKEN}, [SANDBOX_TOKEN]))
        await api.list_all("label")  # the answer before the read: its Date dates the read
        if kept is None:
            found = await raw.fetch(api)
            return found, snapshot.keep(found, api.session.server_date, 0.0)
        return await snapshot.refresh(api, None, kept)


@pytest.mark.parametrize(
    "plan",
    [
        # a delete before the Query, a create between the Query and the Count: the total is the same
        {"/items/query": "delete", "/items/count": "create"},
        # both between the Query and the Count
        {"/items/count": "create delete"},
        # a create before the Query and a delete between
        {"/items/query": "create", "/items/count": "delete"},
        # a delete before the Query, a create while the other services are counted
        {"/items/query": "delete", "/modifiers/count": "create"},
    ],
)
def test_a_create_and_a_delete_around_the_query_and_the_count(tmp_path, plan: dict[str, str]) -> None:
    clock = Clock()
    emulator = Emulator(open_store(str(tmp_path / "emulator.sqlite")), now=clock)
    seed(emulator.store, locations=1, names=["Test Kitchen"], app="menus", currency="USD")
    for name in ("Soup", "Salad", "Bread"):
        _create(emulator, name)()
    _, kept = asyncio.run(_read(emulator, None, {}))
    assert kept is not None
    clock.now += timedelta(minutes=1)
    victim = kept["lists"]["item"][0]["id"]
    writes = {"create": _create(emulator, "Late"), "delete": _delete(emulator, victim)}
    before = {suffix: _steps([writes[step] for step in steps.split()]) for suffix, steps in plan.items()}
    through_snapshot, _ = asyncio.run(_read(emulator, kept, before))
    full, _ = asyncio.run(_read(emulator, None, {}))
    got = [e["id"] for e in through_snapshot.lists["item"]]
    final = [e["id"] for e in full.lists["item"]]
    # The site when the items Query answered: what was written before it, and nothing after.
    early = plan.get("/items/query", "").split()
    kept_ids = [e["id"] for e in kept["lists"]["item"]]
    at_query = [i for i in kept_ids if "delete" not in early or i != victim]
    at_query += [i for i in final if i not in kept_ids] if "create" in early else []
    assert got in (at_query, final)
