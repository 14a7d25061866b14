"""`python -m bench.emulator`: the emulator's own speed goals, measured and printed next to each goal.

These used to be assertions in tests/emulator/, where they failed on a loaded machine for reasons
unrelated to the code under test. A benchmark reports them instead; none of them fails a build.

    start-up             `reconcile emulator serve` until it prints its URL          goal < 2 s
    small response       median of 15 List Catalogs over HTTP (delayed-ack check)   goal < 25 ms
    latency overlap      5 concurrent calls with 300 ms latency, HTTP and in-process floor 300 ms
    admin under latency  /_emulator/health while 300 ms latency is set              goal < 300 ms
    10,000 items         List Items (full and masked), Create Draft, bulk update of 20, Publish; the
                         draft cycle of a one-dish change, copy-on-write vs a full-copy draft
    1,000 sites          seed --sites 1000 --dishes 100-300 into a state file (the fleet benchmark's bed)

python -m bench.emulator              all of the above
python -m bench.emulator --items 2000 a smaller scale case
python -m bench.emulator --sites 100  fewer seeded sites
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from reconciler.emulator import SANDBOX_TOKEN, Emulator, open_store, seed, seed_sites
from reconciler.emulator.store import DRAFT, LIVE, Store
from reconciler.emulator.v3 import enums, shapes
from reconciler.emulator.v3.repo import API, CONTENT_KINDS, CatalogScope
from tests.support.emulator_server import EmulatorServer

Row = tuple[str, float, str]  # (what, seconds, goal or floor)
Step = Callable[[], object]
Caller = Callable[..., Step]


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def startup(work: Path) -> list[Row]:
    started = time.perf_counter()
    with EmulatorServer(state=work / "startup.sqlite"):
        elapsed = time.perf_counter() - started
    return [("start-up (serve until the URL line)", elapsed, "goal < 2 s")]


def small_responses() -> list[Row]:
    with EmulatorServer() as server, server.client() as client:
        client.get("/_emulator/health")
        params = {"locationIds": "00000000-0000-4000-8000-000000000000"}
        durations = [_timed(lambda: client.get("/restaurants/v3/catalogs", params=params)) for _ in range(15)]
    return [("small response, median of 15 over HTTP", statistics.median(durations), "goal < 25 ms")]


def latency_overlap() -> list[Row]:
    rows: list[Row] = []
    with EmulatorServer() as server:
        [location] = server.seed(locations=1)
        path = f"/v3/catalogs/{location['catalogId']}/menus"
        server.set_latency(300)

        async def five(client: httpx.AsyncClient) -> None:
            await asyncio.gather(*(client.get(path) for _ in range(5)))

        async def over_http() -> float:
            async with server.async_client() as client:
                started = time.perf_counter()
                await five(client)
                return time.perf_counter() - started

        overlap = asyncio.run(over_http())
        rows.append(("5 concurrent calls, 300 ms latency, HTTP", overlap, "floor 300 ms, goal < 1.5 s"))
        rows.append(("admin call while latency is set", _timed(server.health), "goal < 300 ms (never delayed)"))
        server.set_latency(0)

    emulator = Emulator(open_store(None), token=SANDBOX_TOKEN)
    [entry] = seed(emulator.store, 1)
    emulator.set_latency(200)

    async def in_process() -> float:
        async with httpx.AsyncClient(
            transport=emulator.transport(), base_url="http://sandbox", headers={"Authorization": SANDBOX_TOKEN}
        ) as client:
            started = time.perf_counter()
            await asyncio.gather(*(client.get(f"/v3/catalogs/{entry.catalog_id}/items") for _ in range(5)))
            return time.perf_counter() - started

    rows.append(("5 concurrent calls, 200 ms latency, in-process", asyncio.run(in_process()), "floor 200 ms"))
    return rows


def scale(items: int) -> list[Row]:
    store = open_store(None)
    [entry] = seed(store, 1)
    catalog_id = entry.catalog_id
    ids = []
    with store.write() as tx:
        scope = CatalogScope(tx, catalog_id, LIVE, "USD")
        for index in range(items):
            raw = {"name": f"Dish {index}", "price": {"value": f"{index}.50"}, "labels": {"values": ["vegan"]}}
            item = shapes.build_item(raw, str(uuid.uuid4()), enums.DISH, "USD")
            scope.items.insert(item["id"], item, subtype=enums.DISH)
            ids.append(item["id"])
    emulator = Emulator(store, token="t")

    def call(method: str, path: str, body: object = None, query: str = "") -> Step:
        raw = json.dumps(body).encode() if body is not None else b""
        return lambda: emulator.handle(method, path, query, {"Authorization": "t"}, raw)

    update = {"items": [{"id": ident, "price": {"value": "1.00"}} for ident in ids[:20]]}
    n = f"{items:,}"
    rows = [
        (f"List Items of {n}", _timed(call("GET", f"/v3/catalogs/{catalog_id}/items")), "goal < 0.5 s"),
        (
            f"List Items of {n}, fieldMask=name",
            _timed(call("GET", f"/v3/catalogs/{catalog_id}/items", query="fieldMask=name")),
            "goal < 2 s",
        ),
        (f"Create Draft of {n}", _timed(call("POST", f"/v3/draft-catalogs/{catalog_id}/create")), "goal < 2 s"),
        (
            f"bulk update of 20 in a draft of {n}",
            _timed(call("POST", f"/v3/draft-catalogs/{catalog_id}/bulk/items/update", update)),
            "goal < 0.5 s",
        ),
        (f"Publish a draft of {n}", _timed(call("POST", f"/v3/draft-catalogs/{catalog_id}/publish")), "goal < 3 s"),
    ]
    return rows + _small_change(store, emulator, catalog_id, n, call)


def _small_change(store: Store, emulator: Emulator, catalog_id: str, n: str, call: Caller) -> list[Row]:
    """The draft cycle of a one-dish change (what ``apply`` of a small edit costs the emulator),
    copy-on-write against the full copy drafts used to make (the same SQL, run on the store)."""
    with store.read() as tx:
        one = CatalogScope(tx, catalog_id, LIVE, "USD").items.texts()[0]
    ident = json.loads(one)["id"]
    change = {"items": [{"id": ident, "price": {"value": "2.00"}}]}
    cycle = [
        call("POST", f"/v3/draft-catalogs/{catalog_id}/create"),
        call("POST", f"/v3/draft-catalogs/{catalog_id}/bulk/items/update", change),
        call("POST", f"/v3/draft-catalogs/{catalog_id}/publish"),
    ]
    copy_on_write = _timed(lambda: [step() for step in cycle])

    def full_copy() -> None:
        with store.write() as tx:
            tx.copy_scope(API, catalog_id, CONTENT_KINDS, source=LIVE, target=DRAFT)
            tx.replace_scope(API, catalog_id, CONTENT_KINDS, source=DRAFT, target=LIVE)

    return [
        (f"draft cycle of a 1-dish change in {n} (copy-on-write)", copy_on_write, "floor: 3 calls, 1 row"),
        ("the same with a full-copy draft (before): copy and publish only", _timed(full_copy), f"{n} rows twice"),
    ]


def fleet(work: Path, sites: int) -> list[Row]:
    rows: list[Row] = []
    for app in ("menus", "v3"):
        store = open_store(str(work / f"fleet-{app}.sqlite"))
        started = time.perf_counter()
        made = seed_sites(store, sites, app=app, dishes=(100, 300))
        elapsed = time.perf_counter() - started
        store.close()
        dishes = sum(location.dishes for site in made for location in site.locations)
        rows.append((f"seed {sites:,} {app} sites, {dishes:,} dishes", elapsed, "goal < 10 s for 1,000"))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.emulator", description="The emulator's speed goals.")
    parser.add_argument("--items", type=int, default=10_000, help="items in the scale case (default 10,000)")
    parser.add_argument("--sites", type=int, default=1_000, help="seeded sites in the fleet case (default 1,000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        rows = startup(Path(work)) + small_responses() + latency_overlap() + scale(args.items)
        rows += fleet(Path(work), args.sites)
    width = max(len(what) for what, _, _ in rows)
    for what, seconds, goal in rows:
        print(f"{what:<{width}}  {seconds * 1000:9.1f} ms   {goal}")


if __name__ == "__main__":
    main()
