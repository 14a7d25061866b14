"""The id mapping and the run journal, on both backends: staging, commit, drop, and concurrent writers."""

from __future__ import annotations

import threading

import pytest

from reconciler.state.database import Database
from reconciler.state.mapping import Entry, Journal, MappingStore
from reconciler.state.storage import Storage
from tests.support.waiting import wait_until

SCOPE = "wix-menus:loc-1"


def rows(run: str, count: int = 20) -> list[Entry]:
    return [Entry("item", f"dish-{k:03d}", f"{run}-wix-{k:03d}", f"hash-{run}-{k}") for k in range(count)]


def test_staged_rows_are_pending_until_committed(url):
    store = MappingStore(url)
    store.stage(SCOPE, "run-1", rows("a", 3))
    assert store.entries(SCOPE) == []
    assert store.pending(SCOPE) == {"run-1": rows("a", 3)}
    assert store.commit(SCOPE, "run-1") == 3
    assert store.entries(SCOPE) == rows("a", 3)
    assert store.pending(SCOPE) == {}
    # A second run updates rows in place and leaves other scopes alone.
    store.stage("wix-v3:cat-9", "run-x", rows("z", 1))
    store.stage(SCOPE, "run-2", [Entry("item", "dish-001", "b-wix-001", "h2")])
    store.commit(SCOPE, "run-2")
    assert [e.wix_id for e in store.entries(SCOPE)] == ["a-wix-000", "b-wix-001", "a-wix-002"]
    assert store.pending("wix-v3:cat-9") == {"run-x": rows("z", 1)}
    store.close()


def test_a_dropped_run_leaves_the_mapping_as_it_was(url):
    store = MappingStore(url)
    store.stage(SCOPE, "run-1", rows("a", 2))
    store.commit(SCOPE, "run-1")
    before = store.dump()
    store.stage(SCOPE, "run-2", rows("b", 2))
    store.drop(SCOPE, "run-2")
    assert store.dump() == before
    store.close()


def test_restaging_a_run_replaces_its_rows(url):
    store = MappingStore(url)
    store.stage(SCOPE, "run-1", rows("a", 5))
    store.stage(SCOPE, "run-1", rows("b", 2))  # a partial stage, then the final one
    assert store.pending(SCOPE) == {"run-1": rows("b", 2)}
    store.close()


def test_the_run_journal(url):
    store = MappingStore(url)
    store.start_run(SCOPE, "r1")
    store.start_run("other", "r2")
    store.finish_run("r1", "applied", "Plan: 1 to create")
    (r1,) = store.runs(SCOPE)
    assert (r1.run_id, r1.status, r1.summary) == ("r1", "applied", "Plan: 1 to create")
    assert r1.finished is not None and r1.finished >= r1.started
    assert {r.run_id for r in store.runs()} == {"r1", "r2"}
    assert store.runs("other")[0].status == "running"
    store.close()


def test_the_runs_of_one_apply_of_several_locations_are_found_by_its_id(url):
    store = MappingStore(url)
    store.start_run("wix-menus:loc-1", "a1", Journal(who="a@b", plan="{}", before="[]", site_run="site-7f"))
    store.start_run("wix-menus:loc-2", "a2", Journal(who="a@b", plan="{}", before="[]", site_run="site-7f"))
    store.start_run("wix-menus:loc-1", "b1", Journal(who="a@b", site_run="site-80"))
    store.start_run("wix-menus:loc-1", "c1", Journal(who="c@d"))
    assert [r.run.run_id for r in store.site_run("site-7")] == ["a1", "a2"]  # a unique prefix will do
    assert store.site_run("site-") == [] and store.site_run("nothing") == []  # two of them; none
    assert store.journal("a2").site_run == "site-7f" and store.journal("c1").site_run is None
    who = store.who(["a1", "c1"])
    assert who == {"a1": "a@b (one location of run site-7f)", "c1": "c@d"}
    store.close()


def test_everything_survives_a_reopen(url, state_dir, env):
    first = Storage(state_dir, env).mapping()
    first.stage(SCOPE, "run-1", rows("a", 4))
    first.commit(SCOPE, "run-1")
    first.stage(SCOPE, "run-2", rows("b", 1))
    first.close()
    second = Storage(state_dir, env).mapping()
    assert second.entries(SCOPE) == rows("a", 4)
    assert second.pending(SCOPE) == {"run-2": rows("b", 1)}
    second.close()


def test_with_postgresql_nothing_is_kept_in_the_state_directory(url, state_dir, env):
    store = Storage(state_dir, env).mapping()
    store.stage(SCOPE, "run-1", rows("a", 1))
    store.commit(SCOPE, "run-1")
    store.close()
    files = sorted(p.name for p in state_dir.rglob("*.sqlite"))
    assert files == ([] if env else ["state.sqlite"])


def test_concurrent_writers_never_mix_two_runs(url, state_dir, env):
    """Eight workers, each with its own connection (as on eight machines), apply runs to one scope at
    once: every run stages a full mapping of 40 rows in two steps, then commits or drops. Whatever the
    interleaving, the mapping is always exactly one committed run's rows, never a mix."""
    errors: list[BaseException] = []
    committed: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        store = Storage(state_dir, env).mapping()
        try:
            for attempt in range(6):
                run = f"w{n}r{attempt}"
                store.stage(SCOPE, run, rows(run, 20))  # the partial stage while creating...
                store.stage(SCOPE, run, rows(run, 40))  # ...and the final one before publishing
                if (n + attempt) % 3 == 0:
                    store.drop(SCOPE, run)
                else:
                    store.commit(SCOPE, run)
                    with lock:
                        committed.append(run)
                mapping = store.entries(SCOPE)
                runs = {e.wix_id.split("-wix-")[0] for e in mapping}
                # Empty only until the first commit of any worker.
                assert mapping == [] or (len(mapping) == 40 and len(runs) == 1), (len(mapping), sorted(runs))
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = MappingStore(url)
    final = store.entries(SCOPE)
    (run,) = {e.wix_id.split("-wix-")[0] for e in final}
    assert run in committed and final == rows(run, 40)
    assert store.pending(SCOPE) == {}
    store.close()


@pytest.mark.e2e
@pytest.mark.postgres
def test_postgresql_writes_to_one_scope_wait_for_each_other(postgres):
    """A commit of a scope waits while another connection's transaction of that scope runs: the
    advisory lock per scope, seen waiting in pg_locks (no timing involved)."""
    url = postgres.create_database()
    holder, waiter, observer = Database(url), MappingStore(url), Database(url)
    waiter.stage(SCOPE, "run-2", rows("b", 3))
    done = threading.Event()
    with holder.transaction():
        holder.serialise(SCOPE)
        thread = threading.Thread(target=lambda: (waiter.commit(SCOPE, "run-2"), done.set()))
        thread.start()
        wait_until(
            lambda: observer.execute("SELECT count(*) FROM pg_locks WHERE locktype='advisory' AND NOT granted")[0][0],
            "the second commit to wait for the scope's lock",
        )
        assert not done.is_set()
        other = MappingStore(url)  # another scope is not held up
        other.stage("wix-menus:loc-2", "run-9", rows("c", 1))
        other.commit("wix-menus:loc-2", "run-9")
        other.close()
    thread.join(timeout=30)
    assert done.is_set() and waiter.entries(SCOPE) == rows("b", 3)
    for db in (holder, observer):
        db.close()
    waiter.close()
