"""Real processes for the serve end-to-end tests: the fake POS, and `reconcile serve` itself.

Both print their URL on the first stdout line; start-up waits for that line (with a deadline), and
every later wait polls HTTP state until a condition holds or a deadline passes. Nothing sleeps a
fixed time to let something happen.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.support.emulator_server import REPO_ROOT
from tests.support.waiting import POLL, wait_until

__all__ = ["POLL", "wait_until"]  # re-exported for the serve tests


CLI_MODULE = "reconciler.cli.main"  # `reconcile` itself


def clean_env(**extra: str) -> dict[str, str]:
    """The test runner's environment without anything that configures reconcile, plus ``extra``."""
    prefixes = ("WIX_", "RECONCILE_", "SQUARE_", "TOAST_", "CLOVER_", "TEMPORAL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
        NO_COLOR="1",
        **extra,
    )
    return env


class Process:
    """A child process whose first stdout line ends with its URL."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._stderr = open(log, "ab")  # noqa: SIM115 (kept open for the process's life)
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=30)
        except queue.Empty:
            first = ""
        if "http://" not in first:
            self.stop()
            raise AssertionError(f"{command[:4]} did not start: {first!r}\n{self.stderr()}")
        self.url = first.split()[-1]
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")  # the child writes to the file directly

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        if hasattr(self, "http"):
            self.http.close()
        self._stderr.close()
        return self.process.returncode


class FakePosProcess(Process):
    def __init__(self, pos: str, data: Path, token: str, log: Path) -> None:
        super().__init__(
            [
                sys.executable,
                "-m",
                "tests.support.fake_pos",
                "--pos",
                pos,
                "--data",
                str(data),
                "--port",
                "0",
                "--token",
                token,
            ],
            clean_env(),
            log,
        )

    def control(self, path: str, body: dict | None = None) -> dict:
        answer = self.http.post(f"/_fake/{path}", json=body or {})
        answer.raise_for_status()
        return answer.json()

    def requests(self) -> dict[str, int]:
        return self.http.get("/_fake/requests").json()["counts"]

    def reset(self) -> None:
        self.control("requests/reset")


class ServeProcess(Process):
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        super().__init__([sys.executable, "-m", CLI_MODULE, "serve", "--port", "0", *args], env, log)

    def health(self) -> dict:
        return self.http.get("/healthz").json()

    def catalog(self, name: str) -> dict:
        return self.health()["catalogs"][name]

    def wait(self, condition: Callable[[dict], Any], what: str, timeout: float = 30.0) -> dict:
        """Poll /healthz until ``condition(health)`` holds; returns that health report."""

        def check():
            assert self.process.poll() is None, f"serve exited with {self.process.returncode}\n{self.stderr()}"
            health = self.health()
            return health if condition(health) else None

        return wait_until(check, what, timeout, lambda: f"health: {self.health()}\nstderr:\n{self.stderr()[-4000:]}")

    def wait_synced(self, name: str, count: int, timeout: float = 30.0) -> dict:
        """Until ``name`` has at least ``count`` recorded syncs and nothing is queued or running."""
        return self.wait(
            lambda h: (
                h["catalogs"][name]["syncs"] >= count
                and h["queue_depth"] == 0
                and not any(c["running"] for c in h["catalogs"].values())
            ),
            f"{count} sync(s) of {name} and an empty queue",
            timeout,
        )

    def post(self, pos: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return self.http.post(f"/webhooks/{pos}", content=body, headers=headers)

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stderr().splitlines() if line.startswith("{")]


def square_catalog_event(event_id: str, merchant: str = "MLE2E0000001") -> bytes:
    """A Square ``catalog.version.updated`` webhook body, as Square sends it (compact JSON)."""
    return json.dumps(
        {
            "merchant_id": merchant,
            "type": "catalog.version.updated",
            "event_id": event_id,
            "created_at": "2024-03-16T14:49:03Z",
            "data": {
                "type": "catalog_version",
                "id": "",
                "object": {"catalog_version": {"updated_at": "2024-03-16T14:49:00.631Z"}},
            },
        },
        separators=(",", ":"),
    ).encode()


def history(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", CLI_MODULE, "history", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
