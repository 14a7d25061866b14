"""Fixtures for the emulator suite.

- ``emulator_server``: one real ``reconcile emulator serve`` per test session (per xdist worker), on
  a temporary SQLite state file;
- ``server``: the same, with its knobs put back to defaults after each test;
- ``api``: an authenticated httpx client for it;
- ``catalog``: a fresh location and its empty catalog, so tests never share data;
- ``sandbox``: an in-process Emulator (in-memory store) with an httpx client on its transport.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store
from tests.support.emulator_server import EmulatorServer


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    state = tmp_path_factory.mktemp("emulator") / "state.sqlite"
    with EmulatorServer(state=state) as server:
        yield server


@pytest.fixture
def server(emulator_server: EmulatorServer) -> Iterator[EmulatorServer]:
    yield emulator_server
    if emulator_server.running:
        emulator_server.clear_faults()
        emulator_server.set_latency(0)


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


@pytest.fixture
def catalog(server: EmulatorServer) -> dict[str, str]:
    """``{"locationId", "name", "catalogId"}`` of a location seeded for this test only."""
    return server.seed(locations=1)[0]


class Sandbox:
    def __init__(self) -> None:
        self.store = open_store(None)
        self.emulator = Emulator(self.store, token=SANDBOX_TOKEN)
        self.client = httpx.Client(
            transport=self.emulator.transport(),
            base_url="http://sandbox",
            headers={"Authorization": SANDBOX_TOKEN},
        )

    def close(self) -> None:
        self.client.close()
        self.store.close()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox()
    yield box
    box.close()
