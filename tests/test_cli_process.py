"""What the command line sets up in its own process, and what importing reconciler as a library leaves alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # a real interpreter, started as a user's shell starts reconcile

REPO = Path(__file__).resolve().parents[1]
SHOW = "import os, {module}; print(repr(os.environ.get('PYDANTIC_DISABLE_PLUGINS')))"


def _seen(module: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run(
        [sys.executable, "-c", SHOW.format(module=module)],
        env={**base, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_command_line_turns_off_pydantics_plugin_search() -> None:
    """pydantic's search scans every installed distribution's entry points (about 0.1 s a command)."""
    assert _seen("reconciler.cli.main") == "'__all__'"


@pytest.mark.parametrize("value", ["", "logfire"])
def test_a_users_own_choice_of_pydantic_plugins_is_kept(value: str) -> None:
    assert _seen("reconciler.cli.main", PYDANTIC_DISABLE_PLUGINS=value) == repr(value)


def test_importing_reconciler_as_a_library_leaves_pydantic_alone() -> None:
    assert _seen("reconciler.model.catalog, reconciler.engine.planning") == "None"
