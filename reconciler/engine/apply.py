"""Apply a plan exactly as reviewed, atomically, then verify the live catalog.

Order of events, and what each failure leaves behind:

1. Refuse an unsafe plan without ``force`` (nothing touched).
2. Hold the per-catalog lock (``state/lock.py``: this machine with SQLite state, every machine
   sharing a PostgreSQL state database). A sync takes it *before* planning and passes it in (``lock``), so the plan's
   read and the apply are one critical section; a saved plan takes it here.
3. Read live again, settle what an earlier run left half-recorded (pending rows, unanswered
   creates), and refuse the plan if the live catalog moved since it was made, whatever its
   origin: a saved file, or a plan that waited for confirmation (exit 4, nothing touched).
   Skipped only when the caller read live under this very lock and writes at once (``read``):
   then that read is as recent as this one would be (docs/lifecycle.md, step 8).
4. Journal the run, then let the target execute the calls. Creates that are live at once are
   recorded before they are sent (``intend``); mapping rows are *staged* before the change
   becomes visible. Any failure before or during publish: the target undoes what it did, the
   staged rows are dropped, the live catalog and the mapping are as they were.
5. After the publish, commit the staged rows in one transaction. A crash between 4 and 5 leaves
   the rows pending; the next run sees the published ids live and commits them (engine.settle).
   Runs that ended "running", "draft-left", "interrupted" or "unknown" are cleaned up by the next
   one (a v3 draft they left is discarded) and journalled "abandoned" once it succeeds.
6. Re-read the live catalog and compare it with the plan's desired state (``VerifyFailed``): what
   changed since the read of step 3 where the target can tell (``Target.keep``), else all of it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.canonical import JsonObject
from reconciler.engine.essence import Essence
from reconciler.engine.journal import journal, plan_parts
from reconciler.engine.plan import Plan
from reconciler.engine.planning import Reading
from reconciler.engine.settle import settle
from reconciler.engine.snapshots import unexpected_answers
from reconciler.engine.verify import verify
from reconciler.errors import ApplyOutcomeUnknown, ConfigError, StalePlan, UnsafePlan
from reconciler.state.lock import AdvisoryLock, CatalogLock
from reconciler.state.lock import catalog_lock as state_lock
from reconciler.state.mapping import Entry, Intent, Journal, MappingStore, pack_parts

if TYPE_CHECKING:
    from reconciler.targets.base import ExecutionResult, Executor, Progress, RawLive, Target

_PACKER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="journal")  # see apply_plan
LEFTOVER = ("running", "draft-left", "interrupted", "unknown")  # runs whose leftovers the next run clears


@dataclass
class ApplyOptions:
    force: bool = False
    saved: bool = False  # the plan came from a file (changes how a stale plan is reported)
    plan_file: str | None = None  # the file it came from, as messages name it
    concurrency: int = 4
    attempts: int = 3
    takeover_draft: bool = False
    verify: bool = True
    who: str = ""  # for the journal: "user@host", "serve"
    before: Essence | None = None  # the live essence the plan was made against, for the journal
    undoes: str | None = None  # the run this apply rolls back
    site_run: str | None = None  # the apply of several locations this is one location of (for the journal)
    # The live side as the caller read it under ``lock`` for this very plan and wrote after at
    # once (no wait for a confirmation): no second read. The minimal live update of stock reads
    # only the entities it writes (engine.live_update); `reconcile apply CATALOG --auto-approve`
    # passes its plan's whole read as ``reading`` (with the mapping it read and when it began).
    # Without the caller's lock, or with something an earlier run left to settle, live is read again.
    read: RawLive | None = None
    reading: Reading[Any] | None = None
    # With ``read``: the id mapping as stored, read with it under the same lock (an incremental
    # sync's plan read it once), so the ledger need not read it again.
    entries: list[Entry] | None = None


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
    # The id mapping as this run left it (RunLedger.after): what verify interprets the live side with.
    mapping: list[Entry] = field(default_factory=list)

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
    ids = plan.ids
    for namespace, local_id, applied_hash in plan.mapping:
        key = f"{namespace}:{local_id}"
        if partial and key not in created:
            continue  # existing entities keep their rows until the change is visible (else: false drift)
        wix_id = created.get(key) or ids.get(key)
        if wix_id is None:
            raise ApplyOutcomeUnknown(f"internal error: the plan has no Wix id for {key}")
        stored = current.get((namespace, local_id))
        # An Entry is made for the rows that change only (10,500 rows, one changed, at 10,000 dishes).
        if stored is None or stored.wix_id != wix_id or stored.applied_hash != applied_hash:
            entries.append(Entry(namespace, local_id, wix_id, applied_hash))
    return entries


class RunLedger:
    """What an executor records while it runs (the contract's ``Stage``): staged ids and intents.

    Not the run's journal (``state.mapping.Journal``: who ran it, its plan and before-state, for
    rollback); this is the ledger of what the run has created so far, and what it is about to."""

    def __init__(
        self, store: MappingStore, scope: str, run_id: str, plan: Plan, current: list[Entry] | None = None
    ) -> None:
        """``current``: the mapping rows as stored, when the caller has just read them under the lock."""
        self.store, self.scope, self.run_id, self.plan = store, scope, run_id, plan
        rows = store.entries(scope) if current is None else current
        self.current = {(e.namespace, e.local_id): e for e in rows}
        self.staged: list[Entry] = []  # the rows of the last stage: what `commit` moves into the mapping

    def __call__(self, created: dict[str, str], partial: bool = False) -> None:
        self.staged = staged_entries(self.plan, created, partial, self.current)
        self.store.stage(self.scope, self.run_id, self.staged)

    def after(self) -> list[Entry]:
        """The mapping rows as stored once the run's rows are committed (``MappingStore.commit``
        upserts the last stage's rows, and nothing else writes the mapping while the lock is held),
        in ``MappingStore.entries``' order: known without reading the mapping again."""
        rows = dict(self.current)
        rows.update(((e.namespace, e.local_id), e) for e in self.staged)
        return [rows[key] for key in sorted(rows)]

    def intend(self, intents: list[Intent]) -> None:
        self.store.intend(self.scope, self.run_id, intents)


def catalog_lock(state_dir: Path, scope: str, store: MappingStore) -> CatalogLock | AdvisoryLock:
    """The lock of one catalog, for a caller that plans and applies under it (see ``apply_plan``)."""
    return state_lock(store.db.url, state_dir, scope)


async def apply_plan(
    plan: Plan,
    target: Target[Any, Any],
    store: MappingStore,
    state_dir: Path,
    options: ApplyOptions,
    progress: Progress | None = None,
    lock: CatalogLock | AdvisoryLock | None = None,
) -> ApplyResult:
    """``lock``: the catalog's lock, already held by the caller since before it made ``plan``."""
    started = time.monotonic()
    scope = await target.scope()
    if scope != plan.target.scope:
        raise ConfigError(f"this plan was made for {plan.target.scope}, not for {scope}")
    if plan.safety.unsafe and not options.force:
        raise UnsafePlan(
            "the plan is unsafe: " + "; ".join(plan.safety.reasons) + ". Review it, then apply with --force."
        )
    mine = lock is not None and lock.scope == scope
    held: AbstractContextManager[object] = nullcontext(lock) if mine else state_lock(store.db.url, state_dir, scope)
    with held:
        raw, kept, current = await _live(plan, target, store, scope, options, mine)
        leftovers = [run for run in store.runs(scope) if run.status in LEFTOVER]
        run_id = uuid.uuid4().hex
        recorded = _journal(plan, target, store, scope, raw, options)
        store.start_run(scope, run_id, recorded, plan_later=True)
        # The plan's JSON is megabytes for a big catalog (the whole desired catalog): compressing it
        # took longer than a price change's one call, so it is packed while the calls wait on the wire.
        packing = _PACKER.submit(lambda: pack_parts(plan_parts(plan)))  # not decoded, nor copied, first
        try:
            ledger = RunLedger(store, scope, run_id, plan, current)
            executor = await _executor(target, options, bool(leftovers), progress, raw)
            result = await _execute(executor, plan, ledger, store, scope, run_id)
        finally:  # stored however the run ended, before its mapping is committed
            store.journal_plan(run_id, packing.result())
        store.commit(scope, run_id)
        mapping = ledger.after()
        for run in leftovers:
            store.finish_run(run.run_id, "abandoned")
        store.finish_run(run_id, "applied", plan.summary_line())
    cleanup_stopped = bool(result.warnings)
    differences = await verify(plan, target, store, cleanup_stopped, kept, mapping) if options.verify else []
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
        mapping,
    )


async def _executor(
    target: Target[Any, Any], options: ApplyOptions, interrupted: bool, progress: Progress | None, raw: Any
) -> Executor:
    return await target.executor(
        options.concurrency,
        options.attempts,
        options.takeover_draft,
        interrupted_run=interrupted,
        progress=progress,
        against=raw,
    )


async def _live(
    plan: Plan, target: Target[Any, Any], store: MappingStore, scope: str, options: ApplyOptions, mine: bool
) -> tuple[Any, JsonObject | None, list[Entry] | None]:
    """Under the lock: the live side to apply against, the snapshot verify reads what changed since
    (``Target.keep``), and the mapping rows as stored when the caller's read already has them."""
    given = options.reading.raw if options.reading is not None else options.read
    if given is not None and mine and not (store.pending(scope) or store.intents(scope)):
        if options.reading is None:
            return given, None, options.entries
        # A whole read, with nothing to settle: its mapping is the mapping as stored.
        return given, target.keep(given, time.monotonic() - options.reading.started), options.reading.entries
    reading = time.monotonic()
    raw = await _recheck(plan, target, store, scope, options)
    return raw, target.keep(raw, time.monotonic() - reading), None


async def _recheck(plan: Plan, target: Target[Any, Any], store: MappingStore, scope: str, options: ApplyOptions) -> Any:
    """Under the lock: read live, settle what an earlier run left, refuse a plan whose live moved."""
    with unexpected_answers(target.name):
        raw = await target.fetch()
        settle(store, scope, raw, write=True)
        moved = raw.fingerprint() != plan.live_fingerprint
    if moved:
        raise StalePlan(plan.moved(raw.hashes()), _stale_lead(options.saved))
    return raw


def _journal(
    plan: Plan, target: Target[Any, Any], store: MappingStore, scope: str, raw: Any, options: ApplyOptions
) -> Journal:
    """The before-state comes with the plan, or (a saved plan) from the live side read just now.

    An apply given neither (a live update of stock, an embedded caller) records none: it cannot
    be rolled back (``engine.rollback``)."""
    live = options.before
    if live is None and options.saved:
        live = target.interpret(raw, store.entries(scope), {}).essence
    return journal(plan, live, options.who, options.undoes, options.site_run, with_plan=False)  # packed apart


async def _execute(
    executor: Executor, plan: Plan, ledger: RunLedger, store: MappingStore, scope: str, run_id: str
) -> ExecutionResult:
    """Run the plan's calls, journaling how the run ended (the ledger stages rows and intents)."""
    try:
        return await executor.run(plan, ledger)
    except ApplyOutcomeUnknown:
        # Staged rows and intents stay; the next run settles them and clears what is left.
        store.finish_run(run_id, "unknown")
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


def _stale_lead(saved: bool) -> str:
    if saved:
        return "the live catalog changed since this plan was made; run `reconcile plan` again."
    return (
        "the live catalog changed after this plan was made and before it was applied (another apply, "
        "or an edit in the dashboard); nothing was changed. Run `reconcile plan` again."
    )
