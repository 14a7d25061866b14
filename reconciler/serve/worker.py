"""The background worker: decide which catalog syncs when, run the syncs, settle the queue rows.

The schedule is two plain methods that take no thread and read time only from ``clock``, so tests
drive them with their own clock:

* :meth:`Worker.due_jobs` enqueues periodic reconciles that are due, asks
  :func:`reconciler.serve.debounce.due` which catalogs may start, and claims *all* their pending
  rows, one :class:`~reconciler.serve.sync.Job` per catalog;
* :meth:`Worker.finish` records the outcome in the history, then, in one queue transaction,
  completes the rows (success), schedules a retry with back-off, gives them up as dead
  (permanent failure, or too many attempts), or releases them untouched (abandoned at shutdown).
  History comes first: a death in between syncs the events again (at least once) rather than
  leaving them done with no sync in history.

:meth:`Worker.start` runs that schedule in a thread, each sync in a thread of its own (at most
``workers`` at once, one per catalog); :meth:`Worker.stop` is the graceful shutdown. The HTTP app calls
:meth:`wake` after it queued an event. Built by :mod:`reconciler.serve.server`.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from reconciler.redact import Redactor
from reconciler.serve import debounce
from reconciler.serve.config import CatalogConfig, ServeConfig
from reconciler.serve.history import History, SyncRecord
from reconciler.serve.jsonlog import emit
from reconciler.serve.queue import Item, Queue
from reconciler.serve.status import SyncOutcome, SyncReason
from reconciler.serve.sync import Job, SyncResult
from reconciler.sources.registry import get_source
from reconciler.state.availability import AvailabilityStore

MAX_ATTEMPTS = 8  # a failing sync is retried after 2, 4, 8 … s (at most BACKOFF_CAP) this many times in all
BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
PRUNE_EVERY = 3600.0
IDLE_WAIT = 5.0  # the loop looks again at least this often


class Worker:
    def __init__(
        self,
        config: ServeConfig,
        queue: Queue,
        history: History,
        sync: Callable[[Job], SyncResult],
        clock: Callable[[], float] = time.time,
        stopping: threading.Event | None = None,
        layer: AvailabilityStore | None = None,
        redact: Redactor | None = None,
    ) -> None:
        self.layer = layer  # the availability layer: its expiries are timers of their own
        self.config = config
        # Everything a sync reports is stored (history, queue) and served (/healthz): redact it once, here.
        self.redact = redact or getattr(sync, "redact", None) or Redactor()
        self.queue = queue
        self.history = history
        self.sync = sync
        self.clock = clock
        self.debounces = {c.name: c.debouncing for c in config.catalogs}
        self.boot_id = uuid.uuid4().hex[:8]
        now = clock()
        self.next_periodic = {c.name: now + c.interval for c in config.catalogs if c.interval > 0}
        # The POS's stock API, polled through the source contract (``stock_api``, ``read_stock``).
        self.next_stock = {c.name: now + c.stock_interval for c in config.catalogs if _polls_stock(c)}
        self.running: dict[str, Job] = {}
        self.wake_at: float | None = None
        self.stopping = stopping or threading.Event()  # shared with the Syncer: stop between steps
        self._lock = threading.Lock()
        self._poke = threading.Condition()
        self._poked = False
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pruned = 0.0

    # -- the schedule -----------------------------------------------------------------------------------
    def enqueue_scheduled(self, reason: SyncReason, names: list[str] | None = None) -> int:
        """Queue a start-up or periodic reconcile of each catalog (or of ``names``)."""
        now = self.clock()
        tag = self.boot_id if reason is SyncReason.STARTUP else str(int(now))
        added = 0
        for catalog in self.config.catalogs:
            if names is None or catalog.name in names:
                added += self.queue.put(Item(catalog.name, f"{reason}:{tag}", catalog.source, reason, now))
        return added

    def drop_unconfigured(self) -> int:
        """Give up events queued for catalogs the config no longer has (at start-up), so depth means something."""
        dropped = 0
        for name in self.queue.pending():
            if name not in self.debounces:
                keys = [c.key for c in self.queue.claim(name, float("inf"))]
                self.queue.fail(keys, "the catalog is no longer in the config", None)
                dropped += len(keys)
                emit("dropped", logging.WARNING, catalog=name, events=len(keys), reason="not in the config")
        return dropped

    def expire_layer(self, now: float) -> float | None:
        """End the layer's entries whose ``until`` passed and queue a sync of every catalog to restore
        their value (no webhook needed); returns when the next entry ends."""
        if self.layer is None:
            return None
        moment = datetime.fromtimestamp(now, UTC)
        ended = self.layer.expire(moment)
        if ended:
            emit("availability expired", logging.INFO, entities=sorted({e.entity for e in ended}))
            self.enqueue_scheduled(SyncReason.EXPIRY)
        upcoming = self.layer.next_expiry(moment)
        return None if upcoming is None else upcoming.timestamp()

    def due_jobs(self) -> list[Job]:
        now = self.clock()
        expiry = self.expire_layer(now)
        periodic = [name for name, at in self.next_periodic.items() if at <= now]
        if periodic:
            self.enqueue_scheduled(SyncReason.PERIODIC, periodic)
            for name in periodic:
                self.next_periodic[name] = now + self.config.catalog(name).interval
        polled = [name for name, at in self.next_stock.items() if at <= now]
        if polled:
            self.enqueue_scheduled(SyncReason.STOCK, polled)
            for name in polled:
                self.next_stock[name] = now + self.config.catalog(name).stock_interval
        jobs = []
        with self._lock:
            pending = {name: waiting for name, waiting in self.queue.pending().items() if name in self.debounces}
            start, wake = debounce.due(pending, set(self.running), self.debounces, now)
            for name in start[: max(self.config.workers - len(self.running), 0)]:
                claimed = self.queue.claim(name, now)
                if claimed:
                    self.running[name] = job = Job(name, claimed, started=now)
                    jobs.append(job)
        timers = (wake, expiry, *self.next_periodic.values(), *self.next_stock.values())
        self.wake_at = min([t for t in timers if t is not None], default=None)
        return jobs

    def finish(self, job: Job, result: SyncResult) -> SyncRecord:
        now = self.clock()
        result = replace(
            result,
            summary=self.redact(result.summary),
            error=None if result.error is None else self.redact(result.error),
            details=self.redact.data(result.details),
        )
        record = SyncRecord(
            job.catalog,
            job.started,
            now,
            job.reasons,
            job.event_ids,
            result.outcome,
            result.summary,
            result.plan_file,
            result.checksum,
            result.error,
            result.run_id,
            result.details,
        )
        try:
            # History first, then the queue: they are separate databases with no shared
            # transaction, so a death in between must err on the side of syncing again (the
            # other order left events done whose sync was missing from history).
            settle = self._plan_settle(job.attempts + 1, result, record, now)
            record = replace(record, id=self.history.record(record))
            settle([c.key for c in job.claimed])
        finally:  # even if the database failed: the catalog must not stay "running" (its rows are recovered)
            with self._lock:
                self.running.pop(job.catalog, None)
            with self._idle:
                self._idle.notify_all()
        level = logging.INFO if result.ok else logging.WARNING
        emit(
            "sync",
            level,
            catalog=job.catalog,
            outcome=result.outcome,
            summary=result.summary,
            reasons=job.reasons,
            events=len(job.event_ids),
            event_ids=job.event_ids[:20],
            seconds=round(now - job.started, 3),
            plan_file=result.plan_file,
            error=result.error,
            **{
                k: v
                for k, v in record.details.items()
                if k in ("retry_in", "gave_up", "probe", "read", "translate", "changes")
            },
        )
        return record

    def _plan_settle(
        self, attempt: int, result: SyncResult, record: SyncRecord, now: float
    ) -> Callable[[list[str]], None]:
        """How the rows end, by the result: done, back to pending (now or after a back-off), or dead."""
        if result.ok:
            return self.queue.complete
        if result.outcome is SyncOutcome.ABANDONED:
            return self.queue.release
        error = result.error or result.outcome
        if result.retry and attempt < MAX_ATTEMPTS:
            delay = result.retry_after or min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP)
            record.details["retry_in"] = round(delay, 3)
            return lambda keys: self.queue.fail(keys, error, now + delay)
        record.details["gave_up"] = f"after {attempt} attempt(s)" if result.retry else "permanent failure"
        return lambda keys: self.queue.fail(keys, error, None)

    def busy(self, catalog: str) -> bool:
        with self._lock:
            return catalog in self.running

    # -- the thread ---------------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="reconcile-worker", daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        with self._poke:
            self._poked = True
            self._poke.notify_all()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                for job in self.due_jobs():
                    # Daemon threads: a sync still running when the process exits is abandoned, which
                    # is safe (the engine's apply is atomic; the claimed rows are recovered at start-up).
                    threading.Thread(
                        target=self._execute, args=(job,), name=f"reconcile-sync-{job.catalog}", daemon=True
                    ).start()
                if self.clock() - self._pruned > PRUNE_EVERY:
                    self._pruned = self.clock()
                    self.queue.prune(self._pruned)
            except Exception as exc:
                emit("worker-error", logging.ERROR, error=f"{type(exc).__name__}: {exc}")
            timeout = IDLE_WAIT if self.wake_at is None else min(max(self.wake_at - self.clock(), 0.0), IDLE_WAIT)
            with self._poke:
                if not self._poked:
                    self._poke.wait(timeout)
                self._poked = False

    def _execute(self, job: Job) -> None:
        try:
            result = self.sync(job)
        except BaseException as exc:
            result = SyncResult(SyncOutcome.FAILED, type(exc).__name__, error=str(exc), retry=True)
        try:
            self.finish(job, result)
        except Exception as exc:
            emit("worker-error", logging.ERROR, catalog=job.catalog, error=f"{type(exc).__name__}: {exc}")
        finally:
            self.wake()

    def stop(self, grace: float, cancel: Callable[[], int] = lambda: 0, cancel_wait: float = 10.0) -> None:
        """Take no new work; let running syncs finish for ``grace`` seconds, then ``cancel`` them."""
        self.stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=IDLE_WAIT + 1)
        if not self._wait_idle(grace):
            emit("shutdown", logging.WARNING, message="abandoning the running sync(s)", catalogs=sorted(self.running))
            cancel()
            self._wait_idle(cancel_wait)

    def _wait_idle(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        with self._idle:
            while self.running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True


def _polls_stock(catalog: CatalogConfig) -> bool:
    """Whether serve polls this catalog's POS for stock: its source declares a stock API, and the interval is on."""
    return catalog.stock_interval > 0 and get_source(catalog.source).stock_api
