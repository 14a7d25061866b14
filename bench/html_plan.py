"""`python -m bench.html_plan`: how fast the HTML plan of a large menu is made and shown in a browser.

For each size (default 10,000 dishes, on both APIs' emulators, in-process): apply the generated
catalog, change 1% of it, then measure

  make     building the page: both diner views, the comparison, the HTML (Python, median of runs)
  browser  headless Chromium (tests/support/chromium.py) from navigation to the load event and
           the first frame laid out, read from the page's own Performance timeline

each printed next to its floor: for ``make``, the plan itself (the page cannot be made faster than
the plan it shows); for ``browser``, the same browser loading a page of the same size that is
one <pre> of text (parsing that many bytes, with nothing to lay out but text).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from html import escape
from pathlib import Path

from bench.generate import change, generate
from reconciler.cli.show_cmd import plan_page
from reconciler.engine.planning import make_plan
from reconciler.model.catalog import Catalog
from tests.engine.harness import Harness
from tests.support import chromium

TIMING = """new Promise(r => requestAnimationFrame(() => { const n = performance.getEntriesByType('navigation')[0];
  r({load: n.loadEventEnd - n.startTime, frame: performance.now()}); }))"""


def _make(h: Harness, catalog: Catalog):
    async def go():
        async with h.target() as target:
            started = time.perf_counter()
            planned = await make_plan(catalog, target, h.store, h.thresholds)
            planned_at = time.perf_counter()
            page = plan_page(planned, target, catalog.currency)
            return page, planned_at - started, time.perf_counter() - planned_at

    return h.run(go())


async def _browse(executable: str, pages: list[Path], runs: int) -> list[list[dict]]:
    out: list[list[dict]] = [[] for _ in pages]
    for _ in range(runs):
        for index, path in enumerate(pages):
            async with chromium.chromium(executable) as page:  # a fresh browser: no cache between runs
                loaded = await page.open(path.as_uri())
                if loaded.requests:
                    raise SystemExit(f"{path.name} asked for {loaded.requests}")
                out[index].append(await page.evaluate(TIMING))
    return out


def measure(dishes: int, api: str, runs: int, executable: str | None, work: Path) -> dict:
    (work / f"{api}-{dishes}").mkdir()
    h = Harness(work / f"{api}-{dishes}", api=api)
    data = generate(dishes)
    h.apply(Catalog.model_validate(data))
    edited = Catalog.model_validate(change(data, 0.01))
    made = [_make(h, edited) for _ in range(runs)]
    page = made[0][0]
    path = work / f"plan-{api}-{dishes}.html"
    path.write_text(page, encoding="utf-8")
    floor = work / f"floor-{api}-{dishes}.html"
    floor.write_text(f"<!DOCTYPE html><title>floor</title><pre>{escape(page)}</pre>", encoding="utf-8")
    result = {
        "api": api,
        "dishes": dishes,
        "bytes": len(page.encode()),
        "plan_s": statistics.median(m[1] for m in made),
        "make_s": statistics.median(m[2] for m in made),
    }
    if executable:
        shown, plain = asyncio.run(_browse(executable, [path, floor], runs))
        result["load_ms"] = statistics.median(t["load"] for t in shown)
        result["floor_ms"] = statistics.median(t["load"] for t in plain)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.html_plan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dishes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--apis", default="v3,menus")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    executable = chromium.binary()
    if executable is None:
        print("chromium is not installed: only the page's making is measured", file=sys.stderr)
    print(f"{'api':6} {'dishes':>7} {'page':>9} {'plan (floor)':>13} {'make':>8} {'browser load':>13} {'floor':>8}")
    with tempfile.TemporaryDirectory(prefix="reconcile-bench-html-") as tmp:
        for dishes in args.dishes:
            for api in args.apis.split(","):
                r = measure(dishes, api, args.runs, executable, Path(tmp))
                load = f"{r['load_ms']:.0f} ms" if "load_ms" in r else "-"
                floor = f"{r['floor_ms']:.0f} ms" if "floor_ms" in r else "-"
                print(
                    f"{api:6} {dishes:>7} {r['bytes'] / 1e6:>7.1f}MB {r['plan_s']:>11.2f} s {r['make_s']:>6.2f} s "
                    f"{load:>13} {floor:>8}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
