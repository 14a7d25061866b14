"""The storage test suite runs every store on both backends: SQLite (a file) and a real PostgreSQL 15.

``url`` is a fresh, empty database of the backend under test (its SQLite path or PostgreSQL URL);
``env`` is the environment that points a :class:`~reconciler.state.storage.Storage` at it.
"""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.e2e, pytest.mark.postgres])])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "state" / "state.sqlite")
    return request.getfixturevalue("postgres").create_database()


@pytest.fixture
def env(url) -> dict[str, str]:
    return {"RECONCILE_DATABASE_URL": url} if url.startswith("postgresql://") else {}


@pytest.fixture
def state_dir(url, tmp_path):
    path = tmp_path / "state"
    path.mkdir(exist_ok=True)
    return path
