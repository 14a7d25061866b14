"""What Wix's SDK packages declare, checked here too without Node: a menu's SEO data defaults, the
site-domain paths the SDK emits for a non-Wix host, and request ids on errors (tests/sdk/ runs the
SDK itself)."""

from __future__ import annotations

import pytest

from tests.emulator.menus.conftest import Box
from tests.emulator.menus.helpers import Wix, app_error, new_guid, ok

pytestmark = pytest.mark.e2e  # most tests use the real server

SEO = {
    "tags": [
        {"type": "title", "children": "Dinner"},
        {"type": "meta", "props": {"name": "description", "content": "Pizza"}, "custom": True},
    ],
    "settings": {"keywords": [{"term": "pizza"}]},
}


def test_seo_data_comes_back_with_the_declared_defaults(wix: Wix) -> None:
    menu = wix.create("menus", seoData=SEO)
    assert menu["seoData"] == {
        "tags": [
            {"type": "title", "children": "Dinner", "custom": False, "disabled": False},
            {
                "type": "meta",
                "props": {"name": "description", "content": "Pizza"},
                "children": "",
                "custom": True,
                "disabled": False,
            },
        ],
        "settings": {"preventAutoRedirect": False, "keywords": [{"term": "pizza", "isMain": False}]},
    }
    assert wix.get("menus", menu["id"])["seoData"] == menu["seoData"]
    # Settings alone still get `tags`; no settings means none are invented.
    updated = wix.update("menus", menu["id"], menu["revision"], seoData={"settings": {"preventAutoRedirect": True}})
    assert updated["seoData"] == {"tags": [], "settings": {"preventAutoRedirect": True, "keywords": []}}
    assert wix.create("menus", seoData={})["seoData"] == {"tags": []}
    assert "seoData" not in wix.create("menus")


@pytest.mark.parametrize("tag_type", ["title", "script"])
def test_a_custom_title_or_script_tag_is_refused(wix: Wix, tag_type: str) -> None:
    response = wix.create_raw("menus", {"name": "Menu", "seoData": {"tags": [{"type": tag_type, "custom": True}]}})
    app_error(response, 400, "TAG_TYPE_NOT_ALLOWED")


def test_seo_tag_fields_are_type_checked(wix: Wix) -> None:
    response = wix.create_raw("menus", {"name": "Menu", "seoData": {"tags": [{"type": "meta", "custom": "yes"}]}})
    assert response.status_code == 400
    assert [v["field"] for v in response.json()["details"]["validationError"]["fieldViolations"]] == [
        "menu.seoData.tags[0].custom"
    ]


@pytest.mark.parametrize(
    ("service", "prefix", "collection", "key"),
    [
        ("menus", "/_api/restaurants-menus-menu/v1", "/menus", "menu"),
        ("sections", "/_api/restaurants-menus-section/v1", "/sections", "section"),
        ("items", "/_api/restaurants-menus-item/v1", "/items", "item"),
        ("variants", "/_api/restaurants-menus-item-variant/v1", "/variants", "variant"),
        ("labels", "/_api/restaurants-menus-item-labels/v1", "/labels", "label"),
        ("modifiers", "/_api/restaurants-menus-item-modifier/v1", "/modifiers", "modifier"),
        ("modifierGroups", "/_api/restaurants-modifier-group/v1", "/modifier-groups", "modifierGroup"),
    ],
)
def test_site_domain_paths_serve_the_same_endpoints(
    box: Box, service: str, prefix: str, collection: str, key: str
) -> None:
    created = box.wix.create(service)
    got = ok(box.client.get(f"{prefix}{collection}/{created['id']}"))[key]
    assert got == created
    assert box.emulator.counters()["operations"][f"{service}.get{service[0].upper()}{service[1:-1]}"] == 1


def test_errors_carry_a_request_id(box: Box) -> None:
    responses = [
        box.client.get(f"/restaurants/menus-menu/v1/menus/{new_guid()}"),  # 404 ENTITY_NOT_FOUND
        box.client.get("/restaurants/menus-menu/v1/nowhere"),  # 404 NOT_FOUND (no route)
        box.client.post("/restaurants/menus-menu/v1/menus", json={"menu": {}}),  # 400 validation
        box.client.get("/restaurants/menus-menu/v1/menus", headers={"Authorization": "wrong"}),  # 401
    ]
    assert [response.status_code for response in responses] == [404, 404, 400, 401]
    ids = [response.headers.get("x-wix-request-id") for response in responses]
    assert all(ids) and len(set(ids)) == len(ids)
