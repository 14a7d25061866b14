"""`reconcile plan` runs without Python's cycle collector (reconciler/cli/main.py), and leaves it as
it found it: a plan keeps almost everything it makes until it ends, so the collector's scans were
pure cost (0.08-0.17 s of a cold plan of 10,000 dishes), and a command run in process, as the tests
run them, must not leave a process without its collector."""

from __future__ import annotations

import gc
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import cli

REPO = Path(__file__).resolve().parents[1]


def collections_during(args: list[str]) -> tuple[int, int]:
    """(exit code, collections started) of ``reconcile ARGS`` in process, the collector set to run
    every 10 objects, so that a command running with it collects thousands of times."""
    started: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    threshold = gc.get_threshold()
    gc.set_threshold(10)
    gc.callbacks.append(count)
    try:
        done = CliRunner().invoke(cli, args)
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
    assert done.exit_code in (0, 2), done.output
    return done.exit_code, len(started)


def test_a_plan_runs_without_the_collector_and_leaves_it_on(tmp_path: Path):
    catalog = str(REPO / "catalogs" / "pizzeria.yaml")
    state = ["--state-dir", str(tmp_path / "state")]
    collections_during(["plan", catalog, *state])  # imports the plan's modules: they load before it runs
    assert gc.isenabled()
    _, during_plan = collections_during(["plan", catalog, *state])
    assert gc.isenabled()
    # `validate` loads the same catalog, which a plan does too and much more besides: with the
    # collector on, the plan would collect more often than it; it collects only while the command
    # is being found, before it runs.
    _, during_validate = collections_during(["validate", catalog])
    assert during_validate > 50
    assert during_plan < during_validate / 4


def test_a_plan_leaves_the_collector_off_if_it_was_off(tmp_path: Path):
    gc.disable()
    try:
        collections_during(["plan", str(REPO / "catalogs" / "pizzeria.yaml"), "--state-dir", str(tmp_path / "s")])
        assert not gc.isenabled()
    finally:
        gc.enable()
