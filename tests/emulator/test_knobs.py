"""Test knobs over HTTP: counters, request log, latency, and every kind of injected fault."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.emulator.helpers import app_error, bulk, create_draft, list_of, ok, violated
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e


def test_counters_and_request_log(server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    server.reset()
    assert server.counters() == {"total": 0, "operations": {}}
    api.get(f"/v3/catalogs/{cid}/items")
    api.get(f"/restaurants/v3/catalogs/{cid}/items")
    api.post(f"/v3/catalogs/{cid}/menus", json={"menu": {"name": "m"}})
    api.get(f"/v3/catalogs/{cid}/menus/not-there")
    server.health()  # admin calls are never counted
    assert server.counters() == {"total": 4, "operations": {"createMenu": 1, "getMenu": 1, "listItems": 2}}
    log = server.requests()
    assert [(e["seq"], e["method"], e["path"], e["operation"], e["status"]) for e in log] == [
        (1, "GET", f"/v3/catalogs/{cid}/items", "listItems", 200),
        (2, "GET", f"/restaurants/v3/catalogs/{cid}/items", "listItems", 200),
        (3, "POST", f"/v3/catalogs/{cid}/menus", "createMenu", 200),
        (4, "GET", f"/v3/catalogs/{cid}/menus/not-there", "getMenu", 404),
    ]
    assert [e["seq"] for e in server.requests(since=2)] == [3, 4]
    server.reset()
    assert server.counters() == {"total": 0, "operations": {}} and server.requests() == []


def test_latency_is_set_over_http_and_calls_still_answer(server: EmulatorServer, catalog: dict[str, str]) -> None:
    """How much the latency delays calls, and whether concurrent calls overlap, are benchmark
    figures (python -m bench.emulator); here: the knob is set, reported, and calls still answer."""
    server.set_latency(50)
    with httpx.Client(base_url=server.url) as admin:
        assert ok(admin.get("/_emulator/latency")) == {"ms": 50}

    async def five_at_once() -> list[int]:
        async with server.async_client() as client:
            path = f"/v3/catalogs/{catalog['catalogId']}/menus"
            return [r.status_code for r in await asyncio.gather(*(client.get(path) for _ in range(5)))]

    server.reset()
    assert asyncio.run(five_at_once()) == [200] * 5
    assert server.counters()["operations"] == {"listMenus": 5}
    assert server.health()  # the admin API answers (and is never delayed: Emulator.latency_for)
    server.set_latency(0)
    with httpx.Client(base_url=server.url) as admin:
        assert ok(admin.get("/_emulator/latency")) == {"ms": 0}


def test_nth_call_fails_times_in_a_row_with_500(
    server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]
) -> None:
    path = f"/v3/catalogs/{catalog['catalogId']}/menus"
    server.set_faults([{"operation": "listMenus", "fault": "500", "nth": 2, "times": 2}])
    statuses = [api.get(path).status_code for _ in range(5)]
    assert statuses == [200, 500, 500, 200, 200]
    assert api.get(f"/v3/catalogs/{catalog['catalogId']}/items").status_code == 200  # other operations untouched
    [rule] = server.faults()
    assert (rule["seen"], rule["fired"]) == (5, 2)


def test_500_body_is_a_wix_envelope(server: EmulatorServer, api: httpx.Client) -> None:
    server.set_faults([{"operation": "*", "fault": "500"}])
    app_error(api.get("/v3/catalogs"), 500, "INTERNAL")
    assert api.get("/v3/catalogs").status_code == 200


def test_429_carries_retry_after(server: EmulatorServer, api: httpx.Client) -> None:
    server.set_faults([{"operation": "listCatalogs", "fault": "429", "retryAfter": 7}])
    response = api.get("/v3/catalogs")
    app_error(response, 429, "RESOURCE_EXHAUSTED")
    assert response.headers["retry-after"] == "7"


def test_dropped_connection_is_a_protocol_error(server: EmulatorServer, api: httpx.Client) -> None:
    server.set_faults([{"operation": "listCatalogs", "fault": "drop"}])
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/v3/catalogs")
    assert api.get("/v3/catalogs").status_code == 200
    entry = server.requests()[-2]
    assert (entry["operation"], entry["fault"], entry["status"], entry["executed"]) == (
        "listCatalogs",
        "drop",
        None,
        False,
    )
    assert "Traceback" not in server.stderr_text()


def test_timeout_holds_the_response(server: EmulatorServer, api: httpx.Client) -> None:
    server.set_faults([{"operation": "listCatalogs", "fault": "timeout", "delayMs": 5000}])
    with pytest.raises(httpx.ReadTimeout):  # the client gives up long before the held response
        api.get("/v3/catalogs", timeout=0.5)
    server.set_faults([{"operation": "listCatalogs", "fault": "timeout", "delayMs": 200}])
    app_error(api.get("/v3/catalogs", timeout=10), 504, "DEADLINE_EXCEEDED")


def test_before_phase_does_not_execute(server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    server.set_faults([{"operation": "createMenu", "fault": "500", "phase": "before"}])
    assert api.post(f"/v3/catalogs/{cid}/menus", json={"menu": {"name": "m"}}).status_code == 500
    assert list_of(api, cid, "menus") == []


def test_lost_publish_response_after_phase(server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]) -> None:
    """The ambiguous outcome: publish ran, but the client never heard back."""
    cid = catalog["catalogId"]
    create_draft(api, cid)
    ok(bulk(api, cid, "menus/create", {"menus": [{"name": "Published"}]}))
    server.set_faults([{"operation": "publishDraftCatalog", "fault": "drop", "phase": "after"}])
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(f"/v3/draft-catalogs/{cid}/publish")
    assert [m["name"] for m in list_of(api, cid, "menus")] == ["Published"]
    app_error(api.post(f"/v3/draft-catalogs/{cid}/publish"), 404, "DRAFT_CATALOG_NOT_FOUND")
    dropped = [e for e in server.requests() if e["operation"] == "publishDraftCatalog"][-2]
    assert (dropped["fault"], dropped["executed"]) == ("drop", True)


def test_after_phase_with_an_error_status(server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]) -> None:
    cid = catalog["catalogId"]
    server.set_faults([{"operation": "createVariation", "fault": "503", "phase": "after", "times": 2}])
    assert api.post(f"/v3/catalogs/{cid}/variations", json={"name": "a"}).status_code == 503
    assert api.post(f"/v3/catalogs/{cid}/variations", json={"name": "b"}).status_code == 503
    assert [i["name"] for i in list_of(api, cid, "items")] == ["a", "b"]


def test_probability_rules_are_seeded(server: EmulatorServer, api: httpx.Client) -> None:
    def run() -> list[int]:
        server.set_faults([{"operation": "*", "fault": "500", "probability": 0.5, "seed": 42}])
        return [api.get("/v3/catalogs").status_code for _ in range(30)]

    first, second = run(), run()
    assert first == second
    assert 0 < first.count(500) < 30
    server.set_faults([{"operation": "*", "fault": "500", "probability": 0.0}])
    assert {api.get("/v3/catalogs").status_code for _ in range(10)} == {200}


def test_first_matching_rule_decides_and_each_counts(server: EmulatorServer, api: httpx.Client) -> None:
    server.set_faults(
        [
            {"operation": "listCatalogs", "fault": "429"},
            {"operation": "*", "fault": "500", "nth": 2},
        ]
    )
    assert [api.get("/v3/catalogs").status_code for _ in range(3)] == [429, 500, 200]


def test_invalid_rules_are_refused_and_delete_clears(server: EmulatorServer, api: httpx.Client) -> None:
    with httpx.Client(base_url=server.url) as admin:
        for rule in (
            {"fault": "teapot"},
            {"phase": "during"},
            {"nth": 0},
            {"probability": 2},
            {"nth": 1, "probability": 0.5},
            {"operation": ""},
            {"fault": "200"},
            {"unknown": True},
        ):
            violated(admin.post("/_emulator/faults", json={"rules": [rule]}), "")
        violated(admin.post("/_emulator/latency", json={"ms": -1}), "")
        ok(admin.post("/_emulator/faults", json={"rules": [{"fault": "500", "times": 100}]}))
        assert api.get("/v3/catalogs").status_code == 500
        assert ok(admin.delete("/_emulator/faults")) == {"rules": []}
    assert server.faults() == []
    assert api.get("/v3/catalogs").status_code == 200


def test_faults_apply_only_to_authenticated_routed_calls(server: EmulatorServer) -> None:
    server.set_faults([{"operation": "*", "fault": "500"}])
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.get("/v3/catalogs").status_code == 401
        assert anonymous.get("/_emulator/health").status_code == 200
    with server.client() as client:
        assert client.get("/v3/catalogs").status_code == 500


def test_an_element_fault_fails_one_element_of_a_bulk_call(
    server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]
) -> None:
    cid = catalog["catalogId"]
    create_draft(api, cid)
    server.set_faults([{"operation": "bulkCreateVariations", "fault": "element", "element": 1}])
    body = {"variations": [{"name": "S"}, {"name": "M"}, {"name": "L"}]}
    result = ok(bulk(api, cid, "variations/create", body))
    outcomes = [
        (r["entityMetadata"]["success"], (r["entityMetadata"].get("error") or {}).get("code"))
        for r in result["results"]
    ]
    assert outcomes == [(True, None), (False, "INJECTED_FAILURE"), (True, None)]
    assert result["bulkActionMetadata"] == {"totalSuccesses": 2, "totalFailures": 1, "undetailedFailures": 0}
    [rule] = server.faults()
    assert (rule["element"], rule["fired"]) == (1, 1)
    ok(bulk(api, cid, "variations/create", body))  # the rule fired once: the next call is whole
    ok(api.post(f"/v3/draft-catalogs/{cid}/publish", json={}))
    names = sorted(i["name"] for i in list_of(api, cid, "items"))
    assert names == ["L", "L", "M", "S", "S"]  # the failed element was rolled back alone
    assert server.set_faults([{"fault": "element"}])[0]["element"] == 0
    for wrong in ({"fault": "500", "element": 1}, {"fault": "element", "element": -1}):
        refused = api.post("/_emulator/faults", json={"rules": [wrong]})
        assert refused.status_code == 400 and "element" in refused.text


def test_a_touch_fault_edits_a_live_catalogs_v3_entity(
    server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]
) -> None:
    """An edit made in the live catalog while a draft is open (the draft does not see it)."""
    cid = catalog["catalogId"]
    item = ok(api.post(f"/v3/catalogs/{cid}/variations", json={"name": "Basil"}))
    item_id = item["variation"]["id"]
    server.touch("v3.items", item_id, operation="createDraftCatalog", set={"name": "Edited in the dashboard"})
    try:
        create_draft(api, cid)
        assert ok(api.get(f"/v3/catalogs/{cid}/items/{item_id}"))["item"]["name"] == "Edited in the dashboard"
        server.touch("v3.items", "0" * 8, operation="listMenus")
        app_error(api.get(f"/v3/catalogs/{cid}/menus"), 500, "TOUCH_FAILED")  # a mistyped id fails loudly
    finally:
        server.clear_faults()
        api.delete(f"/v3/draft-catalogs/{cid}/discard")
