"""Every endpoint of reference §1.4 at its canonical path and, where §1.1 maps it, under the
``/restaurants/menus/v1`` alias; each counted under its ``<service>.<SDK function>`` name."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.menus.helpers import ALIAS, BASE, app_error, new_guid
from tests.support.emulator_server import EmulatorServer

pytestmark = pytest.mark.e2e

X = "{id}"
# (operation, method, path after the service base, also under the alias?)  -- written from §1.1/§1.4
EXPECTED: list[tuple[str, str, str, bool]] = [
    ("menus.createMenu", "POST", "/menus", True),
    ("menus.bulkCreateMenus", "POST", "/bulk/menus/create", True),
    ("menus.getMenu", "GET", f"/menus/{X}", True),
    ("menus.listMenus", "GET", "/menus", True),
    ("menus.queryMenus", "POST", "/menus/query", True),
    ("menus.updateMenu", "PATCH", f"/menus/{X}", True),
    ("menus.bulkUpdateMenu", "POST", "/bulk/menus/update", True),
    ("menus.updateExtendedFields", "POST", f"/menus/{X}/updateExtendedFields", True),
    ("menus.deleteMenu", "DELETE", f"/menus/{X}", True),
    ("menus.duplicateMenu", "POST", f"/menus/{X}/duplicate", True),
    ("menus.getMenuSiteUrl", "GET", f"/menus-site-url/menus/{X}", True),
    ("menus.queryMenusSiteUrl", "POST", "/menus-site-url/menus/query", True),
    ("sections.createSection", "POST", "/sections", True),
    ("sections.bulkCreateSections", "POST", "/bulk/sections/create", True),
    ("sections.getSection", "GET", f"/sections/{X}", True),
    ("sections.listSections", "GET", "/sections", True),
    ("sections.querySections", "POST", "/sections/query", True),
    ("sections.updateSection", "PATCH", f"/sections/{X}", True),
    ("sections.bulkUpdateSection", "POST", "/bulk/sections/update", True),
    ("sections.deleteSection", "DELETE", f"/sections/{X}", True),
    ("sections.bulkDeleteSections", "DELETE", "/bulk/sections/delete", True),
    ("sections.duplicateSection", "POST", f"/sections/{X}/duplicate", True),
    ("items.createItem", "POST", "/items", True),
    ("items.bulkCreateItems", "POST", "/bulk/items/create", True),
    ("items.getItem", "GET", f"/items/{X}", True),
    ("items.listItems", "GET", "/items", True),
    ("items.queryItems", "POST", "/items/query", True),
    ("items.searchItems", "POST", "/items/search", True),
    ("items.searchItems", "GET", "/items/search", True),
    ("items.countItems", "POST", "/items/count", True),
    ("items.updateItem", "PATCH", f"/items/{X}", True),
    ("items.bulkUpdateItem", "POST", "/bulk/items/update", True),
    ("items.deleteItem", "DELETE", f"/items/{X}", True),
    ("items.bulkDeleteItems", "DELETE", "/bulk/items/delete", True),
    ("items.duplicateItem", "POST", f"/items/{X}/duplicate", True),
    ("variants.createVariant", "POST", "/variants", True),
    ("variants.bulkCreateVariants", "POST", "/bulk/variants/create", True),
    ("variants.getVariant", "GET", f"/variants/{X}", True),
    ("variants.listVariants", "GET", "/variants", True),
    ("variants.queryVariants", "POST", "/variants/query", True),
    ("variants.countVariants", "POST", "/variants/count", True),
    ("variants.updateVariant", "PATCH", f"/variants/{X}", True),
    ("variants.bulkUpdateVariants", "POST", "/bulk/variants/update", True),
    ("variants.deleteVariant", "DELETE", f"/variants/{X}", True),
    ("variants.bulkDeleteVariants", "DELETE", "/bulk/variants/delete", True),
    ("labels.createLabel", "POST", "/labels", True),
    ("labels.getLabel", "GET", f"/labels/{X}", True),
    ("labels.listLabels", "GET", "/labels", True),
    ("labels.queryLabels", "POST", "/labels/query", True),
    ("labels.countLabels", "POST", "/labels/count", True),
    ("labels.updateLabel", "PATCH", f"/labels/{X}", True),
    ("labels.deleteLabel", "DELETE", f"/labels/{X}", True),
    ("labels.bulkDeleteLabels", "DELETE", "/bulk/labels/delete", False),
    ("modifiers.createModifier", "POST", "/modifiers", False),
    ("modifiers.bulkCreateModifiers", "POST", "/bulk/modifiers/create", True),
    ("modifiers.getModifier", "GET", f"/modifiers/{X}", False),
    ("modifiers.listModifiers", "GET", "/modifiers", False),
    ("modifiers.queryModifiers", "POST", "/modifiers/query", False),
    ("modifiers.countModifiers", "POST", "/modifiers/count", True),
    ("modifiers.updateModifier", "PATCH", f"/modifiers/{X}", False),
    ("modifiers.bulkUpdateModifiers", "POST", "/bulk/modifiers/update", True),
    ("modifiers.deleteModifier", "DELETE", f"/modifiers/{X}", False),
    ("modifiers.bulkDeleteModifiers", "DELETE", "/bulk/modifiers/delete", True),
    ("modifierGroups.createModifierGroup", "POST", "/modifier-groups", True),
    ("modifierGroups.bulkCreateModifierGroups", "POST", "/bulk/modifier-groups/create", True),
    ("modifierGroups.getModifierGroup", "GET", f"/modifier-groups/{X}", True),
    ("modifierGroups.listModifierGroups", "GET", "/modifier-groups", True),
    ("modifierGroups.queryModifierGroups", "POST", "/modifier-groups/query", True),
    ("modifierGroups.countModifierGroups", "POST", "/modifier-groups/count", True),
    ("modifierGroups.updateModifierGroup", "PATCH", f"/modifier-groups/{X}", True),
    ("modifierGroups.bulkUpdateModifierGroups", "POST", "/bulk/modifiers-groups/update", True),
    ("modifierGroups.deleteModifierGroup", "DELETE", f"/modifier-groups/{X}", True),
    ("modifierGroups.bulkDeleteModifierGroups", "DELETE", "/bulk/modifiers-groups/delete", True),
]


def _send(client: httpx.Client, method: str, path: str) -> httpx.Response:
    body = {} if method in ("POST", "PATCH") else None
    return client.request(method, path.replace(X, new_guid()), json=body)


def test_every_endpoint_at_both_prefixes_with_its_operation_name(
    menus_server: EmulatorServer, site: dict[str, str]
) -> None:
    sent: list[tuple[str, str]] = []
    with menus_server.client() as client:
        for operation, method, path, aliased in EXPECTED:
            service = operation.split(".")[0]
            prefixes = [BASE[service]] + ([ALIAS] if aliased else [])
            for prefix in prefixes:
                response = _send(client, method, prefix + path)
                if response.status_code == 404:  # an entity may be missing, never the route
                    assert response.json()["details"]["applicationError"]["code"] == "ENTITY_NOT_FOUND", (
                        path,
                        response.text,
                    )
                sent.append((operation, prefix + path))
    log = menus_server.requests()
    assert [entry["operation"] for entry in log] == [operation for operation, _path in sent]
    served = {op for op in menus_server.health()["operations"] if op.split(".")[0] in BASE}
    assert served == {operation for operation, *_ in EXPECTED}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", f"{ALIAS}/bulk/labels/delete"),  # §1.1: labels map only /labels…
        ("POST", f"{ALIAS}/modifiers"),  # modifiers map only their bulk endpoints and Count
        ("GET", f"{ALIAS}/modifiers"),
        ("POST", f"{BASE['modifierGroups']}/bulk/modifier-groups/update"),  # the spelling trap, §7.5
        ("DELETE", f"{BASE['modifierGroups']}/bulk/modifier-groups/delete"),
        ("POST", f"{BASE['modifierGroups']}/bulk/modifiers-groups/create"),
        ("POST", "/restaurants/item-modifier-groups/v1/modifier-groups"),  # the prefix is singular
        ("POST", f"{BASE['labels']}/bulk/labels/create"),  # labels have no bulk create
        ("POST", f"{BASE['menus']}/menus/count"),  # menus have no Count, no bulk delete
        ("DELETE", f"{BASE['menus']}/bulk/menus/delete"),
        ("POST", f"{BASE['sections']}/sections/count"),
    ],
)
def test_paths_that_do_not_exist(menus_server: EmulatorServer, site: dict[str, str], method: str, path: str) -> None:
    with menus_server.client() as client:
        app_error(client.request(method, path, json={} if method == "POST" else None), 404, "NOT_FOUND")
