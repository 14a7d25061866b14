"""Smoke test of `python -m bench.fleet`: a two-site fleet through every step, checked on its counts
(never its timings): a price change costs one write per site, a drift pass none, and the gate halts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_a_two_site_fleet_through_every_step(tmp_path: Path):
    out = tmp_path / "fleet.json"
    options = ["--sites", "2", "--engines", "local", "--dishes", "100-110", "--out", "-", "--json", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.fleet", *options],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (result,) = json.loads(out.read_text())["results"]
    steps = {step["name"]: step for step in result["engines"]["local"]}
    assert steps["converge"]["tally"] == {"converged": 2} and steps["converge"]["exit"] == 0
    assert steps["drift"]["tally"] == {"in-sync": 2} and steps["drift"]["writes"] == 0
    assert steps["price"]["writes"] == 2, steps["price"]["calls"]  # the minimum: one write per site
    assert steps["gate"]["status"] == "halted" and steps["gate"]["exit"] == 3
    assert result["lone_plan_cpu"] > 0
    assert "| 2 | local | price |" in done.stdout
