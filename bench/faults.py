"""`python -m bench.faults`: the long, random half of the fault campaign, with figures per target.

python -m bench.faults                      300 random schedules, 30 kills, 10 races, 20 live edits per target
python -m bench.faults --quick              a few of each (a smoke run)
python -m bench.faults --schedules 500 --kills 50 --seed 7 --targets menus

The deterministic sweep (every write × every fault × before/after × once/persistent) runs in the
test suite (tests/faults/test_sweep.py); this adds, for each target:

* **random schedules**: 1–3 fault rules at random calls (writes, and the reads an apply makes),
  any fault, before or after execution, lasting 1–3 calls or for good; in-process, with a diner's
  visit after every write (tests/faults/campaign.py judges each run);
* **kill -9** at a random request of an apply (the CLI against `reconcile emulator serve` with
  latency, so a kill lands inside a call as often as between two), then a clean apply;
* **races**: two applies started at once on one state directory; two on separate state
  directories (no shared lock: v3's draft and Menus (New)'s revisions are what stop the loser);
  one paused between plan and execute (``plan --out``, another apply, then ``apply --plan``);
* **live edits**: a dish renamed (the emulator's "touch" fault) just before a random call.

Each prints: runs, partial states a diner saw (Menus (New): inside / outside the cut-over window),
mapping corruptions, leftovers or duplicates after the clean apply, tracebacks, and what the runs
ended with. What a diner sees is read by the independent oracle (tests/oracle), never by reconcile.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.state.mapping import MappingStore
from reconciler.yamlio.dump import dump_catalog
from tests import oracle
from tests.faults.campaign import (
    APIS,
    Bed,
    base_catalog,
    census,
    desired,
    is_update,
    mapping_problems,
    run_case,
    seen,
)
from tests.support.emulator_server import REPO_ROOT, EmulatorServer
from tests.support.faults import PERSISTENT
from tests.support.waiting import wait_until

FAULTS = ("500", "429", "drop", "timeout")


@dataclass
class Figures:
    runs: int = 0
    partial_seen: int = 0  # diner visits (or, after a kill, end states) showing a mix
    partial_in_window: int = 0  # ... of which inside the Menus (New) cut-over window
    mapping_corruptions: int = 0
    leftovers: int = 0  # runs whose clean re-apply left extra or missing entities
    tracebacks: int = 0
    broken: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def line(self, title: str, api: str) -> str:
        window = f" ({self.partial_in_window} inside the cut-over window)" if api == "menus" else ""
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        notes = "".join(f"; {k}: {v}" for k, v in sorted(self.notes.items()))
        return (
            f"  {title:<26} runs {self.runs:>4} · partial states seen {self.partial_seen}{window} · "
            f"mapping corruptions {self.mapping_corruptions} · leftovers/duplicates {self.leftovers} · "
            f"tracebacks {self.tracebacks}\n      ended: {outcomes}{notes}"
        )


# -- random schedules, in-process ---------------------------------------------------------------------
def schedules(bed: Bed, count: int, rng: random.Random, root: Path) -> Figures:
    figures = Figures()
    reads = sorted(
        {"listMenus", "listItems", "listSections"} if bed.api == "v3" else {"items.listItems", "menus.listMenus"}
    )
    for index in range(count):
        rules = []
        for _ in range(rng.randint(1, 3)):
            fault = rng.choice(FAULTS)
            lost = fault != "429" and rng.random() < 0.5
            at = rng.choice(bed.writes)
            operation, nth = (at.call, at.nth) if rng.random() < 0.85 else (rng.choice(reads), rng.randint(1, 4))
            rules.append(
                {
                    "operation": operation,
                    "nth": nth,
                    "fault": fault,
                    "phase": "after" if lost else "before",
                    "times": rng.choice((1, 1, 2, 3, PERSISTENT)),
                    "retryAfter": 0,
                    "delayMs": 0,
                }
            )
        verdict = run_case(bed, root / f"s{index}", rules, f"schedule {index}")
        figures.runs += 1
        figures.partial_seen += verdict.partial_seen
        figures.partial_in_window += verdict.partial_seen - verdict.partial_outside_window
        figures.mapping_corruptions += len(verdict.mapping_corrupt) + int(verdict.mapping_changed)
        figures.leftovers += int(bool(verdict.leftovers))
        figures.tracebacks += int(verdict.traceback)
        figures.outcomes[verdict.outcome.split(" (")[0]] += 1
        if verdict.problems():
            figures.broken.append(f"{bed.api} {rules}: {verdict.outcome}: {'; '.join(verdict.problems())}")
        shutil.rmtree(root / f"s{index}", ignore_errors=True)
    return figures


# -- real processes -----------------------------------------------------------------------------------
class Site:
    """One location on the shared emulator server, a state directory, and the CLI."""

    def __init__(self, server: EmulatorServer, api: str, root: Path, files: dict[str, Path]) -> None:
        self.server, self.api, self.root, self.files = server, api, root, files
        server.wipe()  # one site per run: a Menus (New) site's entities are site-wide, detached ones too
        self.location = server.seed(locations=1, names=[f"Kitchen {root.name}"], app=api)[0]["locationId"]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "RECONCILE_"))}
        self.env.update(WIX_API_BASE_URL=server.url, WIX_ACCESS_TOKEN=server.token, NO_COLOR="1")

    def args(self, state: str = "state") -> list[str]:
        target = "wix-v3" if self.api == "v3" else "wix-menus"
        return ["--target", target, "--location", self.location, "--state-dir", str(self.root / state)]

    def command(self, verb: str, which: str | None, *more: str, state: str = "state") -> list[str]:
        files = [str(self.files[which])] if which else []
        return [sys.executable, "-m", "reconciler.cli.main", verb, *files, *self.args(state), *more]

    def run(self, verb: str, which: str | None, *more: str, state: str = "state") -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(verb, which, *more, state=state),
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def popen(self, verb: str, which: str | None, *more: str, state: str = "state") -> subprocess.Popen:
        return subprocess.Popen(
            self.command(verb, which, *more, state=state),
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def board(self) -> object:
        with self.server.client() as client:
            return seen(oracle.board(client, self.api, self.location))

    def census(self) -> Counter:
        with self.server.client() as client:
            return census(oracle.snapshot(client, self.api, self.location))

    def mapping_corruptions(self, state: str = "state") -> int:
        """Mapping rows of desired entities pointing nowhere, or two rows sharing one Wix id."""
        with self.server.client() as client:
            snap = oracle.snapshot(client, self.api, self.location)
        live = {e["id"] for entities in snap.values() if isinstance(entities, list) for e in entities if "id" in e}
        store = MappingStore(self.root / state / "state.sqlite")
        try:
            entries = store.entries(store.runs()[0].scope) if store.runs() else []
        finally:
            store.close()
        plan = self.run("plan", "desired", "--format", "json", state=state)
        wanted = {(m[0], m[1]) for m in json.loads(plan.stdout)["mapping"]} if plan.returncode == 0 else set()
        return len(mapping_problems(entries, wanted, live))


def _judge_end(
    site: Site, bed: Bed, figures: Figures, label: str, state: str = "state", in_window: bool = False
) -> None:
    """After a disturbed run: what a diner sees now, then a clean apply must converge with no leftovers."""
    board = site.board()
    if board not in (bed.before, bed.after):
        figures.partial_seen += 1
        figures.partial_in_window += int(in_window)
        if not in_window:
            figures.broken.append(f"{label}: a diner is left with a partial menu")
    clean = site.run("apply", "desired", "--auto-approve", state=state)
    if clean.returncode != 0 or site.board() != bed.after:
        figures.broken.append(
            f"{label}: the clean apply did not converge (exit {clean.returncode}): {clean.stderr[-400:]}"
        )
    if site.census() != bed.census_after:
        figures.leftovers += 1
        figures.broken.append(
            f"{label}: leftovers or duplicates: {sorted((site.census() - bed.census_after).elements())[:5]}"
        )
    corrupt = site.mapping_corruptions(state)
    figures.mapping_corruptions += corrupt
    if corrupt:
        figures.broken.append(f"{label}: {corrupt} corrupt mapping row(s)")
    for text in (clean.stderr,):
        if "Traceback" in text:
            figures.tracebacks += 1


def kills(server: EmulatorServer, bed: Bed, count: int, rng: random.Random, root: Path, files) -> Figures:
    figures = Figures()
    server.set_latency(15)  # every call takes a while: a kill lands inside one as often as between two
    try:
        total = _requests_of_one_apply(server, bed.api, root / "ref", files)
        for index in range(count):
            site = Site(server, bed.api, root / f"k{index}", files)
            site.run("apply", "base", "--auto-approve")
            since = _last_seq(server)
            stop_at = rng.randint(1, total)
            process = site.popen("apply", "desired", "--auto-approve")
            wait_until(
                lambda: process.poll() is not None or len(server.requests(since)) >= stop_at,
                "the apply to reach its kill point",
                timeout=120,
            )
            process.kill()
            _, err = process.communicate(timeout=60)
            figures.runs += 1
            figures.tracebacks += int("Traceback" in err)
            writes = [e for e in server.requests(since) if e["operation"] and e["executed"]]
            in_window = any(is_update(e["operation"]) for e in writes)
            figures.outcomes["finished before the kill" if process.returncode == 0 else "killed"] += 1
            _judge_end(site, bed, figures, f"{bed.api} kill at request {stop_at}", in_window=in_window)
    finally:
        server.set_latency(0)
    return figures


def races(server: EmulatorServer, bed: Bed, count: int, root: Path, files) -> Figures:
    figures = Figures()
    server.set_latency(10)
    try:
        for index in range(count):
            for mode in ("one state directory", "two state directories"):
                site = Site(server, bed.api, root / f"r{index}-{mode.split()[0]}", files)
                site.run("apply", "base", "--auto-approve")
                states = ("state", "state") if mode.startswith("one") else ("a", "b")
                racers = [site.popen("apply", "desired", "--auto-approve", state=s) for s in states]
                results = [(p.wait(timeout=300), *p.communicate()) for p in racers]
                figures.runs += 1
                codes = sorted(code for code, _, _ in results)
                applied = sum(1 for code, out, _ in results if code == 0 and _wrote(out))
                figures.outcomes[f"{mode}: exits {codes}"] += 1
                figures.tracebacks += sum("Traceback" in err for _, _, err in results)
                if applied > 1:
                    figures.broken.append(f"{bed.api} race ({mode}): both applies wrote")
                for code, _out, err in results:
                    if code not in (0,) and not err.strip():
                        figures.broken.append(f"{bed.api} race ({mode}): exit {code} without a reason")
                _judge_end(site, bed, figures, f"{bed.api} race ({mode})", state=states[0])
            # One paused between plan and execute: its saved plan must be refused once another applied.
            site = Site(server, bed.api, root / f"p{index}", files)
            site.run("apply", "base", "--auto-approve")
            saved = site.root / "plan.json"
            site.run("plan", "desired", "--out", str(saved))
            site.run("apply", "desired", "--auto-approve")
            before = site.board()
            late = site.run("apply", None, "--plan", str(saved), "--auto-approve")
            figures.runs += 1
            figures.outcomes[f"paused: exit {late.returncode}"] += 1
            if late.returncode != 4 or site.board() != before:
                figures.broken.append(f"{bed.api} paused apply: exit {late.returncode}, changed the menu")
            _judge_end(site, bed, figures, f"{bed.api} paused apply")
    finally:
        server.set_latency(0)
    return figures


def live_edits(bed: Bed, count: int, rng: random.Random, root: Path) -> Figures:
    """A dish renamed just before a random call of the apply: never silently undone."""
    figures = Figures()
    for index in range(count):
        at = rng.choice(bed.writes)
        h = bed.fresh(root / f"e{index}")
        victim = rng.choice([i for i in _dishes(h) if i["name"] not in ("Espresso",)])
        service = "v3.items" if bed.api == "v3" else "items"
        edit = {"name": f"{victim['name']} (edited)"}
        entity = {"service": service, "id": victim["id"]}
        h.set_faults([{"operation": at.call, "nth": at.nth, "fault": "touch", "entity": entity, "set": edit}])
        try:
            h.apply(desired()[0])
            outcome = "applied"
        except Exception as exc:  # counted: a traceback unless it is one of ours
            outcome = f"exit {getattr(exc, 'exit_code', '?')}"
            figures.tracebacks += int(not hasattr(exc, "exit_code"))
        h.clear_faults()
        figures.runs += 1
        kept = any(i["id"] == victim["id"] and i["name"] == edit["name"] for i in h.snapshot()["items"])
        figures.outcomes[outcome] += 1
        if not kept:
            if bed.api == "v3" and at.call == "publishDraftCatalog":
                figures.notes["edits made during the publish call itself, overwritten (the remaining window)"] += 1
            else:
                figures.broken.append(f"{bed.api} edit before {at.label} ({outcome}): the edit was lost")
        h.store.close()
    return figures


def _dishes(h) -> list[dict]:
    names = {d.name for d in base_catalog().dishes}
    return [i for i in h.snapshot()["items"] if not i.get("archived") and i.get("name") in names]


def _wrote(stdout: str) -> bool:
    """Whether an apply's summary ("Applied: 3 created, 1 updated, 0 archived …") counts a change."""
    line = next((x for x in stdout.splitlines() if x.startswith("Applied:")), "")
    return any(int(word) for word in line.replace(",", " ").split() if word.isdigit())


def _last_seq(server: EmulatorServer) -> int:
    log = server.requests()
    return log[-1]["seq"] if log else 0


def _requests_of_one_apply(server: EmulatorServer, api: str, root: Path, files) -> int:
    site = Site(server, api, root, files)
    site.run("apply", "base", "--auto-approve")
    since = _last_seq(server)
    site.run("apply", "desired", "--auto-approve")
    return len(server.requests(since))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--schedules", type=int, default=300, help="random fault schedules per target")
    parser.add_argument("--kills", type=int, default=30, help="kill -9 runs per target")
    parser.add_argument("--races", type=int, default=10, help="race rounds per target")
    parser.add_argument("--edits", type=int, default=20, help="live edits per target")
    parser.add_argument("--targets", default=",".join(APIS), help="v3, menus or both")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 6 schedules, 3 kills, 1 race round, 3 edits")
    args = parser.parse_args(argv)
    if args.quick:
        args.schedules, args.kills, args.races, args.edits = 6, 3, 1, 3
    rng = random.Random(args.seed)
    started = time.monotonic()
    failed = False
    with tempfile.TemporaryDirectory(prefix="reconcile-faults-") as tmp:
        root = Path(tmp)
        files = {"base": root / "base.yaml", "desired": root / "desired.yaml"}
        files["base"].write_text(dump_catalog(base_catalog()), encoding="utf-8")
        files["desired"].write_text(dump_catalog(desired()[0]), encoding="utf-8")
        with EmulatorServer(state=root / "emulator.sqlite") as server:
            for api in args.targets.split(","):
                bed = Bed.build(api, root / f"bed-{api}")
                title = {"v3": "Catalogs v3 (wix-v3)", "menus": "Menus (New) (wix-menus)"}[api]
                print(f"{title}: {len(bed.writes)} write calls in the change", flush=True)
                parts = [
                    ("random schedules", lambda: schedules(bed, args.schedules, rng, root / f"sched-{api}")),
                    ("kill -9 mid-apply", lambda: kills(server, bed, args.kills, rng, root / f"kill-{api}", files)),
                    ("races", lambda: races(server, bed, args.races, root / f"race-{api}", files)),
                    ("live edits during apply", lambda: live_edits(bed, args.edits, rng, root / f"edit-{api}")),
                ]
                for name, part in parts:
                    figures = part()
                    print(figures.line(name, api), flush=True)
                    for problem in figures.broken[:10]:
                        print(f"      BROKEN: {problem}", flush=True)
                    failed = failed or bool(figures.broken)
    print(f"done in {time.monotonic() - started:.0f} s (seed {args.seed})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
