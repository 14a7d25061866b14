"""Fixtures for the Menus (New) conformance suite.

- ``menus_server``: one real ``reconcile emulator serve`` per session (per xdist worker);
- ``site``: that server wiped and seeded with one location and the Menus (New) app, so every test
  starts from an empty site (knobs put back afterwards);
- ``wix``: a :class:`~tests.emulator.menus.helpers.Wix` client for it;
- ``box``: an in-process emulator (in-memory store, ``Emulator.transport()``) with the app installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed
from tests.emulator.menus.helpers import Wix
from tests.support.emulator_server import EmulatorServer


@pytest.fixture(scope="session")
def menus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    state = tmp_path_factory.mktemp("menus-emulator") / "state.sqlite"
    with EmulatorServer(state=state) as server:
        yield server


@pytest.fixture
def site(menus_server: EmulatorServer) -> Iterator[dict[str, str]]:
    """``{"locationId", "name", "catalogId": None}`` of the only location of a fresh Menus site."""
    menus_server.wipe()
    [location] = menus_server.seed(locations=1, names=["Downtown"], app="menus")
    menus_server.reset()
    yield location
    if menus_server.running:
        menus_server.clear_faults()
        menus_server.set_latency(0)


@pytest.fixture
def wix(menus_server: EmulatorServer, site: dict[str, str]) -> Iterator[Wix]:
    with menus_server.client() as client:
        yield Wix(client)


class Box:
    """An in-process emulator with the Menus (New) app and one location."""

    def __init__(self) -> None:
        self.store = open_store(None)
        [self.location] = seed(self.store, 1, ["Solo"], app="menus")
        self.emulator = Emulator(self.store, token=SANDBOX_TOKEN)
        self.client = httpx.Client(
            transport=self.emulator.transport(), base_url="http://sandbox", headers={"Authorization": SANDBOX_TOKEN}
        )
        self.wix = Wix(self.client)

    def close(self) -> None:
        self.client.close()
        self.store.close()


@pytest.fixture
def box() -> Iterator[Box]:
    sandbox = Box()
    yield sandbox
    sandbox.close()
