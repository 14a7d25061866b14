"""End-to-end fixtures: a real emulator server on 127.0.0.1 and the real CLI in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.emulator_server import REPO_ROOT, EmulatorServer


@dataclass
class Site:
    server: EmulatorServer
    catalog_id: str
    location_id: str
    state_dir: Path
    env: dict[str, str]

    def cli(
        self, *args: str, check: int | None = 0, env: dict[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess:
        """Run `reconcile ...` as a separate process against this site."""
        process = subprocess.run(
            [sys.executable, "-m", "reconciler.cli.main", *args],
            cwd=REPO_ROOT,
            env={**self.env, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check is not None:
            assert process.returncode == check, (
                f"`reconcile {' '.join(args)}` exited {process.returncode}, expected {check}\n"
                f"stdout:\n{process.stdout}\nstderr:\n{process.stderr}"
            )
        return process

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "reconciler.cli.main", *args],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def writes(self) -> dict[str, int]:
        operations = self.server.counters()["operations"]
        return {op: n for op, n in operations.items() if not op.rsplit(".", 1)[-1].startswith(("list", "get", "query"))}


@pytest.fixture
def site(server: EmulatorServer, tmp_path: Path) -> Iterator[Site]:
    """A fresh one-location site on the shared server, with its own local state directory."""
    server.clear_faults()
    location = server.seed(locations=1, names=[f"Kitchen {tmp_path.name}"])[0]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WIX_", "RECONCILE_"))}
    env.update(
        WIX_API_BASE_URL=server.url,
        WIX_ACCESS_TOKEN=server.token,
        RECONCILE_STATE_DIR=str(tmp_path / "state"),
        NO_COLOR="1",
    )
    server.reset()
    yield Site(server, location["catalogId"], location["locationId"], tmp_path / "state", env)
    server.clear_faults()
