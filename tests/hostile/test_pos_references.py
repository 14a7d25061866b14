"""POS exports whose references point at objects the export does not hold: dropped, never silently.

Each dangling reference becomes an import note naming both ends, and the rest of the export
imports as before (the references that do resolve are kept).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pos" / "clover-inventory.json"


def _import(tmp_path: Path, data: dict):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return import_from_file("clover", path, ImportOptions())


def test_clover_dangling_references_are_noted(tmp_path):
    clean = json.loads(FIXTURE.read_text(encoding="utf-8"))
    before = _import(tmp_path, clean)
    data = copy.deepcopy(clean)
    data["items"]["elements"][0]["categories"]["elements"].append({"id": "CATGONE000001"})
    data["categories"]["elements"][0]["items"]["elements"].append({"id": "ITEMGONE00001"})
    data["items"]["elements"][0]["modifierGroups"]["elements"].append({"id": "MGGONE0000001"})
    after = _import(tmp_path, data)
    new = [n.render() for n in after.notes if n.render() not in {m.render() for m in before.notes}]
    assert any("CATGONE000001" in n and "BURGER0000001" in n for n in new), new
    assert any("ITEMGONE00001" in n and "CATDRINKS0001" in n for n in new), new
    assert any("MGGONE0000001" in n for n in new), new
    assert after.result.catalog == before.result.catalog  # what resolves is imported exactly as before
