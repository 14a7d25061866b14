"""The build phase as a flow: each create starts as soon as what it references exists.

The plan orders its creates in steps by kind (planner.BUILD_ORDER: variants, labels, modifiers →
groups → items → sections → menus), which says what must exist before what. Waiting for a whole
step before the next one starts is more than that: an item that holds no new entity needs nothing
built first, and a call of sections needs only the items it lists. So the build is run as a flow
over the calls' references (a call's ``{"$ref": key}`` placeholders that another create of the run
binds): a create is sent once every entity it names has its Wix id, at most ``concurrency`` at a
time, in the plan's order among those ready.

What the atomicity design asks of the build is unchanged (docs/menus-new-atomicity.md): every
entity is still created detached (nothing points at it until the cut-over) and new menus hidden,
so no diner can reach anything built, whatever the order; the intents of a create are recorded
(``intend``) before it is sent, so a run killed at any point leaves nothing the next run cannot
find; once a call has failed for good nothing more is sent, the calls already in flight are
waited for (their entities are this run's, and compensation must know them), and the failure is
raised for the executor to compensate.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from reconciler.canonical import JsonObject
from reconciler.engine.plan import Operation


class Failed(Exception):
    """A call of the run failed for good; the run compensates."""

    def __init__(self, message: str, stale: bool = False) -> None:
        super().__init__(message)
        self.stale = stale


Payloads = Callable[[Operation], list[JsonObject]]
Intend = Callable[[list[tuple[Operation, list[JsonObject]]]], None]
Create = Callable[[Operation, list[JsonObject]], Awaitable[None]]
Raise = Callable[[Sequence[BaseException]], None]


def references(body: Any) -> set[str]:
    """Every ``{"$ref": key}`` placeholder of a call body."""
    found: set[str] = set()
    todo = [body]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if len(node) == 1 and "$ref" in node:
                found.add(node["$ref"])
                continue
            todo.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            todo.extend(v for v in node if isinstance(v, dict | list))
    return found


def needs(ops: Sequence[Operation]) -> list[set[str]]:
    """For each create, the keys it names that another create of the same build binds."""
    bound = {f"{service}:{local_id}" for op in ops for _, service, local_id in op.binds}
    return [references(op.body) & bound for op in ops]


async def flow(
    ops: Sequence[Operation],
    known: dict[str, str],
    payloads: Payloads,
    intend: Intend,
    create: Create,
    concurrency: int,
    fail: Raise,
) -> None:
    """Send every create of ``ops`` once what it names is in ``known`` (the run's ids, which each
    answered create fills); ``fail`` raises the failure to report when a create failed."""
    wanted = needs(ops)
    waiting = list(range(len(ops)))
    queued: list[tuple[Operation, list[JsonObject]]] = []
    running: set[asyncio.Task[None]] = set()
    failures: list[BaseException] = []
    while True:
        if not failures:
            ready = [i for i in waiting if wanted[i] <= known.keys()]
            if ready:
                waiting = [i for i in waiting if i not in set(ready)]
                batch = [(ops[i], payloads(ops[i])) for i in ready]
                intend(batch)  # recorded before any of them is sent
                queued += batch
            while queued and len(running) < concurrency:
                op, sent = queued.pop(0)
                running.add(asyncio.ensure_future(create(op, sent)))
        if not running:
            break
        done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        failures += [exc for task in done if (exc := task.exception()) is not None]
    if failures:
        fail(failures)
    if waiting:  # nothing failed, yet something never got what it names: a plan the flow cannot order
        names = sorted(set().union(*(wanted[i] for i in waiting)) - known.keys())
        raise Failed(f"internal error: creates wait for {', '.join(names[:5])}, which no create of the run binds")
