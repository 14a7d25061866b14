"""The e2e marker is checked, not trusted: a test that starts a real process without it fails."""

from __future__ import annotations

import sys

import pytest

from tests.support.e2e_guard import describe

CHILD = f"""
import subprocess, sys
import pytest

@pytest.fixture(scope="module")
def child():
    subprocess.run([{sys.executable!r}, "-c", "pass"], check=True)
    return "started"

def test_unmarked_starts_a_process():
    subprocess.run([{sys.executable!r}, "-c", "pass"], check=True)

def test_unmarked_uses_a_fixture_that_did(child):
    assert child == "started"

def test_unmarked_uses_it_again(child):
    assert child == "started"

@pytest.mark.e2e
def test_marked_starts_a_process():
    subprocess.run([{sys.executable!r}, "-c", "pass"], check=True)

def test_unmarked_runs_a_developer_tool():
    subprocess.run([{sys.executable!r}, "-m", "ruff", "--version"], check=True, capture_output=True)

def test_unmarked_in_process():
    assert 1 + 1 == 2
"""


@pytest.mark.e2e  # the inner tests start (tiny) processes, so this one does too
def test_unmarked_tests_that_start_processes_fail(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.support.e2e_guard"]\n')
    pytester.makeini("[pytest]\nmarkers =\n    e2e: real processes\n")
    pytester.makepyfile(test_child=CHILD)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    # A fixture's process is found at setup (an error there), a test's own during its call.
    result.assert_outcomes(passed=3, failed=1, errors=2)
    unmarked = ["test_unmarked_starts_a_process", "test_unmarked_uses_a_fixture_that_did"]
    unmarked.append("test_unmarked_uses_it_again")
    for name in unmarked:
        result.stdout.fnmatch_lines([f"*::{name} talks to a real process*lacks the e2e marker*"])
    result.stdout.fnmatch_lines(["*uses the fixture(s) child*"])
    assert "test_marked_starts_a_process talks" not in result.stdout.str()
    assert "developer_tool talks" not in result.stdout.str()


def test_developer_tools_are_not_product_processes() -> None:
    assert describe(["/usr/bin/ruff", "check", "."]) is None
    assert describe([sys.executable, "-m", "ruff", "format"]) is None
    assert describe(["git", "status"]) is None
    assert describe([sys.executable, "-m", "reconciler.cli.main", "emulator", "serve"]) is not None
    assert describe("reconcile") == "reconcile"
