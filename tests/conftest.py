"""Fixtures shared across the suite. (tests/emulator/ has its own `server`, with knobs reset per test.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.strategies import DEFAULT_EXAMPLES
from tests.support.emulator_server import EmulatorServer
from tests.support.postgres_server import PostgresServer

# Hypothesis profiles, chosen with --hypothesis-profile (every health check stays on):
#   default    CI: the same examples on every run (derandomized), counts as each test declares them
#   thorough   ten times the examples, freshly random each run: python -m pytest --hypothesis-profile=thorough
settings.register_profile("default", max_examples=DEFAULT_EXAMPLES, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=10 * DEFAULT_EXAMPLES, deadline=None, print_blob=True)
settings.load_profile("default")

# e2e_guard: a test that starts a real process (or uses a fixture that did) must be marked e2e.
pytest_plugins = ["tests.support.e2e_guard", "pytester"]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[EmulatorServer]:
    """A real `reconcile emulator serve` on 127.0.0.1 for this test module; tests use their own locations."""
    with EmulatorServer(state=tmp_path_factory.mktemp("emulator") / "state.sqlite") as running:
        yield running


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL 15 for the session; each test takes a fresh database (``create_database``)."""
    with PostgresServer() as running:
        yield running
