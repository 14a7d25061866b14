"""The state stores' smaller promises, on both backends where they have both: where the database is
and how it is described, that closing a store closes only what it opened,
the journal's ``who`` text, the pending and intent bookkeeping, and the availability layer's
stored format, boundaries and log."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.state import paths
from reconciler.state.availability import EVERYWHERE, AvailabilityStore, LayerEntry, LayerEvent, LayerSource
from reconciler.state.database import Database, database_url, describe
from reconciler.state.mapping import Entry, Intent, Journal, MappingStore, pack, pack_parts
from reconciler.state.storage import Storage
from tests.support.waiting import wait_until

SCOPE = "wix-menus:loc-1"
NOW = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
STAMP = "%Y-%m-%d %H:%M:%S"


# -- where the state is ---------------------------------------------------------------------------------


def test_the_database_is_state_sqlite_in_the_state_directory_unless_a_postgresql_url_is_set(tmp_path):
    assert database_url(tmp_path, {}) == str(tmp_path / "state.sqlite")
    assert database_url(tmp_path, {"RECONCILE_DATABASE_URL": "  "}) == str(tmp_path / "state.sqlite")
    url = "postgresql://reconcile@db.example:5433/menus"
    assert database_url(tmp_path, {"RECONCILE_DATABASE_URL": url}) == url
    with pytest.raises(ConfigError) as refused:
        database_url(tmp_path, {"RECONCILE_DATABASE_URL": "postgress://u:hunter2@db/menus"})
    message = str(refused.value)
    assert message == (
        "RECONCILE_DATABASE_URL must be a PostgreSQL URL (postgresql://user@host:5432/dbname); "
        "unset it to keep the state in SQLite in the state directory"
    )


@pytest.mark.parametrize(
    "url, described",
    [
        ("/var/state/state.sqlite", "SQLite /var/state/state.sqlite"),
        ("postgresql://chef:hunter2@db.example:5433/menus", "PostgreSQL chef@db.example:5433/menus"),
        ("postgres://chef@db.example/menus", "PostgreSQL chef@db.example:5432/menus"),
        ("postgresql:///menus", "PostgreSQL @:5432/menus"),
        ("postgresql://chef@db.example", "PostgreSQL chef@db.example:5432/"),
        ("postgresql://chef@[::1/menus", "PostgreSQL"),
    ],
)
def test_a_database_is_described_without_its_password(url, described):
    assert describe(url) == described
    assert "hunter2" not in describe(url)


def test_the_state_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("RECONCILE_STATE_DIR", raising=False)
    assert paths.state_path() == Path(".reconcile")
    monkeypatch.setenv("RECONCILE_STATE_DIR", str(tmp_path / "from-env"))
    assert paths.state_path() == tmp_path / "from-env"
    assert paths.state_path(tmp_path / "given") == tmp_path / "given"  # an explicit path wins
    assert not (tmp_path / "from-env").exists()  # state_path creates nothing
    assert paths.state_dir(tmp_path / "made" / "here") == tmp_path / "made" / "here"
    assert (tmp_path / "made" / "here").is_dir()
    assert paths.state_dir(tmp_path / "made" / "here") == tmp_path / "made" / "here"  # it may exist already
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ConfigError) as refused:
        paths.state_dir(tmp_path / "a-file")
    assert str(refused.value) == (
        f"the state directory {tmp_path / 'a-file'} is a file, not a directory (--state-dir, RECONCILE_STATE_DIR)"
    )
    with pytest.raises(ConfigError) as refused:
        paths.state_dir(tmp_path / "a-file" / "below")
    assert str(refused.value) == f"cannot create the state directory {tmp_path / 'a-file' / 'below'}: Not a directory"


def test_sqlite_durability_is_normal_unless_asked(tmp_path):
    storage = Storage(tmp_path, {})
    default, full = storage.database(), storage.database("serve/queue", durability="full")
    assert default.execute("PRAGMA synchronous") == [(1,)] and full.execute("PRAGMA synchronous") == [(2,)]
    assert (tmp_path / "serve" / "queue.sqlite").exists()
    default.close()
    full.close()


# -- closing -------------------------------------------------------------------------------------------


def closed(db: Database) -> bool:
    try:
        db.execute("SELECT 1")
    except Exception:
        return True
    return False


def test_a_store_closes_the_connection_it_opened_and_only_that(url, state_dir, env):
    storage = Storage(state_dir, env)
    for store in (storage.mapping(), storage.availability()):
        store.close()
        assert closed(store.db)
    shared = storage.database()
    for store in (MappingStore(shared), AvailabilityStore(shared)):
        store.close()
        assert not closed(shared)
    MappingStore(shared, owns=True).close()
    assert closed(shared)
    shared = storage.database()
    AvailabilityStore(shared, owns=True).close()
    assert closed(shared)


def test_the_sqlite_path_a_store_is_opened_on_is_the_stores_own(tmp_path):
    for store in (MappingStore(tmp_path / "m.sqlite"), AvailabilityStore(tmp_path / "a.sqlite")):
        store.close()
        assert closed(store.db)


def test_the_availability_layer_is_in_the_state_database(url, state_dir, env):
    storage = Storage(state_dir, env)
    layer = storage.availability()
    layer.put([entry("tiramisu")], NOW)
    layer.close()
    other = AvailabilityStore(storage.database(), owns=True)  # the same database, opened another way
    assert [e.entity for e in other.entries()] == ["tiramisu"]
    other.close()


# -- the id mapping's bookkeeping ------------------------------------------------------------------------


def test_pending_rows_added_for_a_dead_run_update_its_staged_ones(url):
    store = MappingStore(url)
    store.stage(SCOPE, "run-1", [Entry("item", "a", "wix-a", "h1")])
    store.add_pending(SCOPE, "run-1", [Entry("item", "a", "wix-a2", "h2"), Entry("item", "b", "wix-b")])
    store.add_pending("other", "run-1", [Entry("item", "z", "wix-z")])
    assert store.pending(SCOPE) == {"run-1": [Entry("item", "a", "wix-a2", "h2"), Entry("item", "b", "wix-b")]}
    store.close()


def test_intents_are_forgotten_per_run_and_dumped(url):
    store = MappingStore(url)
    store.intend(SCOPE, "run-1", [Intent("item", "a", {"name": "A"}), Intent("item", "b", {"name": "B"})])
    store.intend(SCOPE, "run-2", [Intent("item", "c", {"name": "C"})])
    store.intend("other", "run-1", [Intent("item", "d", {"name": "D"})])
    assert store.dump()["intents"] == [
        ("other", "run-1", "item", "d"),
        (SCOPE, "run-1", "item", "a"),
        (SCOPE, "run-1", "item", "b"),
        (SCOPE, "run-2", "item", "c"),
    ]
    store.forget_intents(SCOPE, "run-1")
    assert {run: [i.local_id for i in found] for run, found in store.intents(SCOPE).items()} == {"run-2": ["c"]}
    assert list(store.intents("other")) == ["run-1"]
    store.close()


def test_intents_come_back_in_the_order_they_were_recorded_with_their_payload(url):
    store = MappingStore(url)
    before = time.time()
    payloads = [{"name": "Soup", "price": Decimal("12.50")}, {"name": "Bread"}, {"name": "Salad"}]
    store.intend(SCOPE, "run-1", [Intent("item", local, p) for local, p in zip("cab", payloads, strict=True)])
    after = time.time()
    [(run, found)] = store.intents(SCOPE).items()
    assert run == "run-1" and [(i.namespace, i.local_id) for i in found] == [
        ("item", "c"),
        ("item", "a"),
        ("item", "b"),
    ]
    assert [i.payload for i in found] == [{"name": "Soup", "price": "12.50"}, {"name": "Bread"}, {"name": "Salad"}]
    assert all(before <= i.staged <= after + 1 for i in found)  # when it was recorded
    store.close()


def test_who_ran_a_run_and_what_it_undid(url):
    store = MappingStore(url)
    store.start_run(SCOPE, "r1")
    store.start_run(SCOPE, "r2", Journal(who="chef@pass", undoes="0123456789abcdef"))
    store.start_run(SCOPE, "r3", Journal(who="fleet", undoes="fedcba9876543210", site_run="site-1"))
    assert store.who(["r1", "r2", "r3", "nothing"]) == {
        "r1": "",
        "r2": "chef@pass (rollback of 0123456789ab)",
        "r3": "fleet (rollback of fedcba987654) (one location of run site-1)",
    }
    assert store.who([]) == {}
    assert store.journal("r") is None and store.journal("r2").undoes == "0123456789abcdef"  # "r" names three
    store.close()


def test_the_journal_keeps_what_each_run_recorded(url):
    store = MappingStore(url)
    plan, before = '{"changes": ["create soup"]}' * 50, '[{"kind": "item", "id": "soup", "before": null}]'
    store.start_run(SCOPE, "run-full", Journal(who="chef@pass", plan=plan, before=before, undoes="r0", site_run="s1"))
    store.start_run(SCOPE, "run-bare")
    full, bare = store.journal("run-full"), store.journal("run-bare")
    assert full is not None and bare is not None
    assert (full.run.run_id, full.run.scope, full.run.status) == ("run-full", SCOPE, "running")
    assert (full.who, full.plan, full.before, full.undoes, full.site_run) == ("chef@pass", plan, before, "r0", "s1")
    assert (bare.who, bare.plan, bare.before, bare.undoes, bare.site_run) == ("", "", "", None, None)
    store.close()


def test_a_plan_packed_from_its_pieces_reads_back_as_the_text_they_make(url):
    """apply packs the plan from its UTF-8 pieces (never joined nor decoded first), the last piece a
    view of the seal's bytes; a character may straddle two pieces."""
    store = MappingStore(url)
    text = '{"checksum":"sha256:00","dishes":["Crème brûlée ' + "é" * 3000 + '"]}'
    data = text.encode("utf-8")
    cut = data.index("é".encode()) + 1  # inside a two-byte character
    for parts in ([data], [data[:cut], memoryview(data)[cut:]], [b"", data[:1], b"", memoryview(data)[1:]]):
        store.start_run(SCOPE, "run", Journal(who="chef@pass", plan="", before="[]"), plan_later=True)
        store.journal_plan("run", pack_parts(parts))
        found = store.journal("run")
        assert found is not None and found.plan == text and found.before == "[]"
        store.db.execute("DELETE FROM journals")
        store.db.execute("DELETE FROM runs")
    assert pack_parts([]) is None and pack_parts([b"", memoryview(b"")]) is None and pack("") is None
    store.close()


def test_a_journal_made_before_its_last_columns_existed_gains_them_in_place(url):
    old = Database(url)
    old.script(
        "CREATE TABLE runs (run_id TEXT PRIMARY KEY, scope TEXT NOT NULL, started "
        + old.real()
        + " NOT NULL, finished "
        + old.real()
        + ", status TEXT NOT NULL, summary TEXT)"
    )
    old.execute("INSERT INTO runs VALUES (?,?,?,?,?,?)", ("r-old", SCOPE, 1.0, 2.0, "applied", "Plan: 1 to create"))
    old.close()
    store = MappingStore(url)
    store.start_run(SCOPE, "r-new", Journal(who="chef@pass", plan="{}", undoes="r-old", site_run="s1"))
    assert store.journal("r-old").who == "" and store.journal("r-old").run.summary == "Plan: 1 to create"
    new = store.journal("r-new")
    assert (new.who, new.plan, new.undoes, new.site_run) == ("chef@pass", "{}", "r-old", "s1")
    store.close()
    MappingStore(url).close()  # opening it again adds nothing twice


def test_a_run_journalled_in_the_runs_table_is_still_read_and_finishing_a_run_keeps_its_journal(url):
    """Plans and before-states used to be kept in `runs` itself; now in `journals` (finish_run
    updates `runs`, and SQLite rewrites a whole row, megabytes, on any update)."""
    store = MappingStore(url)
    store.db.execute(
        "INSERT INTO runs (run_id, scope, started, status, who, plan, before_state) VALUES (?,?,?,?,?,?,?)",
        ("r-old", SCOPE, 1.0, "applied", "chef@pass", pack('{"old": 1}'), pack("[]")),
    )
    store.start_run(SCOPE, "r-new", Journal(who="serve", plan='{"new": 2}', before='[{"x": 1}]'))
    store.finish_run("r-new", "applied", "Plan: 1 to update")
    old, new = store.journal("r-old"), store.journal("r-new")
    assert (old.who, old.plan, old.before) == ("chef@pass", '{"old": 1}', "[]")
    assert (new.plan, new.before, new.run.status) == ('{"new": 2}', '[{"x": 1}]', "applied")
    assert store.db.execute("SELECT plan, before_state FROM runs WHERE run_id=?", ("r-new",)) == [(None, None)]
    store.close()


def test_the_run_list_is_newest_first_fifty_by_default(url):
    store = MappingStore(url)
    for n in range(51):
        store.start_run(SCOPE, f"run-{n:02d}")
    assert len(store.runs()) == 50 and len(store.runs(SCOPE, limit=51)) == 51
    store.close()


def test_a_dump_has_every_table(url):
    store = MappingStore(url)
    store.stage(SCOPE, "run-1", [Entry("item", "a", "wix-a", "h1")])
    store.commit(SCOPE, "run-1")
    store.stage(SCOPE, "run-2", [Entry("item", "b", "wix-b")])
    dump = store.dump()
    assert dump == {
        "mapping": [(SCOPE, "item", "a", "wix-a", "h1")],
        "pending": [(SCOPE, "run-2", "item", "b", "wix-b", None)],
        "intents": [],
    }
    store.close()


def test_the_applied_rollbacks_of_a_run(url):
    store = MappingStore(url)
    store.start_run(SCOPE, "r1")
    store.start_run(SCOPE, "u1", Journal(undoes="r1"))
    store.start_run(SCOPE, "u2", Journal(undoes="r1"))
    store.start_run(SCOPE, "u3", Journal(undoes="r0"))
    for run, status in (("u1", "applied"), ("u2", "failed"), ("u3", "applied")):
        store.finish_run(run, status, f"{run} {status}")
    [undo] = store.undone("r1")
    assert (undo.run_id, undo.scope, undo.status, undo.summary) == ("u1", SCOPE, "applied", "u1 applied")
    assert undo.finished is not None and undo.started <= undo.finished
    assert store.undone("u1") == []
    store.close()


# -- the availability layer ------------------------------------------------------------------------------


def entry(entity: str, location: str = "loc-1", until: datetime | None = None, **changes) -> LayerEntry:
    fields = {"kind": "dish", "available": False, "reason": f"86 {entity}", "source": LayerSource.CLI} | changes
    return LayerEntry(
        entity, fields["kind"], location, fields["available"], NOW, until, fields["reason"], fields["source"]
    )


def test_an_entry_comes_back_as_it_was_put(url):
    store = AvailabilityStore(url)
    forced = entry("large", EVERYWHERE, NOW + timedelta(hours=1), kind="variation", available=True, reason="back on")
    store.put([forced, entry("soup")], NOW)
    assert store.entries() == [forced, entry("soup")]
    store.close()


def test_times_are_stored_as_utc_iso_text(tmp_path):
    path = tmp_path / "state.sqlite"
    store = AvailabilityStore(path)
    local = datetime(2026, 12, 1, 19, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=2)))
    store.put([LayerEntry("soup", "dish", "loc-1", False, local, local + timedelta(hours=1), "", LayerSource.POS)], NOW)
    store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT since, until FROM availability").fetchall() == [
            ("2026-12-01T19:30:00Z", "2026-12-01T20:30:00Z")
        ]
        assert raw.execute("SELECT at, until FROM availability_log").fetchall() == [
            ("2026-12-01T18:30:00Z", "2026-12-01T20:30:00Z")
        ]


def test_times_are_stored_as_utc_whatever_the_machines_time_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # the machine's local time, for this test only
    time.tzset()
    try:
        store = AvailabilityStore(tmp_path / "state.sqlite")
        store.put([entry("soup", until=NOW + timedelta(hours=1))], NOW)
        store.close()
    finally:
        monkeypatch.undo()
        time.tzset()
    with sqlite3.connect(tmp_path / "state.sqlite") as raw:
        assert raw.execute("SELECT since, until FROM availability").fetchall() == [
            ("2026-12-01T18:30:00Z", "2026-12-01T19:30:00Z")
        ]


def test_active_at_a_location_and_the_next_expiry(url):
    store = AvailabilityStore(url)
    store.put([entry("soup", "loc-1"), entry("cake", "loc-2"), entry("tea", EVERYWHERE, until=NOW)], NOW)
    store.put([entry("pie", "loc-1", until=NOW + timedelta(minutes=5))], NOW)
    assert [e.entity for e in store.active(NOW, "loc-1")] == ["pie", "soup"]  # tea's until is now: over
    assert [e.entity for e in store.active(NOW)] == ["pie", "soup", "cake"]  # by location, then entity
    assert store.next_expiry(NOW) == NOW + timedelta(minutes=5)  # not tea's, which is now
    assert store.next_expiry(NOW + timedelta(minutes=5)) is None
    store.close()


def test_ending_entries_counts_them_and_logs_each(url):
    store = AvailabilityStore(url)
    until = NOW + timedelta(hours=1)
    store.put([entry("soup", until=until), entry("cake"), entry("tea")], NOW)
    later = NOW + timedelta(minutes=10)
    assert store.end([("loc-1", "nothing"), ("loc-1", "soup"), ("loc-1", "cake")], later) == 2
    assert [e.entity for e in store.entries()] == ["tea"]
    [cake, soup, *_] = store.log()
    assert (cake.at, cake.event, cake.entry.entity, cake.entry.until) == (later, LayerEvent.ENDED, "cake", None)
    assert (soup.at, soup.event, soup.entry.entity, soup.entry.until) == (later, LayerEvent.ENDED, "soup", until)
    assert soup.entry.kind == "" and soup.entry.reason == "86 soup" and soup.entry.source == LayerSource.CLI
    store.close()


def test_the_log_shows_the_newest_hundred_by_default(url):
    store = AvailabilityStore(url)
    store.put([entry(f"dish-{n:03d}") for n in range(101)], NOW)
    log = store.log()
    assert len(log) == 100 and log[0].entry.entity == "dish-100" and log[-1].entry.entity == "dish-001"
    assert len(store.log(limit=101)) == 101
    store.close()


@pytest.mark.e2e
@pytest.mark.postgres
@pytest.mark.parametrize("verb", ["put", "end"])
def test_postgresql_layer_writes_wait_for_each_other(postgres, verb):
    """A write of the layer waits while another transaction of the layer runs (seen in pg_locks)."""
    url = postgres.create_database()
    store, holder, observer = AvailabilityStore(url), Database(url), Database(url)
    store.put([entry("soup")], NOW)
    done = threading.Event()
    write = {"put": lambda: store.put([entry("cake")], NOW), "end": lambda: store.end([("loc-1", "soup")], NOW)}
    with holder.transaction():
        holder.serialise("availability")
        thread = threading.Thread(target=lambda: (write[verb](), done.set()))
        thread.start()
        wait_until(
            lambda: observer.execute("SELECT count(*) FROM pg_locks WHERE locktype='advisory' AND NOT granted")[0][0],
            f"the layer's {verb} to wait for the layer's lock",
        )
        assert not done.is_set()
    thread.join(timeout=30)
    assert done.is_set()
    for db in (holder, observer):
        db.close()
    store.close()
