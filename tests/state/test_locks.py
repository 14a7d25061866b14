"""The per-catalog apply lock, through the backend: a file lock with SQLite, an advisory lock in
PostgreSQL that holds for every machine sharing the database. Both fail fast naming the holder, and
both are released when the holder dies, even by SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from reconciler.errors import LockHeld
from reconciler.state.storage import Storage
from tests.support.emulator_server import REPO_ROOT

HOLD = """
import sys
from reconciler.state.storage import Storage
with Storage(sys.argv[1]).lock("wix-menus:loc-1"):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_apply_of_a_catalog_fails_fast_naming_the_holder(state_dir, env):
    first, second = Storage(state_dir, env), Storage(state_dir, env)  # as on two machines
    with first.lock("wix-menus:loc-1"):
        with pytest.raises(LockHeld) as held, second.lock("wix-menus:loc-1"):
            pass
        assert f"pid {os.getpid()}" in str(held.value)
        with second.lock("wix-menus:loc-2"):  # another catalog is free
            pass
    with second.lock("wix-menus:loc-1"):  # released on exit
        pass


@pytest.mark.e2e
def test_the_lock_of_a_killed_holder_is_released(state_dir, env):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state_dir)],
        env={**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld, match=f"pid {holder.pid}"), Storage(state_dir, env).lock("wix-menus:loc-1"):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=30)
    from tests.support.waiting import wait_until

    def free() -> bool:
        try:
            with Storage(state_dir, env).lock("wix-menus:loc-1"):
                return True
        except LockHeld:  # PostgreSQL notices the closed connection within moments
            return False

    wait_until(free, "the killed holder's lock to be released")
