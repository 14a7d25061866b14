"""Running measured work: a fresh worker process per run, the emulator's counters, the machine.

Each measured run is ``python -m bench.worker`` in a new process (so peak memory is that run's
alone), talking over HTTP on 127.0.0.1 to a ``reconcile emulator serve`` process. Before the run
the emulator's counters are zeroed; after it they give the API calls by endpoint, and the server
process's CPU time (from /proc) gives what the emulator spent answering.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from bench.worker import process_cpu
from tests.support.emulator_server import EmulatorServer

REPO = Path(__file__).resolve().parents[1]
READS = ("list", "get", "query", "search", "count")  # operation-name prefixes of calls that change nothing


class BenchError(RuntimeError):
    pass


def is_write(operation: str) -> bool:
    # Menus (New) operations are named by service: "items.listItems", "menus.bulkUpdateMenus".
    return not operation.rsplit(".", 1)[-1].startswith(READS)


def writes(calls: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in calls.items() if is_write(k)}


def reads(calls: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in calls.items() if not is_write(k)}


def worker_env(server: EmulatorServer) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE is dropped: an installed reconcile runs from compiled bytecode, and
    # without it every measured process would compile reconcile's ~160 modules again (0.2 s).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WIX_", "RECONCILE_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        WIX_ACCESS_TOKEN=server.token,
        NO_COLOR="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    return env


def run_worker(server: EmulatorServer, spec: dict, timeout: float = 900) -> dict:
    """Run one spec in a fresh process; add the emulator's counters and CPU to its result."""
    assert server.process is not None
    spec = {**spec, "url": server.url, "server_pid": server.process.pid}
    server.reset()
    cpu_before = process_cpu(server.process.pid)
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=worker_env(server),
        timeout=timeout,
    )
    if done.returncode != 0:
        raise BenchError(f"worker failed ({done.returncode}) for {spec['mode']} {spec['jobs']}:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_cpu"] = round(process_cpu(server.process.pid) - cpu_before, 3)
    result["calls"] = server.counters()["operations"]
    if result.get("differences"):
        raise BenchError(
            f"verify found {result['differences']} difference(s) after {spec['mode']} "
            f"{spec['jobs']}: {result['difference_samples']}"
        )
    return result


def run_command(command: list[str], env: dict[str, str]) -> dict:
    """Run a whole command in a new process: wall time, and its CPU and peak memory from wait4.

    It is started by ``bench.launch``, a small process, so that its peak memory is its own and not
    the bench's (see that module)."""
    usage = launched(command, env=env, cwd=REPO)
    if usage["code"] not in (0, 2):
        raise BenchError(f"{' '.join(command[:4])} … exited {usage['code']}: {usage['stderr'][-2000:]}")
    return {
        "wall": round(usage["wall"], 4),
        "cpu": round(usage["cpu"], 4),
        "maxrss_mb": round(usage["maxrss_mb"], 1),
        "output_lines": usage["stdout"].count(b"\n"),
    }


def launched(command: list[str], *, env: dict[str, str], cwd: Path) -> dict:
    """Run ``command`` through ``bench.launch``: its exit code, wall, CPU, peak MB, stdout and stderr."""
    import tempfile

    with tempfile.TemporaryDirectory() as work, open(Path(work) / "out", "w+b") as out:
        result = Path(work) / "usage.json"
        with open(Path(work) / "err", "w+b") as err:
            launcher = [sys.executable, "-m", "bench.launch", str(result), *command]
            process = subprocess.Popen(
                launcher,
                cwd=cwd,
                env={**env, "PYTHONPATH": _with_repo(env)},
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # the launcher and the command: one group to stop on interrupt
            )
            try:
                process.wait()
            except BaseException:
                os.killpg(process.pid, 9)
                raise
            err.seek(0)
            stderr = err.read().decode(errors="replace")
        if process.returncode != 0 or not result.exists():
            raise BenchError(f"bench.launch failed for {' '.join(command[:4])} …: {stderr[-2000:]}")
        usage = json.loads(result.read_text(encoding="utf-8"))
        out.seek(0)
        return {**usage, "stdout": out.read(), "stderr": stderr}


def _with_repo(env: dict[str, str]) -> str:
    """PYTHONPATH with the repository first, so ``-m bench.launch`` is found from any directory."""
    return os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


# -- where the figures come from ----------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "commit": git_commit(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short=10", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "reconciler")
    return commit + (" (with uncommitted changes under reconciler/)" if dirty else "")
