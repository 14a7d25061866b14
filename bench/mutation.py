"""`python -m bench.mutation`: the mutation score of the packages whose bugs cost the most.

mutmut 3 plants one small bug (a mutant) at a time in a copy of the tree and runs the tests that
reach the mutated function; a mutant no test notices *survives*. The score of a package is the
share of its mutants that were killed. Each package runs in its own copy of the repository with
its own fast test selection (in-process tests, no e2e; for state, the storage suite on the real
PostgreSQL too), one mutant at a time under ``nice -n 19``, so a run can share a loaded machine;
it is far outside the normal test command's time budget.

    python -m bench.mutation                          every package, report in docs/testing.md
    python -m bench.mutation --packages state,webhooks
    python -m bench.mutation --max-children 2 --work /tmp/mutation --out -
    python -m bench.mutation --packages yamlio --partial   resume (or start) a run; print its counts so far

A run's copy of the tree lives in ``<work>/<package>-<key>`` (default work folder
/work/mutation-runs, outside /tmp so it survives a reboot), where ``key`` hashes the mutated
sources, every file of the judging test selection, the mutmut configuration and mutmut's version.
mutmut 3 records each mutant's verdict in ``mutants/<file>.meta`` as soon as it is judged and
``mutmut run`` skips the judged ones, so a run stopped at any point resumes where it was; a change
to the package or to its judging tests gives a new key, hence a fresh run (nothing is reused).

The last result of each package is kept in docs/mutation.json, so measuring one package leaves
the others' rows as they were; each row names the commit it was measured at (``+changes`` when the
tree had uncommitted changes). The report (docs/testing.md, between the markers) lists the score
per package and every surviving mutant; the explanations of equivalent mutants live below the
markers, by hand, one ``- `name`: why`` line each, and the report counts them per package.
Needs ``pip install 'mutmut>=3,<4'`` (not part of the test extras: CI never runs it).
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUIET = ["-p", "no:randomly", "-p", "no:cacheprovider", "-q", "-x"]


@dataclass(frozen=True)
class Package:
    name: str
    mutate: list[str]  # glob patterns of the files to mutate
    tests: list[str]  # the fast, in-process selection that judges them
    marks: str = "not e2e"  # which of their tests run (state: the storage suite on PostgreSQL too)
    ignore: tuple[str, ...] = ()  # test files under ``tests`` that are left out (another package's, and slow)


PACKAGES = {
    p.name: p
    for p in (
        Package(
            "engine",
            ["reconciler/engine/*"],
            [
                "tests/engine/test_what_plans_notice.py",
                "tests/engine/test_safety.py",
                "tests/engine/test_apply_edges.py",
                "tests/engine/test_scenarios.py",
                "tests/engine/test_convergence.py",
                "tests/render",
            ],
        ),
        Package(
            "targets",
            ["reconciler/targets/*"],
            [
                "tests/engine/test_what_plans_notice.py",
                "tests/engine/test_scenarios.py",
                "tests/menus/test_menus_scenarios.py",
                "tests/menus/test_project.py",
                "tests/engine/test_convergence.py",
                "tests/oracle",
            ],
        ),
        # The storage suite (tests/state) on both backends: SQLite in-process, and the real PostgreSQL
        # server its `postgres` tests start (about a second, once per mutant that reaches them). The
        # engine's tests, which use the stores too, are left out: each would run again for every
        # mutant of the mapping, and the stores' promises are the storage suite's to judge.
        Package(
            "state",
            ["reconciler/state/*"],
            ["tests/state", "tests/availability/test_store_and_hours.py"],
            marks="not e2e or postgres",
        ),
        # serve/signatures.py moved into the POS sources: each POS's webhook check, and their shared helper.
        Package(
            "webhooks",
            ["reconciler/sources/webhooks.py", "reconciler/sources/*/webhook.py"],
            # the stock signals each POS's webhook module reads are judged by the availability tests
            [
                "tests/sources/test_webhooks.py",
                "tests/sources/test_webhook_events.py",
                "tests/availability/test_pos_stock.py",
            ],
        ),
        # fmt's results, validation messages and image files are judged by in-process tests outside
        # tests/model; the rest of their folders drives the CLI or servers (e2e) and stays out.
        Package(
            "yamlio",
            ["reconciler/yamlio/*"],
            [
                "tests/model",
                "tests/hostile/test_fmt_in_place.py",
                "tests/features/test_validation.py",
                "tests/features/test_dish_images.py",
            ],
            # the overlay properties of model/effective.py: half the selection's time (hypothesis), and
            # they read and write YAML only on the way; tests/model's round trips judge that part
            ignore=("tests/model/test_effective_properties.py",),
        ),
    )
}


@dataclass
class Score:
    package: str
    commit: str = ""
    killed: int = 0
    survived: int = 0
    other: dict[str, int] = field(default_factory=dict)  # timeouts, suspicious, not checked, ...
    survivors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.killed + self.survived + sum(self.other.values())

    @property
    def percent(self) -> float:
        """Killed (a timeout counts: the tests noticed) over every mutant, so a mutant that no selected
        test even reaches ("no tests") counts against the score like a survivor: it is a bug nothing
        would catch."""
        caught = self.killed + self.other.get("timeout", 0)
        return 100.0 * caught / self.total if self.total else 0.0


def tracked_files() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()


def mutmut_config(package: Package, files: list[str]) -> dict[str, object]:
    return {
        "source_paths": ["reconciler"],
        # mutmut runs the tests inside mutants/, which holds only the code and tests: the data the
        # tests read (example catalogs, schemas, the README and docs some tests check) must come along.
        "also_copy": sorted({name.split("/")[0] for name in files} - {"reconciler", "tests", "pyproject.toml"}),
        "only_mutate": package.mutate,
        "pytest_add_cli_args_test_selection": package.tests,
        "pytest_add_cli_args": ["-m", package.marks, *QUIET, *(f"--ignore={path}" for path in package.ignore)],
    }


def judged_by(package: Package, files: list[str]) -> list[str]:
    """The tracked files whose change can change a verdict of ``package``'s run: its mutated sources,
    every file of its test selection (minus the ignored ones), every file under tests/ that is no
    test module (conftests, helpers such as tests/strategies.py or tests/engine/harness.py, support
    code, fixtures: the selection imports some from other folders) and pyproject.toml (pytest's
    settings, the mutmut configuration is appended to it)."""

    def under(name: str, roots: list[str] | tuple[str, ...]) -> bool:
        return any(name == root or name.startswith(root.rstrip("/") + "/") for root in roots)

    mutated = [name for name in files if any(fnmatch.fnmatch(name, pattern) for pattern in package.mutate)]
    selected = [name for name in files if under(name, package.tests) and not under(name, package.ignore)]
    helpers = [name for name in files if name.startswith("tests/") and not Path(name).name.startswith("test_")]
    return sorted({*mutated, *selected, *helpers, "pyproject.toml"})


def run_key(package: Package, files: list[str]) -> str:
    """A content hash of what judges ``package``'s mutants: while it holds, a verdict still stands."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    config = mutmut_config(package, files)
    digest.update(json.dumps({"config": config, "mutmut": version("mutmut")}, sort_keys=True).encode())
    for name in judged_by(package, files):
        digest.update(b"\0" + name.encode() + b"\0" + (REPO / name).read_bytes())
    return digest.hexdigest()[:12]


def run_folder(package: Package, work: Path) -> Path:
    files = tracked_files()
    return work / (re.sub(r"[^A-Za-z0-9]+", "-", package.name).strip("-") + "-" + run_key(package, files))


def prepare(package: Package, work: Path) -> Path:
    """A copy of the tracked tree, configured to mutate ``package`` only; an existing copy with the
    same key is kept as it is, with the verdicts mutmut already recorded in it."""
    files = tracked_files()
    folder = run_folder(package, work)
    if (folder / "pyproject.toml").exists() and (folder / ".prepared").exists():
        return folder
    if folder.exists():
        shutil.rmtree(folder)  # a copy interrupted while it was made
    for name in files:
        source = REPO / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    config = mutmut_config(package, files)
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in config.items()]
    with (folder / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    (folder / "tmp").mkdir()
    (folder / ".prepared").write_text(json.dumps(judged_by(package, files), indent=1) + "\n", encoding="utf-8")
    return folder


def run(package: Package, work: Path, children: int, commit: str) -> Score:
    folder = prepare(package, work)
    # Temporary folders (a PostgreSQL server's among them) go under the copy, so a server left behind
    # by a mutant stopped at its timeout is found and stopped below.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"TMPDIR": str(folder / "tmp")}
    command = ["nice", "-n", "19", sys.executable, "-m", "mutmut", "run", "--max-children", str(children)]
    with (folder / "commits").open("a", encoding="utf-8") as handle:  # every commit the run judged mutants at
        handle.write(commit + "\n")
    try:
        subprocess.run(command, cwd=folder, env=env, check=False)
    finally:
        stop_leftover_servers(folder / "tmp")
    score = counts(package, folder, commit)
    if not score.killed and not score.survived:
        # mutmut runs the whole selection once, unmutated, first; if that fails nothing is judged
        raise SystemExit(f"{package.name}: no mutant was judged (did its tests pass unmutated? see mutmut's output)")
    return score


def counts(package: Package, folder: Path, commit: str) -> Score:
    """The verdicts recorded in ``folder`` so far; ``other["not checked"]`` counts the mutants not
    judged yet (a partial run's counts are no score)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"TMPDIR": str(folder / "tmp")}
    stats_done = subprocess.run([sys.executable, "-m", "mutmut", "export-cicd-stats"], cwd=folder, env=env, check=False)
    if stats_done.returncode != 0:
        raise SystemExit(f"mutmut export-cicd-stats failed for {package.name}")
    exported = folder / "mutants" / "mutmut-cicd-stats.json"
    stats = json.loads(exported.read_text()) if exported.exists() else {}  # none before the first verdict
    listed = subprocess.run(
        [sys.executable, "-m", "mutmut", "results"], cwd=folder, env=env, capture_output=True, text=True, check=False
    )
    # a resumed run's verdicts come from every commit it ran at (each with the same key): name them all
    seen = (folder / "commits").read_text(encoding="utf-8").split() if (folder / "commits").exists() else [commit]
    commits = ", ".join(dict.fromkeys(seen))
    score = Score(package.name, commits, killed=stats.get("killed", 0), survived=stats.get("survived", 0))
    waiting = stats.get("total", 0) - sum(v for k, v in stats.items() if k != "total")
    if waiting:
        score.other["not checked"] = waiting
    for key in ("timeout", "suspicious", "no_tests", "skipped", "segfault", "check_was_interrupted_by_user"):
        if stats.get(key):
            score.other[key] = stats[key]
    score.survivors = [line.split(":")[0].strip() for line in listed.stdout.splitlines() if "survived" in line]
    return score


RESULTS = REPO / "docs" / "mutation.json"  # the last measurement of each package, so one package can be re-run alone
BEGIN, END = "<!-- mutation:begin -->", "<!-- mutation:end -->"


def explained(report: str) -> set[str]:
    """The mutants the report explains by hand, outside the generated block: ``- `name`: why``, or
    one line for a family of mutants with one reason, ``- `name`, `name`, ...: why``."""
    head, rest = report.split(BEGIN, 1)
    found: set[str] = set()
    inside = False
    for line in (head + rest.split(END, 1)[1]).splitlines():
        if line.startswith("#"):
            inside = line.startswith("### Equivalent mutants")  # not the section of known gaps
        elif inside and line.startswith("- `") and "`:" in line:
            names = line[: line.index("`:") + 1]  # the reason after it may quote code in backticks too
            found.update(re.findall(r"`([^`]+)`", names))
    return found


def stop_leftover_servers(tmp: Path) -> None:
    """Stop the PostgreSQL servers still running from a data directory under ``tmp``."""
    from tests.support.postgres_server import PostgresServer

    for data in tmp.glob("reconcile-pg-*/data"):
        if (data / "postmaster.pid").exists():
            server = PostgresServer()
            server.folder, server.running = data.parent, True
            server.stop()


def render(scores: list[Score], equivalent: set[str]) -> str:
    lines = [
        "Measured with mutmut 3 (`python -m bench.mutation`), each package at the commit its row names.",
        "",
        "| package | commit | mutants | killed | survived | explained as equivalent | other | score |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        other = ", ".join(f"{k} {v}" for k, v in sorted(s.other.items())) or "0"
        known = sum(name in equivalent for name in s.survivors)
        row = f"| {s.package} | `{s.commit}` | {s.total} | {s.killed} | {s.survived} | {known} | {other} |"
        lines.append(f"{row} {s.percent:.1f}% |")
    missing = [name for name in PACKAGES if name not in {s.package for s in scores}]
    if missing:
        lines += ["", f"Not measured as a whole: {', '.join(missing)} (a row `package: file only` is that file alone)."]
    for s in scores:
        if s.survivors:
            lines += ["", f"Surviving mutants of {s.package} ({len(s.survivors)}):", ""]
            lines += [f"- `{n}`" + ("" if n in equivalent else " (not explained)") for n in s.survivors]
    return "\n".join(lines) + "\n"


def ordered(scores: dict[str, Score]) -> list[str]:
    """Packages in their order above, each followed by its rows of single files."""
    return sorted(scores, key=lambda name: (list(PACKAGES).index(name.split(":")[0]), name))


def load_results() -> dict[str, Score]:
    if not RESULTS.exists():
        return {}
    return {name: Score(**fields) for name, fields in json.loads(RESULTS.read_text(encoding="utf-8")).items()}


def save_results(scores: dict[str, Score]) -> None:
    data = {name: asdict(scores[name]) for name in ordered(scores)}
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_report(path: Path, body: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{body}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description="Mutation scores per package.")
    parser.add_argument("--packages", default=",".join(PACKAGES), help=f"comma-separated, of: {', '.join(PACKAGES)}")
    parser.add_argument("--max-children", type=int, default=1, help="parallel mutants (default 1: a shared machine)")
    parser.add_argument("--work", default="/work/mutation-runs", help="where the runs' copies of the tree go")
    parser.add_argument(
        "--partial", action="store_true", help="run (or resume), then print the counts so far; never write a score"
    )
    parser.add_argument(
        "--counts", action="store_true", help="only print the counts so far of each run (no mutant run)"
    )
    parser.add_argument("--out", default="docs/testing.md", help="report file ('-' to print only)")
    parser.add_argument("--only", help="one file of the (single) package: measured alone, reported as such")
    args = parser.parse_args(argv)
    packages = {name: PACKAGES[name] for name in args.packages.split(",")}
    if args.only:
        [(name, whole)] = packages.items()
        packages = {
            f"{name}: {args.only} only": Package(
                f"{name}: {args.only} only", [args.only], whole.tests, whole.marks, whole.ignore
            )
        }
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    # docs/ holds the report itself: editing it changes nothing measured
    status = ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs"]
    dirty = subprocess.run(status, cwd=REPO, capture_output=True)
    stamp = commit.strip() + ("+changes" if dirty.stdout.strip() else "")  # never claim a commit not measured
    if args.counts or args.partial:
        for name, package in packages.items():
            if args.partial:
                run(package, Path(args.work), args.max_children, stamp)
            folder = run_folder(package, Path(args.work))
            if not (folder / "mutants").exists():
                print(f"{name}: no run at {folder}")
                continue
            s = counts(package, folder, stamp)
            waiting = s.other.get("not checked", 0)
            judged = s.total - waiting
            print(f"{name} at {s.commit} ({folder}), PARTIAL, not a score: {judged} of {s.total} mutants judged")
            print(
                f"  killed {s.killed}, survived {s.survived}, "
                + ", ".join(f"{k} {v}" for k, v in sorted(s.other.items()))
            )
        return
    measured = {name: run(package, Path(args.work), args.max_children, stamp) for name, package in packages.items()}
    unfinished = [name for name, s in measured.items() if s.other.get("not checked")]
    if unfinished:  # a run stopped before its end: its counts are no score (resume it with the same command)
        raise SystemExit(f"not every mutant was judged ({', '.join(unfinished)}); nothing written, run again to resume")
    report = REPO / args.out if args.out != "-" else None
    scores = {**load_results(), **measured} if report else measured
    equivalent = explained(report.read_text(encoding="utf-8")) if report else set()
    body = render([scores[name] for name in ordered(scores)], equivalent)
    print(body)
    if report:
        save_results(scores)
        write_report(report, body)


if __name__ == "__main__":
    main()
