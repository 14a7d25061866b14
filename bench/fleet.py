"""`python -m bench.fleet`: fleets of 100 and 1,000 Wix sites on one multi-site emulator.

    python -m bench.fleet                                   100 and 1,000 sites, local and temporal
    python -m bench.fleet --sites 100 --engines local       one size, one engine
    python -m bench.fleet --sites 20 --out -                a smoke run, nothing written

One ``reconcile emulator serve`` hosts every site (``seed --sites N``: one Menus (New) location
each, its own site id); a fleet file lists them, each with a catalog of 100-300 dishes (ten
generated catalogs, spread over the sites). Per fleet size and engine, in a fresh state directory:

1. **converge**: the first roll-out, from empty sites to the catalogs;
2. **drift**: a no-op drift pass (nothing changed anywhere);
3. **price**: one price changed in every catalog, rolled out to every site;
4. **kill** (``--steps ...,kill``; temporal with two workers or more): another price change, one
   worker SIGKILLed once ``--kill-share`` of the sites finished, no replacement started; then
   **kill-check**, a drift pass: every site in sync, and the roll-out's writes against the minimum
   (:mod:`bench.fleet_kill`);
5. **gate**: another price change, with 5% of the sites failing (credentials the emulator
   refuses): the canary wave's failures pass the gate's share and the roll-out halts.

``--steps`` picks which (converge always runs: the others need converged sites), e.g.
``python -m bench.fleet --sites 1000 --engines temporal --steps converge,kill``.

Each is the real CLI (``reconcile fleet drift|apply FLEET --engine E``); with ``temporal``, a
Temporal dev server and ``--workers`` worker processes (``reconcile fleet worker``). Reported:
wall time; API calls from the emulator's counters, writes against the minimum (one write per
site for a price change); reconcile's CPU per site (the CLI and the workers, not the emulator or
Temporal) against one site alone (:mod:`bench.fleet_lone`: the whole `reconcile plan` and
`reconcile apply` commands as subprocesses, and the planning in-process); the growth exponent of
wall time from the smallest fleet to the largest. Results go to docs/performance.md, between the
fleet markers (``python -m bench`` keeps that section).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import fleet_kill, fleet_lone, generate, sections
from bench.fleet_report import section
from bench.measure import REPO, machine
from bench.worker import process_cpu
from tests.support.emulator_server import EmulatorServer
from tests.support.temporal_server import TemporalServer

KEY_ENV = "BENCH_FLEET_WIX_KEY"  # the emulator's account-level key: with wix-site-id, it speaks for a site
BAD_ENV = "BENCH_FLEET_BAD_KEY"
CATALOGS = 10
CLI = [sys.executable, "-m", "reconciler.cli.main"]


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@dataclass
class Step:
    name: str
    sites: int
    engine: str
    wall: float
    cpu: float  # reconcile's CPU seconds: the CLI process and the workers
    calls: dict[str, int]
    exit: int
    tally: dict[str, int]
    status: str
    notes: dict = field(default_factory=dict)  # the kill step: what was killed when, what it held

    @property
    def writes(self) -> int:
        # Operations are named "service.method" (or "method"); reads are the list/get/query methods.
        reads = ("list", "get", "query", "search")
        return sum(n for op, n in self.calls.items() if not op.rsplit(".", 1)[-1].startswith(reads))

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@dataclass
class Bed:
    """One fleet of ``count`` sites on the shared emulator, in a folder of its own."""

    server: EmulatorServer
    folder: Path
    count: int
    dishes: tuple[int, int]
    sites: list[dict] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)

    def build(self) -> None:
        self.folder.mkdir(parents=True)
        low, high = self.dishes
        for k in range(CATALOGS):
            size = low + round((high - low) * k / (CATALOGS - 1))
            generate.write(generate.generate(size, seed=k + 1), self.folder / f"menu-{k}.yaml")
        self.sites = self.server.seed_sites(self.count, app="menus")
        self.write()

    def write(self) -> None:
        canary = max(1, self.count // 10)
        lines = [
            "version: 1",
            f"name: bench-{self.count}",
            "defaults:",
            "  target: wix-menus",
            f'  api_base_url: "{self.server.url}"',
            f"  credentials: {{api_key_env: {KEY_ENV}}}",
            "limits: {site_requests_per_minute: 100000, concurrency: 16}",
            "rollout:",
            "  waves: [canary, everyone]",
            "  max_failure_share: 0.02",
            "sites:",
        ]
        for i, site in enumerate(self.sites):
            lines += [
                f"  - site_id: {site['siteId']}",
                f"    catalog: menu-{i % CATALOGS}.yaml",
                f"    wave: {'canary' if i < canary else 'everyone'}",
            ]
            if site["siteId"] in self.bad:
                lines.append(f"    credentials: {{api_key_env: {BAD_ENV}}}")
        (self.folder / "fleet.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def change_prices(self, seed: int) -> None:
        import yaml

        for k in range(CATALOGS):
            path = self.folder / f"menu-{k}.yaml"
            catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
            generate.write(generate.one_price_change(catalog, seed=seed), path)

    def fail_share(self, share: float) -> None:
        """Every 1/share-th site gets credentials the emulator refuses (401: a permanent failure)."""
        step = round(1 / share)
        self.bad = {site["siteId"] for i, site in enumerate(self.sites) if i % step == 0}
        self.write()


class Fleet:
    """Runs the CLI on a bed with one engine; with temporal, owns the worker processes."""

    def __init__(self, bed: Bed, engine: str, env: dict[str, str], workers: int) -> None:
        self.bed, self.engine, self.env, self.count = bed, engine, env, workers
        self.workers: list[subprocess.Popen] = []
        self.dead: list[subprocess.Popen] = []  # killed, not reaped yet
        self.last_cpu: dict[int, float] = {}  # a killed worker's CPU seconds, read just before the kill

    def __enter__(self) -> Fleet:
        for n in range(self.count if self.engine == "temporal" else 0):
            worker = subprocess.Popen(
                [*CLI, "fleet", "worker", "fleet.yaml", "--concurrency", "16"],
                cwd=self.bed.folder,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=open(self.bed.folder / f"worker-{n}.log", "w"),
                stdin=subprocess.DEVNULL,
                text=True,
            )
            line = worker.stdout.readline() if worker.stdout else ""
            if "polling" not in line:
                raise RuntimeError(f"the worker did not start: {line!r}")
            self.workers.append(worker)
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def restart_workers(self) -> None:
        """A changed fleet file is a new revision: workers load it at start."""
        self.__exit__()
        self.workers = []
        self.__enter__()

    def run(self, name: str, mode: str, during: Callable[[subprocess.Popen], dict] | None = None) -> Step:
        """One CLI roll-out; ``during(process)`` runs while it does (the kill step) and returns notes."""
        self.bed.server.reset()
        before = {w.pid: process_cpu(w.pid) for w in self.workers}
        before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(
            [*CLI, "fleet", mode, "fleet.yaml", "--engine", self.engine, "--format", "json"],
            cwd=self.bed.folder,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        notes = during(process) if during is not None else {}
        out, err = process.communicate(timeout=7200)
        wall = time.perf_counter() - started
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)  # before any killed worker is reaped
        cli_cpu = (after_children.ru_utime - before_children.ru_utime) + (
            after_children.ru_stime - before_children.ru_stime
        )
        workers_cpu = sum(self.last_cpu.get(pid, process_cpu(pid)) - cpu for pid, cpu in before.items())
        self.reap_dead()
        try:
            result = json.loads(out)
        except ValueError:
            raise RuntimeError(f"fleet {mode} printed no result (exit {process.returncode}):\n{err[-3000:]}") from None
        operations = self.bed.server.counters().get("operations", {})
        step = Step(
            name,
            self.bed.count,
            self.engine,
            wall,
            cli_cpu + workers_cpu,
            operations,
            process.returncode,
            result["tally"],
            result["status"],
            notes,
        )
        log(f"  calls: {json.dumps(operations, sort_keys=True)}")
        log(
            f"{self.bed.count} sites, {self.engine}, {name}: {wall:.1f} s, {step.total} calls ({step.writes} writes), "
            f"CPU {step.cpu:.1f} s, exit {process.returncode}, {result['status']} {result['tally']} {notes or ''}"
        )
        return step

    def kill_one(self, share: float) -> Callable[[subprocess.Popen], dict]:
        """The ``during`` of the kill step: SIGKILL the first worker once ``share`` of the sites finished."""
        since = time.time()

        def during(rollout: subprocess.Popen) -> dict:
            doomed = self.workers[0]
            notes = fleet_kill.kill_when(rollout, doomed, self.bed.folder / "state", since, self.bed.count, share)
            self.last_cpu[doomed.pid] = notes.pop("cpu")
            self.dead.append(doomed)
            self.workers.remove(doomed)
            return notes | {"share": share, "workers_left": len(self.workers)}

        return during

    def reap_dead(self) -> None:
        for worker in self.dead:
            worker.wait()
        self.dead = []


STEPS = ("converge", "drift", "price", "kill", "gate")  # in this order; converge always runs first


def run_size(server: EmulatorServer, temporal: TemporalServer | None, count: int, args, root: Path, save) -> dict:
    results: dict = {"sites": count, "engines": {}}
    for engine in args.engines:
        bed = Bed(server, root / f"{count}-{engine}", count, args.dishes)
        log(f"{count} sites, {engine}: seeding and writing catalogs")
        bed.build()
        if "lone" not in results:
            results["lone"] = fleet_lone.measure(server, bed.folder, CLI)
            log(f"lone site: {json.dumps(results['lone'])}")
        env = {
            **os.environ,
            KEY_ENV: server.token,
            BAD_ENV: "not-a-key",
            "RECONCILE_STATE_DIR": str(bed.folder / "state"),
            "PYTHONPATH": str(REPO),
        }
        env.pop("RECONCILE_DATABASE_URL", None)
        if temporal is not None:
            env |= {"TEMPORAL_ADDRESS": temporal.address, "TEMPORAL_TASK_QUEUE": f"bench-{count}-{engine}"}
        steps: list[dict] = results["engines"].setdefault(engine, [])

        def record(step: Step) -> None:
            steps.append(step.__dict__ | {"writes": step.writes, "total": step.total, "load": os.getloadavg()[0]})
            save(results)

        with Fleet(bed, engine, env, args.workers) as fleet:
            record(fleet.run("converge", "apply"))
            if "drift" in args.steps:
                record(fleet.run("drift", "drift"))
            if "price" in args.steps:
                bed.change_prices(seed=11)
                fleet.restart_workers()
                record(fleet.run("price", "apply"))
            if "kill" in args.steps and (engine != "temporal" or args.workers < 2):
                log(f"{count} sites, {engine}: the kill step needs --engines temporal and --workers 2 or more")
            elif "kill" in args.steps:
                bed.change_prices(seed=13)
                fleet.restart_workers()
                record(fleet.run("kill", "apply", fleet.kill_one(args.kill_share)))
                fleet.restart_workers()  # the check: an ordinary drift pass, every worker back
                record(fleet.run("kill-check", "drift"))
            if "gate" in args.steps:
                bed.change_prices(seed=12)
                bed.fail_share(args.failing)
                fleet.restart_workers()
                record(fleet.run("gate", "apply"))
    return results


def write(text: str, out: str) -> None:
    if out == "-":
        sys.stdout.write(text)
        return
    log(f"wrote {sections.write('fleet', text, out)}")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", default="100,1000", help="fleet sizes (default 100,1000)")
    parser.add_argument("--engines", default="local,temporal", help="local, temporal or both (default both)")
    parser.add_argument("--workers", type=int, default=2, help="Temporal worker processes (default 2)")
    parser.add_argument("--dishes", default="100-300", help="dishes per catalog, MIN-MAX (default 100-300)")
    parser.add_argument("--failing", type=float, default=0.05, help="share of failing sites in the gate step")
    parser.add_argument(
        "--steps",
        default="converge,drift,price,gate",
        help=f"which steps, of {','.join(STEPS)} (default converge,drift,price,gate; converge always runs)",
    )
    parser.add_argument(
        "--kill-share", type=float, default=0.3, help="the kill step: SIGKILL a worker once this share finished"
    )
    parser.add_argument("--out", default="docs/performance.md", help="where the section goes ('-': stdout only)")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--render", help="measure nothing: render these --json files (comma-separated) as one section")
    args = parser.parse_args(argv)
    args.sites = [int(s.replace("_", "").replace(",", "")) for s in args.sites.split(",") if s]
    args.engines = [e for e in args.engines.split(",") if e]
    args.steps = [e for e in args.steps.split(",") if e]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))} (known: {', '.join(STEPS)})")
    low, _, high = args.dishes.partition("-")
    args.dishes = (int(low), int(high or low))
    return args


def merged(files: list[str]) -> list[dict]:
    """Results of several runs (say, one per engine), by fleet size."""
    by_size: dict[int, dict] = {}
    for name in files:
        for result in json.loads(Path(name).read_text(encoding="utf-8"))["results"]:
            into = by_size.setdefault(result["sites"], {"sites": result["sites"], "engines": {}})
            into["engines"] |= result["engines"]
            for key in ("lone", "lone_plan_cpu"):
                if key in result:
                    into.setdefault(key, result[key])
    return [by_size[n] for n in sorted(by_size)]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render:
        files = [f for f in args.render.split(",") if f]
        abouts = [json.loads(Path(f).read_text(encoding="utf-8"))["about"] for f in files]
        results = merged(files)
        args.engines = list(dict.fromkeys(e for r in results for e in r["engines"]))
        text = section(results, abouts, args)
        write(text, args.out)
        return 0
    about = machine() | {"load_start": os.getloadavg()[0], "steps": args.steps}
    results: list[dict] = []

    def save(current: dict) -> None:  # after every step: a long run that dies keeps what it measured
        if args.json:
            about["load_now"] = os.getloadavg()[0]
            done = [r for r in results if r is not current] + [current]
            Path(args.json).write_text(json.dumps({"about": about, "results": done}, indent=2), encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as folder, contextlib.ExitStack() as stack:
        root = Path(folder)
        server = stack.enter_context(EmulatorServer(state=root / "emulator.sqlite"))
        temporal = stack.enter_context(TemporalServer()) if "temporal" in args.engines else None
        for count in args.sites:
            results.append(run_size(server, temporal, count, args, root, save))
    about["load_end"] = os.getloadavg()[0]
    if results:
        save(results[-1])
    text = section(results, [about], args)
    write(text, args.out)
    if args.out != "-":
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
