"""Smoke tests for the benchmarks (bench/): the generator, the minimum, the naive baseline, and one
tiny case through `python -m bench`. No timing assertions: speed goals live in the bench output."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench import generate, naive
from bench.minimum import minimum
from bench.minimum_menus import menus_minimum
from reconciler.emulator import SANDBOX_TOKEN
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness

REPO = Path(__file__).resolve().parents[2]


def test_generator_is_deterministic_and_its_catalogs_are_valid(tmp_path: Path):
    first = generate.generate(100, seed=3)
    assert generate.dump(first) == generate.dump(generate.generate(100, seed=3))
    assert generate.dump(first) != generate.dump(generate.generate(100, seed=4))
    shape = generate.stats(first)
    assert shape["dishes"] == 100 and shape["menus"] >= 3 and shape["variations"] > 0 and shape["listed_twice"] > 0
    derived = {"before": first, "one": generate.one_price_change(first, 3), "ten": generate.change(first, 0.1, 3)}
    models = {name: load_catalog(generate.write(data, tmp_path / f"{name}.yaml")) for name, data in derived.items()}
    assert minimum(models["before"], models["before"]).calls() == {}
    assert minimum(models["before"], models["one"]).calls() == {"updateItem": 1}
    ten = minimum(models["before"], models["ten"])
    assert ten.changed >= 10 and ten.calls()["createDraftCatalog"] == 1 and ten.calls()["publishDraftCatalog"] == 1


def test_the_menus_bound_is_never_above_what_reconcile_plans_and_is_met_by_small_changes(tmp_path: Path):
    """The Menus (New) minimum (bench/minimum_menus.py) counts from the catalogs alone; a plan that
    makes fewer calls, or fewer dependency levels, than it would prove it wrong."""
    first = generate.generate(1000, seed=3)  # large enough that items span several levels and calls
    derived = {"before": first, "one": generate.one_price_change(first, 3), "ten": generate.change(first, 0.1, 3)}
    models = {name: load_catalog(generate.write(data, tmp_path / f"{name}.yaml")) for name, data in derived.items()}
    assert menus_minimum(models["before"], models["before"]).calls() == {}
    one = menus_minimum(models["before"], models["one"])
    assert one.calls() == {"update item": 1} and one.levels() == [1]
    created = menus_minimum(None, models["before"])
    assert len(created.levels()) >= 3 and created.calls()["create item"] >= 1  # items before sections before menus
    (tmp_path / "menus").mkdir()
    h = Harness(tmp_path / "menus", api="menus")
    plan = h.plan(models["before"])
    assert len(plan.operations) >= created.total() and len({o.step for o in plan.operations}) >= len(created.levels())
    h.apply(plan)
    for name in ("one", "ten"):
        bound, planned = menus_minimum(models["before"], models[name]), h.plan(models[name])
        assert len(planned.operations) >= bound.total() >= 1
    assert len(h.plan(models["one"]).operations) == 1


@pytest.mark.e2e
def test_generate_command_writes_a_valid_catalog(tmp_path: Path):
    out = tmp_path / "menu.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--dishes", "120", "--seed", "5", "-o", str(out), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert len(load_catalog(out).dishes) == 120


def test_the_naive_baseline_builds_the_same_menu(tmp_path: Path):
    """The Wix-sample flow, run on the emulator, publishes a catalog reconcile finds identical."""
    data = generate.generate(100, seed=2)
    catalog = load_catalog(generate.write(data, tmp_path / "menu.yaml"))
    harness = Harness(tmp_path)

    async def sync() -> dict[str, int]:
        async with httpx.AsyncClient(
            transport=harness.emulator.transport(),
            base_url="http://sandbox.invalid",
            headers={"Authorization": SANDBOX_TOKEN},
        ) as client:
            flow = naive.NaiveSync(client)
            await flow.sync(data)
            await flow.sync(data)  # the second import archives the menus of the first
            return flow.calls

    calls = asyncio.run(sync())
    once = naive.expected_calls(data, live_menus=0)
    again = naive.expected_calls(data, live_menus=len(data["menus"]))
    assert calls == {k: once.get(k, 0) + again.get(k, 0) for k in sorted(set(once) | set(again))}
    plan = harness.plan(catalog)  # adopts the live entities by name: nothing left to change
    assert plan.operations == ()
    assert all(change.action != "remove" for change in plan.changes)


@pytest.mark.e2e
def test_one_tiny_case_end_to_end(tmp_path: Path):
    out = tmp_path / "performance.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--sizes",
            "100",
            "--runs",
            "1",
            "--cases",
            "apply-price",
            "--no-profile",
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    assert text.startswith("# Performance") and "python -m bench" in text and "## README section" in text
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| apply: one price change | 100 |")
    ]
    results = [cells for cells in rows if len(cells) == 12]  # the results table's row
    assert len(results) == 1, rows
    _reads, writes, least, least_ordered, verdict = results[0][7:12]
    assert int(writes) == int(least) == int(least_ordered) == 1 and verdict == "= min"
    assert re.search(r"\| apply: one price change \| 100 \| updateItem 1 \| updateItem 1 \|", text)
    assert "| one price change = 3 write calls (draft, bulk update, publish) or 1 (live update) | met |" in text
    assert "apply: one price change" in done.stdout  # the table is printed too


@pytest.mark.e2e
def test_the_locations_bench_writes_its_section(tmp_path: Path):
    """`python -m bench.locations` on a tiny chain: its table lands in the report, and a price change
    at one location costs one write on both targets (the theoretical minimum, counted by the emulator)."""
    out = tmp_path / "performance.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench.locations", "--locations", "3", "--dishes", "12", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "<!-- bench.locations: begin -->" in text and "3 locations × 12 dishes" in text
    for target in ("wix-v3", "wix-menus", "wix-menus-shared"):
        row = re.search(rf"\| {target} \| apply: a price change at one location \| [^|]+ \| (\d+) \| (\d+) \|", text)
        assert row is not None, text
        assert row.group(1) == row.group(2) == "1"
    # Shared entities: a base price change every location inherits is one write, not one per location.
    base = re.search(r"\| wix-menus-shared \| apply: a base price change[^|]* \| [^|]+ \| (\d+) \| (\d+) \|", text)
    assert base is not None and base.group(1) == base.group(2) == "1", text


@pytest.mark.e2e
def test_the_webhook_bench_measures_every_change(tmp_path: Path):
    """`python -m bench.webhook` on a tiny catalog: every change it makes in the POS reaches the
    live menu through a signed webhook and serve, and its table lands in the report."""
    out = tmp_path / "performance.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.webhook",
            "--sizes",
            "20",
            "--changes",
            "2",
            "--debounce",
            "50ms",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stdout.count("dishes  change") == 2
    text = out.read_text(encoding="utf-8")
    row = re.search(r"\| 20 \| 2 \| (\d+) \| ([\d.]+) s \| ([\d.]+) s \| ([\d.]+) s \|", text)
    assert row is not None, text
    incremental, median, p99, floor = (float(v) for v in row.groups())
    assert floor >= 0.05 and median <= p99  # the floor includes the debounce window
    assert incremental == 2  # every change was read from the POS incrementally (SearchCatalogObjects)


@pytest.mark.e2e
def test_the_stock_bench_measures_every_signal(tmp_path: Path):
    """`python -m bench.stock` on a tiny catalog: every sold-out and back-in-stock webhook reaches the
    live menu through serve (a layer entry and one minimal live update), and its table lands in the report."""
    out = tmp_path / "performance.md"
    args = ["--sizes", "20", "--changes", "2", "--debounce", "50ms", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.stock", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stdout.count("dishes  signal") == 2
    row = re.search(r"\| 20 \| 2 \| ([\d.]+) s \| ([\d.]+) s \| ([\d.]+) s \|", out.read_text(encoding="utf-8"))
    assert row is not None, out.read_text(encoding="utf-8")
    median, p99, floor = (float(v) for v in row.groups())
    assert floor >= 0.05 and median <= p99


def test_each_bench_section_is_replaced_in_place_and_kept_by_the_full_bench():
    from bench import sections

    def block(name: str, body: str) -> str:
        begin, end = sections.MARKERS[name]
        return f"{begin}\n{body}\n{end}\n"

    doc = "# Performance\n"
    for name in sections.MARKERS:
        doc = sections.replace(doc, name, block(name, f"{name} first"))
    doc = sections.replace(doc, "webhook", block("webhook", "webhook again"))
    assert doc.count(sections.MARKERS["webhook"][0]) == 1 and "webhook again" in doc and "webhook first" not in doc
    assert "stock first" in doc and "locations first" in doc  # the other sections are untouched
    assert sections.kept(doc) == "\n".join(
        block(n, "webhook again" if n == "webhook" else f"{n} first") for n in sections.MARKERS
    )


@pytest.mark.e2e
def test_the_noop_bench_measures_both_targets_memo_cached_and_cold(tmp_path: Path):
    """`python -m bench.noop` on a tiny catalog: a row per target and state, next to its floors."""
    out = tmp_path / "performance.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench.noop", "--sizes", "20", "--runs", "1", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    text = out.read_text(encoding="utf-8")
    assert "<!-- bench.noop: begin -->" in text and "Load average" in text
    for target in ("wix-v3", "wix-menus"):
        for state in ("memo", "cached", "cold"):
            row = re.search(rf"\| 20 \| {target} \| {state} \| ([\d.]+) \| [^|]+ \| ([\d.]+) \| (\d+) \|", text)
            assert row is not None, text
            assert float(row.group(2)) > 0 and int(row.group(3)) > 0


@pytest.mark.e2e
def test_a_measured_command_reports_its_own_peak_memory_not_the_bench_s():
    """The bench holds big generated catalogs; a command forked from it would report the bench's
    resident size as its own peak (Linux counts the address space exec replaced). bench.launch
    starts it from a small process instead."""
    from bench.measure import launched

    held = bytearray(300 * 1024 * 1024)
    held[::4096] = b"\1" * len(held[::4096])  # resident, as a generated catalog is
    child = "b = bytearray(80 * 1024 * 1024); b[::4096] = b'\\1' * len(b[::4096])"
    usage = launched([sys.executable, "-c", child], env={}, cwd=REPO)
    assert usage["code"] == 0
    assert 80 <= usage["maxrss_mb"] < 200, usage  # the child's 80 MB and an interpreter; not the 300 MB held here
    assert usage["cpu"] > 0 and usage["wall"] > 0
    failed = launched([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"], env={}, cwd=REPO)
    assert (failed["code"], failed["stdout"]) == (3, b"out\n")
    del held
