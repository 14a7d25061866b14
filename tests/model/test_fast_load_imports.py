"""A valid catalog that the fast parse reads is loaded without importing PyYAML (yamlio/located.py):
PyYAML is the reader that reports problems and locates them, and a plan of a valid catalog needs
neither (0.01 s of its start-up). A catalog with a problem still gets PyYAML's reader and positions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e  # each test starts a fresh interpreter


def imports_yaml(catalog: Path) -> tuple[bool, str]:
    """Whether loading ``catalog`` in a fresh process (of one thread: the fast parse answers only
    there) imported PyYAML, and what the load said."""
    code = (
        "import sys\n"
        "from reconciler.errors import CatalogInvalid\n"
        "from reconciler.yamlio.load import load_catalog\n"
        "try:\n"
        f"    said = str(len(load_catalog({str(catalog)!r}).dishes))\n"
        "except CatalogInvalid as error:\n"
        "    said = '; '.join(f'{p.file}:{p.line}:{p.column}: {p.path}: {p.message}' for p in error.problems)\n"
        "print('yaml' in sys.modules, said)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    imported, said = done.stdout.strip().split(" ", 1)
    return imported == "True", said


def test_a_valid_catalog_is_loaded_without_pyyaml():
    imported, said = imports_yaml(ROOT / "catalogs" / "pizzeria.yaml")
    assert said.isdigit() and int(said) > 0
    assert not imported


def test_a_catalog_with_a_problem_is_read_and_located_by_pyyaml(tmp_path: Path):
    catalog = tmp_path / "menu.yaml"
    text = (ROOT / "catalogs" / "pizzeria.yaml").read_text(encoding="utf-8")
    catalog.write_text(text.replace("currency: ", "currency: X", 1), encoding="utf-8")
    imported, said = imports_yaml(catalog)
    assert imported
    assert f"{catalog}:4:1: currency:" in said
