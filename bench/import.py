"""`python -m bench.import`: import of large POS exports, and fmt of a large catalog, next to their floors.

    python -m bench.import                              10k, 50k, 100k objects; Square, Toast, Clover
    python -m bench.import --sizes 10000 --pos clover --fmt-mb 5 --out -

Import: each POS's export of N objects (bench/pos_exports.py: N dishes in the POS's own shape, in
categories of 50; "one category" puts them all in one, the shape that once grew faster than
linearly) is imported by `reconcile import POS --from-file … -o …` in a fresh process. The floor is
a process that only reads the same file with json.loads: no importer can do less.

fmt: a generated catalog of about ``--fmt-mb`` MB, with a comment on every dish, formatted by
`reconcile fmt --drop-comments` (a copy, in place: every comment is found, then the file is
rewritten) and checked by `reconcile validate`; the floor is validate, which parses and checks
the same file without writing it.

Figures are wall time, CPU time (user + system, which the machine's other load changes less) and
peak resident memory of the one process (os.wait4). The report goes between markers in
docs/performance.md, so `python -m bench` keeps it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import pos_exports, sections
from bench.measure import git_commit, launched

BEGIN, END = sections.MARKERS["import"]
DISH_BYTES = 210  # a generated dish with its comment, in YAML: about this many bytes
FLOOR = "import json, sys; json.loads(open(sys.argv[1], encoding='utf-8').read())"


@dataclass(frozen=True)
class Measured:
    wall: float
    cpu: float
    peak_mb: float
    code: int


def measure(args: list[str], cwd: Path) -> Measured:
    """Run one process; its wall time, CPU time and peak RSS (its own: see bench/launch.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
    usage = launched(args, env=env, cwd=cwd)
    return Measured(usage["wall"], usage["cpu"], usage["maxrss_mb"], usage["code"])


def _made(module: list[str], one: bool, path: Path) -> Path:
    """Make an input in its own process: the bench's process stays small, and a child's peak memory
    (which on Linux starts from its parent's at fork) stays its own."""
    subprocess.run([sys.executable, "-m", *module, *(["--one-category"] if one else []), "-o", str(path)], check=True)
    return path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "reconciler.cli.main", *args]


def import_rows(work: Path, sizes: list[int], poses: list[str]) -> list[tuple[str, int, bool, Measured, Measured]]:
    rows = []
    largest = max(sizes)
    for pos in poses:
        for size, one in [(s, False) for s in sizes] + [(largest, True)]:
            export = _made(
                ["bench.pos_exports", "--pos", pos, "--objects", str(size)], one, work / f"{pos}-{size}.json"
            )
            extra = ["--currency", "USD"] if pos == "toast" else []
            out = work / "out.yaml"
            out.unlink(missing_ok=True)  # import -o reads an existing output (its locations): start afresh
            run = measure(_cli("import", pos, "--from-file", str(export), *extra, "-o", str(out), "-q"), work)
            floor = measure([sys.executable, "-c", FLOOR, str(export)], work)
            rows.append((pos, size, one, run, floor))
            print(f"import {pos} {size:>7,}{' one category' if one else ''}: {_show(run)}; floor {_show(floor)}")
            export.unlink()
    return rows


def fmt_rows(work: Path, megabytes: float) -> tuple[float, Measured, Measured]:
    dishes = max(100, int(megabytes * 1_000_000 / DISH_BYTES))
    path = _made(["bench.pos_exports", "--commented-catalog", str(dishes)], False, work / "large.yaml")
    size = path.stat().st_size / 1_000_000
    validate = measure(_cli("validate", str(path)), work)
    copy = work / "large-fmt.yaml"
    shutil.copyfile(path, copy)
    fmt = measure(_cli("fmt", "--drop-comments", str(copy)), work)
    print(f"fmt {size:.1f} MB: {_show(fmt)}; validate {_show(validate)}")
    return size, fmt, validate


def _show(m: Measured) -> str:
    failed = f" (exit {m.code})" if m.code else ""
    return f"{m.wall:.1f} s wall, {m.cpu:.1f} s CPU, {m.peak_mb:.0f} MB{failed}"


def _cell(m: Measured) -> str:
    return f"{m.wall:.1f} s ({m.cpu:.1f} s CPU), {m.peak_mb:.0f} MB" + (f" exit {m.code}" if m.code else "")


def render(rows, fmt: tuple[float, Measured, Measured] | None) -> str:
    lines = [
        BEGIN,
        "## Import of large POS exports, and fmt of a large catalog (`python -m bench.import`)",
        "",
        f"Commit `{git_commit()}`. Each figure is one fresh process: wall time (CPU time) and peak memory. "
        "The floor reads the same export with `json.loads` and does nothing else.",
        "",
        "| POS | objects | shape | import | floor (json.loads) |",
        "|---|---:|---|---|---|",
    ]
    for pos, size, one, run, floor in rows:
        shape = "one category" if one else "categories of 50"
        lines.append(f"| {pos} | {size:,} | {shape} | {_cell(run)} | {_cell(floor)} |")
    if fmt is not None:
        size, formatted, validated = fmt
        lines += [
            "",
            "| file | fmt (in place) | floor: validate of the same file |",
            "|---|---|---|",
            f"| {size:.0f} MB catalog, a comment on every dish | {_cell(formatted)} | {_cell(validated)} |",
        ]
    lines.append(END)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000", help="objects per export (comma-separated)")
    parser.add_argument("--pos", default=",".join(pos_exports.POSES), help="which POSes (comma-separated)")
    parser.add_argument("--fmt-mb", type=float, default=50.0, help="size of the fmt case's catalog (0: skip it)")
    parser.add_argument("--out", default="docs/performance.md", help="where to write the report ('-' for nowhere)")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        work = Path(folder)
        rows = import_rows(work, sizes, [p for p in args.pos.split(",") if p])
        fmt = fmt_rows(work, args.fmt_mb) if args.fmt_mb > 0 else None
    text = render(rows, fmt)
    if args.out != "-":
        sections.write("import", text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
