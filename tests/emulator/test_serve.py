"""`reconcile emulator serve | seed | reset` as real processes."""

from __future__ import annotations

import email.utils
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.emulator.helpers import ok
from tests.support.emulator_server import REPO_ROOT, EmulatorServer

pytestmark = pytest.mark.e2e


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), full_env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "reconciler.cli.main", "emulator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=60,
    )


def seeded_rows(stdout: str) -> list[list[str]]:
    return [line.split("\t") for line in stdout.strip().splitlines()]


def test_serve_starts_and_answers_list_catalogs(tmp_path: Path) -> None:
    """How fast it starts is a benchmark figure (python -m bench.emulator), not an assertion."""
    state = tmp_path / "state.sqlite"
    seeded = run_cli("seed", "--state", str(state), "--locations", "1", "--names", "Downtown")
    assert seeded.returncode == 0, seeded.stderr
    [[location_id, name, catalog_id]] = seeded_rows(seeded.stdout)
    assert name == "Downtown"

    with EmulatorServer(state=state) as server:
        assert server.first_line.startswith("reconcile emulator listening on http://127.0.0.1:")
        with server.client() as client:
            answer = client.get("/restaurants/v3/catalogs")
            catalogs = ok(answer)["catalogs"]
    assert catalogs == [{"id": catalog_id, "locationId": location_id, "archived": False, "draftPublishedDate": None}]
    # One Date header, the emulator's own (from the clock of its stamps), not a second one from uvicorn.
    [date] = answer.headers.get_list("date")
    assert email.utils.parsedate_to_datetime(date).tzinfo is not None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_shuts_down_cleanly_on_signals(signum: int) -> None:
    server = EmulatorServer().start()
    assert server.process is not None
    server.process.send_signal(signum)
    assert server.process.wait(timeout=10) == 0, server.stderr_text()
    assert "Traceback" not in server.stderr_text()
    server.stop()


def test_serve_never_prints_the_token() -> None:
    with EmulatorServer(token="very-secret-token-123") as server, server.client() as client:
        assert client.get("/v3/catalogs").status_code == 200
        assert client.get("/v3/catalogs", headers={"Authorization": "nope"}).status_code == 401
    assert "very-secret-token-123" not in server.first_line
    assert "very-secret-token-123" not in server.stderr_text()


def test_serve_uses_the_fixed_local_token_by_default() -> None:
    env = {k: v for k, v in os.environ.items() if k != "RECONCILE_EMULATOR_TOKEN"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli.main", "emulator", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        assert httpx.get(f"{url}/v3/catalogs", headers={"Authorization": "emulator-local-token"}).status_code == 200
        assert httpx.get(f"{url}/v3/catalogs", headers={"Authorization": "sandbox-local-token"}).status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_serve_reports_a_port_in_use() -> None:
    with EmulatorServer() as first:
        port = first.url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-m", "reconciler.cli.main", "emulator", "serve", "--port", port],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
    assert result.returncode != 0
    assert "cannot listen" in result.stderr
    assert "listening on" not in result.stdout


def test_latency_and_currency_flags(tmp_path: Path) -> None:
    with EmulatorServer(state=tmp_path / "s.sqlite", latency_ms=120, currency="EUR") as server:
        [entry] = server.seed(locations=1, currency="EUR")
        with server.client() as client:
            assert ok(client.get("/_emulator/latency")) == {"ms": 120}
            variation = ok(client.post(f"/v3/catalogs/{entry['catalogId']}/variations", json={"name": "Large"}))
    assert variation["variation"]["price"] == {"value": "0.00", "currency": "EUR"}


def test_seed_while_a_server_runs_on_the_same_state_file(tmp_path: Path) -> None:
    state = tmp_path / "shared.sqlite"
    with EmulatorServer(state=state) as server, server.client() as client:
        assert ok(client.get("/locations/v1/locations"))["locations"] == []
        seeded = run_cli("seed", "--state", str(state), "--locations", "2", "--names", "North,South", "--demo")
        assert seeded.returncode == 0, seeded.stderr
        rows = seeded_rows(seeded.stdout)
        assert [row[1] for row in rows] == ["North", "South"]
        locations = ok(client.get("/locations/v1/locations"))["locations"]
        assert [(loc["id"], loc["name"]) for loc in locations] == [(row[0], row[1]) for row in rows]
        catalogs = ok(client.get("/v3/catalogs"))["catalogs"]
        assert {c["id"] for c in catalogs} == {row[2] for row in rows}
        items = ok(client.get(f"/v3/catalogs/{rows[0][2]}/items"))["items"]
        assert any(item["name"] == "Margherita" for item in items)


def test_seed_and_reset_default_to_the_sandbox_state_file(tmp_path: Path) -> None:
    state_dir = tmp_path / "state-dir"
    env = {"RECONCILE_STATE_DIR": str(state_dir)}
    seeded = run_cli("seed", "--locations", "3", "--json", env=env, cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert len(seeded.stdout.strip().splitlines()) == 3
    assert (state_dir / "sandbox.sqlite").exists()

    without_env = {k: v for k, v in os.environ.items() if k != "RECONCILE_STATE_DIR"}
    result = subprocess.run(
        [sys.executable, "-m", "reconciler.cli.main", "emulator", "seed", "--locations", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**without_env, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".reconcile" / "sandbox.sqlite").exists()

    reset = run_cli("reset", env=env, cwd=tmp_path)
    assert reset.returncode == 0, reset.stderr
    with EmulatorServer(state=state_dir / "sandbox.sqlite") as server, server.client() as client:
        assert ok(client.get("/v3/catalogs"))["catalogs"] == []
        assert ok(client.get("/locations/v1/locations"))["locations"] == []


def test_seed_rejects_more_names_than_locations(tmp_path: Path) -> None:
    result = run_cli("seed", "--state", str(tmp_path / "s.sqlite"), "--locations", "1", "--names", "A,B")
    assert result.returncode != 0
    assert "2 names" in result.stderr


def test_a_harnessed_server_stops_when_its_parent_dies() -> None:
    """EmulatorServer passes --stop-on-stdin-eof: a test run killed outright leaves no server behind."""
    parent_code = (
        f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        "from tests.support.emulator_server import EmulatorServer\n"
        "server = EmulatorServer().start()\n"
        "print(server.process.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    server_pid = int(parent.stdout.readline())
    if not hasattr(os, "pidfd_open"):
        parent.kill()
        pytest.skip("needs os.pidfd_open (Linux) to wait for a process that is not our child")
    server_exit = os.pidfd_open(server_pid)  # becomes readable when the server exits
    try:
        parent.kill()
        parent.wait(timeout=10)
        readable, _, _ = select.select([server_exit], [], [], 15)
        if not readable:
            os.kill(server_pid, signal.SIGKILL)
            pytest.fail("the emulator outlived the process that started it")
    finally:
        os.close(server_exit)
