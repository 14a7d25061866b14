"""test_fast_parse_refusals.py in a process of one thread, where the fast parse may answer.

A pytest-xdist worker runs a second thread (its channel to the controller), and the fast parse
never answers beside another thread (reconciler/yamlio/fast.py), so under `pytest -n 2` that file's
tests are skipped where another thread runs beside them, and always run here, in a pytest process without xdist.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_the_fast_parse_refusal_tests_pass_in_a_process_of_one_thread() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            str(ROOT / "tests/model/test_fast_parse_refusals.py"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " skipped" not in done.stdout.splitlines()[-1], done.stdout[-2000:]
