"""One measured run, in a fresh process: ``python -m bench.worker < spec.json`` prints one JSON line.

The spec says what to run against which emulator (``url``; the token comes in the environment as
WIX_ACCESS_TOKEN, as for the CLI)::

    {"mode": "plan" | "apply" | "naive",
     "jobs": [{"catalog": "before.yaml", "location": null, "state": "state-dir"}, ...],
     "url": "http://127.0.0.1:PORT", "target": "wix-v3" | "wix-menus", "concurrency": 4, "verify": true,
     "token": null | "the site's token (else WIX_ACCESS_TOKEN)",
     "live_updates": true,
     "profile": null | "out.pstats"}

``plan`` and ``apply`` do what ``reconcile plan`` and ``reconcile apply --auto-approve`` do, through
the same library calls and with the same collector setting as the CLI's ``main``: load the YAML,
resolve the location, read live, diff, plan, render the plan text, then (apply) execute and verify.
``naive`` runs :mod:`bench.naive`. Several jobs run one after the other (a site's locations).

Measured around the jobs only (imports are reported apart): wall time (``perf_counter``), CPU time
of this process (``getrusage`` user + system, all threads), and peak resident memory of the whole
process (``ru_maxrss``: interpreter and imports included; ``baseline_mb`` is the peak before the jobs).
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import asyncio  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from contextlib import nullcontext  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

from bench import naive  # noqa: E402
from reconciler.engine.apply import ApplyOptions, apply_plan, catalog_lock  # noqa: E402
from reconciler.engine.planning import make_plan  # noqa: E402
from reconciler.engine.thresholds import Thresholds  # noqa: E402
from reconciler.engine.verify import verify  # noqa: E402
from reconciler.render.text import render_text  # noqa: E402
from reconciler.state.mapping import MappingStore  # noqa: E402
from reconciler.targets.registry import open_target  # noqa: E402
from reconciler.yamlio.load import load_catalog  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _T0
# Benchmarks measure speed, not the safety gate: a 10% change must not need --force here.
THRESHOLDS = Thresholds(max_update_share=1.0, max_remove_share=1.0)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of another running process (Linux /proc), 0 if unknown."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


class Phases:
    """Wall time per phase, and the emulator server's CPU time during each phase."""

    def __init__(self, server_pid: int | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.server: dict[str, float] = {}
        self.server_pid = server_pid
        self._server_mark = process_cpu(server_pid)

    def add(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - started
        mark = process_cpu(self.server_pid)
        self.server[name] = self.server.get(name, 0.0) + mark - self._server_mark
        self._server_mark = mark
        return now


async def run_job(spec: dict, job: dict, phases: Phases, out: dict) -> None:
    mode = spec["mode"]
    state = Path(job["state"])
    state.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if mode == "naive":
        data = yaml.load(Path(job["catalog"]).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        started = phases.add("load", started)
        calls = await naive.run(
            spec["url"], os.environ["WIX_ACCESS_TOKEN"], data, job.get("location"), spec.get("concurrency", 4)
        )
        phases.add("sync", started)
        for name, count in calls.items():
            out["client_calls"][name] = out["client_calls"].get(name, 0) + count
        return
    catalog = load_catalog(job["catalog"])
    started = phases.add("load", started)
    store = MappingStore(state / "state.sqlite")
    try:
        async with open_target(
            spec.get("target", "wix-v3"), job.get("location") or catalog.location, state, currency=catalog.currency
        ) as target:
            # As `reconcile apply` does: the lock from before the plan's read until the commit.
            lock = catalog_lock(state, await target.scope(), store) if mode == "apply" else nullcontext()
            with lock:
                await _plan_and_apply(spec, target, store, state, catalog, lock, phases, out, started)
    finally:
        store.close()


async def _plan_and_apply(spec, target, store, state, catalog, lock, phases, out, started) -> None:
    """The plan, its text, and (apply) the apply as `reconcile apply CATALOG --auto-approve` runs it."""
    planned = await make_plan(catalog, target, store, THRESHOLDS, spec.get("live_updates", True))
    plan = planned.plan
    started = phases.add("plan", started)
    text = render_text(plan, color=False)
    started = phases.add("render", started)
    out["changes"] += len(plan.changes)
    out["operations"] += len(plan.operations)
    for op in plan.operations:
        out["planned_calls"][op.call] = out["planned_calls"].get(op.call, 0) + 1
    out["steps"] = max(out["steps"], len({op.step for op in plan.operations}))
    out["plan_lines"] += text.count("\n")
    if spec["mode"] == "apply":
        options = ApplyOptions(force=True, concurrency=spec.get("concurrency", 4), verify=False)
        if planned.reading is not None:  # --auto-approve: nothing waits between read and write
            options = replace(options, reading=planned.reading)
        result = await apply_plan(plan, target, store, state, options, lock=lock)
        started = phases.add("apply", started)
        for name, count in result.calls.items():
            out["client_calls"][name] = out["client_calls"].get(name, 0) + count
        if spec.get("verify", True) and plan.operations:
            differences = await verify(plan, target, store)
            out["differences"] += len(differences)
            out["difference_samples"] += differences[:3]
            phases.add("verify", started)


async def run(spec: dict) -> dict:
    out: dict = {
        "changes": 0,
        "operations": 0,
        "steps": 0,
        "plan_lines": 0,
        "differences": 0,
        "difference_samples": [],
        "client_calls": {},
        "planned_calls": {},
    }
    phases = Phases(spec.get("server_pid"))
    for job in spec["jobs"]:
        await run_job(spec, job, phases, out)
    out["phases"] = {k: round(v, 4) for k, v in phases.seconds.items()}
    out["server_phases"] = {k: round(v, 3) for k, v in phases.server.items()}
    return out


def measure(spec: dict) -> dict:
    # As reconciler.cli.main.main does for every CLI run: collect far less often.
    gc.set_threshold(100_000, 50, 100)
    baseline = _rss_mb()
    profiler = None
    if spec.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu0, wall0 = _cpu(), time.perf_counter()
    out = asyncio.run(run(spec))
    wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(spec["profile"])
    out.update(
        wall=round(wall, 4),
        cpu=round(cpu, 4),
        maxrss_mb=round(_rss_mb(), 1),
        baseline_mb=round(baseline, 1),
        import_s=round(IMPORT_SECONDS, 3),
        pid=os.getpid(),
    )
    return out


def main() -> int:
    spec = json.loads(sys.stdin.read())
    os.environ["WIX_API_BASE_URL"] = spec["url"]
    if spec.get("token"):  # a location of a site of its own (bench/cases.py)
        os.environ["WIX_ACCESS_TOKEN"] = spec["token"]
    result = measure(spec)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
