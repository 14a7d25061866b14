"""The `kill` step of `python -m bench.fleet`: one worker SIGKILLed in the middle of a roll-out.

With ``--engine temporal`` and two (or more) workers: one price changed in every catalog, the
roll-out started, and once ``share`` of the fleet's sites have finished (their outcome recorded
in the state database), the first worker is killed with SIGKILL. No replacement is started: the
other worker must take over every step the dead one held (after the heartbeat timeout) and
finish the roll-out. Then the bench checks

* **nothing lost**: the roll-out finished with every site converged (each applied and verified by
  its own verify step), and an independent drift pass afterwards finds every site in sync;
* **nothing duplicated**: the writes the emulator counted during the roll-out equal the minimum,
  one ``bulkUpdateItem`` per site.

What the dead worker held at the moment of the kill (sites in flight, by step) is reported too,
so a kill that hit an idle worker would show.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.worker import process_cpu


def finished_since(state_dir: Path, since: float) -> int:
    """Sites whose outcome was recorded after ``since`` (the roll-out's report step)."""
    path = state_dir / "state.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
        try:
            return int(db.execute("SELECT COUNT(*) FROM fleet_sites WHERE finished >= ?", (since,)).fetchone()[0])
        except sqlite3.OperationalError:  # the table does not exist yet
            return 0


def in_flight_on(state_dir: Path, pid: int) -> dict[str, int]:
    """Sites whose current step runs on the worker ``pid``, by step."""
    with sqlite3.connect(f"file:{state_dir / 'state.sqlite'}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute(
            "SELECT phase, COUNT(*) FROM fleet_sites WHERE phase IS NOT NULL AND worker LIKE ? GROUP BY phase",
            (f"%:{pid}",),
        ).fetchall()
    return dict(rows)


def kill_when(
    rollout: subprocess.Popen, worker: subprocess.Popen, state_dir: Path, since: float, sites: int, share: float
) -> dict[str, Any]:
    """SIGKILL ``worker`` once ``share`` of ``sites`` finished; what it held then, and its CPU seconds.
    The caller reaps it (after measuring: a reaped child's CPU joins ``RUSAGE_CHILDREN``)."""
    wanted = max(1, round(sites * share))
    while rollout.poll() is None:
        done = finished_since(state_dir, since)
        if done >= wanted:
            held = in_flight_on(state_dir, worker.pid)
            cpu = process_cpu(worker.pid)  # its CPU up to the kill: a killed process's is read no more
            worker.send_signal(signal.SIGKILL)
            return {
                "finished_at_kill": done,
                "killed_after_s": round(time.time() - since, 1),
                "in_flight_on_killed": held,
                "cpu": cpu,
            }
        time.sleep(0.5)
    raise RuntimeError(f"the roll-out ended (exit {rollout.returncode}) before {wanted} sites finished")
