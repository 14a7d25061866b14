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
4. **gate**: another price change, with 5% of the sites failing (credentials the emulator
   refuses): the canary wave's failures pass the gate's share and the roll-out halts.

Each is the real CLI (``reconcile fleet drift|apply FLEET --engine E``); with ``temporal``, a
Temporal dev server and ``--workers`` worker processes (``reconcile fleet worker``). Reported:
wall time; API calls from the emulator's counters, writes against the minimum (one write per
site for a price change); reconcile's CPU per site (the CLI and the workers, not the emulator or
Temporal) against a lone plan of the same catalog measured in-process; the growth exponent of
wall time from the smallest fleet to the largest. Results go to docs/performance.md, between the
fleet markers (``python -m bench`` keeps that section).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import generate, sections
from bench.measure import REPO, machine
from bench.worker import process_cpu
from tests.support.emulator_server import EmulatorServer
from tests.support.temporal_server import TemporalServer

KEY_ENV = "BENCH_FLEET_WIX_KEY"  # the emulator's account-level key: with wix-site-id, it speaks for a site
BAD_ENV = "BENCH_FLEET_BAD_KEY"
CATALOGS = 10
CLI = [sys.executable, "-m", "reconciler.cli.main"]
START, END = sections.MARKERS["fleet"]


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

    def run(self, name: str, mode: str) -> Step:
        self.bed.server.reset()
        before_workers = sum(process_cpu(w.pid) for w in self.workers)
        before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [*CLI, "fleet", mode, "fleet.yaml", "--engine", self.engine, "--format", "json"],
            cwd=self.bed.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=7200,
        )
        wall = time.perf_counter() - started
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu = (after_children.ru_utime - before_children.ru_utime) + (
            after_children.ru_stime - before_children.ru_stime
        )
        cpu = cli_cpu + sum(process_cpu(w.pid) for w in self.workers) - before_workers
        try:
            result = json.loads(done.stdout)
        except ValueError:
            raise RuntimeError(
                f"fleet {mode} printed no result (exit {done.returncode}):\n{done.stderr[-3000:]}"
            ) from None
        operations = self.bed.server.counters().get("operations", {})
        step = Step(
            name, self.bed.count, self.engine, wall, cpu, operations, done.returncode, result["tally"], result["status"]
        )
        log(f"  calls: {json.dumps(operations, sort_keys=True)}")
        log(
            f"{self.bed.count} sites, {self.engine}, {name}: {wall:.1f} s, {step.total} calls ({step.writes} writes), "
            f"CPU {cpu:.1f} s, exit {done.returncode}, {result['status']} {result['tally']}"
        )
        return step


def lone_plan_cpu(bed: Bed, runs: int = 5) -> float:
    """reconcile's CPU for one `reconcile plan` of a median catalog against its converged site, in-process."""
    import httpx

    from reconciler.engine.planning import make_plan
    from reconciler.engine.safety import Thresholds
    from reconciler.http import Session
    from reconciler.state.mapping import MappingStore
    from reconciler.targets.wix_menus.target import WixMenusTarget
    from reconciler.yamlio.load import load_catalog

    index = min(CATALOGS // 2, len(bed.sites) - 1)  # a 200-dish catalog when there are ten sites or more
    site = bed.sites[index]
    catalog = load_catalog(str(bed.folder / f"menu-{index % CATALOGS}.yaml"))
    headers = {"Authorization": bed.server.token, "wix-site-id": site["siteId"]}

    async def once(store: MappingStore) -> float:
        async with httpx.AsyncClient(base_url=bed.server.url, timeout=60) as client:
            target = WixMenusTarget(Session(client, headers, [bed.server.token]), None)
            started = time.process_time()
            await make_plan(catalog, target, store, Thresholds())
            return time.process_time() - started

    with tempfile.TemporaryDirectory() as folder:
        store = MappingStore(Path(folder) / "state.sqlite")
        times = [asyncio.run(once(store)) for _ in range(runs)]
        store.close()
    return statistics.median(times)


def run_size(server: EmulatorServer, temporal: TemporalServer | None, count: int, args, root: Path) -> dict:
    results: dict = {"sites": count, "engines": {}}
    for engine in args.engines:
        bed = Bed(server, root / f"{count}-{engine}", count, args.dishes)
        log(f"{count} sites, {engine}: seeding and writing catalogs")
        bed.build()
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
        steps = []
        with Fleet(bed, engine, env, args.workers) as fleet:
            steps.append(fleet.run("converge", "apply"))
            steps.append(fleet.run("drift", "drift"))
            bed.change_prices(seed=11)
            fleet.restart_workers()
            steps.append(fleet.run("price", "apply"))
            bed.change_prices(seed=12)
            bed.fail_share(args.failing)
            fleet.restart_workers()
            steps.append(fleet.run("gate", "apply"))
        if "lone_plan_cpu" not in results:
            results["lone_plan_cpu"] = lone_plan_cpu(bed)
        results["engines"][engine] = [step.__dict__ | {"writes": step.writes, "total": step.total} for step in steps]
    return results


def exponent(a: dict, b: dict, engine: str, step: str) -> float | None:
    def wall(r: dict) -> float | None:
        found = [s["wall"] for s in r["engines"].get(engine, []) if s["name"] == step]
        return found[0] if found else None

    wa, wb = wall(a), wall(b)
    if not wa or not wb or a["sites"] == b["sites"]:
        return None
    return math.log(wb / wa) / math.log(b["sites"] / a["sites"])


def section(results: list[dict], about: dict, args) -> str:
    low, high = args.dishes
    lines = [
        START,
        "## Fleets: 100 and 1,000 sites (`python -m bench.fleet`)",
        "",
        f"Measured {about['date']} on {about['cpu']} ({about['cores']} cores), commit {about['commit']}. "
        f"{about.get('load', '')}".rstrip(),
        "",
        f"One emulator server hosts every site (one Menus (New) location each); sites have catalogs of "
        f"{low}-{high} dishes (ten generated catalogs, spread over the sites). Per size and engine, in a fresh "
        "state directory (SQLite): **converge** (the first roll-out, from empty sites), **drift** (a no-op drift "
        "pass), **price** (one price changed in every catalog, rolled out everywhere), **gate** (another price "
        f"change with {args.failing:.0%} of the sites failing: the canary wave (10% of the sites) passes the "
        "gate's 2% share and the roll-out halts). `temporal` is a Temporal dev server with "
        f"{args.workers} worker processes. *CPU/site* is reconcile's CPU (the CLI and the workers; not the "
        "emulator, not Temporal) per site that ran; *lone plan* is one `reconcile plan` of a 200-dish catalog "
        "against its converged site, in-process (imports excluded). *Minimum* is one write per site for a "
        "price change, none for drift.",
        "",
        "| sites | engine | step | wall s | calls | writes | minimum writes | CPU/site s | × lone plan | result |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lone = r.get("lone_plan_cpu") or 0.0
        for engine, steps in r["engines"].items():
            for s in steps:
                ran = sum(s["tally"].values()) or 1
                minimum = {"price": r["sites"], "drift": 0}.get(s["name"], "-")
                ratio = f"{s['cpu'] / ran / lone:.2f}" if lone else "-"
                tally = ", ".join(f"{n} {k}" for k, n in sorted(s["tally"].items()))
                lines.append(
                    f"| {r['sites']:,} | {engine} | {s['name']} | {s['wall']:.1f} | {s['total']:,} | {s['writes']:,} "
                    f"| {minimum if isinstance(minimum, str) else f'{minimum:,}'} | {s['cpu'] / ran:.3f} | {ratio} "
                    f"| {s['status']}: {tally} (exit {s['exit']}) |"
                )
    lines += [
        "",
        "Lone plan CPU: " + ", ".join(f"{r['sites']:,} sites' bed {r['lone_plan_cpu']:.3f} s" for r in results),
    ]
    if len(results) >= 2:
        a, b = results[0], results[-1]
        lines += ["", f"Growth exponent of wall time from {a['sites']:,} to {b['sites']:,} sites (1 = linear):", ""]
        for engine in args.engines:
            parts = []
            for step in ("converge", "drift", "price"):
                e = exponent(a, b, engine, step)
                parts.append(f"{step} {e:.2f}" if e is not None else f"{step} -")
            lines.append(f"- {engine}: " + ", ".join(parts))
    lines += ["", END]
    return "\n".join(lines) + "\n"


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
    parser.add_argument("--out", default="docs/performance.md", help="where the section goes ('-': stdout only)")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--render", help="measure nothing: render these --json files (comma-separated) as one section")
    args = parser.parse_args(argv)
    args.sites = [int(s.replace("_", "").replace(",", "")) for s in args.sites.split(",") if s]
    args.engines = [e for e in args.engines.split(",") if e]
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
            into.setdefault("lone_plan_cpu", result["lone_plan_cpu"])
    return [by_size[n] for n in sorted(by_size)]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render:
        files = [f for f in args.render.split(",") if f]
        saved = json.loads(Path(files[0]).read_text(encoding="utf-8"))
        results = merged(files)
        args.engines = list(dict.fromkeys(e for r in results for e in r["engines"]))
        text = section(results, saved["about"], args)
        write(text, args.out)
        return 0
    about = machine()
    load = os.getloadavg()[0]
    about["load"] = f"Load average at the start: {load:.1f} (other work on the machine competes for its cores)."
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as folder, contextlib.ExitStack() as stack:
        root = Path(folder)
        server = stack.enter_context(EmulatorServer(state=root / "emulator.sqlite"))
        temporal = stack.enter_context(TemporalServer()) if "temporal" in args.engines else None
        for count in args.sites:
            results.append(run_size(server, temporal, count, args, root))
            if args.json:
                Path(args.json).write_text(json.dumps({"about": about, "results": results}, indent=2), encoding="utf-8")
    text = section(results, about, args)
    write(text, args.out)
    if args.out != "-":
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
