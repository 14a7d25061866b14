"""`python -m bench`: run the benchmarks, print the figures, write docs/performance.md.

python -m bench                        full run: 100, 1,000 and 10,000 dishes, 5 runs per case
python -m bench --quick                smoke run: 100 and 1,000 dishes, 1 run, concurrency 4 only
python -m bench --sizes 1000 --runs 3 --cases apply-price,plan-noop --out /tmp/perf.md
"""

from __future__ import annotations

import argparse
import os
import pickle
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import cases, report, sections
from bench.measure import REPO, git_commit, machine


def _ints(text: str) -> list[int]:
    return [int(part.replace("_", "").replace(",", "")) for part in text.replace(" ", "").split(",") if part]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n\n")[0].split(": ", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="cases: " + ", ".join(cases.ALL),
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (sizes 100,1000; 1 run; no profile)")
    parser.add_argument("--sizes", type=_ints, help="catalog sizes in dishes (default 100,1000,10000)")
    parser.add_argument("--runs", type=int, help="runs per case; the median is reported (default 5)")
    parser.add_argument(
        "--large-runs",
        type=int,
        help="runs of the naive and latency cases at 10,000 dishes and more (default 3, or --runs if smaller)",
    )
    parser.add_argument("--cases", help="comma-separated case names to run (default: all)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="latency added per call in the latency cases")
    parser.add_argument(
        "--concurrency",
        type=_ints,
        default=None,
        help="concurrencies of the latency cases; the first is the default one (default 4,8,16)",
    )
    parser.add_argument(
        "--targets",
        default="wix-v3,wix-menus",
        help="targets of the latency cases, each with its own bound (default wix-v3,wix-menus)",
    )
    parser.add_argument("--site-locations", type=int, default=3)
    parser.add_argument("--site-dishes", type=int, help="dishes per location in the site cases (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--images",
        action="store_true",
        help="keep the dishes' images (a full create then also imports them into the Media Manager)",
    )
    parser.add_argument(
        "--profile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="profile the largest size's plan and create (default: on for a full run)",
    )
    parser.add_argument("--out", default="docs/performance.md", help="where to write the report ('-' for nowhere)")
    parser.add_argument(
        "--work",
        help="working directory for catalogs, emulator state and profiles "
        "(default: a temporary one, removed afterwards)",
    )
    parser.add_argument("--save", help="also save the measured results to this file (pickle), for --render")
    parser.add_argument("--render", help="measure nothing: write the report from results saved with --save")
    return parser.parse_args(argv)


def configure(args: argparse.Namespace, work: Path) -> cases.Config:
    quick = args.quick
    runs = args.runs or (1 if quick else 5)
    config = cases.Config(
        work=work,
        sizes=args.sizes or ([100, 1000] if quick else [100, 1000, 10_000]),
        runs=runs,
        large_runs=args.large_runs or min(runs, 3),
        seed=args.seed,
        cases=set(args.cases.split(",")) if args.cases else set(cases.ALL),
        latency_ms=args.latency_ms,
        concurrency=(args.concurrency or [4])[0],
        concurrencies=args.concurrency or ([4] if quick else [4, 8, 16]),
        targets=args.targets.split(","),
        site_locations=args.site_locations,
        site_dishes=args.site_dishes or (100 if quick else 1000),
        profile=args.profile if args.profile is not None else not quick,
        images=args.images,
    )
    unknown = config.cases - set(cases.ALL)
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(sorted(unknown))}; choose from {', '.join(cases.ALL)}")
    return config


def write(run: report.Run, out_arg: str, log) -> None:
    if out_arg == "-":
        return
    out = Path(out_arg)
    out = out if out.is_absolute() else REPO / out
    out.parent.mkdir(parents=True, exist_ok=True)
    text = report.document(run)
    # The sections other benches write (bench/sections.py) are kept.
    others = sections.kept(out.read_text(encoding="utf-8") if out.exists() else "")
    if others:
        text = text.rstrip("\n") + "\n\n" + others
    out.write_text(text, encoding="utf-8")
    log(f"wrote {out} ({run.seconds / 60:.1f} min)")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render:
        run, stats = pickle.loads(Path(args.render).read_bytes())
        with tempfile.TemporaryDirectory() as folder:
            run.profiles = {}
            for name, blob in stats.items():
                run.profiles[name] = Path(folder) / f"{name}.pstats"
                run.profiles[name].write_bytes(blob)
            print(report.console(run))
            write(run, args.out, run.config.log)
        return 0
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="reconcile-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    config = configure(args, work)
    started = time.perf_counter()
    load_before, commit_before = os.getloadavg()[0], git_commit()
    command = "python -m bench" + (
        "" if argv is None and len(sys.argv) <= 1 else " " + shlex.join(sys.argv[1:] if argv is None else argv)
    )
    try:
        results, shapes, sizes_bytes, cli, profiles = [], {}, {}, {}, {}
        for dishes in config.sizes:
            config.log(f"{dishes:,} dishes: generating catalogs, starting the emulator")
            suite = cases.SizeSuite(config, dishes)
            shapes[dishes] = suite.catalogs.shape
            sizes_bytes[dishes] = suite.catalogs.files["before"].stat().st_size
            results += suite.run_all()
            if suite.cli_samples:
                cli[dishes] = suite.cli_samples
            profiles.update(suite.profiles)
        if config.wants(*cases.SITE):
            config.log(f"site: {config.site_locations} locations x {config.site_dishes:,} dishes")
            results += cases.site_suite(config)
        about = machine()
        if about["commit"] != commit_before:
            about["commit"] = (
                f"{commit_before} at the start, {about['commit']} at the end: reconcile changed "
                "during the run, so the figures mix both"
            )
        about["load"] = (
            f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (1-minute; other "
            f"work on the machine competes for its {about['cores']} cores)"
        )
        run = report.Run(
            config, about, results, shapes, sizes_bytes, cli, profiles, time.perf_counter() - started, command
        )
        print(report.console(run))
        if args.save:
            stats = {name: Path(path).read_bytes() for name, path in run.profiles.items() if Path(path).exists()}
            Path(args.save).write_bytes(pickle.dumps((run, stats)))
        write(run, args.out, config.log)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
