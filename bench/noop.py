"""`python -m bench.noop`: the whole `reconcile plan` command of an unchanged catalog, next to its floors.

    python -m bench.noop                                 100 / 1,000 / 10,000 / 50,000 dishes, 3 runs each
    python -m bench.noop --sizes 100,1000 --runs 1 --out -

Per size and target (`wix-v3` and `wix-menus`, one location each of one `reconcile emulator serve`
on 127.0.0.1; the bench's generated catalog without dish images, applied once beforehand, not
measured), the whole command in its own process (interpreter start-up and imports included: what
a user waits for), in two states:

- **memo**: what a second `reconcile plan` of the same catalog finds when nothing changed: the plan
  memo (reconciler/engine/memo.py) answers after the live read (Menus (New) through the live
  snapshot: what changed since the last plan; Catalogs v3 cannot tell and reads in full); nothing is
  parsed, validated, projected or diffed. One unmeasured run fills every cache.
- **cached**: the same with the memo off (`RECONCILE_PLAN_MEMO=off`): what a plan costs when
  something live or in the mapping moved but the catalog did not: the catalog cache (the validated
  catalog, its bytes unchanged) and the live snapshot; the plan is made in full.
- **cold**: no cache at all (`RECONCILE_PLAN_MEMO`, `RECONCILE_CATALOG_CACHE`, `RECONCILE_LIVE_SNAPSHOT`
  all `off`): the YAML is parsed and validated and the whole live side read.

Each next to its floors: **start-up**, a process that starts Python and imports what `plan` imports
(`reconciler.cli.main`, `reconciler.cli.plan_cmd`) and does nothing; **parse**, the fastest parse of
the same file (libyaml's C loader, no positions, no validation: the floor of any cold plan of
YAML), and the two together. *wall* is elapsed time, *CPU* user + system of the command, *peak MB*
its maximum resident set. Targets (issue #19): at 10,000 dishes, with caches warm ≤ 0.5 s, cold ≤ 1.0 s,
≤ 250 MB; 50,000 dishes works and the cost grows linearly. The report goes between markers in
docs/performance.md, with the commit and the load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import generate as catalogs
from bench import sections
from bench.measure import REPO, git_commit, machine, run_command, worker_env
from reconciler.targets.wix_menus.snapshot import MARGIN
from tests.support.emulator_server import EmulatorServer

BEGIN, END = sections.MARKERS["noop"]
TARGETS = {"wix-v3": "v3", "wix-menus": "menus"}
NO_MEMO = {"RECONCILE_PLAN_MEMO": "off"}
COLD = {**NO_MEMO, "RECONCILE_CATALOG_CACHE": "off", "RECONCILE_LIVE_SNAPSHOT": "off"}
MODES = (("memo", {}), ("cached", NO_MEMO), ("cold", COLD))
START_UP = [sys.executable, "-c", "import reconciler.cli.main, reconciler.cli.plan_cmd"]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def generate(work: Path, dishes: int) -> Path:
    """The bench's catalog (seed 1) without dish images: importing them into the Media Manager is a
    one-time set-up of the bed (2,975 files at 10,000 dishes), not what a no-op plan does."""
    data = catalogs.generate(dishes, seed=1)
    for dish in data["dishes"]:
        dish.pop("image", None)
    return catalogs.write(data, work / f"catalog-{dishes}.yaml")


def bed(server: EmulatorServer, work: Path, catalog: Path, target: str, dishes: int) -> list[str]:
    """A location with the catalog applied (not measured); the `reconcile plan` command against it."""
    location = server.seed(1, names=[f"{target} {dishes}"], app=TARGETS[target])[0]["locationId"]
    state = work / f"state-{target}-{dishes}"
    base = [sys.executable, "-m", "reconciler.cli.main"]
    where = [str(catalog), "--target", target, "--location", location, "--state-dir", str(state)]
    env = _env(server)
    done = subprocess.run([*base, "apply", *where, "--auto-approve"], cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"apply of {dishes} dishes on {target} failed: {done.stderr[-2000:]}")
    # A no-op plan is of a site at rest. For MARGIN after a write, a Menus (New) read asks again for
    # what was written (snapshot.py: the kept snapshot is dated by the server's Date less MARGIN),
    # so a plan just after the bed's apply reads every item it wrote; wait that out, as a reviewer's
    # plan minutes after an apply would. (0.70-0.77 s against 0.33-0.36 s for the memo at 10,000.)
    time.sleep(MARGIN.total_seconds())
    return [*base, "plan", *where]


def parse_floor(path: Path) -> dict[str, float]:
    """libyaml's C loader alone on the file (no positions, no validation): wall and CPU, median of three."""
    import time

    import yaml

    text = path.read_text(encoding="utf-8")
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        yaml.load(text, Loader=yaml.CSafeLoader)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def _env(server: EmulatorServer) -> dict[str, str]:
    return {**worker_env(server), "WIX_API_BASE_URL": server.url}


def measure(command: list[str], env: dict[str, str], runs: int) -> list[dict[str, Any]]:
    run_command(command, env)  # not measured: fills the caches (cached) or the bytecode and page cache (cold)
    return [run_command(command, env) for _ in range(runs)]


def suite(sizes: list[int], runs: int, work: Path) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    load_start = os.getloadavg()[0]
    with EmulatorServer(state=work / "emulator.sqlite") as server:
        start_up = measure(START_UP, _env(server), runs)
        for dishes in sizes:
            catalog = generate(work, dishes)
            parse = parse_floor(catalog)
            for target in TARGETS:
                command = bed(server, work, catalog, target, dishes)
                for mode, extra in MODES:
                    samples = measure(command, {**_env(server), **extra}, runs)
                    results.append(
                        {"dishes": dishes, "target": target, "mode": mode, "samples": samples, "parse": parse}
                    )
                    log(
                        f"  {dishes:>6} dishes  {target:<9} {mode:<6} " + " ".join(f"{s['wall']:.2f}s" for s in samples)
                    )
    return {
        "results": results,
        "start_up": start_up,
        "load": (load_start, os.getloadavg()[0]),
        "machine": machine(),
        "commit": git_commit(),
    }


def _med(samples: list[dict[str, Any]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def report(found: dict[str, Any], runs: int) -> str:
    m = found["machine"]
    start, start_cpu = _med(found["start_up"], "wall"), _med(found["start_up"], "cpu")
    start_mb = _med(found["start_up"], "maxrss_mb")
    lines = [
        BEGIN,
        "## No-op `reconcile plan`, the whole command (`python -m bench.noop`)",
        "",
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores), reconcile {found['commit']}; median of "
        f"{runs} runs. Load average (1 min) {found['load'][0]:.1f} at the start, {found['load'][1]:.1f} at the end: "
        "the machine is shared with other work, which competes for its cores, so wall times here are above what "
        "a quiet machine gives (CPU is less affected). Catalogs: bench/generate.py, seed 1, without dish images "
        "(importing them into the Media Manager is the bed's one-time set-up, not part of a no-op plan). "
        "Each bed's site is left at rest for 5 s after its apply before the plans (a Menus (New) read asks "
        "again for whatever was written in the last 5 s: the snapshot's margin).",
        "",
        f"Floors: **start-up** (Python plus the imports of `plan`, doing nothing): {start:.2f} s wall, "
        f"{start_cpu:.2f} s CPU, {start_mb:.0f} MB; **parse**: libyaml's C loader alone on the same file (the floor "
        "of a cold plan only: a cached one parses nothing). *× floor* compares CPU, which the shared machine "
        "disturbs less than wall time.",
        "",
        "| dishes | target | state | wall s | min–max s | CPU s | peak MB | floor wall s | floor CPU s "
        "| × floor (CPU) |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in found["results"]:
        s = r["samples"]
        cold = r["mode"] == "cold"
        floor_wall = start + (r["parse"]["wall"] if cold else 0.0)
        floor_cpu = start_cpu + (r["parse"]["cpu"] if cold else 0.0)
        lines.append(
            f"| {r['dishes']:,} | {r['target']} | {r['mode']} | {_med(s, 'wall'):.2f} | "
            f"{min(x['wall'] for x in s):.2f}–{max(x['wall'] for x in s):.2f} | {_med(s, 'cpu'):.2f} | "
            f"{_med(s, 'maxrss_mb'):.0f} | "
            f"{floor_wall:.2f} | {floor_cpu:.2f} | {_med(s, 'cpu') / floor_cpu:.1f}× |"
        )
    lines += ["", *_verdicts(found), "", END]
    return "\n".join(lines) + "\n"


def _verdicts(found: dict[str, Any]) -> list[str]:
    """The targets at 10,000 dishes, and the growth from the smallest size measured above 1,000 to the largest."""
    out = []
    at = {(r["dishes"], r["target"], r["mode"]): r["samples"] for r in found["results"]}
    for target in TARGETS:
        memo, cached, cold = (at.get((10_000, target, m)) for m, _ in MODES)
        if memo and cached and cold:
            w, c, k = _med(memo, "wall"), _med(cached, "wall"), _med(cold, "wall")
            mb = max(_med(x, "maxrss_mb") for x in (memo, cached, cold))
            met = lambda ok: "met" if ok else "**not met**"  # noqa: E731
            out.append(
                f"- {target}, 10,000 dishes: caches warm (memo) {w:.2f} s (target 0.5 s: {met(w <= 0.5)}); "
                f"memo off {c:.2f} s; cold {k:.2f} s (target 1.0 s: {met(k <= 1.0)}); peak {mb:.0f} MB "
                f"(target 250 MB: {met(mb <= 250)})."
            )
        sizes = sorted({d for d, t, _ in at if t == target})
        if 10_000 in sizes and 50_000 in sizes:
            for mode, _ in MODES:
                ratio = _med(at[(50_000, target, mode)], "cpu") / _med(at[(10_000, target, mode)], "cpu")
                out.append(f"- {target}, {mode}: CPU at 50,000 dishes is {ratio:.1f}× that at 10,000 (5× is linear).")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.noop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000,50000", help="catalog sizes in dishes")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per case (the median is reported)")
    parser.add_argument("--out", default="docs/performance.md", help="where to write the section ('-': print it)")
    parser.add_argument("--work", help="working directory (default: a temporary one, removed afterwards)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-noop-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        text = report(suite(sizes, args.runs, work), args.runs)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if args.out == "-":
        print(text)
    else:
        log(f"wrote {sections.write('noop', text, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
