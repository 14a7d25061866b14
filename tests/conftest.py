"""Fixtures shared across the suite. (tests/emulator/ has its own `server`, with knobs reset per test.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.emulator_server import EmulatorServer

# e2e_guard: a test that starts a real process (or uses a fixture that did) must be marked e2e.
pytest_plugins = ["tests.support.e2e_guard", "pytester"]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[EmulatorServer]:
    """A real `reconcile emulator serve` on 127.0.0.1 for this test module; tests use their own locations."""
    with EmulatorServer(state=tmp_path_factory.mktemp("emulator") / "state.sqlite") as running:
        yield running
