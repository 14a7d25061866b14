"""--from-api against the fake POS servers (real HTTP on 127.0.0.1): paging, auth, retries."""

from __future__ import annotations

import json

import pytest

from reconciler.errors import ConfigError, PermanentApiError, TemporaryApiError
from reconciler.sources.base import ImportOptions
from reconciler.sources.service import import_from_api, import_from_file
from tests.sources.helpers import POS_FIXTURES
from tests.support.fake_pos import FakePos

TOKEN = "s3cret-token-value"
SQUARE = POS_FIXTURES / "square-catalog.json"
TOAST = POS_FIXTURES / "toast-menus.json"
CLOVER = POS_FIXTURES / "clover-inventory.json"
TOAST_GUID = json.loads(TOAST.read_text())["restaurantGuid"]


def square_env(url: str, token: str = TOKEN) -> dict[str, str]:
    return {"SQUARE_ACCESS_TOKEN": token, "SQUARE_API_BASE_URL": url}


def test_square_pages_through_list_catalog_and_matches_the_file_import():
    fake = FakePos("square", SQUARE, token=TOKEN, page_size=4)
    with fake.running() as url:
        output = import_from_api("square", ImportOptions(), environ=square_env(url))
    pages = fake.count("/v2/catalog/list")
    top_level = len(json.loads(SQUARE.read_text())["objects"])
    assert pages >= 3 and pages + fake.count("/v2/locations") == fake.total_requests
    listed = [q for _, path, q in fake.log if path == "/v2/catalog/list"]
    assert [q.get("cursor") is None for q in listed] == [True] + [False] * (pages - 1)
    # variations and modifiers were asked for, so they came twice (nested and top level)
    assert pages * 4 >= top_level
    assert output.text == import_from_file("square", SQUARE, ImportOptions()).text


def test_square_default_page_size_is_one_page_for_a_small_catalog():
    fake = FakePos("square", SQUARE, token=TOKEN)
    with fake.running() as url:
        import_from_api("square", ImportOptions(), environ=square_env(url))
    assert fake.count("/v2/catalog/list") == 1


def test_a_wrong_token_is_a_permanent_error_that_does_not_show_the_token():
    fake = FakePos("square", SQUARE, token="the-right-one")
    with fake.running() as url, pytest.raises(PermanentApiError) as caught:
        import_from_api("square", ImportOptions(), environ=square_env(url), sleep=_no_sleep([]))
    assert caught.value.status == 401 and "access token" in str(caught.value)
    assert TOKEN not in str(caught.value) + caught.value.body + repr(caught.value)
    assert fake.count("/v2/catalog/list") == 1  # not retried


def test_temporary_failures_are_retried_with_back_off():
    slept: list[float] = []
    fake = FakePos("square", SQUARE, token=TOKEN, page_size=100)
    fake.fail_next(503, times=2)
    with fake.running() as url:
        output = import_from_api("square", ImportOptions(), environ=square_env(url), sleep=_no_sleep(slept))
    # The one retry policy of reconciler.http: exponential back-off (0.25 s, 0.5 s, …) with full jitter.
    assert len(slept) == 2 and 0 <= slept[0] <= 0.25 and 0 <= slept[1] <= 0.5
    assert fake.count("/v2/catalog/list") == 3
    assert output.result.catalog.dishes

    fake.fail_next(429, times=5)
    with fake.running() as url, pytest.raises(TemporaryApiError) as caught:
        import_from_api("square", ImportOptions(), environ=square_env(url), sleep=_no_sleep([]))
    assert caught.value.status == 429


def test_an_unreachable_server_is_a_temporary_error_without_the_token():
    fake = FakePos("square", SQUARE, token=TOKEN)
    with fake.running() as url:
        pass  # the server is gone again: its port refuses connections
    with pytest.raises(TemporaryApiError) as caught:
        import_from_api("square", ImportOptions(), environ=square_env(url), sleep=_no_sleep([]))
    assert TOKEN not in str(caught.value)


def test_missing_environment_is_a_config_error():
    with pytest.raises(ConfigError, match="SQUARE_ACCESS_TOKEN"):
        import_from_api("square", ImportOptions(), environ={})
    with pytest.raises(ConfigError, match="TOAST_RESTAURANT_GUID"):
        import_from_api("toast", ImportOptions(currency="USD"), environ={"TOAST_ACCESS_TOKEN": "x"})
    with pytest.raises(ConfigError, match="CLOVER_ACCESS_TOKEN, CLOVER_MERCHANT_ID"):
        import_from_api("clover", ImportOptions(), environ={})


def test_toast_reads_one_document_for_the_restaurant_header():
    fake = FakePos("toast", TOAST, token=TOKEN)
    env = {"TOAST_ACCESS_TOKEN": TOKEN, "TOAST_RESTAURANT_GUID": TOAST_GUID}
    with fake.running() as url:
        output = import_from_api("toast", ImportOptions(currency="USD"), environ={**env, "TOAST_API_BASE_URL": url})
        with pytest.raises(PermanentApiError) as caught:
            import_from_api(
                "toast",
                ImportOptions(currency="USD"),
                environ={**env, "TOAST_API_BASE_URL": url, "TOAST_RESTAURANT_GUID": "someone-else"},
            )
    assert caught.value.status == 403
    assert fake.count("/menus/v2/menus") == 2
    assert output.text == import_from_file("toast", TOAST, ImportOptions(currency="USD")).text


def test_clover_pages_with_offset_and_limit_and_matches_the_file_import():
    fake = FakePos("clover", CLOVER, token=TOKEN)
    env = {"CLOVER_ACCESS_TOKEN": TOKEN, "CLOVER_MERCHANT_ID": "M1CLOVERTEST1"}
    with fake.running() as url:
        output = import_from_api("clover", ImportOptions(), environ={**env, "CLOVER_API_BASE_URL": url}, page_size=2)
    items = [q for _, path, q in fake.log if path.endswith("/items")]
    assert [q["offset"] for q in items] == ["0", "2", "4", "6", "8"]  # 9 items, pages of 2
    assert all(q["limit"] == "2" for q in items)
    assert fake.count("/v3/merchants/M1CLOVERTEST1") == 1  # the merchant: its currency
    assert output.text == import_from_file("clover", CLOVER, ImportOptions()).text


def test_clover_categories_beyond_the_expansion_cap_are_read_in_full():
    items = [{"id": f"ITEM{n:09d}", "name": f"Dish {n:03d}", "price": 100 + n} for n in range(150)]
    data = {
        "merchant": {"id": "M2", "currency": "USD"},
        "items": items,
        "categories": [
            {"id": "BIG", "name": "Everything", "items": {"elements": [{"id": i["id"]} for i in reversed(items)]}}
        ],
    }
    fake = FakePos("clover", data, token=TOKEN)
    env = {"CLOVER_ACCESS_TOKEN": TOKEN, "CLOVER_MERCHANT_ID": "M2"}
    with fake.running() as url:
        output = import_from_api("clover", ImportOptions(), environ={**env, "CLOVER_API_BASE_URL": url}, page_size=100)
    assert fake.count("/v3/merchants/M2/categories/BIG/items") == 2
    (section,) = output.result.catalog.menus[0].sections
    assert section.dishes == [f"clover-{i['id']}" for i in reversed(items)]  # the category's own order, all 150


def _no_sleep(record: list[float]):
    return record.append


def test_square_from_the_api_reads_the_merchants_locations_and_imports_them_all(tmp_path):
    data = json.loads(SQUARE.read_text())
    data["locations"] = [{"id": "LOC1", "name": "Downtown"}, {"id": "LOC2", "name": "Airport"}]
    fake = FakePos("square", data, token=TOKEN)
    with fake.running() as url:
        chain = import_from_api("square", ImportOptions(), environ=square_env(url)).result.catalog
        one = import_from_api("square", ImportOptions(location="LOC2"), environ=square_env(url)).result.catalog
    assert fake.count("/v2/locations") == 2
    assert [(loc.pos_location, loc.name) for loc in chain.locations] == [("LOC1", "Downtown"), ("LOC2", "Airport")]
    assert not one.locations  # --location: one location, as before
