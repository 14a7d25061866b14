"""A pytest plugin that keeps the ``e2e`` marker honest: a test that starts a real process, or uses a
fixture that did, must carry it (``pytestmark = pytest.mark.e2e``), so ``-m "not e2e"`` really
selects the in-process tests and ``-m e2e`` every test that talks to a real server or CLI.

How: every ``subprocess.Popen`` made while a fixture or a test runs is recorded against it
(developer tools such as ruff are not product processes and are ignored). After a test's setup and
after its call, an unmarked test fails if it, or any fixture in its closure, started a process.
Registered by tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator

import pytest

TOOLS = frozenset({"ruff", "mypy", "lint-imports", "git", "pip"})  # not the product: no e2e needed

_watchers: list[list[str]] = []  # a test's setup or call: sees every spawn
_fixture_stack: list[list[str]] = []  # fixtures being set up: a spawn belongs to the innermost only
_spawning_fixtures: set[tuple[str, str]] = set()  # (fixture name, where it is defined)
_original_init = subprocess.Popen.__init__


def describe(args: object) -> str | None:
    """What a process is, or None for a developer tool."""
    argv = [os.fspath(a) for a in args] if isinstance(args, (list, tuple)) else [os.fspath(args)]  # type: ignore[arg-type]
    names = {os.path.basename(argv[0]).split()[0] if argv else ""}
    if "-m" in argv[:-1]:
        names.add(argv[argv.index("-m") + 1].split(".")[0])
    if names & TOOLS:
        return None
    return " ".join(argv)[:160]


def _recording_init(self, args, *rest, **kwargs):  # type: ignore[no-untyped-def]
    what = describe(args)
    if what is not None:
        for watcher in [*_watchers, *_fixture_stack[-1:]]:
            watcher.append(what)
    _original_init(self, args, *rest, **kwargs)


@contextlib.contextmanager
def watching(into: list[list[str]]) -> Iterator[list[str]]:
    seen: list[str] = []
    into.append(seen)
    try:
        yield seen
    finally:
        # By identity: two recorders that saw nothing are equal lists.
        del into[next(i for i, w in enumerate(into) if w is seen)]


def _key(fixturedef) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return fixturedef.argname, getattr(fixturedef, "baseid", "")


def problem(item: pytest.Item, started: list[str]) -> str | None:
    """Why ``item`` needs the e2e marker and lacks it, or None."""
    if item.get_closest_marker("e2e") is not None:
        return None
    # The fixtures this test really got (requested, or fetched with getfixturevalue); a shared
    # static closure would blame every parametrized variant for one variant's fixture.
    used = getattr(getattr(item, "_request", None), "_fixture_defs", None) or {}
    fixtures = sorted(name for name, definition in used.items() if _key(definition) in _spawning_fixtures)
    if not started and not fixtures:
        return None
    why = f"it started {started[0]!r}" if started else f"it uses the fixture(s) {', '.join(fixtures)}"
    return (
        f"{item.nodeid} talks to a real process ({why}) but lacks the e2e marker: "
        "add `pytestmark = pytest.mark.e2e` to its module (or @pytest.mark.e2e to the test)"
    )


_sessions = [0]  # nested pytest sessions (pytester) share the one recording wrapper


def pytest_configure(config: pytest.Config) -> None:
    _sessions[0] += 1
    subprocess.Popen.__init__ = _recording_init  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    _sessions[0] -= 1
    if not _sessions[0]:
        subprocess.Popen.__init__ = _original_init  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):  # type: ignore[no-untyped-def]
    with watching(_fixture_stack) as seen:
        result = yield
    if seen:
        _spawning_fixtures.add(_key(fixturedef))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):  # type: ignore[no-untyped-def]
    """After setup (fixtures) and again after the call (the test itself): is the marker needed?"""
    with watching(_watchers) as seen:
        result = yield
    why = problem(item, seen)
    if why:
        pytest.fail(why, pytrace=False)
    return result


pytest_runtest_call = pytest_runtest_setup
