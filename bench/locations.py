"""`python -m bench.locations`: one catalog for a chain of 20 locations × 300 dishes, on both Wix APIs.

    python -m bench.locations                      20 locations x 300 dishes, wix-v3 and wix-menus
    python -m bench.locations --locations 4 --dishes 50 --targets wix-v3 --out -

The cases, each through the real engine (reconciler.engine.locations) against `reconcile emulator
serve` over HTTP, in this order on one emulated site:

    create       apply the whole catalog to every location of an empty site
    noop         plan every location again: nothing to do
    one          a price change at one location (its override): the theoretical minimum is 1 write
    base         a base price change every location inherits: one write per location on Catalogs v3
                 (a catalog per location) and on Menus (New) by default, where reconcile keeps each
                 location's entities apart; one write in all with `menus_new: {share: true}`
                 (the target "wix-menus-shared": the same catalog with sharing on)

Each figure stands next to its theoretical minimum: for Catalogs v3 the sum over locations of
bench.minimum (independent of reconcile's planner); for Menus (New) the fewest calls the API
allows when every entity that can be shared is shared (docs/locations-menus-new.md).
The report goes between markers in docs/performance.md, so `python -m bench` keeps it.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import math
import shutil
import tempfile
import time
from pathlib import Path

from bench import generate, sections
from bench.measure import git_commit, is_write
from bench.minimum import minimum
from reconciler.engine.apply import ApplyOptions
from reconciler.engine.locations import Rollout, apply_locations, plan_locations
from reconciler.engine.thresholds import Thresholds
from reconciler.model.catalog import Catalog
from reconciler.model.effective import effective
from reconciler.state.mapping import MappingStore
from reconciler.targets.registry import open_site
from tests.support.emulator_server import EmulatorServer

BEGIN, END = sections.MARKERS["locations"]
THRESHOLDS = Thresholds(max_update_share=1.0, max_remove_share=1.0)
CASES = ("create", "noop", "one", "base")
TITLES = {
    "create": "apply: full create, every location",
    "noop": "plan: no-op, every location",
    "one": "apply: a price change at one location",
    "base": "apply: a base price change, inherited by every location",
}


def names(count: int) -> list[str]:
    base = generate.LOCATION_NAMES
    return [base[i] if i < len(base) else f"Store {i + 1}" for i in range(count)]


def chain(dishes: int, locations: int, seed: int) -> dict:
    """The generated catalog of ``dishes`` with ``locations`` locations.

    The second location and every fifth after it override three prices."""
    data = generate.generate(dishes, seed)
    data.pop("location", None)
    places = names(locations)
    data["locations"] = []
    ids = [d["id"] for d in data["dishes"]]
    for index, name in enumerate(places):
        entry: dict = {"name": name}
        if index % 5 == 1:
            entry["dishes"] = [{"id": ids[(index + k) % len(ids)], "price": "99.00"} for k in range(3)]
        data["locations"].append(entry)
    return data


def variants(data: dict) -> dict[str, dict]:
    """The catalog of each case: one location's override changed; then a base price no one overrides."""
    one = copy.deepcopy(data)
    entry = next(e for e in one["locations"] if e.get("dishes"))
    entry["dishes"][0]["price"] = "98.00"
    base = copy.deepcopy(one)
    overridden = {o["id"] for e in base["locations"] for o in e.get("dishes", [])}
    dish = next(d for d in base["dishes"] if d["id"] not in overridden)
    dish["price"] = generate._bump(dish["price"], 0.5)
    return {"create": data, "noop": data, "one": one, "base": base}


def v3_minimum(before: Catalog | None, after: Catalog) -> int:
    """Catalogs v3 keeps a catalog per location: the sum of each location's minimum (bench.minimum)."""
    total = 0
    for location in after.locations:
        old = effective(before, location.key) if before is not None else None
        total += minimum(old, effective(after, location.key)).total(ordered=True)
    return total


def menus_minimum(case: str, before: Catalog | None, after: Catalog) -> int:
    """Menus (New) with sharing: every entity of the shared site's essence created once, in bulk.

    The essence is the rule of docs/locations-menus-new.md (targets/wix_menus/share.py): a dish,
    group, modifier or variant once while its values agree, once more per location where they
    differ; menus and sections per location; labels once (created one by one: no bulk call).
    Plus the Online Orders calls, which have no bulk form: a menu's ordering settings when they are
    not the defaults (its hours), one upsert per menu, and each location's holiday closures, one
    call each. Not counted: showing the new menus at the cut-over (one bulk update), the price
    reconcile pays for building them hidden."""
    if case == "noop":
        return 0
    if case in ("one", "base"):
        return 1  # one item (the location's own, or the shared one) takes the new price
    from collections import Counter

    from reconciler.engine.vocabulary import Kind
    from reconciler.targets.wix_menus import client, ordering, project, share
    from reconciler.targets.wix_menus.capabilities import namespace

    site = share.site_essence(after, [loc.key for loc in after.locations])
    counts = Counter(str(namespace(kind)) for kind, _ in site.essence)
    calls = sum(
        n if service == "label" else math.ceil(n / client.SERVICES[service].create_limit)
        for service, n in counts.items()
    )
    defaults = ordering.settings_record(None)
    online = 0  # Online Orders calls: settings upserts and closures, one each
    for location in after.locations:
        for (kind, _), record in project.project(effective(after, location.key))[0].items():
            settings = {f: record.get(f) for f in defaults}
            online += kind == Kind.CLOSURE or (kind == Kind.MENU and settings != defaults)
    return calls + online


async def run_case(target: str, server: EmulatorServer, state: Path, catalog: Catalog, mode: str) -> dict:
    store = MappingStore(state / "state.sqlite")
    try:
        async with open_site(target, state, catalog.currency) as opener:
            started = time.perf_counter()
            site = await plan_locations(catalog, list(catalog.locations), opener, store, THRESHOLDS, parallel=4)
            planned = time.perf_counter() - started
            if mode == "plan":
                return {"seconds": planned, "operations": site.operations}
            result = await apply_locations(
                site, opener, store, state, ApplyOptions(force=True, verify=False), Rollout(parallel=4)
            )
            failed = [r for r in result.results if r.outcome not in ("applied", "no changes")]
            if failed:
                raise RuntimeError(f"{target}: {failed[0].location}: {failed[0].error}")
            return {"seconds": time.perf_counter() - started, "operations": site.operations}
    finally:
        store.close()


SHARED = "wix-menus-shared"  # wix-menus, the catalog with menus_new: {share: true}


def catalogs_of(data: dict, work: Path, share: bool) -> dict[str, Catalog]:
    from reconciler.yamlio.load import load_catalog

    found = {}
    for case, version in variants(data).items():
        if share:  # without the holiday closure, which a shared plan does not hold yet
            menus = [{k: v for k, v in m.items() if k != "special_hours"} for m in version["menus"]]
            version = {**version, "menus": menus, "menus_new": {"share": True}}
        path = generate.write(version, work / f"{case}{'-shared' if share else ''}.yaml")
        found[case] = load_catalog(path)
    return found


def measure(targets: list[str], locations: int, dishes: int, seed: int, work: Path, log) -> list[dict]:
    import os

    data = chain(dishes, locations, seed)
    rows = []
    for target in targets:
        catalogs = catalogs_of(data, work, share=target == SHARED)
        app = "v3" if target == "wix-v3" else "menus"
        state = work / f"state-{target}"
        shutil.rmtree(state, ignore_errors=True)
        state.mkdir(parents=True)
        with EmulatorServer(state=work / f"emulator-{target}.sqlite") as server:
            server.seed(locations, names=names(locations), app=app)
            os.environ.update(WIX_API_BASE_URL=server.url, WIX_ACCESS_TOKEN=server.token)
            previous = None
            for case in CASES:
                server.reset()
                mode = "plan" if case == "noop" else "apply"
                name = "wix-menus" if target == SHARED else target
                result = asyncio.run(run_case(name, server, state, catalogs[case], mode))
                calls = server.counters()["operations"]
                writes = sum(n for op, n in calls.items() if is_write(op.rsplit(".", 1)[-1]))
                reads = sum(n for op, n in calls.items() if not is_write(op.rsplit(".", 1)[-1]))
                before = catalogs[previous] if previous else None
                floor = (
                    v3_minimum(before, catalogs[case])
                    if target == "wix-v3"
                    else menus_minimum(case, before, catalogs[case])
                )
                rows.append(
                    {
                        "target": target,
                        "case": case,
                        "seconds": result["seconds"],
                        "writes": writes,
                        "reads": reads,
                        "minimum": floor,
                        "calls": {op: n for op, n in sorted(calls.items()) if is_write(op.rsplit(".", 1)[-1])},
                    }
                )
                log(f"{target:<9} {case:<7} {result['seconds']:.2f}s  writes {writes} (minimum {floor})  reads {reads}")
                if case != "noop":
                    previous = case
    return rows


def section(rows: list[dict], locations: int, dishes: int, commit: str) -> str:
    lines = [
        BEGIN,
        f"## Many locations: {locations} locations × {dishes} dishes, one catalog",
        "",
        f"`python -m bench.locations` at {commit}: one catalog with `locations:` (the second and every fifth "
        "location after it overrides three prices), applied to every location of one emulated site "
        "through `reconcile.engine.locations` over HTTP, four locations at once. Writes are the emulator's "
        "counters; the minimum is the fewest write calls "
        "the API allows (Catalogs v3: the sum of `bench.minimum` over the locations; Menus (New): every shareable "
        f"entity written once, which reconcile does with `menus_new: {{share: true}}` (`{SHARED}`) and not by "
        "default (`wix-menus`: every location its own entities); see docs/locations-menus-new.md).",
        "",
        "| target | case | time | write calls | theoretical minimum | read calls |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['target']} | {TITLES[row['case']]} | {row['seconds']:.2f} s | {row['writes']:,} | "
            f"{row['minimum']:,} | {row['reads']:,} |"
        )
    lines += ["", END]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.locations", description=__doc__.split("\n\n")[0])
    parser.add_argument("--locations", type=int, default=20)
    parser.add_argument("--dishes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--targets", default=f"wix-v3,wix-menus,{SHARED}")
    parser.add_argument("--out", default="docs/performance.md", help="'-' to print only")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="reconcile-bench-locations-"))
    try:
        rows = measure(args.targets.split(","), args.locations, args.dishes, args.seed, work, print)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = section(rows, args.locations, args.dishes, git_commit())
    print(text)
    if args.out != "-":
        sections.write("locations", text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
