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
    lone = result["lone"]  # the whole commands cost more than the planning alone
    assert lone["plan_command"] > lone["plan_in_process"] > 0 and lone["apply_command"] > 0, lone
    assert "| 2 | local | price |" in done.stdout


@pytest.mark.e2e
def test_the_kill_step_finishes_with_one_worker_and_duplicates_nothing(tmp_path: Path):
    out = tmp_path / "fleet.json"
    options = ["--sites", "6", "--engines", "temporal", "--steps", "converge,kill", "--dishes", "20-30"]
    done = subprocess.run(
        [sys.executable, "-m", "bench.fleet", *options, "--kill-share", "0.2", "--out", "-", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (result,) = json.loads(out.read_text())["results"]
    steps = {step["name"]: step for step in result["engines"]["temporal"]}
    assert set(steps) == {"converge", "kill", "kill-check"}  # only the steps asked for
    kill = steps["kill"]
    assert kill["tally"] == {"converged": 6} and kill["writes"] == 6, kill  # nothing lost, nothing repeated
    assert kill["notes"]["workers_left"] == 1 and kill["notes"]["finished_at_kill"] >= 1, kill["notes"]
    assert steps["kill-check"]["tally"] == {"in-sync": 6} and steps["kill-check"]["writes"] == 0
    assert "one worker SIGKILLed" in done.stdout
