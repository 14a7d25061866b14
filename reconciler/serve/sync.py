"""One sync of one catalog: probe the POS, re-import, plan, then apply (or hold an unsafe plan).

The steps, each a call into the existing pipeline (nothing here re-implements it):

1. The source's ``probe`` (:meth:`reconciler.sources.base.Source.probe`) asks the POS whether
   anything changed after the stored watermark. A webhook-only sync that finds nothing new, right
   after a good sync, stops here (``unchanged``: no Wix call at all).
2. :func:`reconciler.serve.pos_read.import_catalog` imports: only the POS objects that changed
   when the source can say (``read_changes``), else the whole catalog; the YAML (the same bytes
   either way) is rewritten atomically only when it differs.
3. :func:`reconciler.engine.planning.make_plan`, then, like ``reconcile apply``,
   :func:`reconciler.engine.apply.apply_plan` (per-catalog lock, one draft, atomic publish,
   verify). An unsafe plan under ``unsafe: hold`` is saved as JSON for
   ``reconcile apply --plan FILE --force`` and not applied.
4. The new watermark is stored only after all that succeeded.

Shutdown: between steps the sync gives up when asked (nothing was written yet); an apply in
progress is either allowed to finish or cancelled through :meth:`Syncer.cancel_running`, and the
engine then discards its draft. Called by :class:`reconciler.serve.worker.Worker`, in a worker
thread; each plan/apply runs in an event loop of its own so a long sync never stalls the webhook
endpoint.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from reconciler.canonical import fingerprint
from reconciler.credentials import wix_from_env
from reconciler.engine.apply import ApplyOptions, apply_plan, catalog_lock
from reconciler.engine.availability import read_layer, record
from reconciler.engine.incremental import plan_sync, verify_read
from reconciler.engine.planfile import to_json
from reconciler.engine.thresholds import Thresholds
from reconciler.engine.vocabulary import Phase
from reconciler.errors import ApplyFailed, ApplyOutcomeUnknown, LockHeld, ReconcileError, StalePlan, TemporaryApiError
from reconciler.files import write_text
from reconciler.redact import Redactor
from reconciler.serve import pos_read, stock
from reconciler.serve.catalogs import previous, remember
from reconciler.serve.config import CatalogConfig, ServeConfig
from reconciler.serve.history import History
from reconciler.serve.locations import changed_locations
from reconciler.serve.locations import plan_apply as plan_apply_locations
from reconciler.serve.queue import Claimed
from reconciler.serve.secrets import catalog_environ, wix_environ
from reconciler.serve.status import SyncOutcome, SyncReason
from reconciler.sources.base import ImportOptions
from reconciler.sources.errors import PosNotReady
from reconciler.sources.registry import get_source
from reconciler.sources.service import pos_client
from reconciler.state.storage import Storage
from reconciler.targets.registry import open_target
from reconciler.yamlio.load import load_catalog

RETRYABLE = (
    TemporaryApiError,
    LockHeld,
    ApplyFailed,
    ApplyOutcomeUnknown,
    StalePlan,
    PosNotReady,
    OSError,
    sqlite3.OperationalError,
    httpx.HTTPError,
)


class Abandoned(Exception):
    """Shutdown asked the sync to stop; nothing after the last finished step was done."""


@dataclass
class Job:
    catalog: str
    claimed: list[Claimed]
    started: float = field(default_factory=time.time)

    @property
    def reasons(self) -> list[SyncReason]:
        scheduled = {r.value for r in SyncReason if r.scheduled}
        return sorted(
            {SyncReason(c.item.kind) if c.item.kind in scheduled else SyncReason.WEBHOOK for c in self.claimed}
        )

    @property
    def event_ids(self) -> list[str]:
        return [c.item.event_id for c in self.claimed]

    @property
    def hints(self) -> list[dict]:
        return [c.item.hint for c in self.claimed]

    @property
    def attempts(self) -> int:
        return max((c.attempts for c in self.claimed), default=0)


@dataclass
class SyncResult:
    """What one sync reports to the worker, which records it in the history and settles the queue rows."""

    outcome: SyncOutcome
    summary: str = ""
    plan_file: str | None = None
    checksum: str | None = None
    error: str | None = None
    retry: bool = False
    retry_after: float | None = None
    run_id: str | None = None
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.outcome = SyncOutcome(self.outcome)  # a plain string is checked against the enum

    @property
    def ok(self) -> bool:
        return self.outcome.ok


class Syncer:
    """Runs :class:`Job` s; one instance serves every catalog (it is thread-safe)."""

    def __init__(
        self,
        config: ServeConfig,
        state_dir: Path,
        history: History,
        environ,
        redact: Redactor,
        stopping: threading.Event | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock  # what the availability layer's entries are in force at (tests pass their own)
        self.config = config
        self.state_dir = Path(state_dir)
        self.history = history
        self.environ = environ
        self.redact = redact
        self.stopping = stopping or threading.Event()
        self.pause = sleep or self.stopping.wait  # the back-off between POS retries (tests pass their own)
        self._tasks: set[tuple[asyncio.AbstractEventLoop, asyncio.Task]] = set()
        self._applying: dict[asyncio.Task, tuple[bool, Phase | None]] = {}  # (target has drafts, phase) per apply
        self._lock = threading.Lock()

    def __call__(self, job: Job) -> SyncResult:
        try:
            return self._sync(self.config.catalog(job.catalog), job)
        except (Abandoned, asyncio.CancelledError):
            return SyncResult(SyncOutcome.ABANDONED, "shutdown: abandoned before finishing; the events stay queued")
        except Exception as exc:
            pos_read.forget(job.catalog)  # whatever read it held is in doubt now: the next sync reads whole
            retry_after = exc.retry_after if isinstance(exc, PosNotReady) else None
            return SyncResult(
                SyncOutcome.FAILED,
                type(exc).__name__,
                error=self.redact(_message(exc)),
                retry=isinstance(exc, RETRYABLE) or not isinstance(exc, ReconcileError),
                retry_after=retry_after,
            )

    def cancel_running(self) -> int:
        """Cancel the plans/applies in flight (shutdown, after the grace period); returns how many.

        Only what is safe to cancel: a plan (it only reads), and an apply still building its Wix draft
        (the engine discards the draft), as the executor's progress says (``Phase.BUILD``). From the
        cut-over on (the publish, or a single live update that needs no draft) it is left alone: a
        publish whose answer never came is settled by the next run only if its staged mapping rows
        survive, which they do when the process simply exits, not when the engine unwinds a
        cancellation (it drops them). Targets without drafts are never cancelled mid-apply either;
        they are built to survive a killed run.
        """
        cancelled = 0
        with self._lock:
            for loop, task in self._tasks:
                drafts, phase = self._applying.get(task, (True, None))  # not applying yet: planning
                if drafts and phase in (None, Phase.BUILD):
                    loop.call_soon_threadsafe(task.cancel)
                    cancelled += 1
        return cancelled

    # -- the steps ------------------------------------------------------------------------------------
    def _sync(self, cfg: CatalogConfig, job: Job) -> SyncResult:
        environ = catalog_environ(cfg, self.environ)
        source = get_source(cfg.source)
        settings = replace(source.settings_from_env(environ), sleep=self._sleep)
        options = ImportOptions(cfg.pos_location, cfg.currency, cfg.menu_name)
        fingerprint = _fingerprint(cfg)
        since = self.history.watermark(cfg.name, fingerprint)
        path = Path(cfg.catalog)
        details: dict = {}
        catalog, pending_stock = None, []
        # A catalog of several locations syncs only the locations a change reached.
        before = previous(path, self.state_dir)
        if stock.stock_only(job.hints) and before is not None:  # one location, or each location a signal names
            return self._run_async(self._stock(cfg, before, stock.signals_of(job.hints), source.prefix))
        if job.reasons == [SyncReason.STOCK]:
            return self._poll_stock(cfg, source, settings, before)
        self._check_stop()
        with pos_client(source, settings) as client:
            scheduled, at = any(r.scheduled for r in job.reasons), (fingerprint, since)
            found = source.probe(client, settings, since, job.hints, full=scheduled)
            details["probe"] = found.detail
            if found.changed is not False or not path.exists():
                self._check_stop()
                got = pos_read.import_catalog(cfg, at, source, options, client, environ, before, scheduled, self._sleep)
                out = got.out  # only what changed when the held read allows it, else whole (got.how says which)
                catalog = out.result.catalog
                stock.save_placed(self.state_dir, cfg.name, out.result.placed)
                pending_stock = [*out.result.stock, *stock.signals_of(job.hints)]
                details.update(import_notes=len(out.notes), read=got.how, translate=got.translation)
                rewrite = not path.exists() or path.read_text(encoding="utf-8") != out.text
                if rewrite:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    write_text(path, out.text)
                    remember(path, catalog)  # the catalog of these bytes: the next sync does not parse them again
                details["yaml"] = "rewritten" if rewrite else "unchanged"
        if catalog is None and job.reasons == [SyncReason.WEBHOOK] and self._last_good(cfg.name):
            result = SyncResult(SyncOutcome.UNCHANGED, "the POS reports no change since the last sync", details=details)
        else:
            self._check_stop()
            desired = catalog or before or load_catalog(path)  # no import: the file as read above (or its error)
            if desired.locations:
                webhook_only = catalog is not None and not scheduled
                chosen = changed_locations(before, desired) if webhook_only else list(desired.locations)
                result = self._run_async(
                    plan_apply_locations(
                        cfg, desired, chosen, self.state_dir, SyncResult, self._check_stop, self.environ
                    )
                )
            else:
                if catalog is not None and pending_stock:  # stock stated with the import: layer entries first
                    self._run_async(self._stock(cfg, desired, pending_stock, source.prefix, live=False))
                small = catalog is not None and job.reasons == [SyncReason.WEBHOOK] and self._last_good(cfg.name)
                result = self._run_async(self._plan_apply(cfg, desired, before if small else None))  # incremental.py
            result.details = {**details, **result.details}
        if result.ok and found.watermark:
            self.history.set_watermark(cfg.name, fingerprint, found.watermark)
        pos_read.settle(
            cfg.name, source, result.ok, (fingerprint, since), found.watermark, out if catalog is not None else None
        )
        return result

    def _poll_stock(self, cfg: CatalogConfig, source: Any, settings: Any, before: Any) -> SyncResult:
        """The stock timer: ask the POS's stock API (the source contract's ``read_stock``) what is sold
        out now; each becomes a layer entry and the rest of the POS's entries end, one live update."""
        if before is None:
            return SyncResult(SyncOutcome.IN_STEP, "stock: no catalog yet; the first sync imports it")
        if before.locations:
            return SyncResult(SyncOutcome.IN_STEP, "stock: polled only for a catalog of one location")
        self._check_stop()
        with pos_client(source, settings) as client:
            sold_out = source.read_stock(client, settings)
        return self._run_async(self._stock(cfg, before, sold_out, source.prefix, snapshot=True))

    async def _stock(
        self, cfg: CatalogConfig, catalog, signals: list, prefix: str, live: bool = True, snapshot: bool = False
    ) -> SyncResult:
        """POS stock signals: layer entries (source pos) and one minimal live update, no re-import."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        if catalog.locations:
            found = await stock.apply_at_locations(cfg, catalog, signals, self.state_dir, prefix, now, live)
        else:
            found = await stock.apply_signals(cfg, catalog, signals, self.state_dir, prefix, now, live, snapshot)
        details = {
            "stock": {
                "sold_out": sorted(e.entity for e in found.started),
                "back": sorted(found.ended),
                "unknown": sorted(found.unknown),
                "calls": found.update.calls,
            }
        }
        changed = len(found.update.changes)
        summary = (
            f"stock: {changed} entit{'y' if changed == 1 else 'ies'} updated live ({found.update.total_calls} calls)"
        )
        outcome = SyncOutcome.APPLIED if changed else SyncOutcome.IN_STEP
        return SyncResult(outcome, summary, details=details)

    def _last_good(self, name: str) -> bool:
        last = self.history.last(name)
        return last is not None and last.outcome.in_step

    async def _plan_apply(self, cfg: CatalogConfig, catalog, before=None) -> SyncResult:
        thresholds = Thresholds.from_env(
            max_update_share=cfg.safety.max_update_share,
            max_remove_share=cfg.safety.max_remove_share,
            min_existing=cfg.safety.min_entities,
        )
        store, layer = Storage(self.state_dir).mapping(), Storage(self.state_dir).availability()
        try:
            wix = None if cfg.target == "sandbox" else wix_from_env(wix_environ(cfg, self.environ))
            async with open_target(
                cfg.target, cfg.location or catalog.location, self.state_dir, currency=catalog.currency, credentials=wix
            ) as target:
                # The lock covers the plan's read too, so no other apply can land in between.
                with catalog_lock(self.state_dir, await target.scope(), store) as lock:
                    return await self._apply_locked(cfg, target, store, layer, thresholds, catalog, lock, before)
        finally:
            store.close()
            layer.close()

    async def _apply_locked(
        self, cfg: CatalogConfig, target, store, layer, thresholds, catalog, lock, before
    ) -> SyncResult:
        now = datetime.fromtimestamp(self.clock(), UTC)
        planned, found = await plan_sync(before, catalog, target, store, thresholds, cfg, read_layer(layer, now))
        record(layer, planned.adoption, now)  # a dashboard 86 is kept, never reverted
        plan = planned.plan
        details = {"changes": plan.counts}
        if plan.empty:
            return SyncResult(SyncOutcome.IN_STEP, plan.summary_line(), checksum=plan.checksum, details=details)
        if plan.safety.unsafe and cfg.unsafe == "hold":
            return self._hold(cfg, plan, details)
        self._check_stop()
        task = asyncio.current_task()
        drafts = target.capabilities.drafts
        self._applying[task] = (drafts, None)  # what cancel_running looks at

        def report(phase: Phase, what: str, done: int, total: int) -> None:
            self._applying[task] = (drafts, phase)

        options = ApplyOptions(plan.safety.unsafe, who="serve", before=planned.live.essence, verify=found is None)
        if found is not None:  # an incremental plan: its read, and the mapping read with it, are the apply's
            options.read, options.entries = found.raw, found.entries
        result = await apply_plan(plan, target, store, self.state_dir, options, progress=report, lock=lock)
        if found is not None:  # an incremental plan: verify reads what it wrote, by id
            result.differences = await verify_read(plan, target, result.mapping)
            details["incremental"] = len(plan.changes)
        details.update(calls=result.calls, attempts=result.attempts, differences=result.differences[:10])
        if plan.safety.unsafe:
            details["unsafe_applied"] = list(plan.safety.reasons)
        outcome = SyncOutcome.VERIFY_FAILED if result.differences else SyncOutcome.APPLIED
        return SyncResult(outcome, plan.summary_line(), checksum=plan.checksum, run_id=result.run_id, details=details)

    def _hold(self, cfg: CatalogConfig, plan, details: dict) -> SyncResult:
        held = self.history.last_held_checksum(cfg.name)
        if held and held[0] == plan.checksum and held[1] and Path(held[1]).exists():
            file = Path(held[1])
            details["saved"] = "the same plan is already held"
        else:
            folder = self.state_dir / "serve" / "held"
            folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            file = folder / f"{cfg.name}-{stamp}-{plan.checksum.removeprefix('sha256:')[:12]}.json"
            write_text(file, to_json(plan))
        details["unsafe"] = list(plan.safety.reasons)
        return SyncResult(
            SyncOutcome.HELD,
            plan.summary_line() + " (unsafe: held for review)",
            plan_file=str(file),
            checksum=plan.checksum,
            details=details,
        )

    # -- interruption -----------------------------------------------------------------------------------
    def _check_stop(self) -> None:
        if self.stopping.is_set():
            raise Abandoned()

    def _sleep(self, seconds: float) -> None:
        """Back-off between POS retries that a shutdown cuts short."""
        self.pause(seconds)
        self._check_stop()

    def _run_async(self, coroutine) -> SyncResult:
        loop = asyncio.new_event_loop()
        task = loop.create_task(coroutine)
        entry = (loop, task)
        with self._lock:
            self._tasks.add(entry)
        try:
            return loop.run_until_complete(task)
        finally:
            with self._lock:
                self._tasks.discard(entry)
                self._applying.pop(task, None)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()


def _fingerprint(cfg: CatalogConfig) -> str:
    """What the stored watermark depends on: change any of it and the next sync imports afresh."""
    return fingerprint([cfg.source, cfg.account, cfg.pos_location, cfg.currency, cfg.menu_name, cfg.catalog])


def _message(exc: BaseException) -> str:
    render = getattr(exc, "render", None)
    return (render() if callable(render) else str(exc)) or type(exc).__name__
