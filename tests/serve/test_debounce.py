"""Coalescing and scheduling with a test clock: the rules themselves, then the worker that applies them."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from reconciler.serve.config import ServeConfig
from reconciler.serve.debounce import Debounce, Pending, due, ready_at
from reconciler.serve.history import History
from reconciler.serve.queue import DatabaseQueue, Item
from reconciler.serve.status import SyncOutcome, SyncReason
from reconciler.serve.sync import Job, SyncResult
from reconciler.serve.worker import BACKOFF_BASE, MAX_ATTEMPTS, Worker

DEBOUNCE = Debounce(quiet=1.0, max_wait=10.0)


# -- the pure rules -------------------------------------------------------------------------------------


def test_ready_after_a_quiet_period_but_no_later_than_max_wait():
    assert ready_at(Pending(first=100, last=100, not_before=0, count=1), DEBOUNCE) == 101
    assert ready_at(Pending(first=100, last=104.5, not_before=0, count=9), DEBOUNCE) == 105.5
    assert ready_at(Pending(first=100, last=109.9, not_before=0, count=99), DEBOUNCE) == 110  # capped by max_wait
    assert ready_at(Pending(first=100, last=100, not_before=130, count=1), DEBOUNCE) == 130  # a retry waits


def test_due_skips_running_catalogs_and_says_when_to_look_again():
    pending = {"a": Pending(100, 100, 0, 1), "b": Pending(100, 100.5, 0, 2), "c": Pending(90, 90, 0, 1)}
    debounces = {"a": DEBOUNCE, "b": DEBOUNCE, "c": DEBOUNCE}
    assert due(pending, set(), debounces, 101.0) == (["a", "c"], 101.5)
    assert due(pending, {"c"}, debounces, 101.0) == (["a"], 101.5)
    assert due(pending, {"a", "b", "c"}, debounces, 200.0) == ([], None)
    assert due({}, set(), debounces, 0.0) == ([], None)


# -- the worker's schedule, driven by hand ----------------------------------------------------------------


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(tmp_path, clock) -> DatabaseQueue:
    return DatabaseQueue(tmp_path / "queue.sqlite", clock=clock)


@pytest.fixture
def history(tmp_path) -> History:
    return History(tmp_path / "history.sqlite")


def config(interval: float = 0, workers: int = 2, **more) -> ServeConfig:
    entry = {
        "name": "main",
        "source": "square",
        "catalog": "main.yaml",
        "debounce": 1,
        "max_wait": 10,
        "interval": interval,
        **more,
    }
    return ServeConfig.model_validate({"workers": workers, "catalogs": [entry, {**entry, "name": "other"}]})


def never(job: Job) -> SyncResult:
    raise AssertionError("the schedule tests run no syncs")


def webhook(queue: DatabaseQueue, clock: Clock, event_id: str, catalog: str = "main") -> bool:
    return queue.put(Item(catalog, event_id, "square", "catalog.version.updated", clock()))


def test_a_burst_becomes_one_sync(queue, history, clock):
    worker = Worker(config(), queue, history, never, clock=clock)
    for n in range(20):
        webhook(queue, clock, f"e{n}")
        clock.now += 0.05
    assert worker.due_jobs() == []  # still inside the quiet period
    assert worker.wake_at == pytest.approx(1000.95 + 1.0)
    clock.now = worker.wake_at
    [job] = worker.due_jobs()
    assert job.catalog == "main" and job.event_ids == [f"e{n}" for n in range(20)] and job.reasons == ["webhook"]
    assert worker.due_jobs() == []


def test_events_during_a_sync_collapse_into_one_follow_up(queue, history, clock):
    worker = Worker(config(), queue, history, never, clock=clock)
    webhook(queue, clock, "first")
    clock.now += 1
    [job] = worker.due_jobs()
    for n in range(7):  # they arrive while the sync runs
        clock.now += 0.5
        webhook(queue, clock, f"during{n}")
    assert worker.due_jobs() == [] and worker.busy("main")
    worker.finish(job, SyncResult(SyncOutcome.APPLIED, "Plan: 0 to create, 1 to update, 0 to archive"))
    assert not worker.busy("main") and queue.status_of("main", "first") == "done"
    clock.now += 1
    [follow_up] = worker.due_jobs()
    assert follow_up.event_ids == [f"during{n}" for n in range(7)]
    worker.finish(follow_up, SyncResult(SyncOutcome.APPLIED))
    clock.now += 100
    assert worker.due_jobs() == [] and queue.depth() == 0
    assert [r.events for r in history.list()] == [follow_up.event_ids, ["first"]]


def test_a_steady_stream_still_syncs_after_max_wait(queue, history, clock):
    worker = Worker(config(), queue, history, never, clock=clock)
    started = clock.now
    jobs = []
    while not jobs:
        webhook(queue, clock, f"e{clock.now}")
        clock.now += 0.5
        jobs = worker.due_jobs()
    assert clock.now - started == pytest.approx(10.0)  # first event + max_wait, though events keep coming


def test_catalogs_are_scheduled_independently(queue, history, clock):
    worker = Worker(config(), queue, history, never, clock=clock)
    webhook(queue, clock, "a1")
    webhook(queue, clock, "b1", catalog="other")
    clock.now += 1
    assert sorted(j.catalog for j in worker.due_jobs()) == ["main", "other"]


def test_a_failed_sync_is_retried_with_back_off_then_given_up(queue, history, clock):
    worker = Worker(config(), queue, history, never, clock=clock)
    webhook(queue, clock, "e1")
    clock.now += 1
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [job] = worker.due_jobs()
        assert job.attempts == attempt - 1
        record = worker.finish(
            job, SyncResult(SyncOutcome.FAILED, "TemporaryApiError", error="POS answered 503", retry=True)
        )
        if attempt < MAX_ATTEMPTS:
            delays.append(record.details["retry_in"])
            clock.now += record.details["retry_in"] - 0.01
            assert worker.due_jobs() == []  # not before the retry time
            clock.now += 0.01
    assert delays[:3] == [BACKOFF_BASE, BACKOFF_BASE * 2, BACKOFF_BASE * 4]
    assert record.details["gave_up"] == f"after {MAX_ATTEMPTS} attempt(s)"
    assert queue.status_of("main", "e1") == "dead" and queue.depth() == 0


def test_a_permanent_failure_is_not_retried(queue, history, clock):
    worker = Worker(config(), queue, history, never, clock=clock)
    webhook(queue, clock, "e1")
    clock.now += 1
    [job] = worker.due_jobs()
    record = worker.finish(job, SyncResult(SyncOutcome.FAILED, "PermanentApiError", error="HTTP 401", retry=False))
    assert record.details["gave_up"] == "permanent failure" and queue.status_of("main", "e1") == "dead"
    assert history.last("main").error == "HTTP 401"


def test_a_retry_hint_from_the_pos_wins_over_the_back_off(queue, history, clock):
    worker = Worker(config(), queue, history, never, clock=clock)
    webhook(queue, clock, "e1")
    clock.now += 1
    [job] = worker.due_jobs()
    assert worker.finish(job, SyncResult(SyncOutcome.FAILED, retry=True, retry_after=5.0)).details["retry_in"] == 5.0


def test_an_abandoned_sync_gives_its_events_back(queue, history, clock):
    worker = Worker(config(), queue, history, never, clock=clock)
    webhook(queue, clock, "e1")
    clock.now += 1
    [job] = worker.due_jobs()
    worker.finish(job, SyncResult(SyncOutcome.ABANDONED))
    [again] = worker.due_jobs()
    assert again.event_ids == ["e1"] and again.attempts == 0
    assert history.last("main").outcome == "abandoned"


def test_periodic_and_startup_reconciles_go_through_the_queue(queue, history, clock):
    worker = Worker(config(interval=60), queue, history, never, clock=clock)
    assert worker.enqueue_scheduled(SyncReason.STARTUP) == 2
    assert worker.enqueue_scheduled(SyncReason.STARTUP) == 0  # one per boot
    clock.now += 1
    assert {j.reasons[0] for j in worker.due_jobs()} == {"startup"}
    for job in list(worker.running.values()):
        worker.finish(job, SyncResult(SyncOutcome.IN_STEP))
    clock.now += 58.5
    assert worker.due_jobs() == [] and worker.wake_at == pytest.approx(1060.0)
    clock.now = 1060.0
    assert worker.due_jobs() == []  # enqueued now, due after the quiet period
    webhook(queue, clock, "e1")  # coalesces with the periodic run
    clock.now += 1
    jobs = {j.catalog: j for j in worker.due_jobs()}
    assert jobs["main"].reasons == ["periodic", "webhook"] and jobs["other"].reasons == ["periodic"]
    assert worker.next_periodic["main"] == pytest.approx(1120.0)


def test_events_of_a_catalog_no_longer_configured_are_given_up(queue, history, clock):
    webhook(queue, clock, "e1", catalog="removed")
    webhook(queue, clock, "e2")
    worker = Worker(config(), queue, history, never, clock=clock)
    clock.now += 1
    assert worker.drop_unconfigured() == 1
    assert queue.status_of("removed", "e1") == "dead" and queue.depth() == 1
    assert [job.catalog for job in worker.due_jobs()] == ["main"]


def test_no_more_syncs_at_once_than_workers(queue, history, clock):
    worker = Worker(config(workers=1), queue, history, never, clock=clock)
    webhook(queue, clock, "a1")
    webhook(queue, clock, "b1", catalog="other")
    clock.now += 1
    [first] = worker.due_jobs()
    assert worker.due_jobs() == []
    worker.finish(first, SyncResult(SyncOutcome.IN_STEP))
    assert [job.catalog for job in worker.due_jobs()] == ["other"]


def test_worker_thread_runs_syncs_and_stops(tmp_path, queue, history):
    """The real loop and pool with the real clock; waits on an event, never on a fixed sleep."""
    done = threading.Event()
    seen = []

    def sync(job: Job) -> SyncResult:
        seen.append(job.event_ids)
        done.set()
        return SyncResult(SyncOutcome.IN_STEP)

    worker = Worker(config(debounce=0), DatabaseQueue(tmp_path / "live.sqlite"), history, sync)
    worker.queue.put(Item("main", "e1", "square", "catalog.version.updated", 0.0))
    worker.start()
    try:
        assert done.wait(10)
    finally:
        worker.stop(grace=5)
    assert seen == [["e1"]] and not worker.alive and worker.queue.depth() == 0


def test_a_crash_while_settling_keeps_the_sync_in_history_and_its_events_come_back(tmp_path, history, clock):
    """History first, queue second: a death in between syncs the events again (at least once), never loses them."""
    path = tmp_path / "crash.sqlite"
    queue = DatabaseQueue(path, clock=clock)
    worker = Worker(config(), queue, history, never, clock=clock)
    webhook(queue, clock, "e1")
    clock.now += 1
    [job] = worker.due_jobs()
    queue.close()  # the queue database goes away between the sync and its settling
    with pytest.raises(sqlite3.ProgrammingError):
        worker.finish(job, SyncResult(SyncOutcome.APPLIED, "Plan: 1 to create, 0 to update, 0 to archive"))
    assert history.last("main").events == ["e1"] and history.last("main").outcome == "applied"
    restarted = DatabaseQueue(path, clock=clock)
    assert restarted.recover() == 1 and restarted.status_of("main", "e1") == "pending"
