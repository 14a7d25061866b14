"""The environment tables in README.md and docs/ list exactly what each registered source declares.

The registry is the one list of POSes and ``Source.env`` the one list of their variables; the
tables are written by hand for readability, so this keeps them from drifting: one row per source,
in registry order, naming every variable it reads for that command (and its default base URL).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.sources.base import EnvNames
from reconciler.sources.registry import BUILT_IN

REPO = Path(__file__).resolve().parents[2]
TABLES = [
    # file, the text just before the table, which variables its rows list
    ("README.md", "credentials\nfrom the environment:", EnvNames.for_import),
    ("README.md", "reconcile serve --source square|toast|clover --catalog PATH", EnvNames.all),
    ("docs/import.md", "", EnvNames.for_import),
    ("docs/serve.md", "## Environment", EnvNames.all),
]


def _rows(file: str, after: str) -> list[list[str]]:
    """The rows of the first table after ``after`` whose first cell names a POS, split into cells."""
    text = (REPO / file).read_text(encoding="utf-8")
    start = text.index(after) + len(after) if after else 0
    titles = {s.title for s in BUILT_IN}
    rows, inside = [], False
    for line in text[start:].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if cells and cells[0] in titles:
            rows.append(cells)
            inside = True
        elif inside and not line.startswith("|"):
            break
    return rows


@pytest.mark.parametrize("file, after, names", TABLES, ids=[f"{f}:{n.__name__}" for f, _, n in TABLES])
def test_each_table_has_one_row_per_source_with_its_variables(file, after, names):
    rows = _rows(file, after)
    assert [r[0] for r in rows] == [s.title for s in BUILT_IN], f"{file}: one row per POS, in registry order"
    for source, row in zip(BUILT_IN, rows, strict=True):
        listed = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", " ".join(row[1:])))
        assert listed == set(names(source.env)), f"{file}: the {source.title} row"
        urls = re.findall(r"`(https://[^`]+)`", " ".join(row[1:]))
        assert urls in ([], [source.env.default_base_url]), f"{file}: the {source.title} default base URL"
