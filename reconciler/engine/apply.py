"""Apply a plan exactly as reviewed, atomically, then verify the live catalog.

Order of events, and what each failure leaves behind:

1. Refuse an unsafe plan without ``force`` (nothing touched).
2. Take the per-catalog lock (another apply fails fast: on this machine with SQLite state, on any
   machine sharing a PostgreSQL state database).
3. For a saved plan: read live, settle pending mapping rows, and refuse the plan if the live
   catalog moved since it was made (nothing touched).
4. Journal the run, then let the target execute the calls. The mapping rows are *staged* just
   before the publish. Any failure before or during publish: the draft is discarded, the staged
   rows dropped, the live catalog and the mapping are as they were.
5. After the publish, commit the staged rows in one transaction. A crash between 4 and 5 leaves
   the rows pending; the next run sees the published ids live and commits them (engine.settle).
6. Re-read the live catalog and compare it with the plan's desired state (``VerifyFailed``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.engine.essence import Essence
from reconciler.engine.journal import journal
from reconciler.engine.plan import Plan
from reconciler.engine.planning import unexpected_answers
from reconciler.engine.settle import settle
from reconciler.engine.verify import verify
from reconciler.errors import ApplyOutcomeUnknown, ConfigError, StalePlan, UnsafePlan
from reconciler.state.lock import catalog_lock
from reconciler.state.mapping import Entry, Journal, MappingStore

if TYPE_CHECKING:
    from reconciler.targets.base import ExecutionResult, Executor, Progress, Target

LEFTOVER = ("running", "draft-left", "interrupted")


@dataclass
class ApplyOptions:
    force: bool = False
    saved: bool = False  # the plan came from a file: check that it is not stale
    plan_file: str | None = None  # the file it came from, as messages name it
    concurrency: int = 4
    attempts: int = 3
    takeover_draft: bool = False
    verify: bool = True
    who: str = ""  # for the journal: "user@host", "serve"
    before: Essence | None = None  # the live essence the plan was made against, for the journal
    undoes: str | None = None  # the run this apply rolls back
    site_run: str | None = None  # the apply of several locations this is one location of (for the journal)


@dataclass
class ApplyResult:
    plan: Plan
    run_id: str
    seconds: float
    calls: dict[str, int] = field(default_factory=dict)
    attempts: int = 1
    created: int = 0
    differences: list[str] = field(default_factory=list)
    cutover_seconds: float | None = None  # targets without drafts: how long diners could see a mix
    warnings: list[str] = field(default_factory=list)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def staged_entries(
    plan: Plan, created: dict[str, str], partial: bool = False, current: dict[tuple[str, str], Entry] | None = None
) -> list[Entry]:
    """Mapping rows for the desired entities; ``partial`` while a run is still creating them.

    Rows already stored exactly so (``current``) are left out: a one-price change of a
    10,000-dish catalog then writes one row, not ten thousand.
    """
    entries = []
    current = current or {}
    for namespace, local_id, applied_hash in plan.mapping:
        key = f"{namespace}:{local_id}"
        wix_id = created.get(key) or plan.ids.get(key)
        if wix_id is None:
            if partial:
                continue
            raise ApplyOutcomeUnknown(f"internal error: the plan has no Wix id for {key}")
        entry = Entry(namespace, local_id, wix_id, applied_hash)
        if current.get((namespace, local_id)) != entry:
            entries.append(entry)
    return entries


async def apply_plan(
    plan: Plan,
    target: Target[Any, Any],
    store: MappingStore,
    state_dir: Path,
    options: ApplyOptions,
    progress: Progress | None = None,
) -> ApplyResult:
    started = time.monotonic()
    scope = await target.scope()
    if scope != plan.target.scope:
        raise ConfigError(f"this plan was made for {plan.target.scope}, not for {scope}")
    if plan.safety.unsafe and not options.force:
        raise UnsafePlan(
            "the plan is unsafe: " + "; ".join(plan.safety.reasons) + ". Review it, then apply with --force."
        )
    with catalog_lock(store.db.url, state_dir, scope):
        with unexpected_answers(target.name):
            raw = await target.fetch() if options.saved else None
        if raw is not None:
            with unexpected_answers(target.name):
                live_ids = raw.existing_ids()
            settle(store, scope, live_ids, write=True)
            if raw.fingerprint() != plan.live_fingerprint:
                raise StalePlan(plan.moved(raw.hashes()))
        elif store.pending(scope):
            settle(store, scope, (await target.fetch()).existing_ids(), write=True)
        leftovers = [run for run in store.runs(scope) if run.status in LEFTOVER]
        run_id = uuid.uuid4().hex
        store.start_run(scope, run_id, _journal(plan, target, store, scope, raw, options))
        current = {(e.namespace, e.local_id): e for e in store.entries(scope)}
        executor = await target.executor(
            options.concurrency,
            options.attempts,
            options.takeover_draft,
            interrupted_run=bool(leftovers),
            progress=progress,
        )
        result = await _execute(executor, plan, store, scope, run_id, current)
        store.commit(scope, run_id)
        for run in leftovers:
            store.finish_run(run.run_id, "abandoned")
        store.finish_run(run_id, "applied", plan.summary_line())
    differences = await verify(plan, target, store, cleanup_stopped=bool(result.warnings)) if options.verify else []
    return ApplyResult(
        plan,
        run_id,
        time.monotonic() - started,
        result.calls,
        result.attempts,
        len(result.created),
        differences,
        result.cutover_seconds,
        list(result.warnings),
    )


def _journal(
    plan: Plan, target: Target[Any, Any], store: MappingStore, scope: str, raw: Any, options: ApplyOptions
) -> Journal:
    """The before-state comes with the plan, or (a saved plan) from the live side read just now."""
    live = options.before
    if live is None and raw is not None:
        live = target.interpret(raw, store.entries(scope), {}).essence
    return journal(plan, live, options.who, options.undoes, options.site_run)


async def _execute(
    executor: Executor, plan: Plan, store: MappingStore, scope: str, run_id: str, current: dict[tuple[str, str], Entry]
) -> ExecutionResult:
    """Run the plan's calls, journaling how the run ended and staging its mapping rows."""
    try:
        return await executor.run(
            plan,
            lambda created, partial=False: store.stage(scope, run_id, staged_entries(plan, created, partial, current)),
        )
    except ApplyOutcomeUnknown:
        store.finish_run(run_id, "unknown")  # staged rows stay pending; the next run settles them
        raise
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Interrupted, perhaps while publishing: whether the publish happened is unknown, so the
        # staged rows stay pending and the next run settles them (and discards a leftover draft).
        store.finish_run(run_id, "interrupted")
        raise
    except BaseException as exc:
        store.drop(scope, run_id)
        store.finish_run(run_id, "draft-left" if executor.leftover else "failed", type(exc).__name__)
        raise
