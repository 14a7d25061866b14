"""The fake POS servers behave like the APIs the sync code will read (incremental reads, mutations)."""

from __future__ import annotations

import httpx
import pytest

from tests.sources.helpers import POS_FIXTURES, sq, sq_simple
from tests.support.fake_pos import FakePos

AUTH = {"Authorization": "Bearer t"}


def test_square_search_incremental_with_tombstones():
    fake = FakePos("square", sq(sq_simple("I1", "Tea", 100), sq_simple("I2", "Cake", 300)), token="t")
    with fake.running() as url, httpx.Client(base_url=url, headers=AUTH) as client:
        first = client.post("/v2/catalog/search", json={}).json()
        assert {o["id"] for o in first["objects"]} == {"I1", "I2"}
        since = first["latest_time"]
        assert client.post("/v2/catalog/search", json={"begin_time": since}).json()["objects"] == []

        assert client.post("/_fake/price", json={"id": "I1-V", "amount": 150}).status_code == 200
        client.post("/_fake/delete", json={"id": "I2"})
        changed = client.post("/v2/catalog/search", json={"begin_time": since}).json()
        assert [o["id"] for o in changed["objects"]] == ["I1"]  # the tombstone needs include_deleted_objects
        assert changed["latest_time"] > since
        variation = changed["objects"][0]["item_data"]["variations"][0]
        assert variation["item_variation_data"]["price_money"]["amount"] == 150
        with_deleted = client.post("/v2/catalog/search", json={"begin_time": since, "include_deleted_objects": True})
        flags = {o["id"]: o.get("is_deleted", False) for o in with_deleted.json()["objects"]}
        assert flags == {"I1": False, "I2": True}
        listed = client.get("/v2/catalog/list").json()["objects"]
        assert [o["id"] for o in listed] == ["I1"]
        assert client.post("/_fake/price", json={"id": "nope", "amount": 1}).status_code == 404


def test_square_search_pages_and_nested_types():
    fake = FakePos("square", POS_FIXTURES / "square-catalog.json", token="t", page_size=100)
    with fake.running() as url, httpx.Client(base_url=url, headers=AUTH) as client:
        page = client.post("/v2/catalog/search", json={"object_types": ["ITEM_VARIATION"], "limit": 3}).json()
        assert len(page["objects"]) == 3 and page["cursor"]
        rest = client.post("/v2/catalog/search", json={"object_types": ["ITEM_VARIATION"], "cursor": page["cursor"]})
        ids = [o["id"] for o in page["objects"] + rest.json()["objects"]]
        assert "VAR7BURGERDOUBLE00000001" in ids
        assert client.get("/v2/catalog/list", params={"cursor": "garbage"}).status_code == 400


def test_replacing_the_catalog_and_counting_requests():
    fake = FakePos("square", sq(sq_simple("I1", "Tea", 100)), token="t")
    with fake.running() as url, httpx.Client(base_url=url, headers=AUTH) as client:
        client.get("/v2/catalog/list")
        client.post("/_fake/catalog", json=sq(sq_simple("I9", "Soup", 500)))
        assert [o["id"] for o in client.get("/v2/catalog/list").json()["objects"]] == ["I9"]
        assert client.get("/_fake/requests").json() == {"total": 2, "counts": {"/v2/catalog/list": 2}}
        client.post("/_fake/requests/reset")
        assert client.get("/_fake/requests").json()["total"] == 0
        client.post("/_fake/fail", json={"status": 500})
        assert client.get("/v2/catalog/list").status_code == 500
        assert client.get("/v2/catalog/list").status_code == 200


def test_toast_metadata_moves_when_a_price_changes():
    fake = FakePos("toast", POS_FIXTURES / "toast-menus.json", token="t")
    guid = fake.data["restaurantGuid"]
    with fake.running() as url, httpx.Client(base_url=url, headers={**AUTH, "Toast-Restaurant-External-ID": guid}) as c:
        before = c.get("/menus/v2/metadata").json()["lastUpdated"]
        c.post("/_fake/price", json={"id": "a406d6ff-f7a8-44f3-b6e7-85515b4ae011", "amount": 3.5})
        assert c.get("/menus/v2/metadata").json()["lastUpdated"] > before
        menus = c.get("/menus/v2/menus").json()
        lemonade = menus["menus"][1]["menuGroups"][0]["menuItems"][0]
        assert lemonade["price"] == 3.5
        assert c.get("/menus/v2/menus", headers={"Toast-Restaurant-External-ID": ""}).status_code == 400


def test_clover_modified_time_filter_and_deletions():
    fake = FakePos("clover", POS_FIXTURES / "clover-inventory.json", token="t")
    with fake.running() as url, httpx.Client(base_url=url, headers=AUTH) as client:
        base = "/v3/merchants/M1CLOVERTEST1"
        everything = client.get(f"{base}/items").json()["elements"]
        since = max(i["modifiedTime"] for i in everything) + 1
        assert client.get(f"{base}/items", params={"filter": f"modifiedTime>={since}"}).json()["elements"] == []
        client.post("/_fake/price", json={"id": "SODA000000001", "amount": 275})
        client.post("/_fake/delete", json={"id": "COOKIE0000001"})
        changed = client.get(f"{base}/items", params={"filter": f"modifiedTime>={since}"}).json()["elements"]
        assert [(i["id"], i["price"]) for i in changed] == [("SODA000000001", 275)]
        deleted = client.get(f"{base}/items", params=[("filter", f"modifiedTime>={since}"), ("filter", "deleted=true")])
        assert {i["id"] for i in deleted.json()["elements"]} == {"SODA000000001", "COOKIE0000001"}
        assert client.get("/v3/merchants/OTHER/items").status_code == 404
        assert client.get(f"{base}/items", params={"filter": "price>1"}).status_code == 400


def test_unknown_pos_is_refused():
    with pytest.raises(ValueError):
        FakePos("lightspeed", {})
