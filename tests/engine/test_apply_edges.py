"""Apply's edges: drafts left behind, verification, locations, batching, retries."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest

from reconciler.emulator import Emulator, open_store, seed
from reconciler.engine.diff import diff
from reconciler.engine.essence import essence
from reconciler.engine.planfile import seal
from reconciler.engine.verify import verify
from reconciler.errors import ConfigError, LockHeld, PermanentApiError, TemporaryApiError
from reconciler.http import RetryPolicy, Session
from reconciler.model.catalog import Catalog
from reconciler.targets.registry import emulator_target
from reconciler.targets.wix_v3.capabilities import CAPABILITIES
from reconciler.yamlio.load import load_catalog
from tests.engine.harness import Harness


def pizzeria() -> Catalog:
    return load_catalog("catalogs/pizzeria.yaml")


def test_someone_elses_draft_is_left_alone_unless_taken_over(tmp_path):
    h = Harness(tmp_path)
    h.call("createDraftCatalog", "POST", "/draft-catalogs/{catalog}/create", {})
    with pytest.raises(LockHeld, match="--takeover-draft"):
        h.apply(pizzeria())
    assert h.raw_live()["items"] == []
    result = h.apply(pizzeria(), takeover_draft=True)
    assert result.differences == []


def test_a_draft_left_by_our_own_interrupted_run_is_discarded(tmp_path):
    h = Harness(tmp_path)
    scope = h.run(_scope(h))
    h.store.start_run(scope, "interrupted-run")  # the journal of a run that died mid-way
    h.call("createDraftCatalog", "POST", "/draft-catalogs/{catalog}/create", {})
    result = h.apply(pizzeria())
    assert result.differences == [] and h.plan(pizzeria()).empty
    statuses = {run[0]: run[4] for run in h.store.runs(scope)}
    assert statuses["interrupted-run"] == "abandoned"


async def _scope(h) -> str:
    async with h.target() as target:
        return await target.scope()


def test_verify_reports_a_live_catalog_that_differs(tmp_path):
    h = Harness(tmp_path)
    plan = h.plan(pizzeria())
    h.apply(plan)
    wix_id = h.plan(pizzeria()).ids["item:caesar"]
    h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": {"name": "Changed"}})

    async def check():
        async with h.target() as target:
            return await verify(plan, target, h.store)

    assert h.run(check()) == ["item caesar differs from the desired state"]


@pytest.mark.parametrize("api", ["v3", "menus"])
def test_an_empty_plan_is_verified_too(tmp_path, api):
    """Verify is what catches a plan that missed a change (a diff that loses a field on both sides
    gives an empty plan), so it runs whether or not the plan has calls."""
    h = Harness(tmp_path, api=api)
    h.apply(pizzeria())
    plan = h.plan(pizzeria())
    assert plan.empty and not plan.operations
    wix_id = plan.ids["item:caesar"]
    if api == "v3":
        h.call("updateItem", "PATCH", f"/catalogs/{{catalog}}/items/{wix_id}", {"item": {"name": "Changed"}})
    else:
        [item] = [i for i in h.raw_site()["item"] if i["id"] == wix_id]
        path = f"/restaurants/menus-item/v1/items/{wix_id}"
        edit = {"id": wix_id, "revision": item["revision"], "name": "Changed", "priceInfo": item["priceInfo"]}
        h.call("items.updateItem", "PATCH", path, {"item": edit})

    async def fetch():
        async with h.target() as target:
            return await target.fetch()

    # An empty plan made against the edited site, as a planner that missed the edit would make it
    # (apply refuses a plan whose live catalog moved since, so the plan must be of the edited site).
    raw = h.run(fetch())
    missed = seal(replace(plan, live_fingerprint=raw.fingerprint(), live_hashes=raw.hashes()))
    result = h.apply(missed)
    assert result.differences == ["item caesar differs from the desired state"]
    assert h.apply(missed, verify=False).differences == []


def test_renaming_a_dish_is_one_update_of_the_same_id():
    before = pizzeria()
    data = before.model_dump()
    data["dishes"][0]["name"] = "Margherita DOP"
    changes = diff(essence(Catalog.model_validate(data)), essence(before), CAPABILITIES.rank)
    assert [(c.action, c.kind, c.id, [f.path for f in c.fields]) for c in changes] == [
        ("update", "dish", "margherita", ["name"])
    ]


def test_bulk_calls_hold_at_most_20_elements(tmp_path):
    data = pizzeria().model_dump()
    extra = [{"id": f"special-{i}", "name": f"Special {i}", "price": "9.00"} for i in range(45)]
    data["dishes"] += extra
    data["menus"][0]["sections"][0]["dishes"] += [d["id"] for d in extra]
    big = Catalog.model_validate(data)
    h = Harness(tmp_path)
    plan = h.plan(big)
    dish_batches = [len(op.body["createDishRequests"]) for op in plan.operations if op.call == "bulkCreateDishes"]
    assert dish_batches == [20, 20, 12]
    assert all(len(v) <= 20 for op in plan.operations if op.body for v in op.body.values() if isinstance(v, list))
    assert h.apply(plan).differences == []


def test_location_is_resolved_by_name_or_id_and_required_when_ambiguous(tmp_path):
    emulator = Emulator(open_store(str(tmp_path / "site.sqlite")))
    downtown, airport = seed(emulator.store, locations=2, names=["Downtown", "Airport"])

    async def resolve(location):
        async with emulator_target(emulator, location) as target:
            return await target.resolve()

    assert asyncio.run(resolve("Airport")).catalog_id == airport.catalog_id
    assert asyncio.run(resolve(downtown.location_id)).catalog_id == downtown.catalog_id
    with pytest.raises(ConfigError, match=r'several business locations.*"Downtown", "Airport"'):
        asyncio.run(resolve(None))
    with pytest.raises(ConfigError, match='no business location is named or has the id "Uptown"'):
        asyncio.run(resolve("Uptown"))


def test_429_is_retried_after_retry_after_and_secrets_are_redacted(tmp_path):
    emulator = Emulator(open_store(None))
    seed(emulator.store, locations=1)
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go(rules, token="sandbox-local-token"):
        emulator.set_faults(rules)
        async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://emulator.invalid") as client:
            session = Session(
                client,
                {"Authorization": token},
                [token],
                RetryPolicy(attempts=4, base_delay=0.5, jitter=lambda cap: cap),
                sleep=fake_sleep,
            )
            try:
                return await session.call("listLocations", "GET", "/locations/v1/locations")
            finally:
                emulator.clear_faults()

    assert asyncio.run(go([{"operation": "listLocations", "fault": "429", "times": 2, "retryAfter": 3}]))["locations"]
    assert waits == [3.0, 3.0]
    waits.clear()
    assert asyncio.run(go([{"operation": "listLocations", "fault": "503", "times": 2}]))["locations"]
    assert waits == [0.5, 1.0]  # exponential backoff without Retry-After
    with pytest.raises(TemporaryApiError):
        asyncio.run(go([{"operation": "listLocations", "fault": "500", "times": 10}]))
    with pytest.raises(PermanentApiError) as caught:
        asyncio.run(go([], token="wrong-secret-token"))
    assert caught.value.status == 401 and "wrong-secret-token" not in str(caught.value) + caught.value.body
