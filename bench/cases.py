"""The benchmark cases, and the order they run in so each starts from the state it needs.

Per catalog size N (one emulator server per size, state in a temporary SQLite file):

engine suite (no added latency)
    apply-create   full create on a new, empty location (each run its own location); the first
                   run's location and id mapping become the *base* site for the cases below
    plan-create    plan of the full create on an empty location
    plan-noop      plan on the base site, catalog unchanged
    plan-1pct      plan on the base site, 1% of dishes changed
    apply-price    apply one price change to the base site, then put it back (not measured)
    apply-10pct    apply 10% changed to the base site, then put it back (not measured)

naive suite: the Wix sample flow (bench.naive) for the same full create, one price change and 10%
change, each change on a new location imported once by the same flow beforehand.

latency suite: the three applies again with ``latency_ms`` added to every call by the emulator
server, at each concurrency, and the naive flow at the first concurrency.

site suite: a site of several locations, one catalog each, as a script would sync it: apply
every location, plan every location (no-op), apply a 1% change to every location.
"""

from __future__ import annotations

import itertools
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import generate
from bench.measure import is_write, median, run_command, run_worker, worker_env
from bench.minimum import Minimum, minimum
from bench.minimum_menus import MenusMinimum, menus_minimum
from bench.naive import expected_calls
from reconciler.model.catalog import Catalog
from reconciler.yamlio.load import load_catalog
from tests.support.emulator_server import EmulatorServer

ENGINE = ["apply-create", "plan-create", "plan-noop", "plan-1pct", "apply-price", "apply-10pct"]
NAIVE = ["naive-create", "naive-price", "naive-10pct"]
LATENCY = ["latency-create", "latency-price", "latency-10pct"]
SITE = ["site-apply-create", "site-plan-noop", "site-apply-1pct"]
CLI = ["cli-plan-noop"]
ALL = ENGINE + CLI + NAIVE + LATENCY + SITE

TITLES = {
    "plan-noop": "plan: no-op",
    "plan-1pct": "plan: 1% changed",
    "plan-create": "plan: full create",
    "apply-create": "apply: full create",
    "apply-price": "apply: one price change",
    "apply-10pct": "apply: 10% changed",
    "naive-create": "full create",
    "naive-price": "one price change",
    "naive-10pct": "10% changed",
    "latency-create": "full create",
    "latency-price": "one price change",
    "latency-10pct": "10% changed",
    "site-apply-create": "apply: full create",
    "site-plan-noop": "plan: no-op",
    "site-apply-1pct": "apply: 1% changed",
}
# Which reconcile case a naive or latency case stands next to.
PAIR = {
    "naive-create": "apply-create",
    "naive-price": "apply-price",
    "naive-10pct": "apply-10pct",
    "latency-create": "apply-create",
    "latency-price": "apply-price",
    "latency-10pct": "apply-10pct",
}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class Config:
    work: Path
    sizes: list[int] = field(default_factory=lambda: [100, 1000, 10_000])
    runs: int = 5
    large_runs: int = 3  # runs of the slow suites (naive, latency) at 10,000 dishes and more
    seed: int = 1
    cases: set[str] = field(default_factory=lambda: set(ALL))
    latency_ms: float = 50.0
    concurrency: int = 4
    concurrencies: list[int] = field(default_factory=lambda: [4, 8, 16])
    targets: list[str] = field(default_factory=lambda: ["wix-v3"])  # of the latency suite
    site_locations: int = 3
    site_dishes: int = 1000
    profile: bool = False
    images: bool = False  # keep the dishes' images (each full create then imports them into the Media Manager)
    log: Callable[[str], None] = field(default=log, repr=False)

    def runs_for(self, dishes: int, suite: str = "engine") -> int:
        return self.large_runs if dishes >= 10_000 and suite in ("naive", "latency") else self.runs

    def wants(self, *cases: str) -> bool:
        return any(c in self.cases for c in cases)


@dataclass
class Result:
    suite: str  # engine | naive | latency | site
    case: str
    dishes: int
    runs: list[dict]
    minimums: list[Minimum | MenusMinimum] = field(default_factory=list)  # one per location synced
    concurrency: int = 4
    latency_ms: float = 0.0
    naive_expected: dict[str, int] | None = None
    target: str = "wix-v3"

    @property
    def title(self) -> str:
        return TITLES[self.case]

    def med(self, key: str) -> float:
        return median(r[key] for r in self.runs)

    def phase(self, name: str) -> float:
        return median(r["phases"].get(name, 0.0) for r in self.runs)

    def server_phase(self, name: str) -> float:
        """The emulator's CPU seconds during one phase (median)."""
        return median(r.get("server_phases", {}).get(name, 0.0) for r in self.runs)

    def spread(self, key: str = "wall") -> tuple[float, float]:
        values = [r[key] for r in self.runs]
        return min(values), max(values)

    @property
    def calls(self) -> dict[str, int]:
        return self.runs[0]["calls"]

    @property
    def calls_vary(self) -> bool:
        return any(r["calls"] != self.calls for r in self.runs)

    @property
    def writes(self) -> int:
        return sum(v for k, v in self.calls.items() if is_write(k))

    @property
    def reads(self) -> int:
        return sum(v for k, v in self.calls.items() if not is_write(k))

    @property
    def planned(self) -> int:
        return self.runs[0]["operations"]

    @property
    def is_plan(self) -> bool:
        return "plan" in self.case

    def minimum(self, ordered: bool = False) -> int:
        return sum(m.total(ordered) for m in self.minimums)

    def minimum_calls(self, ordered: bool = False) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.minimums:
            for k, v in m.calls(ordered).items():
                out[k] = out.get(k, 0) + v
        return dict(sorted(out.items()))

    def round_trips(self) -> int:
        return sum(m.round_trips(self.concurrency) for m in self.minimums)

    def bound(self) -> float:
        """Lower bound of the write phase in seconds: round trips of the minimal calls x latency."""
        return self.round_trips() * self.latency_ms / 1000


@dataclass
class Catalogs:
    """A size's catalog files (before, one price change, 1% and 10% changed) and their models."""

    dishes: int
    files: dict[str, Path]
    data: dict[str, dict]  # the YAML data
    models: dict[str, Catalog]
    shape: dict[str, int]

    @classmethod
    def make(cls, folder: Path, dishes: int, seed: int, location: str | None = None, images: bool = False) -> Catalogs:
        base = generate.generate(dishes, seed, location=location)
        if not images:
            # Importing the dishes' images into the Media Manager is a one-time set-up of a site
            # (2,975 files at 10,000 dishes, each an import and a poll), not what the calls of a
            # catalog's create cost: the bound below counts the catalog's calls only.
            for dish in base["dishes"]:
                dish.pop("image", None)
        data = {
            "before": base,
            "one": generate.one_price_change(base, seed),
            "c1": generate.change(base, 0.01, seed),
            "c10": generate.change(base, 0.10, seed),
        }
        files = {name: generate.write(d, folder / f"{name}.yaml") for name, d in data.items()}
        models = {name: load_catalog(path) for name, path in files.items()}  # also proves they are valid
        return cls(dishes, files, data, models, generate.stats(base))

    def minimum(self, before: str | None, after: str, target: str = "wix-v3") -> Minimum | MenusMinimum:
        count = menus_minimum if target == "wix-menus" else minimum
        return count(self.models[before] if before else None, self.models[after])


def _job(catalog: Path, location: str | None, state: Path) -> dict:
    return {"catalog": str(catalog), "location": location, "state": str(state)}


class SizeSuite:
    """Every case of one catalog size, on one emulator server."""

    def __init__(self, config: Config, dishes: int) -> None:
        self.config = config
        self.dishes = dishes
        self.folder = config.work / f"dishes-{dishes}"
        self.catalogs = Catalogs.make(self.folder / "catalogs", dishes, config.seed, images=config.images)
        self.results: list[Result] = []
        self._ids = itertools.count(1)
        self.server: EmulatorServer | None = None
        self.base: tuple[str, Path] | None = None
        self.bases: dict[str, tuple[str, Path]] = {}  # the base site of each other target (latency suite)
        self.tokens: dict[str, str] = {}  # location id -> its site's token, for a location of a site of its own
        self.cli_samples: list[dict] = []
        self.profiles: dict[str, Path] = {}

    # -- helpers --------------------------------------------------------------------------------
    def location(self, tag: str, target: str = "wix-v3") -> str:
        assert self.server is not None
        if target == "wix-menus":
            # A site of its own: Menus (New) entities belong to the site, and a read lists them all,
            # so locations of one site would read every earlier case's menu too.
            [site] = self.server.seed_sites(1, app="menus")
            location = str(site["locations"][0]["locationId"])
            self.tokens[location] = site["token"]
            return location
        return self.server.seed(1, names=[f"{tag} {next(self._ids)}"])[0]["locationId"]

    def state(self, tag: str) -> Path:
        return self.folder / "state" / f"{tag}-{next(self._ids)}"

    def run(
        self,
        mode: str,
        jobs: list[dict],
        latency: float = 0,
        concurrency: int | None = None,
        profile: Path | None = None,
        target: str = "wix-v3",
    ) -> dict:
        assert self.server is not None
        spec = {
            "mode": mode,
            "jobs": jobs,
            "concurrency": concurrency or self.config.concurrency,
            "verify": True,
            "profile": str(profile) if profile else None,
            "target": target,
        }
        tokens = {self.tokens[j["location"]] for j in jobs if j.get("location") in self.tokens}
        if tokens:
            [spec["token"]] = tokens
        if latency:
            self.server.set_latency(latency)
        try:
            return run_worker(self.server, spec)
        finally:
            if latency:
                self.server.set_latency(0)

    def measure(
        self, suite: str, case: str, runs: int, once: Callable[[int], dict], minimums: list[Minimum], **extra
    ) -> Result:
        samples = []
        for index in range(runs):
            started = time.perf_counter()
            samples.append(once(index))
            self.config.log(
                f"  {self.dishes:>6} dishes  {suite:<8} {case:<15} run {index + 1}/{runs}: "
                f"{samples[-1]['wall']:.3f}s ({time.perf_counter() - started:.1f}s with set-up)"
            )
        result = Result(suite, case, self.dishes, samples, minimums, **extra)
        self.results.append(result)
        return result

    # -- suites ---------------------------------------------------------------------------------
    def run_all(self) -> list[Result]:
        c = self.config
        with EmulatorServer(state=self.folder / "emulator.sqlite") as self.server:
            self.engine()
            if c.wants(*CLI):
                self.cli()
            if c.wants(*NAIVE):
                self.naive(0.0, c.concurrency, "naive")
            if c.wants(*LATENCY):
                for target in c.targets:
                    for concurrency in c.concurrencies:
                        self.latency(concurrency, target)
                if c.wants(*NAIVE):
                    self.naive(c.latency_ms, c.concurrencies[0], "latency")
            if c.profile:
                self.profile()
        self.server = None
        return self.results

    def _base(self, target: str = "wix-v3") -> tuple[str, Path]:
        """The site every change case starts from: the before catalog applied once."""
        if target != "wix-v3":
            if target not in self.bases:
                location, state = self.location("base", target), self.state("base")
                self.run("apply", [_job(self.catalogs.files["before"], location, state)], target=target)
                self.bases[target] = (location, state)
            return self.bases[target]
        if self.base is None:
            location, state = self.location("base"), self.state("base")
            self.run("apply", [_job(self.catalogs.files["before"], location, state)])
            self.base = (location, state)
        return self.base

    def _revert(self, target: str = "wix-v3") -> None:
        location, state = self._base(target)
        self.run("apply", [_job(self.catalogs.files["before"], location, state)], target=target)

    def engine(self) -> None:
        c, cats, runs = self.config, self.catalogs, self.config.runs_for(self.dishes)
        before = cats.files["before"]
        if c.wants("apply-create"):

            def create(index: int) -> dict:
                location, state = self.location("create"), self.state("create")
                sample = self.run("apply", [_job(before, location, state)])
                if self.base is None:
                    self.base = (location, state)
                return sample

            self.measure("engine", "apply-create", runs, create, [cats.minimum(None, "before")])
        if c.wants("plan-create"):
            empty = self.location("empty")
            self.measure(
                "engine",
                "plan-create",
                runs,
                lambda i: self.run("plan", [_job(before, empty, self.state("empty"))]),
                [cats.minimum(None, "before")],
            )
        for case, name in (("plan-noop", "before"), ("plan-1pct", "c1")):
            if c.wants(case):
                location, state = self._base()
                self.measure(
                    "engine",
                    case,
                    runs,
                    lambda i, n=name: self.run("plan", [_job(cats.files[n], location, state)]),
                    [cats.minimum("before", name)],
                )
        for case, name in (("apply-price", "one"), ("apply-10pct", "c10")):
            if c.wants(case):
                location, state = self._base()

                def change(index: int, n: str = name) -> dict:
                    sample = self.run("apply", [_job(cats.files[n], location, state)])
                    self._revert()
                    return sample

                self.measure("engine", case, runs, change, [cats.minimum("before", name)])

    def cli(self) -> None:
        """The whole `reconcile plan` command of the unchanged catalog, in its own process."""
        assert self.server is not None
        location, state = self._base()
        command = [
            sys.executable,
            "-m",
            "reconciler.cli.main",
            "plan",
            str(self.catalogs.files["before"]),
            "--target",
            "wix-v3",
            "--location",
            location,
            "--state-dir",
            str(state),
        ]
        env = {**worker_env(self.server), "WIX_API_BASE_URL": self.server.url}
        runs = self.config.runs_for(self.dishes)
        # cold: the catalog cache off (parse and validate the YAML); cached: its bytes unchanged
        # since the last run (the first run, not measured, fills the cache).
        for mode, extra in (("cold", {"RECONCILE_CATALOG_CACHE": "off"}), ("cached", {})):
            # not measured: the first run writes the bytecode (cold) or fills the catalog cache (cached)
            run_command(command, {**env, **extra})
            for index in range(runs):
                sample = run_command(command, {**env, **extra})
                sample["cache"] = mode
                self.cli_samples.append(sample)
                self.config.log(
                    f"  {self.dishes:>6} dishes  cli      reconcile plan ({mode})  run {index + 1}/{runs}: "
                    f"{sample['wall']:.3f}s"
                )
        self.cli_samples.append({"cache": "parse", "wall": parse_floor(self.catalogs.files["before"])})

    def latency(self, concurrency: int, target: str = "wix-v3") -> None:
        c, cats, runs = self.config, self.catalogs, self.config.runs_for(self.dishes, "latency")
        extra = {"concurrency": concurrency, "latency_ms": c.latency_ms, "target": target}
        if c.wants("latency-create"):
            self.measure(
                "latency",
                "latency-create",
                runs,
                lambda i: self.run(
                    "apply",
                    [_job(cats.files["before"], self.location("latency", target), self.state("latency"))],
                    c.latency_ms,
                    concurrency,
                    target=target,
                ),
                [cats.minimum(None, "before", target)],
                **extra,
            )
        for case, name in (("latency-price", "one"), ("latency-10pct", "c10")):
            if c.wants(case):
                location, state = self._base(target)

                def change(index: int, n: str = name) -> dict:
                    job = [_job(cats.files[n], location, state)]
                    sample = self.run("apply", job, c.latency_ms, concurrency, target=target)
                    self._revert(target)
                    return sample

                self.measure("latency", case, runs, change, [cats.minimum("before", name, target)], **extra)

    def naive(self, latency: float, concurrency: int, suite: str) -> None:
        c, cats, runs = self.config, self.catalogs, self.config.runs_for(self.dishes, suite)
        extra = {"concurrency": concurrency, "latency_ms": latency}
        before = cats.files["before"]
        live_menus = len(cats.models["before"].menus)

        def imported_site() -> tuple[str, Path]:
            location, state = self.location("naive"), self.state("naive")
            self.run("naive", [_job(before, location, state)], concurrency=concurrency)
            return location, state

        if c.wants("naive-create"):
            self.measure(
                suite,
                "naive-create",
                runs,
                lambda i: self.run(
                    "naive", [_job(before, self.location("naive"), self.state("naive"))], latency, concurrency
                ),
                [cats.minimum(None, "before")],
                naive_expected=expected_calls(cats.data["before"], 0),
                **extra,
            )
        for case, name in (("naive-price", "one"), ("naive-10pct", "c10")):
            if c.wants(case):

                def change(index: int, n: str = name) -> dict:
                    location, state = imported_site()
                    return self.run("naive", [_job(cats.files[n], location, state)], latency, concurrency)

                self.measure(
                    suite,
                    case,
                    runs,
                    change,
                    [cats.minimum("before", name)],
                    naive_expected=expected_calls(cats.data[name], live_menus),
                    **extra,
                )

    def profile(self) -> None:
        """cProfile of the biggest cases, for the hot spots section (not timed)."""
        cats = self.catalogs
        folder = self.folder / "profiles"
        folder.mkdir(parents=True, exist_ok=True)
        location, state = self._base()
        self.profiles.update(
            {
                "plan-noop": folder / "plan-noop.pstats",
                "plan-create": folder / "plan-create.pstats",
                "apply-create": folder / "apply-create.pstats",
            }
        )
        self.run("plan", [_job(cats.files["before"], location, state)], profile=self.profiles["plan-noop"])
        self.run(
            "plan",
            [_job(cats.files["before"], self.location("empty"), self.state("empty"))],
            profile=self.profiles["plan-create"],
        )
        self.run(
            "apply",
            [_job(cats.files["before"], self.location("create"), self.state("create"))],
            profile=self.profiles["apply-create"],
        )
        self.config.log(f"  profiles written to {folder}")


def site_suite(config: Config) -> list[Result]:
    """A site of several locations, one catalog each, synced location by location in one process."""
    folder = config.work / "site"
    names = generate.LOCATION_NAMES[: config.site_locations]
    catalogs = {
        name: Catalogs.make(
            folder / "catalogs" / name.lower().replace(" ", "-"),
            config.site_dishes,
            config.seed,
            location=name,
            images=config.images,
        )
        for name in names
    }
    runs = config.runs_for(config.site_dishes)
    samples: dict[str, list[dict]] = {case: [] for case in SITE}
    for index in range(runs):
        state = folder / f"state-{index}"
        shutil.rmtree(state, ignore_errors=True)
        with EmulatorServer(state=folder / f"emulator-{index}.sqlite") as server:
            server.seed(config.site_locations, names=list(names))

            def run(mode: str, which: str) -> dict:
                jobs = [_job(c.files[which], None, state) for c in catalogs.values()]  # `location:` picks each
                return run_worker(server, {"mode": mode, "jobs": jobs, "concurrency": config.concurrency})

            for case, mode, which in (
                ("site-apply-create", "apply", "before"),
                ("site-plan-noop", "plan", "before"),
                ("site-apply-1pct", "apply", "c1"),
            ):
                if case in config.cases:
                    samples[case].append(run(mode, which))
                    config.log(
                        f"  site {config.site_locations} x {config.site_dishes}  {case:<18} run {index + 1}/"
                        f"{runs}: {samples[case][-1]['wall']:.3f}s"
                    )
    minimums = {
        "site-apply-create": [c.minimum(None, "before") for c in catalogs.values()],
        "site-plan-noop": [c.minimum("before", "before") for c in catalogs.values()],
        "site-apply-1pct": [c.minimum("before", "c1") for c in catalogs.values()],
    }
    return [
        Result(
            "site", case, config.site_dishes * config.site_locations, samples[case], minimums[case], config.concurrency
        )
        for case in SITE
        if samples[case]
    ]


def parse_floor(path: Path) -> float:
    """The fastest parse of the catalog file (libyaml's C loader, no positions, no validation): the
    floor of any cold plan that reads YAML. The median of three."""
    import yaml

    text = path.read_text(encoding="utf-8")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        yaml.load(text, Loader=yaml.CSafeLoader)
        times.append(time.perf_counter() - started)
    return sorted(times)[1]
