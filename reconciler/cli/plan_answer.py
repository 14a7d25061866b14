"""A plan the plan memo answers (engine/memo.py): the live side read, every input hashed, the last
plan's output printed, with nothing of the planner, the catalog's model or the YAML loader loaded.

What loads is the command line, the state database, the memo and the target's reader (its
``reader.py``: where the target is and what is live there). Anything the memo cannot answer goes
on to plan_run.py, against the same read: a miss costs the imports a plan needs anyway, no more.
tests/e2e/test_plan_answer_imports.py checks that an answer loads none of the catalog model.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from reconciler.cli import deadline
from reconciler.engine.memo import Answer, Head, PlanMemo, raw_digest
from reconciler.engine.settle import settled_without_live
from reconciler.engine.snapshots import Snapshots, unexpected_answers
from reconciler.engine.thresholds import Thresholds
from reconciler.errors import CatalogInvalid, ExitCode
from reconciler.files import FileProblem
from reconciler.state.paths import state_dir as resolve_state_dir
from reconciler.state.paths import state_path
from reconciler.state.storage import Storage
from reconciler.targets import readers
from reconciler.yamlio.key import cache_key, catalog_files


def color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def memo_of(
    catalog: str,
    state: Path,
    target: str | None,
    location: str | None,
    fmt: str,
    key: str | None,
    thresholds: Thresholds,
    live_updates: bool,
) -> PlanMemo | None:
    """The plan memo of this request, or None where a plan is always made in full (a signed JSON plan:
    its signature is the key's; an unreadable catalog: the loader says why)."""
    if fmt not in ("text", "json", "markdown") or (fmt == "json" and key):
        return None
    try:
        files = cache_key(catalog_files(catalog))
    except (OSError, FileProblem, CatalogInvalid):
        return None  # the loader says what is wrong
    request = {
        "target": target or "sandbox",
        "location": location,
        "format": fmt,
        "color": fmt == "text" and color(),
        "thresholds": asdict(thresholds),
        "live_updates": live_updates,
    }
    return PlanMemo.of(state, files, request)


def answered(
    catalog: str,
    target: str | None,
    location: str | None,
    state_dir: str | None,
    fmt: str,
    key: str | None,
    thresholds: Thresholds,
    live_updates: bool,
) -> tuple[PlanMemo | None, Answer | None]:
    """The memo of this request, and what `plan` prints when this catalog was planned before (the memo's
    answer, or the plan made in full against the same read); no answer: plan as if there were no memo."""
    memo = memo_of(catalog, state_path(state_dir), target, location, fmt, key, thresholds, live_updates)
    head = memo.head() if memo is not None else None
    if memo is None or head is None or not head.images_current():
        return memo, None
    args = (catalog, location, target, resolve_state_dir(state_dir), thresholds, live_updates, fmt, key)
    return memo, deadline.run_async(replay(memo, head, *args))


def emit(answer: Answer, detailed_exitcode: bool) -> None:
    click.echo(answer.output, nl=False)
    if detailed_exitcode and not answer.empty:
        sys.exit(ExitCode.CHANGES)


async def replay(
    memo: PlanMemo,
    head: Head,
    catalog: str,
    location: str | None,
    target_name: str | None,
    state: Path,
    thresholds: Thresholds,
    live_updates: bool,
    fmt: str,
    key: str | None,
) -> Answer | None:
    """The last plan's output when every input hashes the same; else the plan made in full against the
    same read (None: the catalog no longer opens this target the same way; plan as if there were no memo)."""
    name = target_name or "sandbox"
    args = (memo, head, catalog, location, name, state, thresholds, live_updates, fmt, key)
    if name not in readers.READERS:
        # The sandbox is the emulator in this process: its answer is not worth a reader of its own.
        from reconciler.cli import plan_run  # the planner: only a plan the memo cannot answer needs it

        return await plan_run.replay(*args)
    store, layers = Storage(state).mapping(), Storage(state).availability()
    try:
        now = datetime.now(UTC)
        in_force = layers.active(now)  # entries of the availability layer in force: the clock has a say
        async with readers.wix_session() as session:
            reader = readers.reader(name, session, head.location)
            started = time.monotonic()
            with unexpected_answers(reader.name):
                scope = await reader.scope()
                read: Any = await _read(reader, state, scope)
            digest = raw_digest(read)
            entries = settled_without_live(store, scope)
            if not in_force and digest is not None and entries is not None:
                found = memo.answer(memo.live_key(scope, digest, entries, await reader.identity()))
                if found is not None:
                    _keep(state, reader, scope, read)
                    return found
            from reconciler.cli import plan_run  # the planner: only a plan the memo cannot answer needs it

            return await plan_run.replan(args, (in_force, now), session, reader, (scope, read, started), store)
    finally:
        store.close()
        layers.close()


def _keep(state: Path, reader: readers.AnyReader, scope: str, read: object) -> None:
    """Keep a Menus (New) read that found changes as the new snapshot, as a plan made in full does
    (plan_run.replan): else every later answer asks again for everything changed since the kept one
    (after an apply, every entity it wrote: 20 pages of Query Items at 10,000 dishes, each time)."""
    if not reader.keeps_snapshot:
        return  # imports nothing of the other target's code
    from reconciler.targets.wix_menus.snapshot import Answers

    if isinstance(read, Answers) and read.changed is not None:
        snapshots = Snapshots.of(state)
        if snapshots is not None:
            snapshots.store(reader, scope, read.keep())


async def _read(reader: readers.AnyReader, state: Path, scope: str) -> object:
    """What a plan reads live, as ``engine.planning.read_live`` reads it, but left undecoded where the
    target can say what its answers hold: Catalogs v3, its answers' bytes; Menus (New), what changed
    since the live snapshot, whose lists stay undecoded when nothing did (decoded on a miss)."""
    if not reader.keeps_snapshot:
        return await reader.answers()  # Catalogs v3: its refresh() is this whole read
    snapshots = Snapshots.of(state)
    if snapshots is None:
        return await reader.fetch()
    return await reader.answers(snapshots.peek(reader, scope))
