"""The project's own checks, run by the one test command: lint and format (ruff), layering
(import-linter), types (mypy --strict), and the size limits of modules and functions.

Each tool runs on the repository as a subprocess and fails with the tool's own report.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
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


def test_types_are_strictly_checked() -> None:
    """mypy --strict on the packages pyproject.toml names ([tool.mypy]: model, engine, targets, state)."""
    _run(_tool("mypy"), "--no-incremental")


MODULE_LINES = 400
FUNCTION_LINES = 60


def test_no_module_is_over_400_lines() -> None:
    long = [
        f"{path.relative_to(REPO)}: {lines} lines"
        for path in sorted((REPO / "reconciler").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    ]
    assert not long, f"split these modules (at most {MODULE_LINES} lines):\n" + "\n".join(long)


@pytest.mark.parametrize(
    "package",
    [
        "engine",
        "targets",
        "serve",
    ],
)
def test_no_function_is_over_60_lines(package: str) -> None:
    long = []
    for path in sorted((REPO / "reconciler" / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}: {lines} lines")
    assert not long, f"split these functions (at most {FUNCTION_LINES} lines):\n" + "\n".join(long)


def test_import_contracts_are_kept() -> None:
    """The layers and independences in pyproject.toml ([tool.importlinter])."""
    _run(_tool("lint-imports"), "--no-cache")


def _top_level_modules() -> set[str]:
    package = REPO / "reconciler"
    found = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    found |= {p.parent.name for p in package.glob("*/__init__.py")}
    return {f"reconciler.{name}" for name in found}


def test_every_top_level_module_is_in_a_layer_or_a_foundation() -> None:
    """A new module falls under the contracts: the emulator may not import it, and it has a place."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contracts = {c["name"]: c for c in config["contracts"]}
    [layers] = [c for c in contracts.values() if c["type"] == "layers"]
    layered = {m.strip() for layer in layers["layers"] for m in layer.split("|")}
    [foundations] = [c for name, c in contracts.items() if name.startswith("The foundations")]
    [emulator] = [c for name, c in contracts.items() if name.startswith("The emulator")]
    modules = _top_level_modules()
    assert layered | set(foundations["source_modules"]) == modules
    assert set(foundations["forbidden_modules"]) == layered
    assert set(emulator["forbidden_modules"]) == modules - {"reconciler.emulator", "reconciler.sqlite"}
