"""Every one of the 32 endpoints exists under both prefixes (U1), with its exact method and path."""

from __future__ import annotations

import httpx
import pytest

from reconciler.emulator.v3 import ENDPOINTS
from tests.emulator.helpers import PREFIXES, new_guid
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

EXPECTED = {
    "listCatalogs": ("GET", "/catalogs"),
    "createDraftCatalog": ("POST", "/draft-catalogs/{catalogId}/create"),
    "publishDraftCatalog": ("POST", "/draft-catalogs/{catalogId}/publish"),
    "discardDraftCatalog": ("DELETE", "/draft-catalogs/{catalogId}/discard"),
    "bulkCreateVariations": ("POST", "/draft-catalogs/{catalogId}/bulk/variations/create"),
    "bulkCreateDishes": ("POST", "/draft-catalogs/{catalogId}/bulk/dishes/create"),
    "bulkUpdateItems": ("POST", "/draft-catalogs/{catalogId}/bulk/items/update"),
    "bulkCreateMenus": ("POST", "/draft-catalogs/{catalogId}/bulk/menus/create"),
    "bulkUpdateMenus": ("POST", "/draft-catalogs/{catalogId}/bulk/menus/update"),
    "bulkArchiveMenus": ("POST", "/draft-catalogs/{catalogId}/bulk/menus/archive"),
    "bulkUnarchiveMenus": ("POST", "/draft-catalogs/{catalogId}/bulk/menus/unarchive"),
    "bulkCreateSections": ("POST", "/draft-catalogs/{catalogId}/bulk/sections/create"),
    "bulkUpdateSections": ("POST", "/draft-catalogs/{catalogId}/bulk/sections/update"),
    "listMenus": ("GET", "/catalogs/{catalogId}/menus"),
    "getMenu": ("GET", "/catalogs/{catalogId}/menus/{menuId}"),
    "createMenu": ("POST", "/catalogs/{catalogId}/menus"),
    "updateMenu": ("PATCH", "/catalogs/{catalogId}/menus/{menuId}"),
    "archiveMenu": ("POST", "/catalogs/{catalogId}/menus/{menuId}/archive"),
    "unarchiveMenu": ("POST", "/catalogs/{catalogId}/menus/{menuId}/unarchive"),
    "listSections": ("GET", "/catalogs/{catalogId}/sections"),
    "getSection": ("GET", "/catalogs/{catalogId}/menus/{menuId}/sections/{sectionId}"),
    "createSection": ("POST", "/catalogs/{catalogId}/menus/{menuId}/sections"),
    "updateSection": ("PATCH", "/catalogs/{catalogId}/menus/{menuId}/sections/{sectionId}"),
    "listItems": ("GET", "/catalogs/{catalogId}/items"),
    "getItem": ("GET", "/catalogs/{catalogId}/items/{itemId}"),
    "updateItem": ("PATCH", "/catalogs/{catalogId}/items/{itemId}"),
    "createDish": ("POST", "/catalogs/{catalogId}/menus/{menuId}/sections/{sectionId}/items"),
    "createVariation": ("POST", "/catalogs/{catalogId}/variations"),
    "createDiscount": ("POST", "/catalogs/{catalogId}/discounts"),
    "getDiscount": ("GET", "/catalogs/{catalogId}/discounts/{discountId}"),
    "updateDiscount": ("PATCH", "/catalogs/{catalogId}/discounts/{discountId}"),
    "listDiscounts": ("GET", "/catalogs/{catalogId}/discounts"),
}


def test_the_route_table_is_the_reference_table() -> None:
    assert {op: (method, path) for op, method, path, _, _ in ENDPOINTS} == EXPECTED
    assert len(EXPECTED) == 32


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("operation", sorted(EXPECTED))
def test_each_endpoint_is_routed_and_counted(
    server: EmulatorServer, api: httpx.Client, prefix: str, operation: str
) -> None:
    method, template = EXPECTED[operation]
    path = prefix + template.format(
        catalogId=new_guid(), menuId=new_guid(), sectionId=new_guid(), itemId=new_guid(), discountId=new_guid()
    )
    before = server.counters()["operations"].get(operation, 0)
    response = api.request(method, path, json={} if method in ("POST", "PATCH") else None)
    body = response.json()
    # An unknown route would be the router's NOT_FOUND; a routed call fails (if at all) on its data.
    assert body.get("details", {}).get("applicationError", {}).get("code") != "NOT_FOUND", body
    assert server.counters()["operations"].get(operation, 0) == before + 1


def test_unknown_routes_are_404(api: httpx.Client) -> None:
    response = api.get("/restaurants/v3/nothing-here")
    assert response.status_code == 404
    assert response.json()["details"]["applicationError"]["code"] == "NOT_FOUND"
    assert api.put(f"/v3/catalogs/{new_guid()}/menus").status_code == 404
