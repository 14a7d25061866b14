"""List Catalogs (§3.2 #1): filters, offset paging, sort, the `.r` form and plain params; both prefixes."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.emulator.helpers import PREFIXES, new_guid, ok, violated
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e


def dot_r(request: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(request).encode()).decode().rstrip("=")


@pytest.fixture
def five(server: EmulatorServer) -> list[dict[str, str]]:
    return server.seed(locations=5)


def ids_of(response: httpx.Response) -> list[str]:
    return [c["id"] for c in ok(response)["catalogs"]]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_location_filter_with_repeated_params(api: httpx.Client, five: list[dict[str, str]], prefix: str) -> None:
    wanted = [five[3], five[1]]
    params = [("locationIds", entry["locationId"]) for entry in wanted]
    catalogs = ok(api.get(f"{prefix}/catalogs", params=params))["catalogs"]
    # Creation order (U23), whatever the order of the filter.
    assert catalogs == [
        {
            "id": five[1]["catalogId"],
            "locationId": five[1]["locationId"],
            "archived": False,
            "draftPublishedDate": None,
        },
        {
            "id": five[3]["catalogId"],
            "locationId": five[3]["locationId"],
            "archived": False,
            "draftPublishedDate": None,
        },
    ]


def test_exactly_one_catalog_per_location(api: httpx.Client, five: list[dict[str, str]]) -> None:
    for entry in five:
        assert ids_of(api.get("/v3/catalogs", params={"locationIds": entry["locationId"]})) == [entry["catalogId"]]


def test_dot_r_form_with_paging_and_sort(api: httpx.Client, five: list[dict[str, str]]) -> None:
    location_ids = [entry["locationId"] for entry in five]
    by_id = sorted(entry["catalogId"] for entry in five)
    request = {
        "paging": {"limit": 2, "offset": 1},
        "sort": {"fieldName": "id", "order": "DESC"},
        "locationIds": location_ids,
    }
    assert ids_of(api.get("/v3/catalogs", params={".r": dot_r(request)})) == list(reversed(by_id))[1:3]
    request["sort"] = {"fieldName": "id"}  # order defaults to ASC
    assert ids_of(api.get("/restaurants/v3/catalogs", params={".r": dot_r(request)})) == by_id[1:3]


def test_dotted_paging_params(api: httpx.Client, five: list[dict[str, str]]) -> None:
    params = [("locationIds", e["locationId"]) for e in five] + [("paging.limit", "3"), ("paging.offset", "3")]
    assert ids_of(api.get("/v3/catalogs", params=params)) == [five[3]["catalogId"], five[4]["catalogId"]]


def test_default_limit_is_50(server: EmulatorServer, api: httpx.Client) -> None:
    server.seed(locations=51)
    assert len(ok(api.get("/v3/catalogs"))["catalogs"]) == 50
    assert len(ok(api.get("/v3/catalogs", params={"paging.limit": "1000"}))["catalogs"]) > 50


def test_unknown_sort_field_keeps_creation_order(api: httpx.Client, five: list[dict[str, str]]) -> None:
    request = {"sort": {"fieldName": "name", "order": "DESC"}, "locationIds": [e["locationId"] for e in five]}
    assert ids_of(api.get("/v3/catalogs", params={".r": dot_r(request)})) == [e["catalogId"] for e in five]


def test_sort_by_draft_published_date(api: httpx.Client, five: list[dict[str, str]]) -> None:
    published = five[2]["catalogId"]
    ok(api.post(f"/v3/draft-catalogs/{published}/create"))
    ok(api.post(f"/v3/draft-catalogs/{published}/publish"))
    request = {
        "sort": {"fieldName": "draftPublishedDate", "order": "DESC"},
        "locationIds": [e["locationId"] for e in five],
    }
    assert ids_of(api.get("/v3/catalogs", params={".r": dot_r(request)}))[0] == published
    request["sort"]["order"] = "ASC"
    assert ids_of(api.get("/v3/catalogs", params={".r": dot_r(request)}))[-1] == published


def test_archived_flag_u8(server: EmulatorServer, api: httpx.Client, five: list[dict[str, str]]) -> None:
    server.archive(five[0]["catalogId"], "catalog")
    location_ids = [("locationIds", e["locationId"]) for e in five]
    assert five[0]["catalogId"] not in ids_of(api.get("/v3/catalogs", params=location_ids))
    both = ok(api.get("/v3/catalogs", params=[*location_ids, ("archived", "true")]))["catalogs"]
    assert [c["id"] for c in both] == [e["catalogId"] for e in five]
    assert both[0]["archived"] is True and both[1]["archived"] is False


def test_an_archived_catalog_refuses_mutations(
    server: EmulatorServer, api: httpx.Client, catalog: dict[str, str]
) -> None:
    from tests.emulator.helpers import app_error

    cid = catalog["catalogId"]
    server.archive(cid, "catalog")
    app_error(api.post(f"/v3/catalogs/{cid}/menus", json={"menu": {"name": "x"}}), 428, "CATALOG_ARCHIVED")
    app_error(api.post(f"/v3/draft-catalogs/{cid}/create"), 428, "CATALOG_ARCHIVED")
    assert ok(api.get(f"/v3/catalogs/{cid}/menus"))["menus"] == []  # reads still work


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"paging.limit": "1001"}, "paging.limit", "MAX"),
        ({"paging.limit": "-1"}, "paging.limit", "MIN"),
        ({"paging.offset": "-5"}, "paging.offset", "MIN"),
        ({"paging.limit": "ten"}, "paging.limit", "FORMAT"),
        ({"locationIds": "not-a-guid"}, "locationIds[0]", "FORMAT"),
        ({"sort.fieldName": "x" * 513}, "sort.fieldName", "MAX_LENGTH"),
        ({"sort.fieldName": "id", "sort.order": "SIDEWAYS"}, "sort.order", "INVALID_ENUM_VALUE"),
        ({"archived": "maybe"}, "archived", "FORMAT"),
    ],
)
def test_invalid_list_requests_are_400(api: httpx.Client, params: dict[str, str], field: str, rule: str) -> None:
    violated(api.get("/v3/catalogs", params=params), field, rule)


def test_limit_1000_is_allowed(api: httpx.Client) -> None:
    assert api.get("/v3/catalogs", params={".r": dot_r({"paging": {"limit": 1000}})}).status_code == 200


def test_malformed_dot_r_is_400(api: httpx.Client) -> None:
    violated(api.get("/v3/catalogs", params={".r": "%%%not-base64"}), ".r", "FORMAT")


def test_drafts_are_not_listed_u5(api: httpx.Client, catalog: dict[str, str]) -> None:
    ok(api.post(f"/v3/draft-catalogs/{catalog['catalogId']}/create"))
    assert ids_of(api.get("/v3/catalogs", params={"locationIds": catalog["locationId"]})) == [catalog["catalogId"]]


def test_unknown_location_matches_nothing(api: httpx.Client) -> None:
    assert ids_of(api.get("/v3/catalogs", params={"locationIds": new_guid()})) == []
