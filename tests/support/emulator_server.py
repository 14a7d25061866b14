"""Run `reconcile emulator serve` as a real subprocess for end-to-end tests.

    with EmulatorServer(state=tmp_path / "state.sqlite") as server:
        client = server.client()                       # httpx.Client with base_url and auth
        server.seed(locations=1)                       # -> [{"locationId", "name", "catalogId"}]
        server.seed(locations=1, app="menus")          # the Menus (New) app ("catalogId": None)
        server.seed_sites(2, app="both")               # two more sites, each with its token
        client.get("/restaurants/v3/catalogs")
        server.counters()                              # {"total": N, "operations": {...}}
        server.set_faults([{"operation": "publishDraftCatalog", "fault": "drop", "phase": "after"}])
        server.touch("items", item_id, operation="items.updateItem", set={"name": "Edited elsewhere"})

The server picks a free port (``--port 0``); start-up waits for the URL line it prints (no sleeps).
Its stderr goes to a file whose text is included in every start-up error; :meth:`stderr_text`
returns it. Servers still running when the interpreter exits are terminated.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
_RUNNING: weakref.WeakSet[EmulatorServer] = weakref.WeakSet()


class EmulatorServerError(RuntimeError):
    pass


class EmulatorServer:
    def __init__(
        self,
        state: str | os.PathLike[str] | None = None,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        latency_ms: float = 0,
        currency: str | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        startup_timeout: float = 30.0,
    ):
        self.state = str(state) if state is not None else None
        self.token = token or f"test-{secrets.token_hex(8)}"
        self.host = host
        self.latency_ms = latency_ms
        self.currency = currency
        self.extra_args = tuple(extra_args)
        self.env = env
        self.startup_timeout = startup_timeout
        self.url = ""
        self.first_line = ""
        self.process: subprocess.Popen[str] | None = None
        self._stderr_file: Any = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._admin: httpx.Client | None = None

    # --- lifecycle ---------------------------------------------------------------------------------
    def command(self) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "reconciler.cli.main",
            "emulator",
            "serve",
            "--host",
            self.host,
            "--port",
            "0",
            # The server also stops when our end of its stdin closes, so it never outlives this
            # process, even one killed with SIGKILL.
            "--stop-on-stdin-eof",
        ]
        if self.state is not None:
            cmd += ["--state", self.state]
        if self.latency_ms:
            cmd += ["--latency-ms", str(self.latency_ms)]
        if self.currency:
            cmd += ["--currency", self.currency]
        return cmd + list(self.extra_args)

    def start(self) -> EmulatorServer:
        if self.process is not None:
            raise EmulatorServerError("already started")
        env = dict(os.environ)
        env.update(self.env or {})
        # The token goes through the environment so it never shows in a process listing.
        env["RECONCILE_EMULATOR_TOKEN"] = self.token
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"
        self._stderr_file = tempfile.NamedTemporaryFile(prefix="emulator-stderr-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.PIPE,
            stderr=self._stderr_file,
            stdin=subprocess.PIPE,
            text=True,
            env=env,
        )
        _RUNNING.add(self)
        threading.Thread(target=self._pump_stdout, name="emulator-stdout", daemon=True).start()
        try:
            line = self._lines.get(timeout=self.startup_timeout)
        except queue.Empty:
            self.stop()
            raise EmulatorServerError(
                f"the emulator did not start within {self.startup_timeout}s\n{self.stderr_text()}"
            ) from None
        if line is None or "listening on http" not in line:
            code = self.process.wait(timeout=10) if line is None else None
            self.stop()
            raise EmulatorServerError(
                f"the emulator failed to start (exit {code}, first line {line!r})\n{self.stderr_text()}"
            )
        self.first_line = line.rstrip("\n")
        self.url = self.first_line.rsplit(" ", 1)[-1]
        self._admin = httpx.Client(base_url=self.url, timeout=30)
        return self

    def _pump_stdout(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, wait, kill if needed; returns the exit code (None if it never started)."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        process, self.process = self.process, None
        _RUNNING.discard(self)
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        if self._stderr_file is not None:
            self._stderr_file.close()
        return process.returncode

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stderr_text(self) -> str:
        if self._stderr_file is None:
            return ""
        try:
            return Path(self._stderr_file.name).read_text(errors="replace")
        except OSError:
            return ""

    # --- clients -------------------------------------------------------------------------------------
    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self, **kwargs: Any) -> httpx.Client:
        """An authenticated client for the API (``base_url`` is the server)."""
        kwargs.setdefault("timeout", 30)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        kwargs.setdefault("timeout", 30)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.AsyncClient(base_url=self.url, headers=headers, **kwargs)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._admin is None:
            raise EmulatorServerError("the emulator is not running")
        response = self._admin.request(method, f"/_emulator/{path}", **kwargs)
        if response.status_code != 200:
            raise EmulatorServerError(f"{method} /_emulator/{path}: {response.status_code} {response.text}")
        return response.json()

    # --- knobs and hooks -------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self._call("GET", "health")

    def counters(self, site: str | None = None) -> dict[str, Any]:
        """Every call, or (``site``: a seeded site's id, or "default") the calls for one site."""
        return self._call("GET", "counters", params={"site": site} if site else None)

    def requests(self, since: int = 0, site: str | None = None) -> list[dict[str, Any]]:
        return self._call("GET", "requests", params={"since": since, **({"site": site} if site else {})})

    def reset(self) -> None:
        """Zero the counters and empty the request log."""
        self._call("POST", "reset")

    def set_latency(self, ms: float) -> None:
        self._call("POST", "latency", json={"ms": ms})

    def set_faults(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._call("POST", "faults", json={"rules": rules})["rules"]

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")["rules"]

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def seed(
        self,
        locations: int = 1,
        names: list[str] | None = None,
        demo: bool = False,
        currency: str | None = None,
        app: str | None = None,
    ) -> list[dict[str, Any]]:
        """Add locations; ``app`` is "v3" (default), "menus" or "both" (installing is additive)."""
        body: dict[str, Any] = {"locations": locations, "demo": demo}
        if app is not None:
            body["app"] = app
        if names is not None:
            body["names"] = names
        if currency is not None:
            body["currency"] = currency
        return self._call("POST", "seed", json=body)["locations"]

    def seed_sites(
        self, sites: int, locations: int = 1, app: str | None = None, dishes: str | None = None, demo: bool = False
    ) -> list[dict[str, Any]]:
        """New sites: ``[{"siteId", "name", "token", "locations": [{"locationId", "name", "catalogId",
        "dishes"}]}]``."""
        body: dict[str, Any] = {"sites": sites, "locations": locations, "demo": demo}
        if app is not None:
            body["app"] = app
        if dishes is not None:
            body["dishes"] = dishes
        return self._call("POST", "seed", json=body)["sites"]

    def set_rate_limit(self, per_minute: int | None, site: str | None = None) -> dict[str, Any]:
        return self._call("POST", "rate-limit", json={"perMinute": per_minute, **({"site": site} if site else {})})

    def touch(
        self,
        service: str,
        entity_id: str,
        operation: str = "*",
        nth: int | None = None,
        set: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Install one "touch" fault rule (replacing the others): just before the ``nth`` call of
        ``operation`` runs, the entity gets a concurrent edit (revision + 1, new updatedDate, ``set``)."""
        rule: dict[str, Any] = {
            "operation": operation,
            "fault": "touch",
            "entity": {"service": service, "id": entity_id},
        }
        if nth is not None:
            rule["nth"] = nth
        if set is not None:
            rule["set"] = set
        return self.set_faults([rule])

    def archive(
        self, catalog_id: str, kind: str, entity_id: str | None = None, archived: bool = True, scope: str = "live"
    ) -> dict[str, Any]:
        body = {"catalogId": catalog_id, "kind": kind, "id": entity_id, "archived": archived, "scope": scope}
        return self._call("POST", "archive", json=body)["entity"]

    def wipe(self) -> None:
        self._call("POST", "wipe")


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_RUNNING):
        with contextlib.suppress(Exception):
            server.stop(timeout=3)
