"""The durable queue, on both backends: duplicates dropped, claim, complete, fail, release, nothing lost."""

from __future__ import annotations

import threading

import pytest

from reconciler.serve.debounce import Pending
from reconciler.serve.queue import DEDUPE_WINDOW, DatabaseQueue, Item


def item(
    event_id: str,
    catalog: str = "main",
    received: float = 100.0,
    kind: str = "catalog.version.updated",
    hint: dict | None = None,
) -> Item:
    return Item(catalog, event_id, "square", kind, received, hint or {})


def test_duplicates_are_dropped_per_catalog(url):
    queue = DatabaseQueue(url)
    assert queue.put(item("e1")) is True
    assert queue.put(item("e1", received=200.0)) is False
    assert queue.put(item("e1", catalog="other")) is True  # one event fanned out to two catalogs
    assert queue.depth() == 2 and queue.depth("main") == 1


def test_a_done_event_delivered_again_is_still_a_duplicate(url):
    queue = DatabaseQueue(url)
    queue.put(item("e1"))
    queue.complete([c.key for c in queue.claim("main", 101.0)])
    assert queue.depth() == 0
    assert queue.put(item("e1")) is False
    assert queue.depth() == 0 and queue.status_of("main", "e1") == "done"


def test_claim_takes_every_pending_row_of_one_catalog(url):
    queue = DatabaseQueue(url)
    for n in range(5):
        queue.put(item(f"e{n}", received=100.0 + n, hint={"n": n}))
    queue.put(item("x1", catalog="other"))
    claimed = queue.claim("main", 110.0)
    assert [c.item.event_id for c in claimed] == ["e0", "e1", "e2", "e3", "e4"]
    assert claimed[3].item.hint == {"n": 3} and claimed[3].item.received == 103.0
    assert {c.attempts for c in claimed} == {0}
    assert queue.claim("main", 110.0) == []  # claimed rows are not handed out twice
    assert queue.depth("main") == 5  # claimed rows still count until they are done
    assert set(queue.pending()) == {"other"}


def test_complete_fail_and_release(url):
    queue = DatabaseQueue(url, clock=lambda: 500.0)
    for name in ("a", "b", "c"):
        queue.put(item(name))
    a, b, c = queue.claim("main", 100.0)
    queue.complete([a.key])
    queue.fail([b.key], "POS answered 503", retry_at=160.0)
    queue.release([c.key])
    assert queue.status_of("main", "a") == "done"
    assert queue.pending() == {"main": Pending(first=100.0, last=100.0, not_before=160.0, count=2)}
    assert [r.item.event_id for r in queue.claim("main", 150.0)] == ["c"]  # b waits for its retry time
    retried = queue.claim("main", 160.0)
    assert [(r.item.event_id, r.attempts) for r in retried] == [("b", 1)]
    queue.fail([r.key for r in retried], "still failing", retry_at=None)
    assert queue.status_of("main", "b") == "dead"
    assert queue.depth() == 1  # c is claimed; a is done and b is dead


def test_release_does_not_count_an_attempt(url):
    queue = DatabaseQueue(url)
    queue.put(item("e1"))
    queue.release([c.key for c in queue.claim("main", 100.0)])
    assert [c.attempts for c in queue.claim("main", 100.0)] == [0]


def test_everything_survives_a_reopen_and_claims_of_a_dead_process_come_back(url):
    path = url
    first = DatabaseQueue(path)
    first.put(item("e1"))
    first.put(item("e2"))
    first.put(item("e3"))
    claimed = first.claim("main", 100.0)
    first.complete([claimed[0].key])
    first.close()  # e2 and e3 were claimed by a sync that never finished

    second = DatabaseQueue(path)
    assert second.depth() == 2
    assert second.claim("main", 100.0) == []  # still claimed until recovered
    assert second.recover() == 2
    assert [c.item.event_id for c in second.claim("main", 100.0)] == ["e2", "e3"]
    assert second.put(item("e1")) is False  # done rows still drop duplicates after a restart


def test_prune_forgets_only_old_finished_rows(url):
    clock = [1000.0]
    queue = DatabaseQueue(url, clock=lambda: clock[0])
    queue.put(item("old"))
    queue.put(item("open"))
    done, still_open = queue.claim("main", 100.0)
    queue.complete([done.key])
    queue.release([still_open.key])
    assert queue.prune(1000.0 + DEDUPE_WINDOW - 1) == 0
    assert queue.prune(1000.0 + DEDUPE_WINDOW + 1) == 1
    assert queue.put(item("old")) is True  # outside the window, an id may come back
    assert queue.status_of("main", "open") == "pending"


def test_concurrent_deliveries_of_the_same_events_are_stored_once(url):
    queue = DatabaseQueue(url)
    accepted = []

    def deliver():
        accepted.append(sum(queue.put(item(f"e{n}")) for n in range(50)))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(accepted) == 50 and queue.depth() == 50


def test_two_processes_sharing_the_queue_never_claim_a_row_twice(url):
    """Two connections (two serve processes, or two machines on PostgreSQL) claiming at once."""
    first, second = DatabaseQueue(url), DatabaseQueue(url)
    for n in range(200):
        (first if n % 2 else second).put(item(f"e{n}", received=float(n)))
    taken: list[list[str]] = [[], []]

    def drain(queue: DatabaseQueue, into: list[str]) -> None:
        for _ in range(50):
            into += [c.item.event_id for c in queue.claim("main", 1000.0)]

    threads = [threading.Thread(target=drain, args=(q, t)) for q, t in zip((first, second), taken, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = taken[0] + taken[1]
    assert sorted(everything) == sorted(f"e{n}" for n in range(200)) and len(set(everything)) == 200


def _settled_counts_seen_while(settle, path, status: str) -> set[int]:
    """Run ``settle`` in a thread; meanwhile count rows in ``status`` from another connection."""
    import sqlite3

    reader = sqlite3.connect(path)
    seen: set[int] = set()
    worker = threading.Thread(target=settle)
    worker.start()
    while worker.is_alive():
        seen.add(reader.execute("SELECT COUNT(*) FROM events WHERE status=?", (status,)).fetchone()[0])
    worker.join()
    seen.add(reader.execute("SELECT COUNT(*) FROM events WHERE status=?", (status,)).fetchone()[0])
    reader.close()
    return seen


@pytest.mark.parametrize("verb", ["complete", "fail", "give up", "release"])
def test_settling_a_big_sync_is_one_transaction(tmp_path, verb):
    """Nobody, not even another process, ever sees half of a sync's rows settled."""
    path = tmp_path / "q.sqlite"
    queue = DatabaseQueue(path)
    for n in range(1500):
        queue.put(item(f"e{n}"))
    keys = [c.key for c in queue.claim("main", 100.0)]
    settle, status = {
        "complete": (lambda: queue.complete(keys), "done"),
        "fail": (lambda: queue.fail(keys, "POS answered 503", retry_at=160.0), "pending"),
        "give up": (lambda: queue.fail(keys, "POS answered 401", retry_at=None), "dead"),
        "release": (lambda: queue.release(keys), "pending"),
    }[verb]
    assert _settled_counts_seen_while(settle, str(path), status) <= {0, 1500}
    assert queue.depth() == (0 if status in ("done", "dead") else 1500)


def test_dead_events_are_counted_per_catalog_from_a_moment_on(tmp_path):
    clock = [1000.0]
    queue = DatabaseQueue(tmp_path / "q.sqlite", clock=lambda: clock[0])
    for name in ("e1", "e2"):
        queue.put(item(name))
    queue.put(item("x1", catalog="other"))
    queue.fail([c.key for c in queue.claim("main", 100.0)], "POS answered 401", retry_at=None)
    clock[0] = 2000.0
    queue.fail([c.key for c in queue.claim("other", 100.0)], "gone", retry_at=None)
    assert queue.dead() == {"main": (2, 1000.0, "POS answered 401"), "other": (1, 2000.0, "gone")}
    assert queue.dead(since={"main": 1000.5}) == {"other": (1, 2000.0, "gone")}
    assert queue.depth() == 0  # dead rows are not waiting any more, which is why they need their own count
