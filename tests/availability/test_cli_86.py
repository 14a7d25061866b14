"""`reconcile 86`, `86 --list` and `un86` through the real CLI against the emulator server, on both targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.emulator_server import REPO_ROOT

pytestmark = pytest.mark.e2e
PIZZERIA = "catalogs/pizzeria.yaml"


@pytest.fixture(params=["wix-v3", "wix-menus"])
def cli(request, server, tmp_path):
    api = "v3" if request.param == "wix-v3" else "menus"
    location = server.seed(locations=1, names=[f"86 {tmp_path.name} {api}"], app=api)[0]["locationId"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
    env.update(WIX_API_BASE_URL=server.url, WIX_ACCESS_TOKEN=server.token, NO_COLOR="1")
    state = str(tmp_path / "state")
    where = ["--target", request.param, "--location", location, "--state-dir", state]

    def run(*args: str, check: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler.cli.main", *args, *where],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == check, done.stdout + done.stderr
        return done

    run("apply", PIZZERIA, "--auto-approve")
    run.server = server  # type: ignore[attr-defined]
    return run


def _writes(server) -> dict[str, int]:
    ops = server.counters()["operations"].items()
    return {k: v for k, v in ops if not k.rsplit(".", 1)[-1].startswith(("list", "get", "query"))}


def test_86_list_un86_round_trip(cli):
    cli.server.reset()
    out = cli("86", PIZZERIA, "margherita", "caesar", "--for", "2h", "--reason", "out of dough").stdout
    writes = _writes(cli.server)
    assert "createDraftCatalog" not in writes and 1 <= sum(writes.values()) <= 2, writes
    assert "86'd dish margherita" in out and "by cli (out of dough)" in out and "no draft" in out
    listed = json.loads(cli("86", PIZZERIA, "--list", "--format", "json").stdout)
    assert [(e["entity"], e["source"], e["available"]) for e in listed] == [
        ("caesar", "cli", False),
        ("margherita", "cli", False),
    ]
    assert all(e["until"] for e in listed)
    assert cli("plan", PIZZERIA, "--detailed-exitcode").returncode == 0  # the 86 is the desired state now
    out = cli("un86", PIZZERIA, "margherita").stdout
    assert "in_stock → true" in out
    assert [e["entity"] for e in json.loads(cli("86", PIZZERIA, "--list", "--format", "json").stdout)] == ["caesar"]
    cli("plan", PIZZERIA, "--detailed-exitcode")


def test_unknown_dishes_and_conflicting_expiries_are_clear_errors(cli):
    bad = cli("86", PIZZERIA, "no-such-dish", "margherita", check=1)
    assert "no-such-dish" in bad.stderr and "Traceback" not in bad.stderr
    both = cli("86", PIZZERIA, "margherita", "--for", "1h", "--until", "23:00", check=1)
    assert "at most one of" in both.stderr
    assert json.loads(cli("86", PIZZERIA, "--list", "--format", "json").stdout) == []
