"""Imported catalogs go all the way: validate, apply to a sandbox, and the next plan is empty.

Re-importing after one POS price change gives a one-line YAML diff and a one-update plan.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_file
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness

SAMPLES = sorted(Path("tests/fixtures/samples").glob("*.json"))
POS_FIXTURES = [
    ("square", "tests/fixtures/pos/square-catalog.json"),
    ("toast", "tests/fixtures/pos/toast-menus.json"),
    ("clover", "tests/fixtures/pos/clover-inventory.json"),
]


def imported(tmp_path: Path, pos: str, source: str | Path) -> Path:
    output = import_from_file(pos, source, ImportOptions(currency="USD"))
    path = tmp_path / f"{pos}.yaml"
    path.write_text(output.text, encoding="utf-8")
    return path


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_each_square_sample_imports_applies_and_converges(tmp_path, sample):
    catalog = load_catalog(imported(tmp_path, "square", sample))
    h = Harness(tmp_path)
    result = h.apply(catalog)
    assert result.differences == []
    assert h.plan(catalog).empty
    assert len(h.live()) >= len(catalog.dishes)


@pytest.mark.parametrize("pos,fixture", POS_FIXTURES, ids=[p for p, _ in POS_FIXTURES])
def test_each_pos_fixture_imports_applies_and_converges(tmp_path, pos, fixture):
    catalog = load_catalog(imported(tmp_path, pos, fixture))
    h = Harness(tmp_path)
    assert h.apply(catalog).differences == []
    assert h.plan(catalog).empty


def test_reimport_after_one_price_change_is_a_one_line_diff_and_one_update(tmp_path):
    sample = Path("tests/fixtures/samples/square-orders-payments-sample-seed-data.json")
    first = imported(tmp_path, "square", sample)
    h = Harness(tmp_path)
    h.apply(load_catalog(first))

    data = json.loads(sample.read_text())
    variation = next(
        v
        for entry in data.values()
        for v in entry["data"].get("itemData", {}).get("variations", [])
        if v.get("itemVariationData", {}).get("priceMoney")
    )
    variation["itemVariationData"]["priceMoney"]["amount"] += 25
    changed_source = tmp_path / "changed.json"
    changed_source.write_text(json.dumps(data))
    (tmp_path / "again").mkdir()
    second = imported(tmp_path / "again", "square", changed_source)

    diff = [
        line
        for line in difflib.unified_diff(
            first.read_text().splitlines(), second.read_text().splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert [line[0] + line[1:].strip() for line in diff] == ['-price: "9.95"', '+price: "10.20"']
    plan = h.plan(load_catalog(second))
    assert [(c.action, c.kind) for c in plan.changes] == [("update", "dish")]
    assert [f.path for f in plan.changes[0].fields] == ["price"]
