"""A plan the plan memo answers loads none of the planner: no catalog model, no pydantic, no YAML.

The whole command runs in its own process (as a user runs it) against `reconcile emulator serve`;
the process reports which modules it loaded. The answer must be the one a plan with every cache
off prints, and a plan the memo cannot answer (the live side edited) must load the model: so the
check can fail, and does where an import creeps back onto the answer's path (reconciler/cli/plan_answer.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.targets import readers, registry
from tests.e2e.test_plan_memo_http import Bed
from tests.support.emulator_server import REPO_ROOT, EmulatorServer

pytestmark = pytest.mark.e2e

HEAVY = ("reconciler.model.catalog", "pydantic", "yaml", "reconciler.engine.planning", "reconciler.yamlio.load")
REPORT = """
import atexit, json, runpy, sys
atexit.register(lambda: print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["reconcile", *sys.argv[1:]]
runpy.run_module("reconciler.cli.main", run_name="__main__")
"""


def plan_process(bed: Bed) -> tuple[int, str, set[str]]:
    """`reconcile plan --detailed-exitcode` in a process of its own: exit code, output, modules loaded."""
    where = ["--target", bed.target, "--location", bed.location, "--state-dir", str(bed.state)]
    argv = [sys.executable, "-c", REPORT, "plan", str(bed.catalog), *where, "--detailed-exitcode"]
    done = subprocess.run(argv, cwd=REPO_ROOT, env={**bed.env, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True)
    lines = [line for line in done.stderr.decode().splitlines() if line.startswith("MODULES ")]
    assert lines, done.stderr.decode()[-2000:]
    return done.returncode, done.stdout.decode(), set(json.loads(lines[-1].removeprefix("MODULES ")))


@pytest.fixture(params=["wix-v3", "wix-menus"])
def target(request) -> str:
    return request.param


def test_the_memo_answer_imports_no_model_and_a_miss_does(server: EmulatorServer, tmp_path: Path, target: str):
    bed = Bed(server, tmp_path, target)
    full = bed.run("plan", "--detailed-exitcode", env={"RECONCILE_PLAN_MEMO": "off"})
    first = plan_process(bed)  # no memo yet: planned in full, and kept
    assert first[:2] == full and "reconciler.model.catalog" in first[2]
    answered = plan_process(bed)
    assert answered[:2] == full
    assert not [name for name in HEAVY if name in answered[2]]
    other = {"wix-v3": "reconciler.targets.wix_menus.reader", "wix-menus": "reconciler.targets.wix_v3.reader"}
    assert other[target] not in answered[2]  # nor the other target's reader
    bed.edit_live(1)
    moved = plan_process(bed)
    assert moved[:2] == bed.run("plan", "--detailed-exitcode", env={"RECONCILE_PLAN_MEMO": "off"})
    assert moved[0] == 2 and "reconciler.model.catalog" in moved[2]


def test_every_wix_target_has_a_reader_of_its_name():
    assert list(readers.READERS) == list(registry.WIX)
    for name, cls in registry.WIX.items():
        assert issubclass(cls, readers.reader_class(name)) and readers.reader_class(name).name == name
