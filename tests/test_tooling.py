"""The project's own checks, run by the one test command: lint and format (ruff).

Each check runs the tool on the repository as a subprocess and fails with the tool's own report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; it comes with the test extras: pip install -e '.[test]'")
    return found


def _run(*command: str) -> None:
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"


def test_ruff_lint_is_clean() -> None:
    _run(_tool("ruff"), "check", "--no-cache", ".")


def test_ruff_format_is_clean() -> None:
    _run(_tool("ruff"), "format", "--no-cache", "--check", ".")
