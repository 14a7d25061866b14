"""What the state stores read back in a key's order comes back in Python's order of text (by code
point) whatever the database's collation: on SQLite, and on a PostgreSQL database created with ICU's
en-US collation, which orders "a" before "B" and "_x" before both (managed PostgreSQL databases are
often created with a language's collation). Plans, dumps and the memo's key must not depend on it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reconciler.state.availability import AvailabilityStore, LayerEntry, LayerSource
from reconciler.state.mapping import Entry, Intent, MappingStore

SCOPE = "wix-v3:cat-1"
NOW = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
IDS = ["B", "a", "_x", "A1", "é", "b"]  # a collation's order of these differs from Python's
ORDERED = sorted(IDS)


@pytest.fixture(params=["sqlite", pytest.param("postgres-icu", marks=[pytest.mark.e2e, pytest.mark.postgres])])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "state.sqlite")
    import psycopg

    server = request.getfixturevalue("postgres")
    name = f"icu_{tmp_path.name[-12:].lower().replace('-', '_')}"
    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
        )
        with psycopg.connect(server.url.rsplit("/", 1)[0] + f"/{name}") as icu:
            by_db = [r[0] for r in icu.execute("SELECT unnest(%s::text[]) AS s ORDER BY s", (IDS,)).fetchall()]
    assert by_db != ORDERED  # the premise: this database orders text otherwise
    return server.url.rsplit("/", 1)[0] + f"/{name}"


def test_mapping_rows_entries_pending_and_dump_come_back_in_code_point_order(url):
    store = MappingStore(url)
    store.stage(SCOPE, "run-1", [Entry("item", i, f"wix-{i}") for i in IDS])
    store.stage(SCOPE, "_run-0", [Entry("item", "z", "wix-z")])
    store.commit(SCOPE, "run-1")
    store.add_pending(SCOPE, "run-2", [Entry("item", i, f"wix2-{i}") for i in IDS])
    assert [e.local_id for e in store.entries(SCOPE)] == ORDERED
    assert [r[1] for r in store.rows(SCOPE)] == ORDERED
    assert list(store.pending(SCOPE)) == ["_run-0", "run-2"]  # by run, in code point order
    assert [e.local_id for e in store.pending(SCOPE)["run-2"]] == ORDERED
    dump = store.dump()
    assert [row[2] for row in dump["mapping"]] == ORDERED
    assert [row[3] for row in dump["pending"] if row[1] == "run-2"] == ORDERED
    store.close()


def test_intents_recorded_together_come_back_in_code_point_order(url):
    store = MappingStore(url)
    store.intend(SCOPE, "run-1", [Intent("item", i, {"name": i}) for i in IDS])
    store.intend(SCOPE, "_run-0", [Intent("item", "z", {"name": "z"})])
    assert list(store.intents(SCOPE)) == ["_run-0", "run-1"]  # by run, in code point order
    assert [row[3] for row in store.dump()["intents"] if row[1] == "run-1"] == ORDERED
    store.close()


def test_availability_entries_come_back_by_location_then_entity_in_code_point_order(url):
    store = AvailabilityStore(url)
    made = [
        LayerEntry(i, "dish", loc, False, NOW, None, "86", LayerSource.CLI) for loc in ("b-loc", "A-loc") for i in IDS
    ]
    store.put(made, NOW)
    assert [(e.location, e.entity) for e in store.entries()] == sorted((e.location, e.entity) for e in made)
    store.close()
