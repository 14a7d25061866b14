"""A per-catalog lock so two applies never run against the same catalog from this machine.

It is an advisory ``flock`` on a file under the state directory: the kernel releases it when the
process dies, so a crash never leaves a stale lock. The file records who holds it, for the message.
(Across machines, the Wix draft itself acts as the lock: at most one draft per catalog.)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import time
from pathlib import Path

from reconciler.errors import LockHeld


class CatalogLock:
    def __init__(self, directory: Path, scope: str) -> None:
        name = hashlib.sha256(scope.encode()).hexdigest()[:16]
        (directory / "locks").mkdir(parents=True, exist_ok=True)
        self.path = directory / "locks" / f"{name}.lock"
        self.scope = scope
        self._fd: int | None = None

    def __enter__(self) -> CatalogLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockHeld(
                f"another apply is running on this catalog ({holder}); wait for it to finish. "
                f"The lock is released automatically when that process exits."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(data.get("since", 0)))
        return f"pid {data.get('pid')} on {data.get('host')}, since {since}"
    except (OSError, ValueError):
        return "holder unknown"
