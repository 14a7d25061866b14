"""Publish is atomic for concurrent readers: a live list never mixes the old and the new catalog.

A reader polls List Items while a writer builds drafts (every item renamed to the next generation)
and publishes them. The writer waits until the reader has seen each generation before starting the
next (an event, not a sleep), so the test proves the reader ran throughout.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.emulator.helpers import bulk, create_draft, list_of, menu_section_dish, ok, publish
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

ITEMS = 45  # three bulk calls of up to 20 per generation
GENERATIONS = 4


class Reader(threading.Thread):
    def __init__(self, client: httpx.Client, catalog_id: str):
        super().__init__(daemon=True)
        self.client = client
        self.catalog_id = catalog_id
        self.stop = threading.Event()
        self.seen: set[str] = set()
        self.seen_changed = threading.Condition()
        self.polls = 0
        self.mixes: list[Any] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                items = ok(self.client.get(f"/v3/catalogs/{self.catalog_id}/items"))["items"]
                self.polls += 1
                names = {item["name"] for item in items}
                if len(names) != 1 or len(items) != ITEMS:
                    self.mixes.append(sorted(names))
                with self.seen_changed:
                    self.seen |= names
                    self.seen_changed.notify_all()
        except BaseException as exc:  # reported by the test thread
            self.error = exc
            with self.seen_changed:
                self.seen_changed.notify_all()

    def wait_for(self, name: str) -> None:
        with self.seen_changed:
            assert self.seen_changed.wait_for(lambda: name in self.seen or self.error is not None, timeout=60)


def build_catalog(client: httpx.Client, catalog_id: str) -> list[str]:
    menu, section, _ = menu_section_dish(client, catalog_id)
    create_draft(client, catalog_id)
    for start in range(1, ITEMS, 20):
        requests = [
            {"menuId": menu["id"], "sectionId": section["id"], "dish": {"name": "g0"}}
            for _ in range(start, min(start + 20, ITEMS))
        ]
        ok(bulk(client, catalog_id, "dishes/create", {"createDishRequests": requests, "returnFullEntity": False}))
    ok(
        bulk(
            client,
            catalog_id,
            "items/update",
            {"items": [{"id": list_of(client, catalog_id, "items")[0]["id"], "name": "g0"}]},
        )
    )
    publish(client, catalog_id)
    ids = [item["id"] for item in list_of(client, catalog_id, "items")]
    assert len(ids) == ITEMS
    return ids


def run_generations(writer: httpx.Client, reader: Reader, catalog_id: str, ids: list[str]) -> None:
    reader.start()
    try:
        reader.wait_for("g0")
        for generation in range(1, GENERATIONS + 1):
            create_draft(writer, catalog_id)
            for start in range(0, ITEMS, 20):
                items = [{"id": ident, "name": f"g{generation}"} for ident in ids[start : start + 20]]
                ok(bulk(writer, catalog_id, "items/update", {"items": items, "returnFullEntity": False}))
            publish(writer, catalog_id)
            reader.wait_for(f"g{generation}")
    finally:
        reader.stop.set()
        reader.join(timeout=30)
    assert reader.error is None, reader.error
    assert reader.mixes == []
    assert reader.seen == {f"g{n}" for n in range(GENERATIONS + 1)}
    assert reader.polls > GENERATIONS


def test_reader_never_sees_a_half_published_catalog(server: EmulatorServer, catalog: dict[str, str]) -> None:
    catalog_id = catalog["catalogId"]
    with server.client() as writer, server.client() as reading:
        ids = build_catalog(writer, catalog_id)
        run_generations(writer, Reader(reading, catalog_id), catalog_id, ids)


def test_two_server_processes_share_one_state_file(tmp_path: Path) -> None:
    """Several processes on one SQLite file: one publishes, the other serves reads."""
    state = tmp_path / "shared.sqlite"
    with EmulatorServer(state=state) as first, EmulatorServer(state=state) as second:
        [entry] = first.seed(locations=1)
        catalog_id = entry["catalogId"]
        with second.client() as writer, first.client() as reading:
            ids = build_catalog(writer, catalog_id)
            run_generations(writer, Reader(reading, catalog_id), catalog_id, ids)
        # Concurrent writers through both processes: nothing lost, no errors.
        errors: list[BaseException] = []

        def create_many(server: EmulatorServer, prefix: str) -> None:
            try:
                with server.client() as client:
                    for index in range(25):
                        ok(client.post(f"/v3/catalogs/{catalog_id}/variations", json={"name": f"{prefix}{index}"}))
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=create_many, args=(srv, name)) for srv, name in ((first, "a"), (second, "b"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        with first.client() as client:
            names = {item["name"] for item in list_of(client, catalog_id, "items")}
        assert {f"a{i}" for i in range(25)} | {f"b{i}" for i in range(25)} <= names
