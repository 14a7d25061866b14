"""The fault campaign: one apply per fault schedule, on each target, judged from the wire.

One *bed* per target: a site with a base catalog applied, and the change every case applies to
it (creates, updates and removals of every kind). A clean run of that change on a copy is the
reference: the board a diner sees before and after, the census of every entity (reachable or
not) after, and the write calls it makes, which are the positions the sweep faults.

Each case copies the base, installs its fault rules, applies, and is judged (:class:`Verdict`):

* **what a diner sees**, by the independent oracle (tests/oracle), never by reconcile's reader:
  after every write call of the run a diner's visit is simulated (the board is read off the wire
  through a separate emulator on the same store, unseen by the fault rules); a board that is
  neither the before nor the after board is a *partial state*. For Catalogs v3 there must be
  none. For Menus (New) they may appear only inside the documented cut-over window (between the
  first in-place update and the last one, compensation's included);
* **the end**: applied → the after board; refused (exit 3, 4, 7) → the before board and the id
  mapping (rows, pending rows, intents) exactly as before; outcome unknown (exit 9) → reported,
  with whether a diner is left with a partial board;
* **a clear message**: a ``ReconcileError`` with a message; anything else is a traceback;
* **convergence**: faults cleared, one more apply reaches the after board, the next plan is
  empty, and the census equals the reference (no leftover, no duplicate, detached ones included).

Used by tests/faults/test_sweep.py (the deterministic sweep, in the test suite) and by
``python -m bench.faults`` (random schedules, kill -9, races and live edits, with figures).
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store
from reconciler.errors import ReconcileError
from reconciler.http import Session
from reconciler.model.catalog import Catalog
from reconciler.targets.registry import SANDBOX_URL
from reconciler.targets.wix_menus.target import WixMenusTarget
from reconciler.targets.wix_v3.target import WixV3Target
from tests import oracle
from tests.catalog_edits import dish, edited
from tests.engine.harness import Harness
from tests.support.faults import PERSISTENT, Position, positions, rule

PIZZERIA = "catalogs/pizzeria.yaml"
APIS = ("v3", "menus")
BRUNCH = {
    "id": "brunch",
    "name": "Brunch",
    "sections": [{"id": "brunch-salads", "name": "Salads", "dishes": ["caprese"]}],
}
LATE = {
    "id": "late",
    "name": "Late night",
    "sections": [{"id": "late-pizzas", "name": "After midnight", "dishes": ["margherita", "garlic-bread"]}],
}
READS = ("list", "get", "query", "search", "count")
UPDATES = ("update", "bulkUpdate")  # in-place writes: the only calls a diner can see half of on Menus (New)


def _base(data: dict) -> None:
    data["menus"].append(dict(BRUNCH))


def _change(data: dict) -> None:
    """From the base: something of every kind created, updated and removed."""
    _base(data)
    data["dishes"] = [d for d in data["dishes"] if d["id"] != "espresso"]
    for menu in data["menus"]:
        for section in menu["sections"]:
            section["dishes"] = [d for d in section["dishes"] if d != "espresso"]
    dish(data, "margherita")["price"] = "11.50"
    dish(data, "caesar")["options"] = []  # an option group goes away
    data["variations"] += [{"id": "dip-garlic", "name": "Garlic dip"}, {"id": "dip-pesto", "name": "Pesto dip"}]
    data["option_groups"].append(
        {
            "id": "dips",
            "name": "Dips",
            "type": "extras",
            "max": 1,
            "choices": [{"item": "dip-garlic", "price": "0.80"}, {"item": "dip-pesto"}],
        }
    )
    data["dishes"] += [
        {"id": "calzone", "name": "Calzone", "price": "14.00", "options": ["dips"]},
        {"id": "garlic-bread", "name": "Garlic bread", "price": "5.00"},
    ]
    data["menus"][0]["sections"][0]["dishes"].append("calzone")
    data["menus"] = [m for m in data["menus"] if m["id"] != "brunch"]
    data["menus"].append(dict(LATE))


@functools.cache
def base_catalog() -> Catalog:
    return edited(PIZZERIA, _base)[0]


@functools.cache
def desired() -> tuple[Catalog, dict]:
    """The change, as reconcile loads it and as the oracle reads the file (read once: a case must
    not spend its time parsing YAML)."""
    return edited(PIZZERIA, _change)


def seen(board: object) -> object:
    """The oracle's board as a diner sees it: what is hidden (``visible: false``) is not there."""
    if isinstance(board, list):
        return [seen(x) for x in board if not (isinstance(x, dict) and x.get("visible") is False)]
    if isinstance(board, dict):
        return {k: seen(v) for k, v in board.items()}
    return board


def is_read(operation: str) -> bool:
    return operation.rsplit(".", 1)[-1].startswith(READS)


def is_update(operation: str) -> bool:
    return operation.rsplit(".", 1)[-1].startswith(UPDATES)


class ProbedHarness(Harness):
    """A harness whose every write call is followed by a diner's visit (the oracle's board).

    The visit reads through a second emulator on the same store: its own knobs, so fault rules
    never see (or count) it, and it sees exactly what a diner's request at that moment would."""

    def __init__(self, tmp_path: Path, api: str, before: object, after: object) -> None:
        super().__init__(tmp_path, new_site=False, api=api)
        self.before, self.after = before, after
        diner = Emulator(open_store(str(tmp_path / "emulator.sqlite")))
        self.diner = httpx.Client(
            transport=diner.transport(), base_url="http://diner.invalid", headers={"Authorization": SANDBOX_TOKEN}
        )
        self.visits: list[tuple[str, bool, bool]] = []  # (operation just written, partial, in the window)
        self.window = False
        self.probing = True
        self.logged = 0  # the emulator's request log, read up to here

    def visit(self, request: httpx.Request) -> None:
        operation = self.emulator.router.match(request.method, request.url.path)
        name = operation.route.operation if operation else request.url.path
        if is_read(name) or not self.probing:
            return
        if is_update(name):
            self.window = True
        log = self.emulator.requests(self.logged)
        self.logged = log[-1]["seq"] if log else self.logged
        if self.visits and not any(entry["executed"] for entry in log):
            self.visits.append((name, self.visits[-1][1], self.window))  # refused before it ran: nothing moved
            return
        board = seen(oracle.board(self.diner, self.api, self.location))
        self.visits.append((name, board not in (self.before, self.after), self.window))

    @contextlib.asynccontextmanager
    async def target(self):
        transport = _Probe(self.emulator.transport(), self.visit)
        async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_URL, timeout=30) as client:
            session = Session(client, {"Authorization": SANDBOX_TOKEN}, [SANDBOX_TOKEN], self.policy)
            if self.api == "v3":
                yield WixV3Target(session, self.location, label="sandbox")
            else:
                yield WixMenusTarget(session, self.location, label="wix-menus")


class _Probe(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, after) -> None:
        self.inner, self.after = inner, after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.after(request)  # answered, failed or dropped: the server state is what a diner would see


def census(snapshot: dict) -> Counter:
    """Every entity by kind and what a diner could tell apart (name, archived or visible): no ids."""
    found: Counter = Counter()
    for kind, entities in snapshot.items():
        if not isinstance(entities, list):
            continue
        for e in entities:
            if isinstance(e, dict) and "name" in e:
                found[(kind, e.get("name"), bool(e.get("archived")), e.get("visible"))] += 1
    return found


@dataclass
class Bed:
    api: str
    root: Path
    before: object = None  # the board a diner sees before the change (``seen``)
    after: object = None  # ... and after it
    census_after: Counter = field(default_factory=Counter)
    writes: list[Position] = field(default_factory=list)  # the reference run's write calls, in order

    @classmethod
    def build(cls, api: str, root: Path) -> Bed:
        bed = cls(api, root)
        (root / "base").mkdir(parents=True, exist_ok=True)
        h = Harness(root / "base", api=api)
        h.apply(base_catalog())
        bed.before = seen(h.board())
        h.store.close()
        ref = bed.fresh(root / "reference")
        since = ref.requests()[-1]["seq"] if ref.requests() else 0
        catalog, data = desired()
        assert ref.apply(catalog).differences == []
        board = ref.board()
        assert board == oracle.expected(data, api), oracle.mismatch(board, oracle.expected(data, api))
        bed.after = seen(board)
        bed.census_after = census(ref.snapshot())
        bed.writes = positions(
            e["operation"]
            for e in ref.requests()
            if e["seq"] > since and e["operation"] and not is_read(e["operation"])
        )
        ref.store.close()
        return bed

    def fresh(self, path: Path) -> Harness:
        shutil.copytree(self.root / "base", path, dirs_exist_ok=True)
        return Harness(path, new_site=False, api=self.api)

    def probed(self, path: Path) -> ProbedHarness:
        shutil.copytree(self.root / "base", path, dirs_exist_ok=True)
        return ProbedHarness(path, self.api, self.before, self.after)


@dataclass
class Verdict:
    case: str
    api: str
    outcome: str  # applied | exit <code> (<error type>) | traceback
    message: str = ""
    partial_seen: int = 0  # diner visits that saw a mix of old and new
    partial_outside_window: int = 0  # ... outside the cut-over window (must be 0)
    ended_partial: bool = False  # the run ended with a diner seeing a mix (only tolerable with exit 9)
    mapping_changed: bool = False  # a refused run changed the mapping (must not)
    mapping_corrupt: list[str] = field(default_factory=list)  # after the clean apply: rows pointing nowhere
    converged: bool = True
    leftovers: list[str] = field(default_factory=list)  # entities beyond (or missing from) the reference
    seconds: float = 0.0

    @property
    def traceback(self) -> bool:
        return self.outcome == "traceback"

    def problems(self) -> list[str]:
        """What breaks the promise; empty when the case holds it."""
        found = []
        if self.traceback:
            found.append(f"traceback: {self.message}")
        if self.api == "v3" and self.partial_seen:
            found.append(f"a diner saw a partial menu {self.partial_seen} time(s)")
        if self.partial_outside_window:
            found.append(
                f"a diner saw a partial menu outside the cut-over window {self.partial_outside_window} time(s)"
            )
        if self.ended_partial and "exit 9" not in self.outcome:
            found.append("the run ended with a partial menu live")
        if self.mapping_changed:
            found.append("a refused run changed the mapping")
        if self.mapping_corrupt:
            found.append(f"mapping corrupted: {self.mapping_corrupt[:3]}")
        if not self.converged:
            found.append("a clean apply afterwards did not converge")
        if self.leftovers:
            found.append(f"leftovers or duplicates after the clean apply: {self.leftovers[:5]}")
        if self.outcome != "applied" and not self.message.strip():
            found.append("a failure without a message")
        return found


def run_case(bed: Bed, path: Path, rules: list[dict], label: str, probe: bool = True) -> Verdict:
    """One apply under ``rules`` on a copy of the bed's base, then a clean one."""
    return judge(bed.probed(path) if probe else bed.fresh(path), bed, rules, label)


def judge(h, bed: Bed, rules: list[dict], label: str) -> Verdict:
    """Apply the change under ``rules`` on ``h`` (holding the base), then a clean one; judged as the
    module docstring says. ``h`` is any harness: in-process, probed, or over real HTTP."""
    started = time.monotonic()
    mapping_before = h.mapping()
    catalog, _ = desired()
    h.set_faults(rules)
    verdict = Verdict(label, bed.api, "applied")
    try:
        h.apply(catalog, verify=False)  # the oracle's board is the judge
    except ReconcileError as exc:
        verdict.outcome, verdict.message = f"exit {exc.exit_code} ({type(exc).__name__})", str(exc)
    except Exception as exc:  # the campaign counts these; the promise is that there are none
        verdict.outcome, verdict.message = "traceback", f"{type(exc).__name__}: {exc}"
    h.clear_faults()
    if isinstance(h, ProbedHarness):
        h.probing = False
        verdict.partial_seen = sum(1 for _, partial, _ in h.visits if partial)
        verdict.partial_outside_window = sum(1 for _, partial, window in h.visits if partial and not window)
    board = seen(h.board())
    verdict.ended_partial = board not in (bed.before, bed.after)
    refused = verdict.outcome.startswith(("exit 3", "exit 4", "exit 7"))
    if refused:
        verdict.ended_partial = verdict.ended_partial or board != bed.before
        verdict.mapping_changed = h.mapping() != mapping_before
    elif verdict.outcome == "applied" and board != bed.after:
        verdict.ended_partial = True
    try:
        again = h.apply(catalog, verify=False)  # the oracle's board is the judge
        verdict.converged = seen(h.board()) == bed.after
        wanted = {(kind, local) for kind, local, _ in again.plan.mapping}
    except ReconcileError as exc:
        verdict.converged, verdict.message = False, verdict.message + f" | clean apply: {exc}"
        wanted = set()
    snapshot = h.snapshot()
    live = {e["id"] for entities in snapshot.values() if isinstance(entities, list) for e in entities if "id" in e}
    entries = h.store.entries(h.run(_scope(h)))
    verdict.mapping_corrupt = mapping_problems(entries, wanted, live)
    left = census(snapshot)
    verdict.leftovers = sorted(str(k) for k in (left - bed.census_after) + (bed.census_after - left))
    h.store.close()
    if isinstance(h, ProbedHarness):
        h.diner.close()
    verdict.seconds = time.monotonic() - started
    return verdict


def mapping_problems(entries: list, wanted: set[tuple[str, str]], live: set[str]) -> list[str]:
    """Rows of wanted entities that point at nothing live, and Wix ids two rows claim."""
    found = [
        f"{e.namespace}:{e.local_id} -> {e.wix_id} (gone)"
        for e in entries
        if (e.namespace, e.local_id) in wanted and e.wix_id not in live
    ]
    claimed = Counter(e.wix_id for e in entries if e.wix_id in live)
    found += [f"{wix_id} mapped {n} times" for wix_id, n in claimed.items() if n > 1]
    return found


async def _scope(h) -> str:
    async with h.target() as target:
        return await target.scope()


def sweep_rules(at: Position, fault: str, lost: bool, persistent: bool) -> list[dict]:
    return [rule(at, fault, lost=lost, times=PERSISTENT if persistent else 1, delayMs=0)]


def sweep(bed: Bed, faults: tuple[str, ...], phases: tuple[bool, ...] = (False, True)) -> list[tuple[str, list[dict]]]:
    """Every write position × ``faults`` × ``phases`` (False: before the server executes, True:
    after, the answer lost) × {once, persistent}. A 429 is a refusal (the server did not run the
    call), so it is swept before execution only."""
    found = []
    for at in bed.writes:
        for fault in faults:
            for lost in phases:
                if lost and fault == "429":
                    continue
                for persistent in (False, True):
                    label = f"{at.label}-{fault}{'-after' if lost else ''}-{'persistent' if persistent else 'once'}"
                    found.append((label, sweep_rules(at, fault, lost, persistent)))
    return found
