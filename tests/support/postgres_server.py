"""A real PostgreSQL server for tests: the machine's PostgreSQL 15, in a temporary data directory.

    with PostgresServer() as server:
        url = server.create_database()      # "postgresql://reconcile@127.0.0.1:PORT/test_…"

``initdb`` and ``pg_ctl`` come from ``pg_config --bindir`` (Debian: /usr/lib/postgresql/15/bin).
PostgreSQL refuses to run as root, so when the tests run as root the server runs as an
unprivileged user (``reconcile-test`` if it exists, else ``nobody``) through ``setpriv``; its data
directory is a fresh folder under the system temporary directory, owned by that user. It listens
on 127.0.0.1 only, on a free port, with trust authentication for that loopback address only, and
is stopped (and its folder removed) when the block ends or the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
import weakref
from pathlib import Path

from tests.support.temporal_server import free_port

_RUNNING: weakref.WeakSet[PostgresServer] = weakref.WeakSet()
USER = "reconcile"  # the database superuser initdb creates


def postgres_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if done.returncode == 0 and (Path(done.stdout.strip()) / "initdb").exists():
            return Path(done.stdout.strip())
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _unprivileged() -> tuple[int, int] | None:
    """(uid, gid) to run the server as, when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("reconcile-test", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root and no unprivileged user (reconcile-test or nobody) exists for PostgreSQL")


class PostgresServer:
    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        self.port = 0
        self.folder: Path | None = None
        self.running = False
        self._as = _unprivileged()

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = list(args)
        if self._as is not None:
            uid, gid = self._as
            command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *command]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C", "LC_ALL": "C"}
        return subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL
        )

    def start(self) -> PostgresServer:
        if self.bindir is None:
            raise RuntimeError("PostgreSQL is not installed (no initdb); on Debian: apt-get install postgresql-15")
        self.folder = Path(tempfile.mkdtemp(prefix="reconcile-pg-"))
        if self._as is not None:
            os.chown(self.folder, *self._as)
        data = self.folder / "data"
        done = self._run(
            str(self.bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale", "-N"
        )
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        self.port = free_port()
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        done = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        _RUNNING.add(self)
        self.running = True
        if done.returncode != 0:
            log = (
                (self.folder / "server.log").read_text(errors="replace")
                if (self.folder / "server.log").exists()
                else ""
            )
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start:\n{done.stdout}\n{done.stderr}\n{log[-3000:]}")
        return self

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def create_database(self) -> str:
        """A new, empty database for one test; its URL."""
        import psycopg

        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        _RUNNING.discard(self)
        if self.running and self.folder is not None:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
            self.running = False
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_RUNNING):
        with contextlib.suppress(Exception):
            server.stop()
