"""Fault schedules: which call of a run fails, and how. One helper for every fault-injection test.

A *position* is one call a run makes: the ``nth`` occurrence of an operation. Positions come from a
plan (``plan_positions``: the calls the plan will send) or from the emulator's request log of a
real run (``traced``: also the reads, discards and compensating calls that no plan lists, which is
how a fault reaches a rollback). A *case* is a list of emulator fault rules (see
reconciler/emulator/faults.py) with a readable id, built by :func:`rule`::

    for case in cases(plan_positions(plan), faults=("500", "drop"), lost=(False, True)):
        h.set_faults(case.rules)
        ...

``lost=True`` is "executed, answer lost" (phase "after"): the call happened but the client never
learns it, the hardest case for atomicity. ``times`` says how long the fault lasts: 1 is a blip
that a retry absorbs, :data:`PERSISTENT` outlasts every retry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FAULTS = ("500", "429", "drop", "timeout")  # every way a call can fail on the wire
PERSISTENT = 1000  # "times": the fault never clears during the run
READS = ("list", "get", "query", "search", "count")  # operation-name prefixes (after "<service>.")


@dataclass(frozen=True)
class Position:
    call: str  # operation (SDK function name)
    nth: int  # which occurrence of it (1-based)
    index: int = 0  # place in the whole sequence
    phase: str | None = None  # the plan's phase for this call (Menus (New): build, cut-over, clean-up)

    @property
    def label(self) -> str:
        return f"{self.call}#{self.nth}"

    @property
    def is_read(self) -> bool:
        return self.call.rsplit(".", 1)[-1].startswith(READS)


@dataclass(frozen=True)
class Case:
    rules: list[dict]
    id: str
    position: Position | None = None
    lost: bool = False  # executed, answer lost


def positions(calls: Iterable[str], phases: Sequence[str | None] | None = None) -> list[Position]:
    """Number the occurrences of each call in a sequence of operation names."""
    seen: Counter = Counter()
    found = []
    for index, call in enumerate(calls):
        seen[call] += 1
        found.append(Position(call, seen[call], index, phases[index] if phases else None))
    return found


def plan_positions(plan) -> list[Position]:
    """Every call a plan sends, in plan order (calls of one step may run in any order)."""
    return positions([op.call for op in plan.operations], [getattr(op, "phase", None) for op in plan.operations])


def traced(requests: list[dict], since: int = 0) -> list[Position]:
    """The calls a run really sent, from the emulator's request log (``requests()``), after ``since``."""
    return positions(entry["operation"] for entry in requests if entry["seq"] > since and entry["operation"])


def rule(
    at: Position | str,
    fault: str = "500",
    *,
    nth: int | None = None,
    lost: bool = False,
    times: int = 1,
    **extra,
) -> dict:
    """One emulator fault rule failing the call at ``at`` (a Position, or an operation name + ``nth``)."""
    call, occurrence = (at.call, at.nth) if isinstance(at, Position) else (at, nth or 1)
    found = {
        "operation": call,
        "nth": occurrence,
        "times": times,
        "fault": fault,
        "phase": "after" if lost else "before",
    }
    if fault == "429":
        found["retryAfter"] = 0  # tests never wait on Retry-After
    return {**found, **extra}


def cases(
    at: Iterable[Position],
    faults: Iterable[str] = FAULTS,
    lost: Iterable[bool] = (False,),
    times: int = 1,
    then: Sequence[dict] = (),
) -> list[Case]:
    """One case per (position, fault, lost): a single rule, followed by the rules in ``then``."""
    found = []
    for position in at:
        for fault in faults:
            for answer_lost in lost:
                if answer_lost and fault == "429":
                    continue  # a 429 is a refusal: it never executes
                one = rule(position, fault, lost=answer_lost, times=times)
                label = f"{position.label}-{fault}{'-lost' if answer_lost else ''}"
                found.append(Case([one, *then], label, position, answer_lost))
    return found


def element_cases(plan, bulk_prefix: str = "bulk") -> list[Case]:
    """One case per element of every bulk call of a plan: that element alone fails (per-element failure)."""
    found = []
    for position, op in zip(plan_positions(plan), plan.operations, strict=True):
        if not op.call.rsplit(".", 1)[-1].startswith(bulk_prefix):
            continue
        size = max((len(v) for v in (op.body or {}).values() if isinstance(v, list)), default=op.path.count("ids="))
        for element in range(size):
            one = rule(position, "element", element=element)
            found.append(Case([one], f"{position.label}-element{element}", position))
    return found
